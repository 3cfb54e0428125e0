"""Property-based tests (hypothesis): scores are bounded, deterministic, monotone, and red flags cap."""

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


@st.composite
def plans(draw):
    """A random plan: each criterion missing, unanswered, 0-3 or (where allowed) n/a."""
    scope = draw(st.sampled_from(["full", "short"]))
    stage = draw(st.sampled_from(list(RUBRIC.stage_ids)))
    picks = draw(st.lists(st.sampled_from(CHOICES), min_size=len(CRITERIA), max_size=len(CRITERIA)))
    answers = {}
    for c, level in zip(CRITERIA, picks):
        if level == "missing":
            continue
        if level == "n/a" and not c.not_applicable_if:
            level = None
        answers[c.id] = {"level": level}
    return {"scope": scope, "lifecycle_stage": stage, "answers": answers}


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


@SETTINGS
@given(plans())
def test_red_flags_always_cap(p):
    s = score_plan(p)
    for flag, raised_by in s.red_flags:
        cap = BAND_ORDER.index(RUBRIC.red_flags[flag]["cap"])
        assert raised_by
        if s.band is not None:
            assert s.band <= cap
        assert s.band_low <= cap and s.band_high <= cap
    for flag, unanswered in s.unconfirmed_flags:
        assert s.band_low <= BAND_ORDER.index(RUBRIC.red_flags[flag]["cap"])


@SETTINGS
@given(plans(), st.data())
def test_improving_one_answer_never_lowers_any_score(p, data):
    answered = [cid for cid, a in p["answers"].items() if isinstance(a["level"], int) and a["level"] < 3]
    if not answered:
        return
    cid = data.draw(st.sampled_from(sorted(answered)))
    old = p["answers"][cid]["level"]
    new = data.draw(st.integers(old + 1, 3))
    better = {**p, "answers": {**p["answers"], cid: {"level": new}}}
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
        if p["answers"].get(cid, {}).get("level") is None:
            for level in (0, 3):
                t = score_plan({**p, "answers": {**p["answers"], cid: {"level": level}}})
                assert s.overall.low_percent <= t.overall.low_percent
                assert t.overall.high_percent <= s.overall.high_percent
                assert s.band_low <= t.band_low and t.band_high <= s.band_high
            break
