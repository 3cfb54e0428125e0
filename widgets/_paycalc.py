"""Living-wage pay calculator: what a data-enrichment worker really earns per hour.

The idea (book chapter ``book/supplychain/03-living-wage-pay.md``): a rate that looks
fair per task or per hour can fall below a living wage once the time a worker
spends on training, onboarding and unpaid side work (reading instructions,
waiting for tasks, redoing rejected items) is counted. Every function here is
pure: it takes a :class:`PayScenario` and returns numbers, so the same arithmetic
is easy to test by hand and is mirrored line by line in the kernel-free page
(``widgets/static/tools/paycalc.js``; a parity test runs both on the same cases).

All times are in minutes, all money in the scenario's currency.
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

import yaml

from widgets._text import json_dumps_safe

from ._files import MAX_NUMBER, MIN_POSITIVE, MIN_POSITIVE_TEXT, NUMBER_LIMIT, ToolFormat, has_surrogate
from ._files import read_tool_file, stored_as_written

#: Name and version written into every saved scenario file.
FORMAT_NAME = "pai-paycalc"
FORMAT_VERSION = 1

PAY_MODELS = ("per_task", "per_hour")
#: Time components that a per-hour contract may (or may not) pay for.
EXTRA_TIME = ("training", "onboarding", "side_work")

#: Where to look up a living wage (``widgets/data/living-wage-sources.yaml``, shared with the site).
#: The user enters the figure; the calculator never guesses it.
LIVING_WAGE_SOURCES = tuple(
    yaml.safe_load((Path(__file__).resolve().parent / "data" / "living-wage-sources.yaml").read_text(encoding="utf-8"))
)


class PayInputError(ValueError):
    """A pay scenario has a missing or impossible value; the message names the field and the fix."""


_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: Bounds on every number (mirrored in widgets/static/tools/paycalc.js): with amounts, times and
#: counts between these, every result the calculator computes is a finite number.
LIMIT_HINT = (f"Numbers must be at most {NUMBER_LIMIT}; a value that must be above zero must be at least "
              f"{MIN_POSITIVE_TEXT}.")


def _show(value) -> str:
    """A value for a message: short, whatever its type or size."""
    if isinstance(value, int) and abs(value) >= 10 ** 20:
        return "a number of more than 20 digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(name: str, value, *, positive: bool, hint: str) -> float:
    if isinstance(value, bool) or value is None:
        raise PayInputError(f"{name} is missing. {hint}")
    if isinstance(value, int) and abs(value) > MAX_NUMBER:
        raise PayInputError(f"{name} must be at most {NUMBER_LIMIT}, got {_show(value)}. {LIMIT_HINT}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise PayInputError(f"{name} must be a number, got {_show(value)}. {hint}") from None
    if not math.isfinite(number):
        raise PayInputError(f"{name} must be a finite number, got {_show(value)}. {hint}")
    if isinstance(value, str) and not stored_as_written(value.strip(), number):
        raise PayInputError(f"{name} must be a number that can be stored as written, got {_show(value)}. "
                            f"{LIMIT_HINT}")
    if positive and number <= 0:
        raise PayInputError(f"{name} must be greater than zero, got {_show(value)}. {hint}")
    if not positive and number < 0:
        raise PayInputError(f"{name} cannot be negative, got {_show(value)}. {hint}")
    if abs(number) > MAX_NUMBER:
        raise PayInputError(f"{name} must be at most {NUMBER_LIMIT}, got {_show(value)}. {LIMIT_HINT}")
    if positive and number < MIN_POSITIVE:
        raise PayInputError(f"{name} must be at least {MIN_POSITIVE_TEXT}, got {_show(value)}. {LIMIT_HINT}")
    return number


@dataclass(frozen=True)
class PayScenario:
    """One data-enrichment job as one worker experiences it.

    ``rate`` is the pay per task (``pay_model="per_task"``) or per hour
    (``"per_hour"``). ``task_minutes`` is the estimated time one task really
    takes (measure it in the pilot). ``tasks`` is how many tasks the worker
    completes. ``training_minutes`` and ``onboarding_minutes`` are one-off;
    ``side_work_minutes_per_task`` is time around each task that is easy to
    forget (instructions, waiting, rework). Under per-hour pay, ``paid_extras``
    names which of ``training``, ``onboarding``, ``side_work`` are paid at the
    hourly rate; ``other_payments`` is any lump sum paid on top (either model).
    """

    currency: str
    living_wage_per_hour: float
    pay_model: str
    rate: float
    task_minutes: float
    tasks: int
    training_minutes: float = 0.0
    onboarding_minutes: float = 0.0
    side_work_minutes_per_task: float = 0.0
    paid_extras: tuple[str, ...] = ()
    other_payments: float = 0.0
    label: str = ""
    living_wage_source: str = ""

    def __post_init__(self) -> None:
        currency = (self.currency or "").strip().upper() if isinstance(self.currency, str) else ""
        if not currency:
            raise PayInputError(
                "Currency is missing. Enter the three-letter code of the currency the worker is paid "
                "in (for example KES, INR, PHP, USD), the same one as the living wage."
            )
        if not _CURRENCY.match(currency):
            raise PayInputError(
                f"Currency {self.currency!r} is not a three-letter currency code. Use a code such as "
                "KES, INR, PHP or USD."
            )
        object.__setattr__(self, "currency", currency)
        if self.pay_model not in PAY_MODELS:
            raise PayInputError(
                f"Pay model {self.pay_model!r} is not known. Use 'per_task' (paid for each item) or "
                "'per_hour' (paid for time)."
            )
        lw_hint = "Look up the living wage for the worker's city or region (see LIVING_WAGE_SOURCES)."
        object.__setattr__(
            self, "living_wage_per_hour",
            _number("Living wage per hour", self.living_wage_per_hour, positive=True, hint=lw_hint),
        )
        unit = "task" if self.pay_model == "per_task" else "hour"
        object.__setattr__(
            self, "rate",
            _number(f"Pay per {unit}", self.rate, positive=True, hint=f"Enter what the worker is paid per {unit}."),
        )
        object.__setattr__(
            self, "task_minutes",
            _number("Minutes per task", self.task_minutes, positive=True,
                    hint="Use the time measured in the pilot; a task cannot take zero time."),
        )
        tasks = _number("Number of tasks", self.tasks, positive=True,
                        hint="Enter how many tasks one worker completes (at least 1).")
        if tasks != int(tasks):
            raise PayInputError(f"Number of tasks must be a whole number, got {_show(self.tasks)}.")
        object.__setattr__(self, "tasks", int(tasks))
        for name, label in (
            ("training_minutes", "Training minutes"),
            ("onboarding_minutes", "Onboarding minutes"),
            ("side_work_minutes_per_task", "Side-work minutes per task"),
            ("other_payments", "Other payments"),
        ):
            object.__setattr__(
                self, name,
                _number(label, getattr(self, name), positive=False, hint="Enter 0 if there is none."),
            )
        if self.paid_extras is None:
            object.__setattr__(self, "paid_extras", ())
        if not isinstance(self.paid_extras, (list, tuple, set, frozenset)):
            raise PayInputError(
                f"Paid extras must be a list of names, got {type(self.paid_extras).__name__}. "
                f"Use a list of {', '.join(EXTRA_TIME)} (or an empty list)."
            )
        extras = tuple(self.paid_extras)
        unknown = [e for e in extras if not isinstance(e, str) or e not in EXTRA_TIME]
        if unknown:
            raise PayInputError(
                f"Unknown paid time {_show(unknown)}. Paid extras can only be {', '.join(EXTRA_TIME)}."
            )
        # Keep a canonical order so that equal scenarios compare (and save) equal.
        object.__setattr__(self, "paid_extras", tuple(e for e in EXTRA_TIME if e in extras))
        for name in ("label", "living_wage_source"):
            value = getattr(self, name)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise PayInputError(f"{name} must be text, got {type(value).__name__}.")
            if has_surrogate(value):
                raise PayInputError(f"{name} is not valid Unicode text (it holds a lone surrogate such as "
                                    "\\ud800, which is not a character). Retype it.")
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class PayResult:
    """What the worker earns, over how many hours, against the living wage."""

    currency: str
    total_pay: float
    task_hours: float
    extra_hours: dict = field(default_factory=dict)
    total_hours: float = 0.0
    unpaid_hours: float = 0.0
    nominal_hourly: float = 0.0
    effective_hourly: float = 0.0
    living_wage_per_hour: float = 0.0
    meets_living_wage: bool = False
    living_wage_gap: float = 0.0
    shortfall_total: float = 0.0
    rate_needed: float = 0.0


def _extra_minutes(s: PayScenario) -> dict:
    return {
        "training": s.training_minutes,
        "onboarding": s.onboarding_minutes,
        "side_work": s.side_work_minutes_per_task * s.tasks,
    }


def _paid_minutes(s: PayScenario) -> float:
    """Minutes a per-hour contract pays for: the tasks and the extras it names."""
    return s.task_minutes * s.tasks + sum(
        minutes for name, minutes in _extra_minutes(s).items() if name in s.paid_extras
    )


def total_pay(s: PayScenario) -> float:
    """Everything the worker is paid for the job, in ``s.currency``."""
    if s.pay_model == "per_task":
        return s.rate * s.tasks + s.other_payments
    return s.rate * _paid_minutes(s) / 60 + s.other_payments


def total_hours(s: PayScenario) -> float:
    """Every hour the job takes the worker, paid or not."""
    return (s.task_minutes * s.tasks + sum(_extra_minutes(s).values())) / 60


def effective_hourly_pay(s: PayScenario) -> float:
    """Total pay divided by all the time the job takes (see the living-wage chapter)."""
    return total_pay(s) / total_hours(s)


def meets_living_wage(s: PayScenario) -> bool:
    """True when the effective hourly pay is at or above the living wage.

    Compared in whole hundredths of the currency, so a rate computed to meet
    the wage exactly is not failed by floating-point noise.
    """
    return round(effective_hourly_pay(s) * 100) >= round(s.living_wage_per_hour * 100)


def living_wage_gap(s: PayScenario) -> float:
    """How far below the living wage the effective hourly pay is (0 when it meets it)."""
    return 0.0 if meets_living_wage(s) else s.living_wage_per_hour - effective_hourly_pay(s)


def rate_needed(s: PayScenario) -> float:
    """The rate (per task or per hour, as in ``s``) that would pay exactly the living wage.

    Under per-task pay it counts all time, paid or not; under per-hour pay it
    assumes only the time the contract pays for is paid.
    """
    owed = s.living_wage_per_hour * total_hours(s) - s.other_payments
    if s.pay_model == "per_task":
        return max(owed, 0.0) / s.tasks
    return max(owed, 0.0) / (_paid_minutes(s) / 60)


def calculate_pay(s: PayScenario) -> PayResult:
    """All the numbers for one scenario, ready to show or export."""
    pay = total_pay(s)
    hours = total_hours(s)
    extras = {name: minutes / 60 for name, minutes in _extra_minutes(s).items()}
    if s.pay_model == "per_task":
        unpaid = hours - s.task_minutes * s.tasks / 60
    else:
        unpaid = sum(h for name, h in extras.items() if name not in s.paid_extras)
    task_hours = s.task_minutes * s.tasks / 60
    return PayResult(
        currency=s.currency,
        total_pay=pay,
        task_hours=task_hours,
        extra_hours=extras,
        total_hours=hours,
        unpaid_hours=unpaid,
        # What the rate looks like if only time on the tasks themselves is counted.
        nominal_hourly=pay / task_hours,
        effective_hourly=pay / hours,
        living_wage_per_hour=s.living_wage_per_hour,
        meets_living_wage=meets_living_wage(s),
        living_wage_gap=living_wage_gap(s),
        shortfall_total=max(s.living_wage_per_hour * hours - pay, 0.0) if not meets_living_wage(s) else 0.0,
        rate_needed=rate_needed(s),
    )


def pay_result_table(s: PayScenario):
    """The scenario's result as a two-column table (what, value) for display in a notebook."""
    import pandas as pd

    r = calculate_pay(s)
    unit = f"{s.currency} per hour"
    rate_unit = "task" if s.pay_model == "per_task" else "hour"
    rows = [
        ("Total pay for the job", f"{r.total_pay:,.2f} {s.currency}"),
        ("Hours on the tasks themselves", f"{r.task_hours:,.2f} h"),
        ("Hours of training, onboarding and side work", f"{sum(r.extra_hours.values()):,.2f} h"),
        ("of which unpaid", f"{r.unpaid_hours:,.2f} h"),
        ("Hourly pay counting task time only", f"{r.nominal_hourly:,.2f} {unit}"),
        ("Effective hourly pay, all time counted", f"{r.effective_hourly:,.2f} {unit}"),
        ("Living wage", f"{r.living_wage_per_hour:,.2f} {unit}"),
        ("Meets the living wage?", "yes" if r.meets_living_wage else "no"),
        ("Shortfall over the job", f"{r.shortfall_total:,.2f} {s.currency}"),
        (f"Rate per {rate_unit} needed to meet the living wage", f"{r.rate_needed:,.4f} {s.currency}"),
    ]
    return pd.DataFrame(rows, columns=["", "value"]).set_index("")


