"""Property-based tests (hypothesis): scores are bounded, deterministic, monotone, red flags cap,
one answer moves the band by at most one, and "what would change" reaches its target."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from widgets import load_rubric, score_plan
from widgets._scoring import BAND_ORDER, IAP2_ORDER

RUBRIC = load_rubric()
CRITERIA = RUBRIC.criteria
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


CHOICES = ["missing", None, 0, 1, 2, 3, "n/a"]
ROLES = [r for r in RUBRIC.roles]
GROUP_SETS = [
    [],
    [{"id": "panel", "label": "Panel", "role": "governance"}, {"id": "public", "label": "Public", "role": "participants"}],
    [{"id": "users", "label": "Users", "role": "participants"}, {"id": "workers", "label": "Workers", "role": "workers"}],
    [{"id": "contributors", "label": "Contributors", "role": "data-contributors"},
     {"id": "advisers", "label": "Advisers", "role": "advisers"}, {"id": "board", "label": "Board", "role": "governance"}],
]


def _level(c, pick):
    return None if pick == "n/a" and not c.not_applicable_if else pick


@st.composite
def plans(draw):
    """A random plan: context, groups, and each criterion missing, unanswered, 0-3 or (where
    allowed) n/a, with per-group answers for some groups of per-group questions."""
    scope = draw(st.sampled_from(["full", "short"]))
    stage = draw(st.sampled_from(list(RUBRIC.stage_ids)))
    context = {k: draw(st.sampled_from(v)) for k, v in RUBRIC.context_options.items()}
    groups = draw(st.sampled_from(GROUP_SETS))
    picks = draw(st.lists(st.sampled_from(CHOICES), min_size=len(CRITERIA), max_size=len(CRITERIA)))
    answers = {}
    for c, level in zip(CRITERIA, picks):
        if level == "missing":
            continue
        answer = {"level": _level(c, level)}
        if c.per_group:
            cells = {}
            for g in groups:
                if g["role"] in c.group_roles and draw(st.booleans()):
                    cells[g["id"]] = {"level": _level(c, draw(st.sampled_from(CHOICES[1:])))}
            if cells:
                answer["by_group"] = cells
        answers[c.id] = answer
    return {"scope": scope, "lifecycle_stage": stage, "context": context, "groups": groups, "answers": answers}


def cells(p):
    """Every single answer of a plan: (criterion id, group id or None)."""
    out = []
    for c in CRITERIA:
        out.append((c.id, None))
        if c.per_group:
            out += [(c.id, g["id"]) for g in p["groups"] if g["role"] in c.group_roles]
    return out


def with_answer(p, cid, gid, level):
    answers = {k: {**v, "by_group": dict(v.get("by_group", {}))} if "by_group" in v else dict(v)
               for k, v in p["answers"].items()}
    answer = answers.setdefault(cid, {"level": None})
    if gid is None:
        answer["level"] = level
    else:
        answer.setdefault("by_group", {})[gid] = {"level": level}
    return {**p, "answers": answers}


def percents(score):
    out = [score.overall.percent, score.overall.low_percent, score.overall.high_percent]
    for _, t in score.themes:
        out += [t.percent, t.low_percent, t.high_percent]
    return out


@SETTINGS
@given(plans())
def test_bounded(p):
    s = score_plan(p)
    for value in percents(s):
        assert value is None or 0.0 <= value <= 100.0
    for _, t in [("overall", s.overall), *s.themes]:
        if t.percent is not None:
            assert t.low_percent <= t.percent <= t.high_percent
        assert 0 <= t.earned <= t.answered_max
    if s.band is not None:
        assert s.band_low <= s.band <= s.band_high
    assert 0 <= s.iap2 <= s.iap2_high <= 5
    d = s.to_dict()
    assert d["band"]["id"] in (None, *BAND_ORDER) and d["iap2"]["level"] in IAP2_ORDER
    assert sum(c["points"] for c in d["contributions"]) == d["overall"]["earned"]


@SETTINGS
@given(plans())
def test_deterministic_and_json_clean(p):
    d1 = score_plan(p).to_dict()
    d2 = score_plan(json.loads(json.dumps(p))).to_dict()
    assert d1 == d2
    assert json.loads(json.dumps(d1)) == d1


def power_levels(d: dict, flag: str) -> list[int]:
    """The levels of the answers that raise ``flag`` for power (the plan as a whole, or a group that
    holds power), read from the score's contributions and groups."""
    holds = {g["id"]: g["holds_power"] for g in d["groups"]}
    out = []
    for c in d["contributions"]:
        if c["groups"]:
            out += [x["level"] for x in c["groups"] if flag in x["flags"] and holds[x["group"]]]
        elif flag in c["flags"]:
            out.append(c["level"])
    return out


