"""Links between Part I of the book (guidance, guardrails, use cases) and the rubric.

The rubric file (``widgets/rubric/engagement-plan.yaml``) is the single home of every
question, level and red flag. The book's chapters never retype that text: their code cells
call the functions here, which read the rubric and return Markdown (rendered as MyST, so
``{ref}`` roles work). This module only adds what the rubric does not hold: which rubric
criteria check each *practice* section of the Guidance part, and which criteria make up
each use case's mini self-check. Both maps name criterion ids only, and
``tests/test_book_content.py`` checks every id against the rubric.

Explained in: book/guidance (practices), book/guardrails, book/usecases.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from IPython.display import Markdown

from widgets._text import escape_markdown

RUBRIC_PATH = Path(__file__).resolve().parent / "rubric" / "engagement-plan.yaml"

#: Practice label in book/guidance -> ids of the rubric criteria that check it.
PRACTICE_CRITERIA: dict[str, list[str]] = {
    "practice-state-purpose": ["purpose-stated"],
    "practice-open-and-fixed": ["open-and-fixed-stated", "target-level-chosen"],
    "practice-engage-early": ["early-start", "several-stages"],
    "practice-scale-with-risk": ["model-type-depth", "target-level-chosen"],
    "practice-inform-only": ["stop-condition"],
    "practice-realistic-timelines": ["time-and-budget"],
    "practice-stakeholder-map": ["stakeholder-map"],
    "practice-edge-users": ["seek-marginalised"],
    "practice-plural-communities": ["within-group-diversity"],
    "practice-trusted-partners": ["community-partners", "representative-mandate", "refresh-participants"],
    "practice-access-barriers": ["access-barriers"],
    "practice-real-people": ["no-synthetic-stand-ins"],
    "practice-pay-participants": ["pay-participants", "pay-prompt", "pay-partners"],
    "practice-informed-consent": ["informed-consent", "withdrawal"],
    "practice-safety-and-exposure": ["harmful-exposure", "safety-risks"],
    "practice-clear-tasks": ["pilot-instructions", "credit"],
    "practice-analyse-power": ["power-analysis"],
    "practice-shared-agenda": ["shape-agenda", "shared-decisions", "protect-dissent", "fair-aggregation"],
    "practice-document-process": ["documented-process"],
    "practice-clear-ownership": ["accountable-sponsor", "policy-gate"],
    "practice-trace-input": ["input-traced"],
    "practice-report-back": ["report-back"],
    "practice-real-influence": ["input-changes-substance", "community-can-halt", "community-decides"],
    "practice-refresh-input": ["refresh-input"],
    "practice-grievance-channel": ["grievance-channel"],
    "practice-share-monitoring": ["share-monitoring"],
    "practice-long-term-relationship": ["lasting-relationship", "failure-log", "participant-evaluation"],
}

#: Use-case chapter slug (label ``usecase-<slug>``) -> criteria of its mini self-check.
USECASE_CRITERIA: dict[str, list[str]] = {
    "market-needs": [
        "purpose-stated", "open-and-fixed-stated", "early-start", "stop-condition",
        "stakeholder-map", "seek-marginalised", "within-group-diversity", "pay-participants",
    ],
    "data-collection": [
        "informed-consent", "withdrawal", "data-contributor-say", "pay-participants",
        "pilot-instructions", "vendor-vetting", "living-wage-contracts",
    ],
    "expert-feedback": [
        "representative-mandate", "pay-participants", "pay-partners", "shape-agenda",
        "protect-dissent", "input-traced", "report-back", "credit",
    ],
    "risk-assessment": [
        "harmful-exposure", "safety-risks", "withdrawal", "pay-participants",
        "input-changes-substance", "community-can-halt", "living-wage-contracts",
    ],
    "beta-testing": [
        "early-start", "open-and-fixed-stated", "seek-marginalised", "no-synthetic-stand-ins",
        "safety-risks", "input-changes-substance", "report-back",
    ],
    "process-design": [
        "target-level-chosen", "power-analysis", "shape-agenda", "community-partners",
        "documented-process", "accountable-sponsor", "participant-evaluation", "time-and-budget",
    ],
}


def load_rubric() -> dict:
    """Return the rubric as plain data, validated by ``widgets.load_rubric`` when available."""
    try:
        from widgets import load_rubric as _validated_loader  # the rubric helper's public API
    except ImportError:
        _validated_loader = None
    if _validated_loader is not None:
        rubric = _validated_loader()
        if isinstance(rubric, dict):
            return rubric
        for attr in ("raw", "data"):
            if isinstance(getattr(rubric, attr, None), dict):
                return getattr(rubric, attr)
    with RUBRIC_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _criteria_by_id(rubric: dict) -> dict[str, dict]:
    return {c["id"]: c for c in rubric["criteria"]}


def _themes_by_id(rubric: dict) -> dict[str, dict]:
    return {t["id"]: t for t in rubric["themes"]}


def _role_text(text: str) -> str:
    # Text shown inside a {ref} role: no backticks or angle brackets, which would end the role.
    return " ".join(str(text).translate({ord(c): None for c in "`<>"}).split())


def criteria_for_practice(label: str, rubric: dict | None = None) -> list[dict]:
    """Criteria that check a practice or theme section, given its book label."""
    rubric = rubric or load_rubric()
    if label.startswith("theme-"):
        theme = label[len("theme-"):]
        return [c for c in rubric["criteria"] if c["theme"] == theme]
    by_id = _criteria_by_id(rubric)
    return [by_id[cid] for cid in PRACTICE_CRITERIA[label]]


def _criterion_line(c: dict, rubric: dict, current_flag: str | None = None) -> str:
    theme = _themes_by_id(rubric)[c["theme"]]
    weight = c["weight"]
    flag = c.get("flag")
    if not flag:
        extra = ""
    elif flag["id"] == current_flag:
        extra = f"; an answer at level {flag['at_or_below']} raises this red flag"
    else:
        extra = f"; raises red flag {{ref}}`guardrail-{flag['id']}` at level {flag['at_or_below']}"
    return (
        f"- **{escape_markdown(c['question'])}** "
        f"(criterion `{c['id']}`, weight {weight}, theme {{ref}}`{_role_text(theme['title'])} <theme-{theme['id']}>`{extra})"
    )


def criteria_markdown(label: str) -> str:
    """Markdown list of the rubric criteria that check a practice (or a whole theme)."""
    rubric = load_rubric()
    crits = criteria_for_practice(label, rubric)
    lines = [":::{admonition} Rubric questions that check this", ":class: seealso", ""]
    lines += [_criterion_line(c, rubric) for c in crits]
    lines += ["", "Answer them for your own plan in the {ref}`self-assessment <part-selfassessment>`.", ":::"]
    return "\n".join(lines)


def show_criteria(label: str) -> Markdown:
    """Display :func:`criteria_markdown` in a notebook cell."""
    return Markdown(criteria_markdown(label))


def flag_markdown(flag_id: str) -> str:
    """Markdown box for a guardrail: the red flag as the rubric states it, and the criteria that raise it."""
    rubric = load_rubric()
    flags = {f["id"]: f for f in rubric["red_flags"]}
    if flag_id not in flags:
        raise KeyError(f"Red flag {flag_id!r} is not in {RUBRIC_PATH.name}; known: {sorted(flags)}")
    flag = flags[flag_id]
    bands = {b["id"]: b for b in rubric.get("bands", [])}
    cap = bands.get(flag.get("cap"), {}).get("title", flag.get("cap"))
    raising = [c for c in rubric["criteria"] if (c.get("flag") or {}).get("id") == flag_id]
    lines = [
        ":::{admonition} In the rubric",
        ":class: seealso",
        "",
        f"Red flag *{escape_markdown(flag['title'])}*: {escape_markdown(flag['meaning'])}",
        f"A plan that raises it is capped at the band *{escape_markdown(cap)}*, whatever its other answers.",
        "",
        "Rubric questions that raise this red flag:",
        "",
    ]
    lines += [_criterion_line(c, rubric, current_flag=flag_id) for c in raising]
    lines += ["", "Check your own plan in the {ref}`self-assessment <part-selfassessment>`.", ":::"]
    return "\n".join(lines)


def show_flag(flag_id: str) -> Markdown:
    """Display :func:`flag_markdown` in a notebook cell."""
    return Markdown(flag_markdown(flag_id))


def selfcheck_markdown(usecase: str) -> str:
    """A use case's mini self-check as Markdown: each question with what every level means."""
    rubric = load_rubric()
    by_id = _criteria_by_id(rubric)
    scale = {s["level"]: s["name"] for s in rubric["scale"]}
    out = []
    for n, cid in enumerate(USECASE_CRITERIA[usecase], start=1):
        c = by_id[cid]
        out.append(f"{n}. **{escape_markdown(c['question'])}** (criterion `{cid}`, weight {c['weight']})")
        out.append("")
        for level in sorted(c["levels"], key=int):
            out.append(f"   - *{int(level)} ({escape_markdown(scale[int(level)])})*: {escape_markdown(c['levels'][level])}")
        out.append("")
    return "\n".join(out)


