"""Participatory AI in Practice: self-assessment and scoring tools.

This package holds the interactive and scoring code of the toolkit. Its public surface is the
names in ``__all__``, plus the modules ``widgets.charts`` (accessible Altair charts) and
``widgets.partone`` (what the chapters of Part I render from the rubric); modules starting with
``_`` are internal.
"""

__version__ = "0.1.0"

# Engagement-plan self-assessment (book/selfassessment): the rubric, saved assessments, scoring.
# The scoring algorithm is specified in widgets/rubric/SCORING.md, the file format in
# widgets/rubric/ASSESSMENT-FORMAT.md.
from widgets._assessment import EXAMPLES_DIR, Answer, Assessment, AssessmentError, Problem, load_assessment  # noqa: E402
from widgets._scoring import (  # noqa: E402
    Action,
    BandLimit,
    Contribution,
    Criterion,
    FlagResult,
    Rubric,
    Score,
    Tally,
    load_rubric,
    score_plan,
)
from widgets._reports import (  # noqa: E402
    compare_report,
    render_report,
    report_docx,
    report_html,
    report_json,
    report_markdown,
    rubric_csv,
    rubric_markdown,
)


# Supply-chain tools (book/supplychain): the living-wage pay calculator.
from widgets._paycalc import (  # noqa: E402
    LIVING_WAGE_SOURCES,
    PayInputError,
    PayScenario,
    effective_hourly_pay,
    living_wage_gap,
    meets_living_wage,
)
from widgets._paycalc import calculate_pay  # noqa: E402
from widgets._paycalc import pay_sweep_chart  # noqa: E402
from widgets._paycalc import break_even_task_minutes  # noqa: E402
from widgets._paycalc import load_pay_scenarios  # noqa: E402
from widgets._paycalc import pay_result_table  # noqa: E402
from widgets._paycalc import save_pay_scenarios  # noqa: E402

# Supply-chain tools: vendor engagement checklist and transparency report builder.
from widgets._transparency import TransparencyReport  # noqa: E402
from widgets._transparency import load_transparency_report  # noqa: E402
from widgets._transparency import load_transparency_template  # noqa: E402
from widgets._vendor import ToolFileError, VendorChecklist  # noqa: E402
from widgets._vendor import load_vendor_checklist  # noqa: E402
from widgets._vendor import load_vendor_questions  # noqa: E402

# The same three tools as notebook widgets (the site's ES modules, hosted by anywidget on first call).
from widgets._paycalc import pay_calculator  # noqa: E402
from widgets._transparency import transparency_report_builder  # noqa: E402
from widgets._vendor import vendor_checklist_widget  # noqa: E402

# Workshops (book/workshops): the room summary across many assessment files, and small groups.
from widgets._groups import form_groups, read_roster  # noqa: E402
from widgets._room import load_room, room_report, room_summary, room_widget  # noqa: E402

__all__ = [
    # self-assessment
    "Action", "Answer", "Assessment", "AssessmentError", "AssessmentWidget", "BandLimit", "Contribution",
    "Criterion", "EXAMPLES_DIR", "FlagResult", "Problem", "Rubric", "Score", "Tally",
    "compare_report", "load_assessment", "load_rubric", "render_report", "report_docx", "report_html", "report_json",
    "report_markdown", "rubric_csv", "rubric_markdown", "score_plan",
    # supply-chain tools
    "LIVING_WAGE_SOURCES", "PayInputError", "PayScenario", "ToolFileError", "TransparencyReport",
    "VendorChecklist", "break_even_task_minutes", "calculate_pay", "effective_hourly_pay", "living_wage_gap",
    "load_pay_scenarios", "load_transparency_report", "load_transparency_template", "load_vendor_checklist",
    "load_vendor_questions", "meets_living_wage", "pay_calculator", "pay_result_table", "pay_sweep_chart",
    "save_pay_scenarios", "transparency_report_builder", "vendor_checklist_widget",
    # workshops
    "form_groups", "load_room", "read_roster", "room_report", "room_summary", "room_widget",
]


# Self-assessment notebook widget (book/selfassessment/04-assessment-in-a-notebook.md). Imported
# on first use: anywidget and ipywidgets add about half a second, which the CLI does not need.
def __getattr__(name: str):
    if name == "AssessmentWidget":
        from widgets._widget import AssessmentWidget

        return AssessmentWidget
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")