def with_changes(s: PayScenario, **changes) -> PayScenario:
    """A copy of ``s`` with some fields changed (validated again)."""
    values = {f.name: getattr(s, f.name) for f in fields(s)}
    values.update(changes)
    return PayScenario(**values)


def task_time_sweep(s: PayScenario, minutes: list[float] | None = None) -> list[dict]:
    """Effective hourly pay as the real time per task varies, everything else fixed.

    Shows the central risk of per-task pay: if tasks take longer than the
    pilot estimated, the hourly pay falls. ``minutes`` defaults to 50% to 250%
    of the scenario's estimate in 21 steps.
    """
    if minutes is None:
        minutes = [s.task_minutes * (0.5 + 0.1 * i) for i in range(21)]
    else:
        minutes = [_number("Minutes per task", m, positive=True, hint="Each swept time must be above zero.")
                   for m in minutes]
    rows = []
    for m in minutes:
        # Derived from a valid scenario by a factor of 0.5 to 2.5 (or checked above): still finite,
        # so not validated again (half the smallest allowed time is a fine point on the curve).
        variant = copy.copy(s)
        object.__setattr__(variant, "task_minutes", m)
        rows.append(
            {
                "task_minutes": round(m, 4),
                "effective_hourly": effective_hourly_pay(variant),
                "living_wage_per_hour": s.living_wage_per_hour,
                "meets_living_wage": meets_living_wage(variant),
            }
        )
    return rows