def show_selfcheck(usecase: str) -> Markdown:
    """Display :func:`selfcheck_markdown` in a notebook cell."""
    return Markdown(selfcheck_markdown(usecase))


def selfcheck_ids(usecase: str) -> str:
    """Space-separated criterion ids of a use case's mini self-check (for ``:criteria:``)."""
    return " ".join(USECASE_CRITERIA[usecase])


# --------------------------------------------------------------------------- participation scales

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

#: Our alignment of the rubric's bands with Arnstein's groups of rungs (book/guidance, scales chapter).
ARNSTEIN_GROUP = {
    "non-participation": "Non-participation (manipulation, therapy)",
    "tokenism": "Tokenism (informing, consultation, placation)",
    "consultation": "Tokenism, with follow-through promised",
    "involvement": "Between placation and partnership",
    "collaboration": "Citizen power (partnership)",
    "community-led": "Citizen power (delegated power, citizen control)",
}


def _scoring_api():
    try:
        from widgets import load_assessment, score_plan
    except ImportError:  # the rubric helper's public names, if not yet exported
        from widgets._assessment import load_assessment
        from widgets._scoring import score_plan
    return load_assessment, score_plan


def example_placements(examples_dir: Path | None = None):
    """Score every example plan and return one row per plan (a pandas DataFrame).

    Columns: plan, team, product, percent, band_id, band, band_index, iap2, arnstein,
    red_flags, and one ``theme:<id>`` column per rubric theme (percent of that theme's maximum).
    """
    import pandas as pd

    load_assessment, score_plan = _scoring_api()
    rubric = load_rubric()
    bands = rubric["bands"]
    band_title = {b["id"]: b["title"] for b in bands}
    band_index = {b["id"]: b["index"] for b in bands}
    iap2_title = {lv["id"]: lv["title"] for lv in rubric["iap2_levels"]}
    flag_title = {f["id"]: f["title"] for f in rubric["red_flags"]}
    paths = sorted((examples_dir or EXAMPLES_DIR).glob("*.yaml"))
    if not paths:
        raise FileNotFoundError(f"No example plans in {examples_dir or EXAMPLES_DIR}; the chart needs at least one.")
    rows = []
    for path in paths:
        assessment = load_assessment(path)
        score = score_plan(assessment)
        info = assessment.plan_info() if hasattr(assessment, "plan_info") else {}
        row = {
            "plan": path.stem.replace("-", " ").capitalize(),
            "file": path.name,
            "team": info.get("team") or "",
            "product": info.get("product") or "",
            "percent": score.overall.percent,
            "band_id": score.band_id,
            "band": band_title[score.band_id],
            "band_index": band_index[score.band_id],
            "iap2": iap2_title[score.iap2_level],
            "arnstein": ARNSTEIN_GROUP[score.band_id],
            "red_flags": ", ".join(flag_title[f] for f in score.flag_ids) or "none",
            "flag_count": len(score.flag_ids),
        }
        for theme_id, tally in score.themes:
            row[f"theme:{theme_id}"] = tally.percent
        rows.append(row)
    return pd.DataFrame(rows)


