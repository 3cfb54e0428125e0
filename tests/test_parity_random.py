"""Python and JavaScript agree on random valid rubric 2.0 assessments, "what would change" included.

Hypothesis draws whole assessment files (plan context, participant groups with every role, per-group
answers, n/a where the rubric allows it, unanswered and missing questions, levels clustered around a
plan-wide tendency so that every band and ladder step is reached; level-1 answers now and then
marked ``partial``). Each file must be accepted by
`load_assessment`; then `widgets/static/scoring.js` and `widgets/static/lib/report.js`, in one Node
process that scores all of them in one batch, must give exactly `score_plan(...).to_dict()` (values
and key order) and the same Markdown report as `widgets/_reports.py`. The draws are made once per
run (a module fixture), and a second test checks that they reach every band and kind of limit. `benchmarks/bench_parity.py` runs the
same comparison on many more plans.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from widgets._assessment import load_assessment
from widgets._reports import render_markdown, score_report
from widgets._scoring import load_rubric, score_plan

from hostile_text import HOSTILE
from test_parity import key_order

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static"
NODE = shutil.which("node") or "/usr/bin/node"
RUBRIC = load_rubric()
CRITERIA = RUBRIC.criteria
#: How many random assessments `make test` compares (bounded; the benchmark runs more).
EXAMPLES = int(os.environ.get("PAI_PARITY_EXAMPLES", "300"))

pytestmark = pytest.mark.skipif(not Path(NODE).exists(), reason="Node.js is not installed (runs scoring.js)")

# One line of JSON in ({"plan", "links", "criteriaIds"}), one line of JSON out ({"score", "report"}).
SERVER_JS = f"""
import readline from "node:readline";
import {{ scorePlan }} from {json.dumps((STATIC / 'scoring.js').as_uri())};
import {{ markdownReport }} from {json.dumps((STATIC / 'lib' / 'report.js').as_uri())};
const lines = readline.createInterface({{ input: process.stdin, crlfDelay: Infinity }});
let rubric = null;
for await (const line of lines) {{
  if (rubric === null) {{ rubric = JSON.parse(line); continue; }}
  const {{ plan, links, criteriaIds }} = JSON.parse(line);
  let out;
  try {{
    const score = scorePlan(plan, rubric);
    out = {{ score, report: markdownReport({{ rubric, assessment: plan, score, links, criteriaIds }}) }};
  }} catch (err) {{
    out = {{ error: String(err && err.stack || err) }};
  }}
  process.stdout.write(JSON.stringify(out) + "\\n");
}}
"""


class NodeScorer:
    """A Node process that scores one plan per line, so hypothesis can shrink a failing case."""

    def __init__(self, rubric_json: dict):
        self.proc = subprocess.Popen([NODE, "--input-type=module", "-e", SERVER_JS], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=STATIC,
                                     encoding="utf-8")
        self._send(rubric_json)

    def _send(self, obj) -> None:
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def __call__(self, plan: dict, links: dict, criteria_ids) -> dict:
        self._send({"plan": plan, "links": links, "criteriaIds": criteria_ids})
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("scoring.js stopped: " + self.proc.stderr.read())
        out = json.loads(line)
        assert "error" not in out, out.get("error")
        return out

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def node_scorer():
    scorer = NodeScorer(json.loads(json.dumps(dict(RUBRIC.data))))
    yield scorer
    scorer.close()


# --------------------------------------------------------------------------- the strategy

ROLES = list(RUBRIC.roles)
GROUP_IDS = ["panel", "public", "workers", "speakers", "council", "advisers-1", "g7"]
CONTEXT = RUBRIC.context_options
#: Text a user may type in a one-line field, markup, formulas and scripts included (the loader
#: refuses control characters and lone surrogates, so those are tested by the loader's own tests).
TEXTS = [HOSTILE, "=1+1", "| a | b |", "**b** _i_ `c`", "\u00fcn\u00efc\u00f8d\u00e9 \u2014 \u201cquotes\u201d \u65e5\u672c\u8a9e",
         "back\\slash \\* and &amp; entity &#60;", "pair \U0001f600 emoji", "12. not a list"]
LABELS = st.sampled_from(["Panel", "Wider public", "Data workers", *TEXTS])


def _fit(c, value):
    """n/a only where the rubric allows it (the file format refuses it elsewhere)."""
    return None if value == "n/a" and not c.not_applicable_if else value


def _cell(draw, c, level) -> dict:
    """An answer at ``level``; a level-1 answer is marked ``partial`` (part of level 2 there) one time
    in three, the only level the file format allows it with."""
    level = _fit(c, level)
    if level == 1 and draw(st.integers(0, 2)) == 0:
        return {"level": 1, "partial": True}
    return {"level": level}


@st.composite
def level_near(draw, tendency: int, noise: int, spread: bool):
    """The plan's tendency, one below it now and then when `spread`, or, `noise` times in a
    hundred, anything: unanswered, n/a or any level."""
    if draw(st.integers(0, 99)) < noise:
        return draw(st.sampled_from([None, "n/a", 0, 1, 2, 3]))
    if spread and draw(st.integers(0, 3)) == 0:
        return max(0, tendency - 1)
    return tendency


@st.composite
def assessments(draw):
    """A random assessment file that `load_assessment` accepts."""
    # Levels cluster around tendencies drawn per plan, by the plan's shape: a noisy plan (flags,
    # open questions), a clean one (the top bands), or a weak profile beside sound guardrails (the
    # profile lowers the band). The ladder questions vary on their own, so every step is reached.
    shape = draw(st.sampled_from(["noisy", "clean", "weak-profile"]))
    if shape == "noisy":
        tendency = draw(st.integers(0, 3))
        guard, noise, spread = tendency, draw(st.sampled_from([2, 5, 15, 40])), draw(st.booleans())
    elif shape == "clean":
        tendency, guard, noise, spread = 3, 3, 0, draw(st.booleans())
    else:
        tendency, noise, spread = draw(st.integers(0, 1)), draw(st.sampled_from([0, 2])), False
        guard = tendency
    ladder_tendency = draw(st.sampled_from([tendency, 0, 1, 2, 3]))
    ladder_mixed = draw(st.booleans())  # each ladder question on its own, or all at one level
    density = draw(st.sampled_from([100, 90, 70, 30, 0]))  # percent of the questions present
    context = {}
    for key, options in CONTEXT.items():
        pick = draw(st.sampled_from([None, *options]))
        if pick is not None:
            context[key] = pick
    n_groups = draw(st.integers(0, 4))
    ids = draw(st.permutations(GROUP_IDS))[:n_groups]
    groups = [{"id": gid, "label": draw(LABELS), "role": draw(st.sampled_from(ROLES))} for gid in ids]
    answers = {}
    for c in CRITERIA:
        if draw(st.integers(0, 99)) >= density:
            continue
        step_level = draw(st.integers(0, 3)) if ladder_mixed else ladder_tendency
        base = step_level if c.step else guard if c.raises else tendency
        if shape == "weak-profile":  # as low as the question goes without raising a flag
            base = max(step_level if c.step else tendency, next(lv for lv in range(4) if lv not in c.raises))
        near = level_near(base, noise, spread)
        answer = _cell(draw, c, draw(near))
        if c.per_group:
            cells = {}
            # A group's own answer is often one below the plan's (a group treated worse than the
            # others), so partial cells that spare a group's flag are drawn as often as plain ones.
            cell_near = level_near(base, noise, True)
            for g in groups:
                if g["role"] in c.group_roles and draw(st.integers(0, 2)) == 0:
                    cells[g["id"]] = _cell(draw, c, draw(cell_near))
            if cells:
                answer["by_group"] = cells
        answers[c.id] = answer
    doc = {"format": "pai-assessment", "format_version": 1,
           "rubric": {"id": RUBRIC.id, "version": RUBRIC.version},
           "scope": draw(st.sampled_from(["full", "short"])), "team": draw(LABELS), "product": draw(LABELS),
           "model_type": draw(st.sampled_from(RUBRIC.model_type_ids)),
           "lifecycle_stage": draw(st.sampled_from(RUBRIC.stage_ids)), "date": "2026-11-24", "answers": answers}
    if context:
        doc["context"] = context
    if groups:
        doc["groups"] = groups
    return doc


# --------------------------------------------------------------------------- the comparison


def check_same(node_scorer, doc: dict, links: dict | None = None, criteria_ids=None) -> dict:
    """Score `doc` in both languages and compare the score, its key order and the report."""
    links = links or {}
    py = score_plan(doc, RUBRIC).to_dict()
    js = node_scorer(doc, links, criteria_ids)
    assert js["score"] == py
    assert key_order(js["score"]) == key_order(py)
    assert js["report"] == render_markdown(score_report(RUBRIC, doc, py, links, criteria_ids))
    return py


def score_in_one_node(rubric_json: dict, requests: list[dict]) -> list[dict]:
    """Node's answer for each request ({"plan", "links", "criteriaIds"}), all sent to one process
    at once (what `NodeScorer` does one line at a time)."""
    lines = "".join(json.dumps(obj) + "\n" for obj in [rubric_json, *requests])
    done = subprocess.run([NODE, "--input-type=module", "-e", SERVER_JS], input=lines, capture_output=True,
                          text=True, encoding="utf-8", cwd=STATIC, timeout=600)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0 and len(answers) == len(requests), f"scoring.js stopped: {done.stderr}"
    return answers


@pytest.fixture(scope="module")
def random_draws() -> list[dict]:
    """The EXAMPLES random assessments, drawn once (hypothesis, derandomized: the same every run)."""
    docs: list[dict] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(doc=assessments())
    def draw(doc):
        docs.append(json.loads(json.dumps(doc)))

    draw()
    assert len(docs) == EXAMPLES, f"hypothesis drew {len(docs)} assessments, not {EXAMPLES}"
    return docs


def test_random_assessments_score_and_report_identically(random_draws):
    wrong = []
    for doc in random_draws:
        load_assessment(json.loads(json.dumps(doc)))  # a valid file: the loader accepts it
    answers = score_in_one_node(json.loads(json.dumps(dict(RUBRIC.data))),
                                [{"plan": doc, "links": {}, "criteriaIds": None} for doc in random_draws])
    for doc, js in zip(random_draws, answers):
        assert "error" not in js, js.get("error")
        py = score_plan(doc, RUBRIC).to_dict()
        same = (js["score"] == py and key_order(js["score"]) == key_order(py)
                and js["report"] == render_markdown(score_report(RUBRIC, doc, py, {}, None)))
        if not same:
            wrong.append(doc)
    if wrong:  # compare the smallest one field by field, as check_same does, for a readable diff
        scorer = NodeScorer(json.loads(json.dumps(dict(RUBRIC.data))))
        try:
            check_same(scorer, min(wrong, key=lambda d: len(json.dumps(d))))
        finally:
            scorer.close()
    assert wrong == [], f"{len(wrong)} of {len(random_draws)} random assessments differ"


def test_random_assessments_reach_every_case(random_draws):
    """The draws were not all alike: every band, every kind of limit, reachable and unreachable targets."""
    if EXAMPLES < 300:
        pytest.skip(f"PAI_PARITY_EXAMPLES={EXAMPLES}: the claim is about the 300 draws `make test` makes")
    seen: dict[str, set] = {"band": set(), "target": set(), "limited_by": set(), "holding_down": set(),
                            "partly_met": set()}
    for doc in random_draws:
        py = score_plan(doc, RUBRIC).to_dict()
        seen["partly_met"].update(("group" if p["group"] else "plain", bool(p["flags"])) for p in py["partly_met"])
        seen["band"].add(py["band"]["id"])
        seen["target"].add((py["what_would_change"]["target"], py["what_would_change"]["reachable"]))
        seen["limited_by"].update(x["kind"] for x in py["band"]["limited_by"])
        seen["holding_down"].update(x["kind"] for x in py["what_would_change"]["holding_down"])
    assert seen["band"] >= set(RUBRIC.bands) | {None}
    assert seen["limited_by"] >= {"ladder", "context", "profile", "red-flag"}
    assert seen["holding_down"] >= {"ladder", "profile", "red-flag"}
    assert {reachable for _, reachable in seen["target"]} == {True, False}
    # Partial level-1 answers, plain and per group, that spare a flag and that spare none.
    assert seen["partly_met"] == {("plain", True), ("plain", False), ("group", True), ("group", False)}


def test_examples_with_links_and_subsets_report_identically(node_scorer):
    """Each example plan, with the site's links and with a mini self-check's subset of questions."""
    links = {label: {"url": f"https://example.org/{label}.html", "title": f"Title <{label}>"}
             for label in ["theme-fair-treatment", *(f["explained_in"] for f in RUBRIC.data["red_flags"][:5])]}
    for path in sorted((ROOT / "widgets" / "examples").glob("*.yaml")):
        doc = load_assessment(path).to_dict()
        check_same(node_scorer, doc)
        check_same(node_scorer, doc, links)
        check_same(node_scorer, doc, links, [c.id for c in CRITERIA if c.per_group][:4])


def test_what_would_change_agrees_on_every_single_step_up(node_scorer):
    """Each example, with every answer lowered by one in turn (plain and per group): the moves
    and what holds the band down agree (the search runs its three passes on each)."""
    compared = 0
    for path in sorted((ROOT / "widgets" / "examples").glob("*.yaml")):
        doc = load_assessment(path).to_dict()
        for cid, answer in doc["answers"].items():
            variants = []
            if type(answer.get("level")) is int and answer["level"] > 0:
                variants.append(json.loads(json.dumps(doc)))
                variants[-1]["answers"][cid]["level"] -= 1
            for gid, cell in (answer.get("by_group") or {}).items():
                if type(cell.get("level")) is int and cell["level"] > 0:
                    variants.append(json.loads(json.dumps(doc)))
                    variants[-1]["answers"][cid]["by_group"][gid]["level"] -= 1
            for v in variants:
                py = check_same(node_scorer, v)
                compared += bool(py["what_would_change"]["moves"])
    assert compared > 20
