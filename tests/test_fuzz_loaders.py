"""Property-based fuzzing of every loader and every export (hypothesis).

Each test takes valid files, damages them with one class of ``fuzz_cases.CLASSES`` (truncation at
a random offset, byte flips, wrong types per field, hostile strings and numbers, duplicate keys,
deep and huge documents), reads the result as a user's file is read and, when it is accepted,
writes every export. The only allowed endings are "accepted" and "refused with the toolkit's own
error": no traceback, no internal error (exit 3), no hang. Kept to a few seconds per test here;
``benchmarks/bench_fuzz.py`` runs many more cases and measures time and memory.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_cases import CLASSES, TARGETS, make_case, run_case
from widgets import _paycalc as pc
from widgets import _transparency as tr
from widgets._assessment import AssessmentError
from widgets._scoring import load_rubric, score_plan

FAST = settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: The command line runs three commands per case.
SLOW = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(target: str, rng, damage: str) -> None:
    text = make_case(rng, target, damage)
    outcome = run_case(target, text)
    assert not outcome.startswith("crash"), (damage, outcome, text[:300])


@pytest.mark.parametrize("target", [t for t in TARGETS if t != "cli"])
@FAST
@given(rng=st.randoms(use_true_random=False), damage=st.sampled_from(sorted(CLASSES)))
def test_loader_refuses_damage_cleanly(target, rng, damage):
    check(target, rng, damage)


@SLOW
@given(rng=st.randoms(use_true_random=False), damage=st.sampled_from(sorted(CLASSES)))
def test_command_line_never_exits_3(rng, damage):
    check("cli", rng, damage)


# --------------------------------------------------------------------------- the Python API

ANY = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10 ** 400), max_value=10 ** 400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["1e400", "5e-324", "2.9999999999999999", "\ud800", " 3 ", "0x10", "NaN"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
PAY_FIELDS = ["currency", "living_wage_per_hour", "pay_model", "rate", "task_minutes", "tasks", "training_minutes",
              "onboarding_minutes", "side_work_minutes_per_task", "paid_extras", "other_payments", "label"]


@FAST
@given(st.dictionaries(st.sampled_from(PAY_FIELDS), ANY, max_size=4), st.sampled_from(pc.PAY_MODELS))
def test_pay_scenario_refuses_or_gives_finite_results(changes, model):
    raw = dict(currency="EUR", living_wage_per_hour=12.0, pay_model=model, rate=0.5, task_minutes=2, tasks=600)
    raw.update(changes)
    try:
        s = pc.PayScenario(**raw)
    except pc.PayInputError as err:
        assert str(err)
        return
    r = pc.calculate_pay(s)
    assert all(math.isfinite(v) for v in vars(r).values() if isinstance(v, float))
    assert all(math.isfinite(row["effective_hourly"]) for row in pc.task_time_sweep(s))
    pc.load_pay_scenarios(pc.save_pay_scenarios(s))  # what it saves, it reads back


@FAST
@given(st.dictionaries(st.sampled_from([c.id for c in load_rubric().criteria][:12]),
                       st.one_of(ANY, st.fixed_dictionaries({"level": ANY})), max_size=6),
       st.sampled_from(["full", "short", None, "", 3]))
def test_score_plan_refuses_or_scores_within_bounds(answers, scope):
    try:
        d = score_plan({"answers": answers, "scope": scope}).to_dict()
    except AssessmentError as err:
        assert err.problems and all(p.field for p in err.problems)
        return
    assert 0 <= d["overall"]["earned"] <= d["overall"]["answered_max"] + d["overall"]["unanswered_max"]


@FAST
@given(st.sampled_from(tr.field_keys()), ANY)
def test_transparency_fields_take_text_or_refuse_it(key, value):
    r = tr.TransparencyReport("Org", "2026")
    try:
        r.set(key, value)
    except (ValueError, TypeError) as err:
        assert str(err) and ("must" in str(err) or "not" in str(err))
        return
    r.to_markdown().encode("utf-8")
    r.to_html().encode("utf-8")
    tr.load_transparency_report(r.save_json())