def break_even_task_minutes(s: PayScenario) -> float | None:
    """Longest task time (minutes) at which per-task pay still meets the living wage.

    ``None`` for per-hour pay (task time does not change hourly pay there when
    all time is paid) or when even an instant task would not meet it.
    """
    if s.pay_model != "per_task":
        return None
    other_minutes = s.training_minutes + s.onboarding_minutes + s.side_work_minutes_per_task * s.tasks
    budget_minutes = total_pay(s) / s.living_wage_per_hour * 60 - other_minutes
    if budget_minutes <= 0:
        return None
    return budget_minutes / s.tasks


def pay_sweep_chart(s: PayScenario, minutes: list[float] | None = None):
    """Altair chart: does the per-task rate still pay a living wage if tasks take longer?

    Needs ``widgets.charts.enable()`` to render on the site; carries its own alt text.
    """
    import altair as alt
    import pandas as pd

    rows = task_time_sweep(s, minutes)
    data = pd.DataFrame(rows)
    data["status"] = data["meets_living_wage"].map({True: "meets living wage", False: "below living wage"})
    unit = f"{s.currency} per hour"
    be = break_even_task_minutes(s)
    lowest, highest = data["effective_hourly"].min(), data["effective_hourly"].max()
    description = (
        f"Line chart of effective hourly pay ({unit}) against the real minutes one task takes, "
        f"from {data['task_minutes'].min():g} to {data['task_minutes'].max():g} minutes. Pay falls from "
        f"{highest:.2f} to {lowest:.2f} {unit} as tasks take longer; the dashed line is the living "
        f"wage of {s.living_wage_per_hour:.2f} {unit}. "
        + (f"Above about {be:.1f} minutes per task the pay drops below the living wage."
           if be is not None else "")
    )
    line = alt.Chart(data).mark_line(color="#555555").encode(
        x=alt.X("task_minutes:Q", title="Real time per task (minutes)"),
        y=alt.Y("effective_hourly:Q", title=f"Effective hourly pay ({unit})"),
    )
    points = alt.Chart(data).mark_point(filled=True, size=60).encode(
        x="task_minutes:Q",
        y="effective_hourly:Q",
        # Shape as well as colour carries the status, so it survives greyscale and colour blindness.
        shape=alt.Shape("status:N", title="Status", scale=alt.Scale(
            domain=["meets living wage", "below living wage"], range=["circle", "triangle-down"])),
        color=alt.Color("status:N", title="Status", scale=alt.Scale(
            domain=["meets living wage", "below living wage"], range=["#1b7837", "#b2182b"])),
        tooltip=[
            alt.Tooltip("task_minutes:Q", title="Minutes per task", format=".1f"),
            alt.Tooltip("effective_hourly:Q", title=f"Effective pay ({unit})", format=".2f"),
        ],
    )
    wage = alt.Chart(pd.DataFrame({"living_wage": [s.living_wage_per_hour]})).mark_rule(
        strokeDash=[6, 4], color="#000000"
    ).encode(y="living_wage:Q")
    return (line + points + wage).properties(
        title="Does this per-task rate still pay a living wage if tasks take longer?",
        description=description,
        # 460 px of plot and the legend beside it fit the book's text column on a desktop screen.
        width=460,
        height=300,
    )


