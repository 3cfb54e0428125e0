"""Links between Part I of the book (guidance, guardrails, use cases) and the rubric.

The rubric file (``widgets/rubric/engagement-plan.yaml``) is the single home of every
question, level and red flag. The book's chapters never retype that text: their code cells
call the functions here, which read the rubric and return Markdown (rendered as MyST, so
``{ref}`` roles work). What the rubric does not hold, which criteria check each *practice*
section of the Guidance part and which make up each use case's mini self-check, lives in
``widgets/data/part-one-links.yaml`` (validated against ``part-one-links.schema.json``);
``tests/test_book_content.py`` checks every id in it against the rubric and the book's labels.

Explained in: book/guidance (practices), book/guardrails, book/usecases.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from IPython.display import Markdown

from widgets._scoring import load_rubric
from widgets._files import ToolFileError, load_validated_yaml
from widgets._text import escape_markdown

LINKS_FILE = Path(__file__).resolve().parent / "data" / "part-one-links.yaml"
LINKS_SCHEMA = LINKS_FILE.with_name("part-one-links.schema.json")


@lru_cache(maxsize=1)
def load_links() -> dict:
    """The validated practice -> criteria and use case -> criteria maps, every id checked against the rubric."""
    data = load_validated_yaml(LINKS_FILE.read_text(encoding="utf-8"), LINKS_FILE.name, LINKS_SCHEMA)
    known = load_rubric().by_id
    for part in ("practices", "use_cases"):
        for key, ids in data[part].items():
            unknown = [cid for cid in ids if cid not in known]
            if unknown:
                raise ToolFileError(f"{LINKS_FILE.name}: {part}.{key} names criteria the rubric does not have: "
                                    f"{', '.join(unknown)} (see widgets/rubric/engagement-plan.yaml)")
    return data


#: Practice label in book/guidance -> ids of the rubric criteria that check it.
PRACTICE_CRITERIA: dict[str, list[str]] = load_links()["practices"]
#: Use-case chapter slug (label ``usecase-<slug>``) -> criteria of its mini self-check.
USECASE_CRITERIA: dict[str, list[str]] = load_links()["use_cases"]


def _rubric_data() -> dict:
    """The validated rubric as plain data."""
    return load_rubric().data


def _criteria_by_id(rubric: dict) -> dict[str, dict]:
    return {c["id"]: c for c in rubric["criteria"]}


def _themes_by_id(rubric: dict) -> dict[str, dict]:
    return {t["id"]: t for t in rubric["themes"]}


def _role_text(text: str) -> str:
    # Text shown inside a {ref} role: no backticks or angle brackets, which would end the role.
    return " ".join(str(text).translate({ord(c): None for c in "`<>"}).split())


def criteria_for_practice(label: str, rubric: dict | None = None) -> list[dict]:
    """Criteria that check a practice or theme section, given its book label."""
    rubric = rubric or _rubric_data()
    if label.startswith("theme-"):
        theme = label[len("theme-"):]
        return [c for c in rubric["criteria"] if c["theme"] == theme]
    by_id = _criteria_by_id(rubric)
    return [by_id[cid] for cid in PRACTICE_CRITERIA[label]]


def _criterion_line(c: dict, rubric: dict, current_flag: str | None = None) -> str:
    theme = _themes_by_id(rubric)[c["theme"]]
    weight = c["weight"]
    raises = c.get("raises") or {}
    if current_flag is not None and any(current_flag in fs for fs in raises.values()):
        at = " or ".join(lv for lv in sorted(raises) if current_flag in raises[lv])
        extra = f"; an answer at level {at} raises this red flag"
    else:
        extra = ""
    return (
        f"- **{escape_markdown(c['question'])}** "
        f"(criterion `{c['id']}`, weight {weight}, theme {{ref}}`{_role_text(theme['title'])} <theme-{theme['id']}>`{extra})"
    )


def _seealso_box(title: str, lines: list[str], invitation: str) -> str:
    """A MyST "see also" admonition: its lines, then an invitation to the self-assessment."""
    return "\n".join([f":::{{admonition}} {title}", ":class: seealso", "", *lines, "",
                      f"{invitation} in the {{ref}}`self-assessment <part-selfassessment>`.", ":::"])


def criteria_markdown(label: str) -> str:
    """Markdown list of the rubric criteria that check a practice (or a whole theme)."""
    rubric = _rubric_data()
    crits = criteria_for_practice(label, rubric)
    return _seealso_box("Rubric questions that check this", [_criterion_line(c, rubric) for c in crits],
                        "Answer them for your own plan")


def show_criteria(label: str) -> Markdown:
    """Display :func:`criteria_markdown` in a notebook cell."""
    return Markdown(criteria_markdown(label))


def flag_markdown(flag_id: str) -> str:
    """Markdown box for a guardrail: the red flag as the rubric states it, and the criteria that raise it."""
    rubric = _rubric_data()
    flags = {f["id"]: f for f in rubric["red_flags"]}
    if flag_id not in flags:
        raise KeyError(f"Red flag {flag_id!r} is not in the rubric; known: {sorted(flags)}")
    flag = flags[flag_id]
    bands = {b["id"]: b for b in rubric.get("bands", [])}
    cap = bands.get(flag.get("cap"), {}).get("title", flag.get("cap"))
    raising = [c for c in rubric["criteria"] if any(flag_id in fs for fs in (c.get("raises") or {}).values())]
    lines = [
        f"Red flag *{escape_markdown(flag['title'])}*: {escape_markdown(flag['meaning'])}",
        f"A plan that raises it for a group that holds power is capped at the band *{escape_markdown(cap)}*, "
        "whatever its other answers.",
        f"Next step: {escape_markdown(flag['next_step'])}",
        "",
        "Rubric questions that raise this red flag:",
        "",
    ]
    lines += [_criterion_line(c, rubric, current_flag=flag_id) for c in raising]
    return _seealso_box("In the rubric", lines, "Check your own plan")


def show_flag(flag_id: str) -> Markdown:
    """Display :func:`flag_markdown` in a notebook cell."""
    return Markdown(flag_markdown(flag_id))


def show_flags(*flag_ids: str) -> Markdown:
    """Display the boxes of several red flags that one book section explains, in one cell."""
    return Markdown("\n\n".join(flag_markdown(f) for f in flag_ids))


def selfcheck_markdown(usecase: str) -> str:
    """A use case's mini self-check as Markdown: each question with what every level means."""
    rubric = _rubric_data()
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
