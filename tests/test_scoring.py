"""Hand-worked checks of the scoring algorithm in widgets/rubric/SCORING.md (rubric 2.0)."""

from __future__ import annotations

import json

import pytest

from widgets import load_rubric, score_plan
from widgets._scoring import BAND_ORDER, _build, round_percent

RUBRIC = load_rubric()
LADDER = {cid for _, _, cids in RUBRIC.ladder for cid in cids}


def plan(answers: dict, scope: str = "full", stage: str = "data", context: dict | None = None,
         groups: list | None = None) -> dict:
    out = {"scope": scope, "lifecycle_stage": stage, "team": "T", "product": "P",
           "answers": {k: (v if isinstance(v, dict) else {"level": v}) for k, v in answers.items()}}
    if context:
        out["context"] = context
    if groups:
        out["groups"] = groups
    return out


def every(level, *overrides: dict, **more) -> dict:
    """Every criterion at ``level`` (n/a-able ones too), with some answers overridden (later wins)."""
    out = {c.id: level for c in RUBRIC.criteria}
    for o in (*overrides, more):
        out.update(o)
    return out


FLAGGED = {c.id for c in RUBRIC.criteria if c.raises}


@pytest.mark.parametrize("n, d, expected", [
    (1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5), (1, 16, 6.3), (1, 80, 1.3), (3, 80, 3.8),
    (0, 5, 0.0), (5, 5, 100.0), (12, 345, 3.5), (333, 345, 96.5), (7, 0, None),
])
def test_rounding_is_half_up_to_one_decimal_from_integers(n, d, expected):
    assert round_percent(n, d) == expected


def test_total_points_of_rubric_2_0():
    # 24 H x 9 + 26 M x 6 + 9 L x 3 (see the rubric chapter).
    weights = [c.weight for c in RUBRIC.criteria]
    assert (weights.count("H"), weights.count("M"), weights.count("L")) == (24, 26, 9)
    assert sum(3 * c.points for c in RUBRIC.criteria) == 399


def test_hand_worked_partial_plan():
    d = score_plan(plan({"purpose-stated": 2, "early-start": 0, "several-stages": 3})).to_dict()
    theme = d["themes"][0]
    assert theme["id"] == "purpose-timing"
    assert (theme["earned"], theme["answered_max"], theme["unanswered_max"]) == (10, 21, 33)
    assert (theme["percent"], theme["low_percent"], theme["high_percent"]) == (47.6, 18.5, 79.6)
    o = d["overall"]
    assert (o["earned"], o["answered_max"], o["applicable_max"]) == (10, 21, 399)
    assert (o["percent"], o["low_percent"], o["high_percent"]) == (47.6, 2.5, 97.2)
    # early-start at 0 raises decision-already-made, which caps the plan at non-participation, and
    # the IAP2 level never exceeds the one the band stands for. In the best case (every unanswered
    # question at 3) affected people take part directly and input reaches a decision, so the heard
    # floor holds that case at tokenism (IAP2 inform).
    assert d["iap2"] == {"level": "none", "index": 0, "high": "inform", "steps_met": [],
                         "next_step": "inform", "next_step_blocked_by": ["open-and-fixed-stated"]}
    best = score_plan(plan({"purpose-stated": 2, "early-start": 1, "several-stages": 3})).to_dict()
    assert best["iap2"]["high"] == "empower"
    # No step of the ladder: tokenism; the guardrail's cap (non-participation) decides.
    assert d["band"] == {"id": "non-participation", "low": "non-participation", "high": "tokenism",
                         "limited_by": [{"kind": "red-flag", "id": "decision-already-made"}],
                         "ladder": "tokenism", "profile_drop": 0}
    assert d["profile"] == {"earned": 10, "answered_max": 21, "percent": 47.6, "low_percent": 40, "drop": 0}
    assert [(f["id"], f["raised_by"], f["limit"], f["power"]) for f in d["red_flags"]] == [
        ("decision-already-made", ["early-start"], "non-participation", True)]
    assert d["completeness"] == {"in_scope": 59, "answered": 3, "not_applicable": 0, "unanswered": 56,
                                 "percent": 5.1, "confidence": "low"}
    assert d["what_would_change"] == {
        "target": "tokenism", "reachable": True,
        "moves": [{"criterion": "early-start", "group": None, "from": 0, "to": 1}],
        "holding_down": [{"kind": "red-flag", "id": "decision-already-made", "criterion": "early-start",
                          "group": None, "level": 0}]}
    contrib = {c["criterion"]: c for c in d["contributions"]}
    assert contrib["purpose-stated"] == {"criterion": "purpose-stated", "theme": "purpose-timing",
                                         "weight_points": 2, "status": "answered", "reason": None, "level": 2,
                                         "points": 4, "max_points": 6, "step": None, "in_profile": True,
                                         "flags": [], "groups": []}
    assert contrib["early-start"]["flags"] == ["decision-already-made"]
    assert contrib["input-traced"]["step"] == "consult" and contrib["input-traced"]["in_profile"] is False
    assert sum(c["points"] for c in d["contributions"]) == o["earned"]
    assert sum(c["max_points"] for c in d["contributions"]) == o["answered_max"]


