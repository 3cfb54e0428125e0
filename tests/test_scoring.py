"""Hand-worked checks of the scoring algorithm in widgets/rubric/SCORING.md."""

from __future__ import annotations

import json

import pytest

from widgets import load_rubric, score_plan
from widgets._scoring import round_percent

RUBRIC = load_rubric()


def plan(answers: dict, scope: str = "full", stage: str = "data") -> dict:
    return {"scope": scope, "lifecycle_stage": stage, "team": "T", "product": "P",
            "answers": {k: {"level": v} for k, v in answers.items()}}


@pytest.mark.parametrize("n, d, expected", [
    (1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5), (1, 16, 6.3), (1, 80, 1.3), (3, 80, 3.8),
    (0, 5, 0.0), (5, 5, 100.0), (12, 345, 3.5), (333, 345, 96.5), (7, 0, None),
])
def test_rounding_is_half_up_to_one_decimal_from_integers(n, d, expected):
    assert round_percent(n, d) == expected


def test_total_points_of_rubric_1_0():
    # 19 H x 9 + 26 M x 6 + 6 L x 3 (see the rubric chapter).
    assert sum(3 * c.points for c in RUBRIC.criteria) == 345


def test_hand_worked_partial_plan():
    s = score_plan(plan({"purpose-stated": 2, "early-start": 0, "several-stages": 3}))
    d = s.to_dict()
    theme = d["themes"][0]
    assert theme["id"] == "purpose-timing"
    assert (theme["earned"], theme["answered_max"], theme["unanswered_max"]) == (12, 24, 36)
    assert (theme["percent"], theme["low_percent"], theme["high_percent"]) == (50.0, 20.0, 80.0)
    o = d["overall"]
    assert (o["earned"], o["answered_max"], o["applicable_max"]) == (12, 24, 345)
    assert (o["percent"], o["low_percent"], o["high_percent"]) == (50.0, 3.5, 96.5)
    assert d["iap2"] == {"level": "none", "index": 0, "high": "empower",
                         "next_level_blocked_by": ["open-and-fixed-stated"]}
    assert d["band"] == {"id": "non-participation", "low": "non-participation", "high": "non-participation",
                         "limited_by": [{"kind": "iap2", "id": "none"},
                                        {"kind": "red-flag", "id": "decision-already-made"}]}
    assert [f["id"] for f in d["red_flags"]] == ["decision-already-made"]
    assert d["red_flags"][0]["raised_by"] == ["early-start"]
    assert d["completeness"] == {"in_scope": 51, "answered": 3, "not_applicable": 0, "unanswered": 48,
                                 "percent": 5.9, "confidence": "low"}
    # Every number traces to answers.
    contrib = {c["criterion"]: c for c in d["contributions"]}
    assert contrib["purpose-stated"] == {"criterion": "purpose-stated", "theme": "purpose-timing",
                                         "weight_points": 3, "status": "answered", "level": 2, "points": 6,
                                         "max_points": 9, "gate": "inform", "flag": None, "flag_raised": False}
    assert contrib["early-start"]["flag_raised"] is True
    assert sum(c["points"] for c in d["contributions"]) == o["earned"]
    assert sum(c["max_points"] for c in d["contributions"]) == o["answered_max"]


def test_action_priorities():
    s = score_plan(plan({"purpose-stated": 2, "early-start": 0, "several-stages": 3}))
    actions = s.to_dict()["actions"]
    assert actions[0]["criterion"] == "early-start" and actions[0]["kind"] == "red-flag"
    assert (actions[0]["target_level"], actions[0]["gain"]) == (2, 6)
    guard = [a["criterion"] for a in actions if a["kind"] == "unanswered-guardrail"]
    assert guard == ["no-synthetic-stand-ins", "pay-participants", "informed-consent", "withdrawal",
                     "harmful-exposure", "living-wage-contracts", "report-back"]
    gates = [a["criterion"] for a in actions if a["kind"] == "next-level-gate"]
    assert gates == ["open-and-fixed-stated"]
    assert [a["rank"] for a in actions] == list(range(1, len(actions) + 1))
    assert all(a["explained_in"].startswith(("theme-", "guardrail-")) for a in actions)
    # several-stages is at 3: nothing to do.
    assert "several-stages" not in {a["criterion"] for a in actions}


def test_unanswered_are_neither_zero_nor_full():
    only_one = score_plan(plan({"purpose-stated": 3}))
    assert only_one.overall.percent == 100.0
    assert only_one.overall.low_percent < 5 and only_one.overall.high_percent == 100.0
    assert only_one.confidence == "low"
    nothing = score_plan(plan({}))
    assert nothing.band is None and nothing.confidence == "none"
    assert nothing.to_dict()["band"] == {"id": None, "low": "non-participation", "high": "community-led",
                                          "limited_by": []}