def carriers(d: dict) -> tuple[dict, dict]:
    """(group -> raises flags for power, group -> the band follows it): the power-holding groups,
    or in a plan without any, the groups with a say (`band_rules.voice_roles`)."""
    holds = {g["id"]: g["holds_power"] for g in d["groups"]}
    role = {g["id"]: g["role"] for g in d["groups"]}
    power = {g: RUBRIC.roles[r]["holds_power"] for g, r in role.items()}
    any_power = any(power.values())
    voice = RUBRIC.data["band_rules"]["voice_roles"]
    return holds, {g: (power[g] if any_power else role[g] in voice) for g in holds}


def cap_levels(d: dict, flag: str) -> list[int]:
    """The levels of the answers that raise ``flag`` for power where no other group the band follows
    has the safeguard (`band_rules.cap_spared_where_power_has_it`: the power-holding groups, or in a
    plan without any, the groups with a say answered at `met_at` or above on the same question)."""
    rules = RUBRIC.data["band_rules"]
    if not rules.get("cap_spared_where_power_has_it"):
        return power_levels(d, flag)
    holds, carries = carriers(d)
    # `band_rules.power_holders_lower_only`: raised for a power-holding group, such a flag lowers
    # and never caps, so only answers for no group in particular count.
    lower_only = flag in rules.get("power_holders_lower_only", ()) and \
        any(RUBRIC.roles[g["role"]]["holds_power"] for g in d["groups"])
    out = []
    for c in d["contributions"]:
        if c["groups"]:
            if lower_only:
                continue
            for x in c["groups"]:
                if flag in x["flags"] and holds[x["group"]]:
                    spared = any(y["group"] != x["group"] and carries[y["group"]] and y["status"] == "answered"
                                 and y["level"] >= rules["met_at"] for y in c["groups"])
                    if not spared:
                        out.append(x["level"])
        elif flag in c["flags"]:
            out.append(c["level"])
    return out


def open_elsewhere(d: dict, flag: str) -> bool:
    """Whether a group the band follows has left open the question on which another group raises
    ``flag`` for power: the upper bound answers it at its best, which gives that group the safeguard
    and spares the cap (`band_rules.cap_spared_where_power_has_it`), so only the score itself and the
    lower bound are held at the cap."""
    rules = RUBRIC.data["band_rules"]
    if not rules.get("cap_spared_where_power_has_it"):
        return False
    holds, carries = carriers(d)
    return any(flag in x["flags"] and holds[x["group"]]
               and any(y["group"] != x["group"] and carries[y["group"]] and y["status"] == "unanswered"
                       for y in c["groups"])
               for c in d["contributions"] for x in c["groups"])


def heard(d: dict) -> bool:
    """Whether the score meets `band_rules.heard_floor`: its step is met and each of its criteria
    is answered at `met_at` or above (read from the score's contributions)."""
    rule, met_at = RUBRIC.data["band_rules"]["heard_floor"], RUBRIC.data["band_rules"]["met_at"]
    levels = {c["criterion"]: c["level"] for c in d["contributions"] if c["status"] == "answered"}
    return rule["step"] in d["iap2"]["steps_met"] and all(levels.get(cid, -1) >= met_at for cid in rule["criteria"])


@SETTINGS
@given(plans())
def test_red_flags_always_cap(p):
    """Every raised flag limits the band; a capping flag raised for power by an answer at or below
    the rubric's `cap_at_most` (the safeguard missing; a flag's own `cap_at_most` when no declared
    group holds power) where no other group the band follows has the safeguard holds it at its cap, or at the heard floor when the plan meets it, in the
    score and in both bounds; any other flag lowers the band by at most the rubric's flag drop."""
    s = score_plan(p)
    d = s.to_dict()
    effect = {f["id"]: f["effect"] for f in RUBRIC.data["red_flags"]}
    rules = RUBRIC.data["band_rules"]
    drop = rules["flag_drop"]
    power_group = any(RUBRIC.roles[g["role"]]["holds_power"] for g in d["groups"])
    cap_at_most = {f["id"]: rules["cap_at_most"] if power_group else f.get("cap_at_most", rules["cap_at_most"])
                   for f in RUBRIC.data["red_flags"]}
    floor = BAND_ORDER.index(rules["heard_floor"]["band"])
    ladder = BAND_ORDER.index(d["band"]["ladder"]) if d["band"]["ladder"] else None
    for f in d["red_flags"]:
        cap = BAND_ORDER.index(f["cap"])
        assert f["raised_by"]
        assert BAND_ORDER.index(f["limit"]) >= cap
        levels = power_levels(d, f["id"])
        assert f["power"] == bool(levels)
        if s.band is not None:
            assert s.band <= BAND_ORDER.index(f["limit"])
            if effect[f["id"]] == "cap" and any(lv <= cap_at_most[f["id"]] for lv in cap_levels(d, f["id"])):
                held = max(cap, floor) if heard(d) else cap
                assert BAND_ORDER.index(f["limit"]) == held
                assert s.band <= held
                # The bounds fill unanswered questions, which can meet the floor: never above it (the upper
                # bound may pass it only where filling another group's open answer spares the cap).
                assert s.band_low <= max(cap, floor)
                if not open_elsewhere(d, f["id"]):
                    assert s.band_high <= max(cap, floor)
                if not heard(d):
                    assert s.band_low <= cap
            elif ladder is not None:
                assert BAND_ORDER.index(f["limit"]) >= min(ladder, 5) - 1 - drop