def test_action_priorities():
    actions = score_plan(plan({"purpose-stated": 2, "early-start": 0, "several-stages": 3})).to_dict()["actions"]
    # Level 1 of early-start ("told plainly what can no longer change") clears the flag.
    assert actions[0]["criterion"] == "early-start" and actions[0]["kind"] == "red-flag"
    assert (actions[0]["level"], actions[0]["target_level"], actions[0]["gain"]) == (0, 1, 3)
    guard = [a["criterion"] for a in actions if a["kind"] == "unanswered-guardrail"]
    weights = [RUBRIC.by_id[cid].points for cid in guard]
    assert weights == sorted(weights, reverse=True), "larger gaps first"
    assert set(guard) == {c.id for c in RUBRIC.criteria if c.raises and c.id != "early-start"}
    assert [a["rank"] for a in actions] == list(range(1, len(actions) + 1))
    assert "several-stages" not in {a["criterion"] for a in actions}


def test_unanswered_are_neither_zero_nor_full():
    only_one = score_plan(plan({"purpose-stated": 3}))
    assert only_one.overall.percent == 100.0
    assert only_one.overall.low_percent < 5 and only_one.overall.high_percent == 100.0
    assert only_one.confidence == "low"
    nothing = score_plan(plan({}))
    assert nothing.band is None and nothing.confidence == "none"
    band = nothing.to_dict()["band"]
    assert (band["id"], band["low"], band["high"], band["limited_by"]) == (None, "non-participation",
                                                                           "community-led", [])


def test_all_threes_all_twos_and_all_ones():
    threes = score_plan(plan(every(3)))
    assert (threes.band_id, threes.iap2_level, threes.overall.percent) == ("community-led", "empower", 100.0)
    twos = score_plan(plan(every(2)))
    # Every step of the ladder met: the band follows power, not the 66.7 % profile.
    assert (twos.band_id, twos.iap2_level, twos.overall.percent, twos.flag_ids) == (
        "community-led", "empower", 66.7, [])
    ones = score_plan(plan(every(1)))
    assert (ones.band_id, ones.iap2_level) == ("tokenism", "none")
    assert ("ladder", "consult") in ones.band_limits


def test_community_authority_with_imperfect_minor_items_reaches_the_top():
    """Binding community decisions, everyone treated fairly, every minor item only intended."""
    answers = every(1, {cid: 2 for cid in LADDER}, {cid: 2 for cid in FLAGGED})
    s = score_plan(plan(answers))
    assert s.flag_ids == []
    assert s.band_id in ("collaboration", "community-led")
    assert s.to_dict()["band"]["ladder"] == "community-led"


def test_busy_plan_whose_words_outrun_its_mechanisms_is_tokenism_with_the_flag():
    s = score_plan(plan(every(3, **{"claims-match-mechanisms": 0})))
    assert (s.band_id, s.flag_ids) == ("tokenism", ["participation-washing"])


def test_iap2_none_is_not_always_non_participation():
    # The public is only informed (no group is asked the per-group questions, report-back included),
    # and no ladder step is met: IAP2 none, yet no flag puts the plan below tokenism.
    informed = [{"id": "public", "label": "Residents", "role": "informed-only"}]
    s = score_plan(plan(every(2, {cid: 1 for cid in LADDER}), groups=informed))
    assert (s.iap2_level, s.band_id, s.flag_ids) == ("none", "tokenism", [])


def test_consult_step_is_met_by_input_traced_or_a_real_report_back():
    for traced, report in ((2, 1), (1, 2)):
        s = score_plan(plan(every(0, {"open-and-fixed-stated": 2, "input-traced": traced, "report-back": report})))
        assert s.to_dict()["iap2"]["steps_met"] == ["inform", "consult"], (traced, report)
    s = score_plan(plan(every(0, {"open-and-fixed-stated": 2, "input-traced": 1, "report-back": 1})))
    assert s.to_dict()["iap2"]["steps_met"] == ["inform"]