# --- saving and loading -------------------------------------------------------------


def scenario_to_dict(s: PayScenario) -> dict:
    """The scenario as plain data (the ``scenario`` part of a saved file)."""
    data = asdict(s)
    data["paid_extras"] = list(s.paid_extras)
    return data


def save_pay_scenarios(scenarios: list[PayScenario] | PayScenario) -> str:
    """Serialise one or more scenarios to the file format the site's calculator also uses."""
    if isinstance(scenarios, PayScenario):
        scenarios = [scenarios]
    return json_dumps_safe(
        {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
         "scenarios": [scenario_to_dict(s) for s in scenarios]},
        indent=2,
    )


PAY_FILE = ToolFormat(FORMAT_NAME, FORMAT_VERSION, kind="pay-calculator", saved_by="the pay calculator",
                      app="the calculator", this="calculator")


def load_pay_scenarios(text: str, source: str | None = None) -> list[PayScenario]:
    """Read scenarios saved by :func:`save_pay_scenarios` or downloaded from the site.

    Raises :class:`PayInputError` naming the problem for a file that is not
    JSON, not a pay-calculator file, from a newer version, or has bad values
    (``source``, a file name, starts the message when given).
    """
    data = read_tool_file(text, PAY_FILE, PayInputError, source)
    pre = f"{source}: " if source else ""
    items = data.get("scenarios")
    if not isinstance(items, list):
        raise PayInputError(f"{pre}The file has no list of scenarios.")
    known = {f.name for f in fields(PayScenario)}
    required = {f.name for f in fields(PayScenario) if f.default is MISSING and f.default_factory is MISSING}
    scenarios = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise PayInputError(f"{pre}Scenario {i} is not an object.")
        extra = set(item) - known
        if extra:
            raise PayInputError(f"{pre}Scenario {i} has unknown fields {sorted(extra)[:10]}.")
        missing = sorted(required - set(item))
        if missing:
            raise PayInputError(f"{pre}Scenario {i} is missing a required field ({', '.join(missing)}).")
        try:
            scenarios.append(PayScenario(**item))
        except PayInputError as exc:
            raise PayInputError(f"{pre}Scenario {i}: {exc}") from None
    return scenarios


