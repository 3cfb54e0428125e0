"""The form's rules for rubric 2.0 (widgets/static/assessment/file.js), under Node, against Python.

- Which questions the form shows as not applying, and why, is what the scorer decides
  (``score_plan``'s contributions: ``no-participants``, ``process``, ``no-group``), for generated
  contexts and groups.
- Group ids made from any label are valid ids for the file format, unique, and stable for a label.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from widgets import load_rubric
from widgets._assessment import _ID_RX
from widgets._scoring import score_plan

ROOT = Path(__file__).resolve().parents[1]
FILE_JS = ROOT / "widgets" / "static" / "assessment" / "file.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (needed to run the ES modules)")
RUBRIC = load_rubric()
RUBRIC_JSON = json.loads(json.dumps(dict(RUBRIC.data)))
ROLES = [r["id"] for r in RUBRIC_JSON["group_roles"]]
OPTIONS = {q["id"]: [o["id"] for o in q["options"]] for q in RUBRIC_JSON["context"]}

PROGRAM = f"""
import {{ groupId, planContext, questionStatus }} from {json.dumps(FILE_JS.as_uri())};
let input = ""; for await (const chunk of process.stdin) input += chunk;
const {{ rubric, plans, labels }} = JSON.parse(input);
const status = plans.map((a) => rubric.criteria.map((c) => {{
  const s = questionStatus(c, rubric, a);
  return s.applies ? null : s.reason;
}}));
const contexts = plans.map((a) => planContext(rubric, a));
const ids = [];
for (const list of labels) {{
  const taken = [];
  for (const label of list) taken.push(groupId(label, taken));
  ids.push(taken);
}}
process.stdout.write(JSON.stringify({{ status, contexts, ids }}));
"""


def run(plans, labels):
    done = subprocess.run([NODE, "--input-type=module", "-e", PROGRAM], capture_output=True, text=True, timeout=120,
                          input=json.dumps({"rubric": RUBRIC_JSON, "plans": plans, "labels": labels}))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


context_st = st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in OPTIONS.items()})
groups_st = st.lists(st.sampled_from(ROLES), max_size=4).map(
    lambda roles: [{"id": f"g{i}", "label": f"Group {i}", "role": r} for i, r in enumerate(roles)])
plan_st = st.builds(lambda c, g: {"context": c, "groups": g, "answers": {}}, context_st, groups_st)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(plan_st, min_size=80, max_size=80))
def test_the_form_drops_the_questions_the_scorer_drops(plans):
    page = run(plans, [])
    for plan, shown, context in zip(plans, page["status"], page["contexts"]):
        score = score_plan(plan, RUBRIC).to_dict()
        assert context == score["context"]
        dropped = {c["criterion"]: c["reason"] for c in score["contributions"]
                   if c["status"] == "not-applicable" and c["reason"] != "answered-n/a"}
        assert {c.id: r for c, r in zip(RUBRIC.criteria, shown) if r is not None} == dropped


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.lists(st.text(max_size=120), min_size=1, max_size=20), min_size=40, max_size=40))
def test_group_ids_from_any_label_are_valid_unique_and_stable(labels):
    first = run([], labels)["ids"]
    assert run([], labels)["ids"] == first
    for ids in first:
        assert len(set(ids)) == len(ids)
        for gid in ids:
            assert _ID_RX.fullmatch(gid) and len(gid) <= 60, gid