def test_iap2_never_above_the_band():
    # Every step met, but consent is missing (level 0) for the whole plan: the band is capped at
    # tokenism and the IAP2 level with it; at level 1 (asked, not informed) it lowers one band.
    missing = score_plan(plan(every(3, {"informed-consent": 0})))
    assert (missing.band_id, missing.iap2_level) == ("tokenism", "inform")
    partial = score_plan(plan(every(3, {"informed-consent": 1})))
    assert (partial.band_id, partial.iap2_level) == ("collaboration", "collaborate")
    assert partial.to_dict()["iap2"]["steps_met"] == ["inform", "consult", "involve", "collaborate", "empower"]


def test_inform_only_plan_has_no_participant_questions_and_a_tokenism_ceiling():
    s = score_plan(plan(every(3), context={"participants": "inform-only"}))
    d = s.to_dict()
    na = [c for c in d["contributions"] if c["reason"] == "no-participants"]
    assert {c["criterion"] for c in na} == {c.id for c in RUBRIC.criteria if c.needs_participants}
    assert (s.band_id, s.iap2_level, s.flag_ids, s.unconfirmed_flags) == ("tokenism", "inform", [], ())
    assert d["band"]["limited_by"] == [{"kind": "context", "id": "inform-only"}]
    assert d["what_would_change"]["target"] == "consultation" and d["what_would_change"]["reachable"] is False


def test_single_decision_process_skips_lifecycle_questions():
    s = score_plan(plan(every(3), context={"process": "single-decision"}))
    reasons = {c["criterion"]: c["reason"] for c in s.to_dict()["contributions"]}
    assert reasons["several-stages"] == "process" and reasons["report-back"] is None
    assert s.band_id == "community-led"


def test_profile_lowers_the_band_by_one_at_most_and_never_below_tokenism():
    # Power shared on every step, every other question at 0, guardrail questions left open.
    weak = {cid: lv for cid, lv in every(0, {cid: 3 for cid in LADDER}).items() if cid in LADDER or cid not in FLAGGED}
    s = score_plan(plan(weak))
    d = s.to_dict()
    assert d["band"]["ladder"] == "community-led" and d["profile"]["drop"] == 1
    assert s.band_id == "collaboration"
    assert ("profile", "collaboration") in s.band_limits
    flat = score_plan(plan({cid: 0 for cid in weak if cid not in LADDER}))
    assert flat.band_id == "tokenism" and flat.to_dict()["profile"]["drop"] == 1


GROUPS = [{"id": "panel", "label": "Panel", "role": "governance"},
          {"id": "survey", "label": "Survey respondents", "role": "participants"}]


def test_flags_from_the_worst_treated_group_band_from_the_group_with_power():
    base = every(3)
    paid_panel = dict(base, **{"pay-participants": {"level": 3, "by_group": {"survey": {"level": 1}}}})
    s = score_plan(plan(paid_panel, groups=GROUPS))
    d = s.to_dict()
    assert s.flag_ids == ["unpaid-participation"]
    flag = d["red_flags"][0]
    assert (flag["groups"], flag["power"], flag["cap"], flag["limit"]) == (["survey"], False, "tokenism", "collaboration")
    assert s.band_id == "collaboration", "one band lower, not the tokenism cap"
    by_group = {g["id"]: g for g in d["groups"]}
    assert by_group["survey"]["red_flags"] == ["unpaid-participation"] and by_group["panel"]["red_flags"] == []
    assert by_group["panel"]["holds_power"] and not by_group["survey"]["holds_power"]
    assert by_group["survey"]["levels"]["pay-participants"] == 1
    # The same failure for the group that holds power: unpaid (level 0) is raised for power and, as
    # `band_rules.power_holders_lower_only` lists the flag, lowers the band by one instead of capping
    # it; without the rule it caps. A token payment (level 1) falls short, and lowers the band by one.
    unpaid_panel = dict(base, **{"pay-participants": {"level": 3, "by_group": {"panel": {"level": 0}}}})
    unpaid = score_plan(plan(unpaid_panel, groups=GROUPS)).to_dict()
    assert unpaid["band"]["id"] == "collaboration"
    assert (unpaid["red_flags"][0]["groups"], unpaid["red_flags"][0]["power"], unpaid["red_flags"][0]["limit"]) == \
        (["panel"], True, "collaboration")
    capping = json.loads(json.dumps(dict(RUBRIC.data)))
    capping["band_rules"].pop("power_holders_lower_only")
    assert score_plan(plan(unpaid_panel, groups=GROUPS), _build(capping)).band_id == "tokenism"
    # In a plan where no group holds power, unpaid participants still cap (here the only group; with
    # another group that is paid, `cap_spared_where_power_has_it` would spare it).
    voices = [dict(GROUPS[0], role="participants")]
    assert score_plan(plan(unpaid_panel, groups=voices)).band_id == "tokenism"
    token_panel = dict(base, **{"pay-participants": {"level": 3, "by_group": {"panel": {"level": 1}}}})
    token = score_plan(plan(token_panel, groups=GROUPS)).to_dict()
    assert token["band"]["id"] == "collaboration"
    assert (token["red_flags"][0]["power"], token["red_flags"][0]["limit"]) == (True, "collaboration")
    # The profile counts the worst group's level for a treatment question.
    contrib = {c["criterion"]: c for c in d["contributions"]}
    assert contrib["pay-participants"]["level"] == 1
    assert [(x["group"], x["level"], x["flags"]) for x in contrib["pay-participants"]["groups"]] == [
        ("panel", 3, []), ("survey", 1, ["unpaid-participation"])]