def placements_table(df) -> Markdown:
    """A Markdown table of where each example plan lands on the three scales."""
    lines = [
        "| Example plan | Score (% of maximum) | Rubric band | IAP2 level reached | Arnstein group (our alignment) | Red flags |",
        "|---|---:|---|---|---|---|",
    ]
    for r in df.sort_values("band_index").itertuples():
        pct = "n/a" if r.percent is None else f"{r.percent:.1f}"
        lines.append(
            f"| {escape_markdown(r.plan)} | {pct} | {escape_markdown(r.band)} | {escape_markdown(r.iap2)} | "
            f"{escape_markdown(r.arnstein)} | {escape_markdown(r.red_flags)} |"
        )
    return Markdown("\n".join(lines))


def placements_chart(df):
    """Interactive Altair chart: each example plan by rubric band (x) and weighted score (y).

    Tick marks show the minimum score each band asks for, so a plan sitting above a band's tick
    but in a lower band is visibly held back by a red flag or an unmet gate.
    """
    import altair as alt
    import pandas as pd

    rubric = load_rubric()
    order = [b["title"] for b in sorted(rubric["bands"], key=lambda b: b["index"])]
    thresholds = pd.DataFrame(
        [{"band": b["title"], "min_percent": b["min_percent"]} for b in rubric["bands"]]
    )
    data = df.assign(flagged=df["flag_count"].map(lambda n: "Raises red flags" if n else "No red flags"))
    x = alt.X("band:N", sort=order, scale=alt.Scale(domain=order),
              title="Rubric participation band (least to most power shared)",
              axis=alt.Axis(labelAngle=-20, labelLimit=200))
    y = alt.Y("percent:Q", scale=alt.Scale(domain=[0, 100]), title="Weighted score (% of maximum points)")
    highlight = alt.selection_point(fields=["flagged"], bind="legend")
    ticks = alt.Chart(thresholds).mark_tick(thickness=2, size=40, color="#888").encode(
        x=alt.X("band:N", sort=order, scale=alt.Scale(domain=order)),
        y="min_percent:Q",
        tooltip=[alt.Tooltip("band:N", title="Band"),
                 alt.Tooltip("min_percent:Q", title="Minimum score for this band (%)")],
    )
    points = alt.Chart(data).mark_point(size=160, filled=True).encode(
        x=x,
        y=y,
        shape=alt.Shape("flagged:N", title="Red flags", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["No red flags", "Raises red flags"], range=["circle", "triangle-down"])),
        color=alt.Color("flagged:N", title="Red flags", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["No red flags", "Raises red flags"], range=["#1b7837", "#b2182b"])),
        opacity=alt.condition(highlight, alt.value(1.0), alt.value(0.2)),
        tooltip=[
            alt.Tooltip("plan:N", title="Example plan"),
            alt.Tooltip("percent:Q", title="Score (% of maximum)", format=".1f"),
            alt.Tooltip("band:N", title="Rubric band"),
            alt.Tooltip("iap2:N", title="IAP2 level reached"),
            alt.Tooltip("arnstein:N", title="Arnstein group (our alignment)"),
            alt.Tooltip("red_flags:N", title="Red flags"),
        ],
    ).add_params(highlight)
    labels = alt.Chart(data).mark_text(align="left", dx=12, fontSize=12).encode(x=x, y=y, text="plan:N")
    summary = "; ".join(
        f"{r.plan}: {r.band}, " + ("score n/a" if r.percent is None else f"{r.percent:.0f}%") + (f", red flags: {r.red_flags}" if r.flag_count else "")
        for r in df.itertuples()
    )
    return (ticks + points + labels).properties(
        width=560,
        height=340,
        title="Where do the example plans land on the rubric's participation bands?",
        description=(
            "Dot chart of the toolkit's example engagement plans. Horizontal axis: rubric participation "
            "band from non-participation to community-led; vertical axis: weighted score as a percentage "
            "of the maximum. Grey ticks mark each band's minimum score. Plans: " + summary + "."
        ),
    )


