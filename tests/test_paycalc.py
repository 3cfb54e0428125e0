"""Living-wage pay calculator: arithmetic against hand-worked cases, bad input, saved files."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets import _paycalc as pc
from widgets._paycalc import PayInputError, PayScenario


def per_task_with_unpaid_time(**changes) -> PayScenario:
    """Hand-worked case A.

    600 tasks of 2 minutes at 0.50 EUR each = 300 EUR for 20 h on tasks.
    Unpaid: 60 min training + 30 min onboarding + 0.5 min side work x 600 = 5 h,
    so 26.5 h in all. Effective pay 300 / 26.5 = 11.3208 EUR/h, against a
    living wage of 12 EUR/h: short by 0.6792 EUR/h, 18 EUR over the job.
    The rate looks like 300 / 20 = 15 EUR/h if only task time is counted.
    Rate needed: 12 x 26.5 / 600 = 0.53 EUR per task.
    Break-even task time: 300 / 12 h = 1500 min, minus 390 unpaid = 1110 / 600 = 1.85 min.
    """
    values = dict(
        currency="EUR", living_wage_per_hour=12.0, pay_model="per_task", rate=0.50,
        task_minutes=2, tasks=600, training_minutes=60, onboarding_minutes=30,
        side_work_minutes_per_task=0.5,
    )
    values.update(changes)
    return PayScenario(**values)


def per_hour_partly_paid(**changes) -> PayScenario:
    """Hand-worked case B.

    200 tasks of 3 min = 10 h at 10 KES/h; training 120 min is paid, onboarding
    60 min and side work 0.3 x 200 = 60 min are not. Pay = 10 x 12 h = 120.
    Hours = 10 + 2 + 1 + 1 = 14. Effective 120 / 14 = 8.5714 against 9:
    short. Rate needed on the 12 paid hours: 9 x 14 / 12 = 10.5.
    """
    values = dict(
        currency="KES", living_wage_per_hour=9.0, pay_model="per_hour", rate=10.0,
        task_minutes=3, tasks=200, training_minutes=120, onboarding_minutes=60,
        side_work_minutes_per_task=0.3, paid_extras=("training",),
    )
    values.update(changes)
    return PayScenario(**values)


def test_per_task_with_unpaid_time_hand_worked():
    r = pc.calculate_pay(per_task_with_unpaid_time())
    assert r.total_pay == pytest.approx(300.0)
    assert r.task_hours == pytest.approx(20.0)
    assert r.total_hours == pytest.approx(26.5)
    assert r.unpaid_hours == pytest.approx(6.5)
    assert r.nominal_hourly == pytest.approx(15.0)
    assert r.effective_hourly == pytest.approx(300 / 26.5)
    assert r.effective_hourly == pytest.approx(11.3208, abs=1e-4)
    assert r.meets_living_wage is False
    assert r.living_wage_gap == pytest.approx(12 - 300 / 26.5)
    assert r.shortfall_total == pytest.approx(18.0)
    assert r.rate_needed == pytest.approx(0.53)
    assert pc.break_even_task_minutes(per_task_with_unpaid_time()) == pytest.approx(1.85)


def test_per_task_looks_fine_if_unpaid_time_is_ignored():
    # Same rate with no unpaid time: 15 EUR/h, above the living wage.
    s = per_task_with_unpaid_time(training_minutes=0, onboarding_minutes=0, side_work_minutes_per_task=0)
    assert pc.effective_hourly_pay(s) == pytest.approx(15.0)
    assert pc.meets_living_wage(s)
    assert pc.living_wage_gap(s) == 0.0


def test_rate_needed_meets_living_wage_exactly():
    s = per_task_with_unpaid_time(rate=0.53)
    assert pc.effective_hourly_pay(s) == pytest.approx(12.0)
    assert pc.meets_living_wage(s)  # not failed by floating-point noise
    assert pc.calculate_pay(s).shortfall_total == 0.0


def test_lump_sum_counts_towards_pay():
    s = per_task_with_unpaid_time(other_payments=18)
    assert pc.total_pay(s) == pytest.approx(318.0)
    assert pc.meets_living_wage(s)


def test_per_hour_partly_paid_hand_worked():
    r = pc.calculate_pay(per_hour_partly_paid())
    assert r.total_pay == pytest.approx(120.0)
    assert r.total_hours == pytest.approx(14.0)
    assert r.unpaid_hours == pytest.approx(2.0)
    assert r.effective_hourly == pytest.approx(120 / 14)
    assert r.meets_living_wage is False
    assert r.rate_needed == pytest.approx(10.5)
    assert pc.break_even_task_minutes(per_hour_partly_paid()) is None


def test_per_hour_all_time_paid_equals_rate():
    s = per_hour_partly_paid(paid_extras=("side_work", "onboarding", "training"))
    assert s.paid_extras == ("training", "onboarding", "side_work")  # canonical order
    assert pc.effective_hourly_pay(s) == pytest.approx(10.0)
    assert pc.meets_living_wage(s)


def test_sweep_falls_as_tasks_take_longer():
    s = per_task_with_unpaid_time()
    rows = pc.task_time_sweep(s, [1.0, 1.85, 2.0, 4.0])
    pays = [r["effective_hourly"] for r in rows]
    assert pays == sorted(pays, reverse=True)
    assert [r["meets_living_wage"] for r in rows] == [True, True, False, False]
    assert rows[2]["effective_hourly"] == pytest.approx(300 / 26.5)
    assert len(pc.task_time_sweep(s)) == 21


def test_chart_has_title_alt_text_and_axis_units():
    chart = pc.pay_sweep_chart(per_task_with_unpaid_time())
    spec = chart.to_dict()
    assert "living wage" in spec["description"]
    assert "1.9 minutes" in spec["description"] or "1.8 minutes" in spec["description"]
    assert spec["title"].endswith("?")
    text = json.dumps(spec)
    assert "EUR per hour" in text and "minutes" in text


def test_chart_renders_offline_with_alt_text():
    from widgets import charts

    charts.enable()
    html = charts.chart_html(pc.pay_sweep_chart(per_task_with_unpaid_time()).to_dict())
    assert 'aria-label="Line chart of effective hourly pay' in html


@pytest.mark.parametrize("currency", ["", "   ", None])
def test_missing_currency_is_a_clear_error(currency):
    with pytest.raises(PayInputError, match="Currency is missing"):
        per_task_with_unpaid_time(currency=currency)


def test_currency_code_normalised_and_checked():
    assert per_task_with_unpaid_time(currency=" eur ").currency == "EUR"
    with pytest.raises(PayInputError, match="three-letter"):
        per_task_with_unpaid_time(currency="€")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("task_minutes", 0, "Minutes per task must be greater than zero"),
        ("task_minutes", -2, "Minutes per task must be greater than zero"),
        ("training_minutes", -1, "Training minutes cannot be negative"),
        ("onboarding_minutes", -5, "Onboarding minutes cannot be negative"),
        ("side_work_minutes_per_task", -0.1, "Side-work minutes per task cannot be negative"),
        ("living_wage_per_hour", 0, "Living wage per hour must be greater than zero"),
        ("living_wage_per_hour", None, "Living wage per hour is missing"),
        ("rate", 0, "Pay per task must be greater than zero"),
        ("rate", "abc", "Pay per task must be a number"),
        ("tasks", 0, "Number of tasks must be greater than zero"),
        ("tasks", 2.5, "whole number"),
        ("task_minutes", float("nan"), "finite"),
        ("pay_model", "piecework", "Pay model 'piecework' is not known"),
        ("paid_extras", ("lunch",), "Unknown paid time"),
    ],
)
def test_bad_input_names_the_field(field, value, message):
    with pytest.raises(PayInputError, match=message):
        per_task_with_unpaid_time(**{field: value})


def test_numbers_given_as_text_are_accepted():
    s = per_task_with_unpaid_time(rate="0.5", tasks="600")
    assert pc.total_pay(s) == pytest.approx(300.0)


def test_save_load_round_trip_is_lossless():
    scenarios = [
        per_task_with_unpaid_time(label="Image tagging <pilot> & \"review\"", living_wage_source="Anker 2024, Nairobi"),
        per_hour_partly_paid(label="Ünïcødé ✓"),
    ]
    text = pc.save_pay_scenarios(scenarios)
    data = json.loads(text)
    assert data["format"] == "pai-paycalc" and data["format_version"] == 1
    assert pc.load_pay_scenarios(text) == scenarios
    assert pc.save_pay_scenarios(pc.load_pay_scenarios(text)) == text


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "not valid JSON"),
        ("[]", "not a pay-calculator file"),
        ('{"format": "pai-rubric", "format_version": 1}', "not a pay-calculator file"),
        ('{"format": "pai-paycalc", "format_version": 99, "scenarios": []}', "newer than this calculator"),
        ('{"format": "pai-paycalc", "scenarios": []}', "no valid format_version"),
        ('{"format": "pai-paycalc", "format_version": 1}', "no list of scenarios"),
        ('{"format": "pai-paycalc", "format_version": 1, "scenarios": [{"currency": "EUR"}]}', "Scenario 1 is missing"),
        ('{"format": "pai-paycalc", "format_version": 1, "scenarios": [{"evil": 1}]}', "unknown fields"),
    ],
)
def test_bad_files_are_clear_errors(text, message):
    with pytest.raises(PayInputError, match=message):
        pc.load_pay_scenarios(text)


def test_bad_value_in_file_names_the_scenario():
    data = json.loads(pc.save_pay_scenarios(per_task_with_unpaid_time()))
    data["scenarios"][0]["task_minutes"] = -3
    with pytest.raises(PayInputError, match="Scenario 1: Minutes per task"):
        pc.load_pay_scenarios(json.dumps(data))


minutes = st.floats(min_value=0.1, max_value=600, allow_nan=False)
extra = st.floats(min_value=0, max_value=600, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(minutes, extra, extra, st.floats(min_value=0, max_value=5), st.integers(1, 5000),
       st.floats(min_value=0.01, max_value=100))
def test_unpaid_time_never_raises_effective_pay(task, training, onboarding, side, tasks, rate):
    s = PayScenario(currency="USD", living_wage_per_hour=5, pay_model="per_task", rate=rate,
                    task_minutes=task, tasks=tasks, training_minutes=training,
                    onboarding_minutes=onboarding, side_work_minutes_per_task=side)
    r = pc.calculate_pay(s)
    assert r.effective_hourly <= r.nominal_hourly * (1 + 1e-12)
    assert r.total_hours * 60 == pytest.approx(task * tasks + training + onboarding + side * tasks)
    # Paying the rate needed always meets the living wage.
    needed = pc.with_changes(s, rate=max(r.rate_needed, 0.01) * (1 + 1e-9))
    assert pc.meets_living_wage(needed) or r.rate_needed < 0.01


def test_form_values_as_typed_become_a_scenario():
    form = {"currency": "eur", "living_wage_per_hour": "12", "pay_model": "per_task", "rate": "0.5",
            "task_minutes": "2", "tasks": "600", "training_minutes": "60", "onboarding_minutes": "30",
            "side_work_minutes_per_task": "0.5", "other_payments": "", "paid_extras": []}
    assert pc.scenario_from_form(form) == per_task_with_unpaid_time()
    with pytest.raises(PayInputError, match="Minutes per task must be greater than zero"):
        pc.scenario_from_form({**form, "task_minutes": "0"})


def test_notebook_widget_uses_the_site_module_and_round_trips():
    s = per_task_with_unpaid_time(label="<b>pilot</b>")
    w = pc.pay_calculator(s)
    assert str(w._esm).endswith("export default { render };\n") or "render" in str(w._esm)
    assert w.scenario() == s
    assert len(w.sources) == len(pc.LIVING_WAGE_SOURCES) >= 3