def test_all_threes_and_all_twos():
    threes = score_plan(plan({c.id: 3 for c in RUBRIC.criteria}))
    assert (threes.band_id, threes.iap2_level, threes.overall.percent) == ("community-led", "empower", 100.0)
    twos = score_plan(plan({c.id: 2 for c in RUBRIC.criteria}))
    assert (twos.band_id, twos.iap2_level, twos.overall.percent) == ("collaboration", "empower", 66.7)
    assert twos.band_limits == (("score", "collaboration"),)


def test_not_applicable_is_excluded():
    base = {c.id: 2 for c in RUBRIC.criteria}
    na = dict(base, **{c.id: "n/a" for c in RUBRIC.criteria if c.not_applicable_if})
    s = score_plan(plan(na))
    assert s.overall.not_applicable == 7 and s.overall.answered == 44
    assert s.theme("supply-chain").answered == 1
    assert s.overall.percent == 66.7


def test_short_version_cannot_claim_community_led():
    short_ids = [c.id for c in RUBRIC.in_scope("short")]
    s = score_plan(plan({cid: 3 for cid in short_ids}, scope="short"))
    assert s.iap2_level == "collaborate" and s.band_id == "collaboration"
    assert len(s.levels) == len(short_ids) == 13
    assert all(t.applicable_max > 0 for _, t in s.themes), "every theme is in the short version"


def test_answers_outside_scope_are_ignored():
    a = score_plan(plan({"credit": 0, "open-and-fixed-stated": 2}, scope="short"))
    b = score_plan(plan({"open-and-fixed-stated": 2}, scope="short"))
    assert a.to_dict() == b.to_dict()


def test_each_flag_caps_at_its_band():
    base = {c.id: 3 for c in RUBRIC.criteria}
    for crit in (c for c in RUBRIC.criteria if c.flag):
        s = score_plan(plan(dict(base, **{crit.id: 0})))
        cap = RUBRIC.red_flags[crit.flag]["cap"]
        assert s.flag_ids == [crit.flag]
        assert s.band_id == cap, crit.id


def test_to_dict_is_plain_json_and_deterministic():
    p = plan({c.id: (i * 7) % 4 for i, c in enumerate(RUBRIC.criteria)})
    d1 = score_plan(p).to_dict()
    d2 = score_plan(p).to_dict()
    assert d1 == d2
    assert json.loads(json.dumps(d1)) == d1
    assert list(d1) == ["rubric", "scope", "plan", "band", "iap2", "overall", "themes", "red_flags",
                        "unconfirmed_flags", "completeness", "contributions", "actions"]


def test_bad_scope_is_refused():
    with pytest.raises(ValueError, match="scope"):
        score_plan({"scope": "medium", "answers": {}})


def test_precomputed_outcomes_agree_with_working_each_answer_out(monkeypatch):
    """The scorer looks up each criterion's contribution and action in tables built from the
    rubric; with the tables switched off every answer is worked out on the spot instead, and every
    result must be the same, actions and their order included."""
    import random

    from widgets import _scoring

    rng = random.Random(11)
    stages = list(RUBRIC.stage_ids) + [None, "not-a-stage"]
    plans = []
    for _ in range(200):
        # "n/a" only where the rubric allows it: score_plan refuses it elsewhere.
        answers = {c.id: rng.choice([0, 1, 2, 3, None] + (["n/a"] if c.not_applicable_if else []))
                   for c in RUBRIC.criteria if rng.random() < 0.7}
        plans.append(plan(answers, scope=rng.choice(["full", "short"]), stage=rng.choice(stages)))
    with_tables = [score_plan(p).to_dict() for p in plans]
    monkeypatch.setattr(_scoring, "_STANDARD_TYPES", frozenset())
    assert [score_plan(p).to_dict() for p in plans] == with_tables


def test_contributions_and_actions_are_named_records():
    s = score_plan(plan({"purpose-stated": 2, "early-start": 0, "pay-participants": 0}))
    row = s.contributions[0]
    assert (row.criterion, row.status, row.level, row.points) == ("purpose-stated", "answered", 2, 6)
    flagged = [a for a in s.actions if a.kind == "red-flag"]
    assert {a.criterion for a in flagged} == {"pay-participants", "early-start"} and s.actions[:2] == tuple(flagged)
    assert all(a.level == 0 and a.target_level == 2 for a in flagged)
    assert [f.flag for f in s.red_flags] == ["unpaid-participation", "decision-already-made"]
    assert s.red_flags[0].criteria == ("pay-participants",)
    d = s.to_dict()
    assert [c["criterion"] for c in d["contributions"]] == [c.criterion for c in s.contributions]
    assert [(a["kind"], a["criterion"]) for a in d["actions"]] == [(a.kind, a.criterion) for a in s.actions]