def test_power_questions_read_the_best_placed_group():
    answers = every(3, **{"community-decides": {"level": 0, "by_group": {"panel": {"level": 3}}}})
    assert score_plan(plan(answers, groups=GROUPS)).band_id == "community-led"
    answers = every(3, **{"community-decides": 0, "community-can-halt": 0})
    assert score_plan(plan(answers, groups=GROUPS)).band_id == "collaboration"


def test_questions_asked_of_no_declared_group_do_not_apply():
    s = score_plan(plan(every(3), groups=[{"id": "panel", "label": "Panel", "role": "governance"}]))
    reasons = {c["criterion"]: c["reason"] for c in s.to_dict()["contributions"]}
    assert reasons["living-wage"] == "no-group" and reasons["pay-participants"] is None


def test_what_would_change_is_checked_and_minimal():
    # Input not traced either (input-traced 1): with it at 2 the consult step would be met and the
    # falling-short report-back would raise no flag (band_rules.met_step_clears_falling_short).
    answers = every(2, **{"report-back": 1, "input-traced": 1, "input-changes-substance": 1, "shared-decisions": 1,
                          "community-decides": 1, "community-can-halt": 1})
    s = score_plan(plan(answers))
    d = s.to_dict()
    assert (s.band_id, s.flag_ids) == ("tokenism", ["no-report-back"])
    change = d["what_would_change"]
    assert change["target"] == "consultation" and change["reachable"]
    assert change["moves"] == [{"criterion": "report-back", "group": None, "from": 1, "to": 2}]
    after = dict(answers, **{m["criterion"]: m["to"] for m in change["moves"]})
    assert score_plan(plan(after)).band_id == "consultation"


def test_short_version():
    short_ids = [c.id for c in RUBRIC.in_scope("short")]
    s = score_plan(plan({cid: 3 for cid in short_ids}, scope="short"))
    assert len(s.levels) == len(short_ids) == 14
    assert all(t.applicable_max > 0 for _, t in s.themes), "every theme is in the short version"
    assert s.band_id == "collaboration", "no empower question in the short version"


def test_answers_outside_scope_are_ignored():
    a = score_plan(plan({"credit": 0, "open-and-fixed-stated": 2}, scope="short"))
    b = score_plan(plan({"open-and-fixed-stated": 2}, scope="short"))
    assert a.to_dict() == b.to_dict()


def test_each_flag_limits_at_its_cap():
    for crit in (c for c in RUBRIC.criteria if c.raises):
        lowest = min(crit.raises)
        s = score_plan(plan(every(3, **{crit.id: lowest})))
        assert s.flag_ids == sorted(crit.raises[lowest], key=list(RUBRIC.red_flags).index), crit.id
        d = s.to_dict()
        ladder_band = 1 + len([st for st in d["iap2"]["steps_met"] if st != "inform"])
        rule = RUBRIC.rules["heard_floor"]
        levels = {c["criterion"]: c["level"] for c in d["contributions"]}
        heard = rule["step"] in d["iap2"]["steps_met"] and all((levels[c] or 0) >= 2 for c in rule["criteria"])
        floor = BAND_ORDER.index(rule["band"]) if heard else 0
        limits = []
        for f in crit.raises[lowest]:
            flag, cap = RUBRIC.red_flags[f], BAND_ORDER.index(RUBRIC.red_flags[f]["cap"])
            # Capping flags cap (never below the heard floor when the plan meets it); lowering flags
            # take one band off, never below their cap.
            limits.append(max(cap, floor) if flag["effect"] == "cap"
                          else max(cap, ladder_band - RUBRIC.rules["flag_drop"]))
        assert s.band == min([ladder_band] + limits), crit.id