def theme_profile_chart(df):
    """Heatmap of each example plan's score per rubric theme (percent of the theme's maximum)."""
    import altair as alt

    rubric = load_rubric()
    theme_titles = {t["id"]: t["title"] for t in rubric["themes"]}
    cols = [c for c in df.columns if c.startswith("theme:")]
    long = df.melt(id_vars=["plan"], value_vars=cols, var_name="theme", value_name="theme_percent")
    long["theme"] = long["theme"].str.slice(len("theme:")).map(theme_titles)
    long["label"] = long["theme_percent"].map(lambda v: "n/a" if v != v or v is None else f"{v:.0f}")
    order = [theme_titles[t["id"]] for t in rubric["themes"]]
    base = alt.Chart(long).encode(
        x=alt.X("theme:N", sort=order, title="Rubric theme", axis=alt.Axis(labelAngle=-30, labelLimit=220)),
        y=alt.Y("plan:N", title="Example plan"),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("theme_percent:Q", title="Theme score (%)", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[0, 100], scheme="blues")),
        tooltip=[alt.Tooltip("plan:N", title="Example plan"), alt.Tooltip("theme:N", title="Theme"),
                 alt.Tooltip("theme_percent:Q", title="Score (% of theme maximum)", format=".1f")],
    )
    text = base.mark_text(fontSize=12).encode(
        text="label:N",
        color=alt.condition("datum.theme_percent > 60", alt.value("white"), alt.value("black")),
    )
    return (rect + text).properties(
        width=560,
        height=40 * len(df),
        title="Which themes hold each example plan back? Score per theme (% of maximum)",
        description=(
            "Heatmap with one row per example plan and one column per rubric theme; each cell gives the "
            "plan's weighted score on that theme as a percentage of the theme's maximum, printed in the cell."
        ),
    )


def selfcheck_widget_markdown(usecase: str) -> str:
    """The mini self-check for a use case as MyST: the interactive ``pai-widget`` (on the built
    site) limited to this use case's criteria, followed by the same questions and levels as text
    in a collapsed block, for print, for readers without JavaScript, and for notebooks."""
    ids = selfcheck_ids(usecase)
    return "\n".join([
        "```{pai-widget}",
        f":criteria: {ids}",
        f":storage-key: pai:usecase:{usecase}",
        f":label: Mini self-check: {usecase.replace('-', ' ')}",
        "```",
        "",
        ":::{admonition} The questions and their levels as text",
        ":class: dropdown",
        selfcheck_markdown(usecase),
        ":::",
    ])


def show_selfcheck_widget(usecase: str) -> Markdown:
    """Display :func:`selfcheck_widget_markdown` in a notebook cell."""
    return Markdown(selfcheck_widget_markdown(usecase))
