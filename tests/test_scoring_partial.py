"""A level-1 answer marked ``partial`` (part of level 2 there; FILLING.md rule 6) in both scorers.

`band_rules.partial_spares_level_one_flags`: the answer keeps its level-1 points, ladder position and
IAP2 effect, does not raise the flags its question raises at level 1 and not at level 2, and is
listed under ``partly_met``. Python (widgets/_scoring.py) and JavaScript (widgets/static/scoring.js)
are compared on every case here; tests/test_parity_random.py draws partial answers too.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from widgets import load_assessment, load_rubric, score_plan
from widgets._scoring import _build

from test_parity_random import assessments

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static"
NODE = shutil.which("node")
RUBRIC = load_rubric()
GROUPS = [{"id": "youth", "label": "Youth panel", "role": "participants"},
          {"id": "elders", "label": "Elders' council", "role": "governance"}]
LEVEL_TWO = RUBRIC.by_id["report-back"].levels[2]

SCORE_JS = f"""
import {{ scorePlan }} from {json.dumps((STATIC / 'scoring.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const {{ rubric, plans }} = JSON.parse(text);
process.stdout.write(JSON.stringify(plans.map((p) => scorePlan(p, rubric))));
"""


def js_scores(rubric_data: dict, plans: list[dict]) -> list[dict]:
    done = subprocess.run([NODE, "--input-type=module", "-e", SCORE_JS], capture_output=True, text=True, cwd=STATIC,
                          input=json.dumps({"rubric": rubric_data, "plans": plans}), timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def rubric_with(change) -> tuple:
    """A copy of the rubric changed by ``change(data)``: (Rubric, its JSON data)."""
    data = copy.deepcopy(json.loads(json.dumps(dict(RUBRIC.data))))
    change(data)
    return _build(data), data


def plan(groups=False, **answers) -> dict:
    out = {"answers": {k.replace("_", "-"): v for k, v in answers.items()}}
    if groups:
        out["groups"] = GROUPS
    return out


def flags(score) -> list[str]:
    return [f["id"] for f in score["red_flags"]]


def without_partial(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    for a in doc["answers"].values():
        for cell in [a, *(a.get("by_group") or {}).values()]:
            cell.pop("partial", None)
    return doc


# A plan where report-back is the only question raising its flag (the consult step is not met, so a
# falling-short report-back is flagged: `met_step_clears_falling_short` does not clear it).
BASE = {"purpose-stated": {"level": 2}, "input-traced": {"level": 1}}


def test_the_rule_is_on_in_the_published_rubric():
    assert RUBRIC.rules["partial_spares_level_one_flags"] is True
    c = RUBRIC.by_id["report-back"]
    assert "no-report-back" in c.flags_at(1) and "no-report-back" not in c.flags_at(2)


def test_partial_report_back_spares_its_flag_and_lists_it():
    partial = score_plan(plan(**BASE, report_back={"level": 1, "partial": True}), RUBRIC).to_dict()
    plain = score_plan(plan(**BASE, report_back={"level": 1}), RUBRIC).to_dict()
    assert "no-report-back" in flags(plain) and "no-report-back" not in flags(partial)
    assert partial["partly_met"] == [{"criterion": "report-back", "group": None, "flags": ["no-report-back"],
                                      "next_step": LEVEL_TWO}]
    assert plain["partly_met"] == []
    contribution = next(c for c in partial["contributions"] if c["criterion"] == "report-back")
    assert contribution["level"] == 1 and contribution["flags"] == []
    assert partial["overall"] == plain["overall"] and partial["themes"] == plain["themes"]
    assert partial["iap2"]["steps_met"] == plain["iap2"]["steps_met"]


def test_level_zero_still_raises_and_the_file_refuses_partial_there():
    s = score_plan(plan(**BASE, report_back={"level": 0}), RUBRIC).to_dict()
    assert "no-report-back" in flags(s) and s["partly_met"] == []


def test_a_flag_also_raised_at_level_two_is_not_spared():
    def also_at_two(data):
        c = next(c for c in data["criteria"] if c["id"] == "report-back")
        c["raises"]["2"] = ["no-report-back"]

    rubric, data = rubric_with(also_at_two)
    doc = plan(**BASE, report_back={"level": 1, "partial": True})
    s = score_plan(doc, rubric).to_dict()
    assert "no-report-back" in flags(s)
    assert s["partly_met"] == [{"criterion": "report-back", "group": None, "flags": [], "next_step": LEVEL_TWO}]
    if NODE:
        assert js_scores(data, [doc]) == [s]


def test_one_group_partial_another_not_keeps_the_flag_from_the_other():
    doc = plan(True, **BASE, report_back={"level": 1, "by_group": {"youth": {"level": 1, "partial": True}}})
    s = score_plan(doc, RUBRIC).to_dict()
    flag = next(f for f in s["red_flags"] if f["id"] == "no-report-back")
    assert flag["groups"] == ["elders"]
    assert s["partly_met"] == [{"criterion": "report-back", "group": "youth", "flags": ["no-report-back"],
                                "next_step": LEVEL_TWO}]
    contribution = next(c for c in s["contributions"] if c["criterion"] == "report-back")
    assert {g["group"]: g["flags"] for g in contribution["groups"]} == {"youth": [], "elders": ["no-report-back"]}
    # Both partial, through the plain answer and a group's own: no group raises it.
    both = score_plan(plan(True, **BASE, report_back={"level": 1, "partial": True,
                                                      "by_group": {"youth": {"level": 1, "partial": True}}}),
                      RUBRIC).to_dict()
    assert "no-report-back" not in flags(both)
    assert [p["group"] for p in both["partly_met"]] == ["youth", "elders"]


def test_a_group_with_its_own_answer_does_not_take_the_plain_partial():
    doc = plan(True, **BASE, report_back={"level": 1, "partial": True, "by_group": {"youth": {"level": 1}}})
    s = score_plan(doc, RUBRIC).to_dict()
    assert next(f for f in s["red_flags"] if f["id"] == "no-report-back")["groups"] == ["youth"]
    assert [(p["group"], p["flags"]) for p in s["partly_met"]] == [("elders", ["no-report-back"])]


def test_a_partial_answer_that_does_not_count_is_not_listed():
    doc = plan(report_back={"level": 1, "partial": True})
    doc["context"] = {"participants": "inform-only"}
    assert score_plan(doc, RUBRIC).to_dict()["partly_met"] == []
    short = plan(**{c.id: {"level": 1, "partial": True} for c in RUBRIC.criteria if not c.short and c.raises})
    short["scope"] = "short"
    assert score_plan(short, RUBRIC).to_dict()["partly_met"] == []


def test_with_the_rule_off_partial_changes_nothing_but_the_listing():
    rubric, data = rubric_with(lambda d: d["band_rules"].update(partial_spares_level_one_flags=False))
    doc = plan(**BASE, report_back={"level": 1, "partial": True})
    s = score_plan(doc, rubric).to_dict()
    assert s["partly_met"] == [{"criterion": "report-back", "group": None, "flags": [], "next_step": LEVEL_TWO}]
    assert {k: v for k, v in s.items() if k != "partly_met"} == \
        {k: v for k, v in score_plan(without_partial(doc), rubric).to_dict().items() if k != "partly_met"}
    if NODE:
        assert js_scores(data, [doc]) == [s]


def test_what_would_change_moves_a_partial_answer_like_any_level_one_answer():
    every = {c.id: {"level": 2} for c in RUBRIC.criteria}
    every.update({"input-traced": {"level": 0}, "report-back": {"level": 1, "partial": True}})
    s = score_plan({"answers": every}, RUBRIC).to_dict()
    assert "consult" not in s["iap2"]["steps_met"] and "no-report-back" not in flags(s)
    # The search lifts it from 1 to the step's level, and it holds the band down as a level-1 answer.
    assert {"criterion": "report-back", "group": None, "from": 1, "to": 2} in s["what_would_change"]["moves"]
    assert {"kind": "ladder", "id": "consult", "criterion": "report-back", "group": None, "level": 1} in \
        s["what_would_change"]["holding_down"]


def test_a_loaded_file_scores_as_its_mapping():
    doc = {"format": "pai-assessment", "format_version": 1, "rubric": {"id": "engagement-plan", "version": RUBRIC.version},
           "team": "T", "product": "P", "model_type": "narrow", "lifecycle_stage": "data", "date": "2026-01-01",
           "groups": GROUPS, **plan(**BASE, report_back={"level": 1, "partial": True,
                                                           "by_group": {"youth": {"level": 1}}})}
    assert score_plan(load_assessment(doc), RUBRIC).to_dict() == score_plan(doc, RUBRIC).to_dict()


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed (runs scoring.js)")
def test_every_case_here_scores_the_same_in_javascript():
    docs = [plan(**BASE, report_back={"level": 1, "partial": True}), plan(**BASE, report_back={"level": 1}),
            plan(True, **BASE, report_back={"level": 1, "by_group": {"youth": {"level": 1, "partial": True}}}),
            plan(True, **BASE, report_back={"level": 1, "partial": True, "by_group": {"youth": {"level": 1}}}),
            plan(True, **{c.id: {"level": 1, "partial": True} for c in RUBRIC.criteria})]
    assert js_scores(json.loads(json.dumps(dict(RUBRIC.data))), docs) == [score_plan(d, RUBRIC).to_dict() for d in docs]


def test_sparing_a_workforce_last_flag_lifts_its_no_voice_hold():
    """Found by the property test below: a plan whose only group is a workforce is held at `inform`
    while any answer outside the ladder raises a flag (`fair_work_is_voice`); a partial answer that
    spares the only such flag lets the ladder read its answers, as a level-2 answer would."""
    workers = [{"id": "panel", "label": "Panel", "role": "workers"}]
    doc = {"answers": {"affected-groups-included": {"level": 1, "partial": True},
                       "input-changes-substance": {"level": 2}}, "groups": workers}
    with_p, without = score_plan(doc, RUBRIC).to_dict(), score_plan(without_partial(doc), RUBRIC).to_dict()
    as_two = copy.deepcopy(doc)
    as_two["answers"]["affected-groups-included"] = {"level": 2}
    two = score_plan(as_two, RUBRIC).to_dict()
    assert flags(without) and not flags(with_p) and not flags(two)
    assert without["iap2"]["steps_met"] == ["inform"] or without["iap2"]["steps_met"] == []
    assert set(with_p["iap2"]["steps_met"]) - {"inform"}
    assert with_p["iap2"]["steps_met"] == two["iap2"]["steps_met"] and with_p["band"]["ladder"] == two["band"]["ladder"]
    if NODE:
        assert js_scores(json.loads(json.dumps(dict(RUBRIC.data))), [doc]) == [with_p]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(assessments())
def test_partial_moves_nothing_up_and_only_spares_flags(doc):
    """On random files: with and without ``partial`` the points, profile and every answer's level are
    the same, and so is the ladder unless a spared flag lifts a workforce's no-voice hold; the band
    and IAP2 level only rise by the flags spared, every flag no longer
    raised is listed under ``partly_met``, and where none is spared the whole result is the same."""
    with_p = score_plan(doc, RUBRIC).to_dict()
    without = score_plan(without_partial(doc), RUBRIC).to_dict()
    for key in ("overall", "profile", "themes"):
        assert with_p[key] == without[key], key
    # Completeness counts the same answers; its confidence also reads whether the band's bounds
    # agree (SCORING.md step 7), and a spared capping flag can move an upper bound.
    assert {k: v for k, v in with_p["completeness"].items() if k != "confidence"} == \
        {k: v for k, v in without["completeness"].items() if k != "confidence"}
    if (with_p["band"]["low"], with_p["band"]["high"]) == (without["band"]["low"], without["band"]["high"]):
        assert with_p["completeness"]["confidence"] == without["completeness"]["confidence"]
    assert with_p["band"]["profile_drop"] == without["band"]["profile_drop"]
    if with_p["iap2"]["steps_met"] != without["iap2"]["steps_met"]:
        # The one way a spared flag reaches the ladder (SCORING.md step 4, "No voice"): a plan whose
        # only groups have no say but include workers is held at `inform` while any answer outside
        # the ladder raises a flag (`fair_work_is_voice`); sparing the last such flag lifts the hold.
        roles = {g["role"] for g in doc.get("groups", [])}
        assert RUBRIC.rules.get("fair_work_is_voice") and "workers" in roles
        assert not roles & set(RUBRIC.rules["voice_roles"])
        assert set(without["iap2"]["steps_met"]) <= {"inform"}
        assert set(without["iap2"]["steps_met"]) <= set(with_p["iap2"]["steps_met"])
        bands = list(RUBRIC.bands)
        assert bands.index(with_p["band"]["ladder"]) > bands.index(without["band"]["ladder"])
    else:
        assert with_p["band"]["ladder"] == without["band"]["ladder"]
    assert [(c["criterion"], c["level"], c["points"]) for c in with_p["contributions"]] == \
        [(c["criterion"], c["level"], c["points"]) for c in without["contributions"]]
    bands = list(RUBRIC.bands)
    if without["band"]["id"] is not None:
        assert bands.index(with_p["band"]["id"]) >= bands.index(without["band"]["id"])
    assert with_p["iap2"]["index"] >= without["iap2"]["index"]
    assert set(flags(with_p)) <= set(flags(without))
    spared = {f for p in with_p["partly_met"] for f in p["flags"]}
    assert set(flags(without)) - set(flags(with_p)) <= spared
    assert without["partly_met"] == []
    if not spared:
        assert {k: v for k, v in with_p.items() if k != "partly_met"} == {k: v for k, v in without.items() if k != "partly_met"}