def test_to_dict_is_plain_json_and_deterministic():
    p = plan({c.id: (i * 7) % 4 for i, c in enumerate(RUBRIC.criteria)})
    d1 = score_plan(p).to_dict()
    d2 = score_plan(p).to_dict()
    assert d1 == d2
    assert json.loads(json.dumps(d1)) == d1
    assert list(d1) == ["rubric", "scope", "plan", "context", "band", "iap2", "overall", "profile", "themes",
                        "groups", "red_flags", "unconfirmed_flags", "completeness", "what_would_change",
                        "partly_met", "contributions", "actions"]


def test_bad_scope_is_refused():
    with pytest.raises(ValueError, match="scope"):
        score_plan({"scope": "medium", "answers": {}})


def test_contributions_and_actions_are_named_records():
    s = score_plan(plan({"purpose-stated": 2, "early-start": 0, "pay-participants": 0}))
    row = s.contributions[0]
    assert (row.criterion, row.status, row.level, row.points) == ("purpose-stated", "answered", 2, 4)
    flagged = [a for a in s.actions if a.kind == "red-flag"]
    assert {a.criterion for a in flagged} == {"pay-participants", "early-start"} and s.actions[:2] == tuple(flagged)
    assert {(a.criterion, a.level, a.target_level) for a in flagged} == {("early-start", 0, 1),
                                                                         ("pay-participants", 0, 2)}
    assert [f.flag for f in s.red_flags] == ["unpaid-participation", "decision-already-made"]
    assert s.red_flags[0].criteria == ("pay-participants",)
    d = s.to_dict()
    assert [c["criterion"] for c in d["contributions"]] == [c.criterion for c in s.contributions]
    assert [(a["kind"], a["criterion"]) for a in d["actions"]] == [(a.kind, a.criterion) for a in s.actions]


def test_a_question_read_from_the_best_group_flags_lower_groups_only_where_the_safeguard_is_missing():
    def report(panel, survey):
        # Input not traced (input-traced 1), so the consult step rests on the report-back alone.
        answers = every(3, **{"input-traced": 1,
                              "report-back": {"level": 3, "by_group": {"panel": {"level": panel},
                                                                        "survey": {"level": survey}}}})
        d = score_plan(plan(answers, groups=GROUPS)).to_dict()
        return {g["id"]: g["red_flags"] for g in d["groups"]}
    # The panel hears what changed; the survey gets a newsletter without it: a weaker level, no flag.
    assert report(2, 1) == {"panel": [], "survey": []}
    # The survey hears nothing at all: flagged for the survey.
    assert report(2, 0) == {"panel": [], "survey": ["no-report-back"]}
    # Nobody hears what changed: the best-placed level itself names the failure, so every group at it.
    assert report(1, 1) == {"panel": ["no-report-back"], "survey": ["no-report-back"]}
    assert report(1, 0) == {"panel": ["no-report-back"], "survey": ["no-report-back"]}
    # A treatment question read from the worst group is flagged from every group that fails it.
    answers = every(3, **{"pay-participants": {"level": 3, "by_group": {"panel": {"level": 2}, "survey": {"level": 1}}}})
    d = score_plan(plan(answers, groups=GROUPS)).to_dict()
    assert {g["id"]: g["red_flags"] for g in d["groups"]} == {"panel": [], "survey": ["unpaid-participation"]}


def test_community_led_needs_both_a_delegated_decision_and_a_right_to_stop():
    full = score_plan(plan(every(3)))
    assert full.band_id == "community-led"
    halt_only = score_plan(plan(every(3, {"community-decides": 1})))
    decide_only = score_plan(plan(every(3, {"community-can-halt": 1})))
    for s in (halt_only, decide_only):
        assert (s.band_id, s.iap2_level) == ("collaboration", "collaborate")
        assert "empower" not in s.to_dict()["iap2"]["steps_met"]