@SETTINGS
@given(plans())
def test_a_plan_that_is_heard_is_never_below_the_floor(p):
    """Affected people take part directly and their input reaches a decision: no flag puts the band
    below the heard floor."""
    d = score_plan(p).to_dict()
    if d["band"]["id"] is not None and heard(d):
        assert BAND_ORDER.index(d["band"]["id"]) >= BAND_ORDER.index(RUBRIC.data["band_rules"]["heard_floor"]["band"])


@SETTINGS
@given(plans(), st.data())
def test_improving_one_answer_never_lowers_any_score(p, data):
    answered = [cid for cid, a in p["answers"].items()
                if isinstance(a["level"], int) and a["level"] < 3 and not a.get("by_group")]
    if not answered:
        return
    cid = data.draw(st.sampled_from(sorted(answered)))
    old = p["answers"][cid]["level"]
    new = data.draw(st.integers(old + 1, 3))
    better = with_answer(p, cid, None, new)
    before, after = score_plan(p), score_plan(better)
    for b, a in zip(percents(before), percents(after)):
        assert (b is None) == (a is None)
        if b is not None:
            assert a >= b
    assert after.iap2 >= before.iap2 and after.iap2_high >= before.iap2_high
    if before.band is not None:
        assert after.band >= before.band
    assert after.band_low >= before.band_low and after.band_high >= before.band_high
    assert set(after.flag_ids) <= set(before.flag_ids)


@SETTINGS
@given(plans())
def test_answering_a_question_stays_within_the_announced_range(p):
    """Answering an unanswered question keeps the overall score within [low, high] announced before."""
    s = score_plan(p)
    scope_ids = {c.id for c in RUBRIC.in_scope(p["scope"])}
    for cid in sorted(scope_ids):
        if p["answers"].get(cid, {}).get("level") is None and not p["answers"].get(cid, {}).get("by_group"):
            for level in (0, 3):
                t = score_plan(with_answer(p, cid, None, level))
                assert s.overall.low_percent <= t.overall.low_percent
                assert t.overall.high_percent <= s.overall.high_percent
                assert s.band_low <= t.band_low and t.band_high <= s.band_high
            break


NO_FLAG = [c for c in CRITERIA if not c.raises]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.data())
def test_no_single_answer_without_a_flag_moves_the_band_by_more_than_one(p, data):
    """Any answer (plain or one group's) of a question that raises no red flag, changed to any
    other value, moves the band by at most one: one answer never decides a plan."""
    choices = [(cid, gid) for cid, gid in cells(p) if not RUBRIC.by_id[cid].raises]
    cid, gid = data.draw(st.sampled_from(choices))
    c = RUBRIC.by_id[cid]
    values = [None, 0, 1, 2, 3] + (["n/a"] if c.not_applicable_if else [])
    before = score_plan(p)
    for value in values:
        after = score_plan(with_answer(p, cid, gid, value))
        if before.band is not None and after.band is not None:
            assert abs(after.band - before.band) <= 1, (cid, gid, value)


@SETTINGS
@given(plans())
def test_what_would_change_reaches_its_target(p):
    s = score_plan(p)
    change = s.to_dict()["what_would_change"]
    if not change["reachable"]:
        assert change["moves"] == []
        return
    assert change["moves"], "a higher band needs at least one changed answer"
    moved = p
    for m in change["moves"]:
        assert m["from"] is None or m["to"] > m["from"]
        moved = with_answer(moved, m["criterion"], m["group"], m["to"])
    # At least the target: clearing a guardrail can lift a plan by more than one band.
    assert score_plan(moved).band >= BAND_ORDER.index(change["target"])