# --- the same calculator form in a notebook ---------------------------------------------------

_OPTIONAL = ("training_minutes", "onboarding_minutes", "side_work_minutes_per_task", "other_payments")


def scenario_from_form(form: dict) -> PayScenario:
    """A scenario from the calculator form's values (text as typed; blank optional times count as 0)."""
    values = {k: form.get(k) for k in (f.name for f in fields(PayScenario)) if k in form}
    for key in _OPTIONAL:
        if isinstance(values.get(key), str) and not values[key].strip():
            values[key] = 0
    return PayScenario(**values)


def pay_calculator(scenario: PayScenario | None = None):
    """The interactive calculator in Jupyter: the site's ES module, hosted by anywidget.

    The widget's ``paycalc_form`` holds the form as typed; ``.scenario()`` turns it into a
    validated :class:`PayScenario` for the functions above.
    """
    import traitlets

    from widgets._frontend import anywidget_base

    class PayCalculator(anywidget_base("tools/paycalc.js")):
        paycalc_form = traitlets.Dict().tag(sync=True)
        sources = traitlets.List().tag(sync=True)

        def scenario(self) -> PayScenario:
            return scenario_from_form(self.paycalc_form)

    form = {}
    if scenario is not None:
        form = {k: (list(v) if k == "paid_extras" else v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v))
                for k, v in scenario_to_dict(scenario).items()}
    return PayCalculator(paycalc_form=form, sources=list(LIVING_WAGE_SOURCES))