def test_proxies_cap_at_level_1_where_other_guardrails_lower():
    for level in (0, 1):
        s = score_plan(plan(every(3, {"direct-participation": level})))
        assert (s.band_id, s.flag_ids) == ("tokenism", ["proxies-replace-affected"]), level
    token_pay = score_plan(plan(every(3, {"pay-participants": 1})))
    assert (token_pay.band_id, token_pay.flag_ids) == ("collaboration", ["unpaid-participation"])
    unpaid = score_plan(plan(every(3, {"pay-participants": 0})))
    assert unpaid.band_id == "tokenism"


def test_heard_floor_holds_a_concealed_decision_at_tokenism_only_when_people_are_heard():
    # A decision already taken is presented as open (the guardrail's cap: non-participation) ...
    base = {"early-start": 0, "open-and-fixed-stated": 0, "input-traced": 2}
    alone = score_plan(plan(base)).to_dict()
    assert alone["band"]["id"] == "non-participation"
    # ... but affected people take part directly and their input is traced to a decision: tokenism,
    # with the flag still raised and its limit the floor.
    heard = score_plan(plan({**base, "direct-participation": 2})).to_dict()
    assert heard["band"]["id"] == "tokenism" and "consult" in heard["iap2"]["steps_met"]
    assert [(f["id"], f["limit"]) for f in heard["red_flags"]] == [("decision-already-made", "tokenism")]
    # Proxies speaking for them (level 1) or no input reaching a decision: the cap stands.
    for other in ({**base, "direct-participation": 1}, {**base, "direct-participation": 2, "input-traced": 1}):
        assert score_plan(plan(other)).to_dict()["band"]["id"] == "non-participation"


def test_proxies_at_level_1_cap_only_without_a_power_holding_group():
    answers = every(3, **{"direct-participation": 1})
    alone = score_plan(plan(answers)).to_dict()
    assert alone["band"]["id"] == "tokenism"
    assert [f["limit"] for f in alone["red_flags"] if f["id"] == "proxies-replace-affected"] == ["tokenism"]
    groups = [{"id": "board", "label": "Elected board", "role": "governance"},
              {"id": "survey", "label": "Survey", "role": "participants"}]
    governed = score_plan(plan(answers, groups=groups)).to_dict()
    # The band follows the power-holding group: level 1 lowers the band by one instead of capping it.
    assert governed["band"]["id"] == "collaboration"
    assert [f["limit"] for f in governed["red_flags"] if f["id"] == "proxies-replace-affected"] == ["collaboration"]
    # Only proxies speak (level 0): the cap stands whatever groups are declared.
    zero = score_plan(plan(every(3, **{"direct-participation": 0}), groups=groups)).to_dict()
    assert zero["band"]["id"] == "tokenism"


def test_claims_that_outrun_their_mechanisms_raise_participation_washing_at_level_1():
    d = score_plan(plan(every(3, **{"claims-match-mechanisms": 1}))).to_dict()
    flag = [f for f in d["red_flags"] if f["id"] == "participation-washing"]
    # Raised, and above the capping level it lowers the band by one instead of capping it.
    assert flag and flag[0]["limit"] == "collaboration" and d["band"]["id"] == "collaboration"


def test_holding_down_names_every_unmet_step_the_suggested_moves_can_meet():
    # Inform met, input-traced at 0, report-back unanswered: the band counts the steps met, so any one
    # more step raises it, and "what holds it down" names every unmet step's questions, not only
    # Consult's (a suggested move that meets Involve must not contradict it).
    d = score_plan(plan({"open-and-fixed-stated": 2, "input-traced": 0, "input-changes-substance": 1})).to_dict()
    change = d["what_would_change"]
    assert d["band"]["id"] == "tokenism" and change["target"] == "consultation"
    held = [(x["id"], x["criterion"]) for x in change["holding_down"] if x["kind"] == "ladder"]
    assert held == [("consult", "input-traced"), ("consult", "report-back"), ("involve", "input-changes-substance"),
                    ("collaborate", "shared-decisions"), ("empower", "community-decides"),
                    ("empower", "community-can-halt")]
    ladder = {cid for step in RUBRIC.rules["ladder"] for cid in step["criteria"]}
    for m in change["moves"]:
        if m["criterion"] in ladder:
            assert m["criterion"] in {c for _, c in held}, m


WORKERS_ONLY = [{"id": "annotators", "label": "Annotators", "role": "workers"},
                {"id": "speakers", "label": "People whose calls are labelled", "role": "data-contributors"}]


def test_a_plan_whose_groups_give_nobody_a_say_meets_no_step_after_inform():
    # A labour pipeline that fails its workers (a flag raised outside the ladder: pay below a living
    # wage) is not participation of anyone, however good its channel: every ladder answer at 3 still
    # leaves it at tokenism.
    underpaid = every(3, **{"living-wage": 0})
    d = score_plan(plan(underpaid, groups=WORKERS_ONLY)).to_dict()
    assert d["band"]["id"] == "tokenism" and d["band"]["ladder"] == "tokenism"
    assert d["iap2"]["steps_met"] == ["inform"] and d["iap2"]["level"] == "inform"
    assert d["band"]["limited_by"][0] == {"kind": "context", "id": "no-voice"}
    # Its labour flags are raised as before, from the worst-treated group.
    assert [f["id"] for f in d["red_flags"]] == ["below-living-wage"]
    # "What would change" holds no ladder step down: paying the workers is what lifts the hold.
    change = d["what_would_change"]
    assert not [x for x in change["holding_down"] if x["kind"] == "ladder"]
    assert change["moves"] and {m["criterion"] for m in change["moves"]} == {"living-wage"}
    # Without the inform step the IAP2 level is none.
    assert score_plan(plan(every(3, **{"open-and-fixed-stated": 1, "living-wage": 0}),
                           groups=WORKERS_ONLY)).iap2_level == "none"
    # Data contributors alone have no say, however their answers read (no workers, no flag).
    only_data = [{"id": "speakers", "label": "People whose calls are labelled", "role": "data-contributors"}]
    d = score_plan(plan(every(3), groups=only_data)).to_dict()
    assert d["band"]["id"] == "tokenism" and d["band"]["limited_by"] == [{"kind": "context", "id": "no-voice"}]
    # One group with a say of its own (participants, a governance body, advisers) lifts the rule.
    for role in ("participants", "governance", "advisers"):
        groups = WORKERS_ONLY + [{"id": "g", "label": "G", "role": role}]
        assert score_plan(plan(every(3), groups=groups)).band_id == "community-led", role
    # A plan that declares no groups is not judged by its roles.
    assert score_plan(plan(every(3))).band_id == "community-led"


def test_a_workforce_treated_fairly_is_judged_on_its_ladder():
    # Workers are the people their own work touches: declared workers and no flag raised outside the
    # ladder (`band_rules.fair_work_is_voice`), the plan's ladder answers place it like any plan's.
    d = score_plan(plan(every(3), groups=WORKERS_ONLY)).to_dict()
    assert {"kind": "context", "id": "no-voice"} not in d["band"]["limited_by"]
    assert "consult" in d["iap2"]["steps_met"] and d["band"]["ladder"] != "tokenism"
    assert d["red_flags"] == []
    # One flag outside the ladder restores the hold; a flag raised only by a ladder answer does not.
    held = score_plan(plan(every(3, **{"worker-channel": 0}), groups=WORKERS_ONLY)).to_dict()
    assert held["band"]["ladder"] == "tokenism" and held["iap2"]["steps_met"] == ["inform"]
    ladder_flag = score_plan(plan(every(3, **{"report-back": 0}), groups=WORKERS_ONLY)).to_dict()
    assert "no-report-back" in [f["id"] for f in ladder_flag["red_flags"]]
    assert "consult" in ladder_flag["iap2"]["steps_met"]


def test_a_falling_short_ladder_answer_raises_no_flag_where_its_step_is_met_anyway():
    # Every input traced to a decision with its reason (consult met): a report-back without its date
    # (level 1) is a weak report-back, not a missing one.
    traced = score_plan(plan(every(2, **{"report-back": 1}))).to_dict()
    assert "no-report-back" not in [f["id"] for f in traced["red_flags"]]
    assert "consult" in traced["iap2"]["steps_met"]
    row = next(c for c in traced["contributions"] if c["criterion"] == "report-back")
    assert row["level"] == 1 and row["flags"] == [] and row["points"] == 3
    # Input not traced: the same answer raises the flag and lowers the band.
    untraced = score_plan(plan(every(2, **{"report-back": 1, "input-traced": 1})))
    assert "no-report-back" in untraced.flag_ids
    # Nothing heard back (level 0) is the missing safeguard: flagged whether or not input is traced.
    assert "no-report-back" in score_plan(plan(every(2, **{"report-back": 0}))).flag_ids
    # Per group, a group that hears nothing is still flagged when another group's level meets the step.
    groups = [{"id": "panel", "label": "Panel", "role": "governance"}, {"id": "survey", "label": "Survey", "role": "participants"}]
    answers = every(2, **{"report-back": {"by_group": {"panel": {"level": 1}, "survey": {"level": 0}}}})
    d = score_plan(plan(answers, groups=groups)).to_dict()
    assert {g["id"]: g["red_flags"] for g in d["groups"]}["survey"] == ["no-report-back"]
    assert {g["id"]: g["red_flags"] for g in d["groups"]}["panel"] == []


def test_qualification_rounds_paid_below_the_production_rate_are_not_unpaid():
    groups = [{"id": "annotators", "label": "Annotators", "role": "workers"},
              {"id": "g", "label": "G", "role": "participants"}]
    below = score_plan(plan(every(3, **{"paid-qualification": 1}), groups=groups))
    assert "unpaid-qualification-rounds" not in below.flag_ids
    assert "unpaid-qualification-rounds" in score_plan(plan(every(3, **{"paid-qualification": 0}), groups=groups)).flag_ids


def test_members_governing_their_own_body_unpaid_raise_no_unpaid_participation_flag():
    # A co-operative's elected board governs the co-operative, which convenes the plan: its members
    # are not paid, as members are not (`band_rules.members_govern_own_body`). That is not the
    # guardrail's failure; wider participants left unpaid still are.
    groups = [{"id": "board", "label": "Board", "role": "governance"},
              {"id": "testers", "label": "Testers", "role": "participants"}]
    coop = {"process": "product-lifecycle", "convener": "council-or-coop", "participants": "people-take-part"}
    unpaid_board = every(3, **{"pay-participants": {"by_group": {"board": {"level": 0}}}})
    d = score_plan(plan(unpaid_board, context=coop, groups=groups)).to_dict()
    assert "unpaid-participation" not in [f["id"] for f in d["red_flags"]]
    assert d["band"]["id"] == "community-led"
    # The answer keeps its level and its points (none): only the flag is not raised.
    row = next(c for c in d["contributions"] if c["criterion"] == "pay-participants")
    assert row["level"] == 0 and row["points"] == 0 and row["flags"] == []
    # The same board, unpaid, in a plan a company or a public body convenes: the flag is raised for it
    # and, as the board holds power (`band_rules.power_holders_lower_only`), lowers the band by one.
    for convener in ("company", "public-body"):
        other = score_plan(plan(unpaid_board, context=dict(coop, convener=convener), groups=groups)).to_dict()
        flag = next(f for f in other["red_flags"] if f["id"] == "unpaid-participation")
        assert flag["groups"] == ["board"] and other["band"]["id"] == "collaboration", convener
    # Unpaid wider participants of the co-operative's plan are still flagged, for them only.
    both = every(3, **{"pay-participants": {"by_group": {"board": {"level": 0}, "testers": {"level": 0}}}})
    d = score_plan(plan(both, context=dict(coop, convener="community-organisation"), groups=groups)).to_dict()
    flag = next(f for f in d["red_flags"] if f["id"] == "unpaid-participation")
    assert flag["groups"] == ["testers"]


def test_a_failed_pipeline_in_which_nobody_is_heard_is_non_participation():
    # Only data workers, paid below a living wage (a guardrail), and their input neither traced nor
    # reported back (`band_rules.unheard_pipeline`): nobody is heard and the people in it are failed.
    unheard = every(3, **{"living-wage": 0, "input-traced": 1, "report-back": 1})
    d = score_plan(plan(unheard, groups=WORKERS_ONLY)).to_dict()
    assert d["band"]["id"] == "non-participation"
    assert {"kind": "red-flag", "id": "below-living-wage"} in d["band"]["limited_by"]
    # The same pipeline whose workers' input is traced to decisions stays at tokenism (held by no-voice).
    heard = score_plan(plan(every(3, **{"living-wage": 0, "report-back": 1}), groups=WORKERS_ONLY)).to_dict()
    assert heard["band"]["id"] == "tokenism" and heard["band"]["limited_by"][0] == {"kind": "context", "id": "no-voice"}
    # Only a capping flag that caps does it: labour flags that lower leave the unheard pipeline at tokenism.
    lowered = score_plan(plan(every(3, **{"worker-channel": 0, "input-traced": 1, "report-back": 1}),
                              groups=WORKERS_ONLY)).to_dict()
    assert lowered["band"]["id"] == "tokenism"
    # A plan with a group that has a say is not a pipeline: the guardrail caps at tokenism as before.
    groups = WORKERS_ONLY + [{"id": "g", "label": "G", "role": "participants"}]
    assert score_plan(plan(unheard, groups=groups)).band_id == "tokenism"
