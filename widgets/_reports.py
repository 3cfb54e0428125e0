"""Turn a score, a set of scores or the rubric itself into Markdown, JSON, HTML, CSV or Word (.docx).

All text a user typed (team, product, evidence, notes) is escaped for the target format by the
text kernel (``widgets/_text.py``), so a hostile file cannot inject markup, a link or a formula; in
Word it is a plain text run, with the kernel's control characters removed. Reports
say what a score is: evidence for a conversation, never a certificate (book chapter "The rubric").
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ._assessment import Assessment
from ._scoring import BAND_ORDER, IAP2_ORDER, Rubric, Score, load_rubric
from ._text import csv_text, escape_html, escape_markdown, json_dumps_safe, strip_controls

DISCLAIMER = ("This score is evidence for a conversation inside the team and with the communities "
              "involved. It is not a certificate, and it cannot show that a plan is participatory.")
REPORT_FORMAT = "pai-score-report"
UI_LABELS_FILE = Path(__file__).resolve().parent / "data" / "ui-labels.json"

#: What a context limit of the band says (`band.limited_by` entries of kind "context", by id).
CONTEXT_LIMITS = {
    "inform-only": "the plan informs only: nobody takes part",
    "no-voice": ("nobody in the plan's groups has a say of their own: only data workers, data contributors, "
                 "partners or people who are only told"),
}


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def _range(low, high) -> str:
    return "n/a" if low is None else (f"{low:.1f}" if low == high else f"{low:.1f} to {high:.1f}")


def _range_note(tally: dict) -> str:
    if tally["unanswered"] == 0:
        return " (every question answered)"
    return (f" (between {_pct(tally['low_percent'])} and {_pct(tally['high_percent'])} if every unanswered "
            "question were answered at 0, or at 3)")


def _holding_items(rubric: Rubric, holding: list, score: Mapping, group_labels: Mapping, in_view) -> list:
    """One list item per answer that holds the band where it is (twin of holdingItems in report.js)."""
    met_at = rubric.rules["met_at"]
    rule_of = {step: rule for step, rule, _ in rubric.ladder}
    out = []
    for x in holding:
        if x["kind"] == "profile":
            out.append([["text", f"The other answers earn under {score['profile']['low_percent']} % of their points."]])
            continue
        if not in_view(x["criterion"]):
            continue
        question = rubric.by_id[x["criterion"]].question
        level = "unanswered" if x["level"] is None else f"level {x['level']}"
        if x["kind"] == "red-flag":
            who = f" for {group_labels.get(x['group'], x['group'])}" if x.get("group") else ""
            out.append([["text", f"The red flag \"{rubric.red_flags[x['id']]['title']}\", raised by "],
                        ["strong", question], ["text", f"{who} at {level}."]])
        else:
            either = " (or another of its questions)" if rule_of.get(x["id"]) == "any" else ""
            out.append([["text", f"The ladder step \"{rubric.iap2_levels[x['id']]['title']}\" needs "],
                        ["strong", question], ["text", f" at level {met_at} or more{either}; it is {level}."]])
    return out


def _heard_floor_text(rubric: Rubric) -> str:
    """The heard floor of the band rules in words ("" without one)."""
    rule = rubric.rules.get("heard_floor")
    if not rule:
        return ""
    needs = " and ".join(f"`{cid}`" for cid in rule["criteria"])
    return (f" When the *{rubric.iap2_levels[rule['step']]['title']}* step is met"
            + (f" and {needs} is answered at {rubric.rules['met_at']} or more" if needs else "")
            + f", no red flag puts the plan below {rubric.bands[rule['band']]['title']}.")


def _voice_and_clearing_text(rubric: Rubric) -> str:
    """`band_rules.voice_roles` and `met_step_clears_falling_short` in words ("" without them)."""
    rules = rubric.rules
    out = ""
    if rules.get("voice_roles"):
        roles = ", ".join(rubric.roles[r]["title"].lower() for r in rules["voice_roles"])
        out += (f" When a plan declares groups and none of them is one of these ({roles}), no step after "
                "*Inform* is met: data work and data collected are not a say in the system.")
        if rules.get("fair_work_is_voice"):
            out += (" A plan that declares data workers and raises no red flag outside the ladder is the "
                    "exception: a workforce treated fairly has a say in its own work, and its ladder counts.")
        unheard = rules.get("unheard_pipeline")
        if unheard:
            out += (f" A plan held this way whose own answers do not meet the "
                    f"*{rubric.iap2_levels[unheard['step']]['title']}* step either, and which a capping red flag "
                    f"caps, is one in which nobody is heard and the people in it are failed: the flag caps the band "
                    f"at {rubric.bands[unheard['band']]['title']}.")
    if rules.get("cap_spared_where_power_has_it"):
        out += (f" A capping flag raised for one group caps the band only where no other group the band "
                f"follows (the groups that hold power, or in a plan without any, those with a say) has the "
                f"safeguard at {rules['met_at']} or more on the same question; where one has, it lowers the "
                "band by one.")
    own = rules.get("members_govern_own_body")
    if own:
        roles = ", ".join(rubric.roles[r]["title"].lower() for r in own["roles"])
        flags = ", ".join(f"\"{rubric.red_flags[f]['title']}\"" for f in own["flags"])
        out += (f" Members who govern their own body ({roles}) in a plan that body convenes raise no {flags} "
                "red flag: they are not people whose labour a sponsor takes.")
    if rules.get("met_step_clears_falling_short"):
        out += (f" A question of a step the plan meets anyway raises its red flag only at level "
                f"{rules['cap_at_most']} or below, where the safeguard is missing.")
    return out


def _band_title(rubric: Rubric, band_id) -> str:
    return "not enough answers" if band_id is None else rubric.bands[band_id]["title"]


def _option_title(options, value) -> str:
    """The title of a model type or lifecycle stage id ("narrow" -> its title); the id if unknown."""
    if not value:
        return "not given"
    for option in options or []:
        if option.get("id") == value:
            return option.get("title") or value
    return str(value)


_LABEL_KINDS = {"practice": "Guidance", "guardrail": "Guardrail", "guardrails": "Guardrails", "usecase": "Use case",
                "supplychain": "Supply chain", "tool": "Tool"}


def _label_title(rubric: Rubric, label: str) -> str:
    """A reader's name for a book section label, when the site gave no title for it."""
    if label.startswith("theme-") and label[6:] in rubric.themes:
        return "Guidance: " + rubric.themes[label[6:]]["title"]
    if label.startswith("guardrail-") and label[10:] in rubric.red_flags:
        return "Guardrail: " + rubric.red_flags[label[10:]]["title"]
    kind, _, rest = label.partition("-")
    return f"{_LABEL_KINDS.get(kind, 'Book')}: " + rest.replace("-", " ").capitalize()


@lru_cache(maxsize=1)
def ui_labels() -> dict:
    """The interface labels both front-ends show (``widgets/data/ui-labels.json``, validated)."""
    from ._files import check_schema

    data = json.loads(UI_LABELS_FILE.read_text(encoding="utf-8"))
    return check_schema(data, UI_LABELS_FILE.with_name("ui-labels.schema.json"), "widgets/data/ui-labels.json")


# --------------------------------------------------------------------------- score reports
#
# One report of a score. score_report() builds it as data (title, plan facts, disclaimer, sections
# of lists, tables and paragraphs whose inline parts are plain text, strong, emphasis or code), and
# render_markdown(), render_html() and render_docx() write it out; the CLI, the notebook widget and (through the
# twin in widgets/static/lib/report.js, pinned by tests/test_parity.py) the page all use it.


def _action_text(rubric: Rubric, action: Mapping) -> str:
    """What to do, starting from the level reached (twin: ``nextStepText`` in widgets/static/lib/report.js).

    The criterion's own next step is written for a plan that has nothing yet, so it is given only
    from level 0 or an unanswered question; from level 1 or 2 the step is the next level's description.
    """
    crit = rubric.by_id[action["criterion"]]
    target = action["target_level"]
    if target is None:
        return f"Answer this question; then, if needed: {crit.action}"
    if target == 3:
        return f"Put it in place, with evidence a reader can check. Level 3 means: {crit.levels[3]}"
    if not action.get("level"):
        return f"{crit.action} Level {target} means: {crit.levels[target]}"
    return f"Reach level {target}: {crit.levels[target]}"


def _questions(rubric: Rubric, ids) -> list:
    """The questions behind criterion ids, for readers (the ids stay in the answers table's data)."""
    return [["text", "; ".join(f"“{rubric.by_id[x].question}”" for x in ids)]]


def _is_web_address(url) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def _owned(entry) -> list:
    """The owner and date a team gave a next step, as report spans (none when not given)."""
    if not entry or not (entry.get("owner") or entry.get("due")):
        return []
    return [["em", "Owner:"], ["text", f" {entry.get('owner') or 'not named'}, by {entry.get('due') or 'no date'}. "]]


def _is_partial(answer) -> bool:
    """Whether an answer (or a group's cell) says "part of level 2 is in place" (level 1 only)."""
    return isinstance(answer, Mapping) and answer.get("partial") is True and answer.get("level") == 1


def _level_shown(level, partial: bool) -> str:
    """A level as the reports show it: "1, part of 2" for a partial level-1 answer (twin: levelShown)."""
    return f"{level}, part of {level + 1}" if partial and level == 1 else str(level)


def _partly_items(rubric: Rubric, entries: list, group_labels: Mapping, in_view) -> list:
    """One list item per `partly_met` entry: the question, the group, the red flags not raised on
    the team's word, and the rest of level 2 as the next step (twin of partlyItems in report.js)."""
    out = []
    for x in entries:
        if not in_view(x["criterion"]):
            continue
        who = f" (for {group_labels.get(x['group'], x['group'])})" if x.get("group") else ""
        titles = [f"“{rubric.red_flags[f]['title']}”" for f in x["flags"]]
        if not titles:
            spared = "No red flag depends on this answer. "
        else:
            verb = "is" if len(titles) == 1 else "are"
            spared = (f"{' and '.join(titles) if len(titles) < 3 else '; '.join(titles)} {verb} not raised because "
                      "you said part of level 2 is in place: a reviewer should check this. ")
        out.append([["strong", rubric.by_id[x["criterion"]].question],
                    ["text", f"{who}: level 1, part of 2. {spared}"],
                    ["em", "Next step:"], ["text", f" reach all of level 2: {x['next_step']}"]])
    return out


def score_report(rubric: Rubric, assessment: Mapping, score: Mapping, links: Mapping | None = None,
                 criteria_ids: Sequence[str] | None = None) -> dict:
    """The report of one scored assessment as data, for :func:`render_markdown`, :func:`render_html`
    and :func:`render_docx`.

    ``assessment`` is the file dict (``Assessment.to_dict()``, or what the widget holds),
    ``score`` is ``Score.to_dict()``, ``links`` maps book labels to ``{"url", "title"}``, and
    ``criteria_ids`` limits next steps and answers to a mini self-check's questions.
    """
    links = links or {}
    labels = ui_labels()
    a = assessment

    def read(label: str) -> list:
        # A link to the book section where the site gave its address; its title otherwise.
        title = links[label]["title"] if label in links else _label_title(rubric, label)
        url = links.get(label, {}).get("url")
        if _is_web_address(url):
            return [["text", "Read: "], ["link", title, url], ["text", "."]]
        return [["text", f"Read in the book: {title}."]]

    def fact(name: str, value) -> list:
        return [["strong", f"{name}:"], ["text", " " + str(value)]]

    band = score["band"]
    limits = []
    for lim in band["limited_by"]:
        if lim["kind"] == "ladder":
            limits.append(f"the power the plan shares (any one more step of the ladder raises it; the next is "
                          f"{rubric.iap2_levels[lim['id']]['title']})")
        elif lim["kind"] == "context":
            limits.append(CONTEXT_LIMITS.get(lim["id"], CONTEXT_LIMITS["inform-only"]))
        elif lim["kind"] == "profile":
            limits.append("a weak profile on the other questions (one band lower)")
        else:
            limits.append(f"the red flag \"{rubric.red_flags[lim['id']]['title']}\"")
    could = "" if band["low"] == band["high"] else (
        f" (could be {_band_title(rubric, band['low'])} to {_band_title(rubric, band['high'])} "
        "once every question is answered)")
    comp = score["completeness"]
    standing = [
        fact("Band", _band_title(rubric, band["id"]) + could),
        fact("Limited by", ", ".join(limits) or "nothing (no answers yet)"),
        fact("IAP2 level reached", rubric.iap2_levels[score["iap2"]["level"]]["title"]),
        fact("Overall score on answered questions", _pct(score["overall"]["percent"]) + _range_note(score["overall"])),
        fact("Completeness", f"{comp['answered']} answered, {comp['not_applicable']} not applicable, "
                             f"{comp['unanswered']} unanswered of {comp['in_scope']}; confidence {comp['confidence']}"),
    ]

    group_labels = {g["id"]: g["label"] for g in score.get("groups") or []}
    flags = []
    for f in score["red_flags"]:
        flag = rubric.red_flags[f["id"]]
        who = ""
        if f.get("groups"):
            who = " For: " + ", ".join(group_labels.get(g, g) for g in f["groups"]) + "."
        flags.append([["strong", flag["title"]],
                      ["text", f" (limits the band to {_band_title(rubric, f.get('limit', f['cap']))}). "
                               f"{flag['meaning'].strip()}{who} Raised by "],
                      *_questions(rubric, f["raised_by"]), ["text", f". Next step: {flag['next_step']} "],
                      *read(f["explained_in"])])
    if not flags:
        flags.append([["text", "None raised."]])
    for f in score["unconfirmed_flags"]:
        flags.append([["em", "Unconfirmed:"], ["text", f" {rubric.red_flags[f['id']]['title']}: answer "],
                      *_questions(rubric, f["unanswered"]), ["text", " to check it."]])

    themes = []
    for t in score["themes"]:
        n = t["answered"] + t["not_applicable"] + t["unanswered"]
        if n == 0:
            continue
        themes.append([[["text", rubric.themes[t["id"]]["title"]]],
                       [["text", _pct(t["percent"])], ["bar", 0 if t["percent"] is None else t["percent"]]],
                       [["text", _range(t["low_percent"], t["high_percent"])]],
                       [["text", f"{t['answered'] + t['not_applicable']}/{n}"]]])

    def in_view(cid: str) -> bool:
        return not criteria_ids or cid in criteria_ids

    partly = _partly_items(rubric, score.get("partly_met") or [], group_labels, in_view)

    # Next steps the team has taken on (the file's `actions`): who owns each and by when.
    owned = {x["criterion"]: x for x in a.get("actions") or [] if isinstance(x, Mapping) and x.get("criterion")}
    steps = []
    for x in score["actions"]:
        if not in_view(x["criterion"]):
            continue
        crit = rubric.by_id[x["criterion"]]
        target = "" if x["target_level"] is None else f" (from level {x['level']} to {x['target_level']})"
        steps.append([["strong", crit.question], ["text", f" [{labels['action_kinds'][x['kind']]}]{target}. "
                                                          f"{_action_text(rubric, x)} "],
                      ["em", "Who:"], ["text", f" {x['who']}. "], *_owned(owned.get(x["criterion"])),
                      *read(x["explained_in"])])
    if not steps:
        next_steps = {"paragraph": [["text", "No next step: every question is at its highest level or does not apply."]]}
    else:
        next_steps = {"ordered": steps}

    change = score.get("what_would_change") or {}
    moves = []
    for m in change.get("moves") or []:
        if not in_view(m["criterion"]):
            continue
        crit = rubric.by_id[m["criterion"]]
        group = f" for {group_labels.get(m['group'], m['group'])}" if m.get("group") else ""
        start = "unanswered" if m["from"] is None else f"level {m['from']}"
        moves.append([["strong", crit.question], ["text", f"{group}: from {start} to level {m['to']} ({crit.levels[m['to']]})"]])
    if change.get("target") is None:
        change_text = "The band is at the top of the scale, or there are not enough answers yet."
    elif change.get("reachable"):
        change_text = f"These answers together would move the band up to at least {_band_title(rubric, change['target'])}:"
    else:
        change_text = (f"No change of answers alone reaches {_band_title(rubric, change['target'])}: "
                       "the plan's context (for example, inform only, or only data workers and data contributors "
                       "in its groups) sets its ceiling.")
    change_blocks = [{"paragraph": [["text", change_text]]}]
    if moves:
        change_blocks.append({"list": moves})
    holding = _holding_items(rubric, change.get("holding_down") or [], score, group_labels, in_view)
    holding_blocks = []
    if any(x["kind"] == "ladder" for x in change.get("holding_down") or []):
        holding_blocks.append({"paragraph": [["text", "The band counts the steps of the ladder that the plan meets: "
                                                      "meeting any one more of the steps named below raises it by "
                                                      "one band."]]})
    holding_blocks.append({"list": holding} if holding else {"paragraph": [["text", "Nothing holds this result down."]]})

    group_rows = []
    for g in score.get("groups") or []:
        raised = ", ".join(rubric.red_flags[f]["title"] for f in g["red_flags"]) or "none"
        group_rows.append([[["text", g["label"]]], [["text", g["role"] + (" (holds power)" if g["holds_power"] else "")]],
                           [["text", raised]]])

    answers = a.get("answers") or {}
    rows = []
    for c in score["contributions"]:
        if not in_view(c["criterion"]):
            continue
        ans = answers.get(c["criterion"])
        texts = [ans.get(k) for k in ("evidence", "notes")] if isinstance(ans, Mapping) else []
        shown = {"answered": _level_shown(c["level"], _is_partial(ans)), "not-applicable": "n/a",
                 "unanswered": "unanswered"}[c["status"]]
        if c.get("reason") == "no-participants":
            shown += " (no participants)"
        elif c.get("reason") in ("process", "no-group"):
            shown += " (does not apply to this plan)"
        if c.get("groups"):
            # Parentheses, not brackets: a bracket pair would be escaped in Markdown as a possible link.
            cells = ans.get("by_group") if isinstance(ans, Mapping) and isinstance(ans.get("by_group"), Mapping) else {}

            def cell(x):
                if x["status"] == "not-applicable":
                    return "n/a"
                if x["level"] is None:
                    return "unanswered"
                # A group without an answer of its own takes the plain answer, its tick included.
                return _level_shown(x["level"], _is_partial(cells.get(x["group"], ans)))
            shown += " (" + "; ".join(f"{group_labels.get(x['group'], x['group'])}: {cell(x)}" for x in c["groups"]) + ")"
        if c.get("flags"):
            shown += " (red flag)"
        rows.append([[["text", rubric.by_id[c["criterion"]].question]], [["text", rubric.themes[c["theme"]]["title"]]],
                     [["text", str(c["weight_points"])]],
                     [["text", shown]], [["text", f"{c['points']}/{c['max_points']}"]],
                     [["text", " / ".join(x for x in texts if x)]]])

    sections = [
        {"heading": "Where the plan stands", "blocks": [{"list": standing}]},
        {"heading": "Red flags", "blocks": [{"list": flags}]},
        *([{"heading": ui_labels()["partial"]["section"], "blocks": [
            {"paragraph": [["text", ui_labels()["partial"]["report_intro"]]]},
            {"list": partly}]}] if partly else []),
        {"heading": "What would change the result", "blocks": change_blocks},
        {"heading": "What holds it down", "blocks": holding_blocks},
        {"heading": "Themes", "blocks": [{"table": {
            "caption": "Score per theme, in percent of the points available on answered questions",
            "head": ["Theme", "Score on answered questions", "Range (unanswered at 0 or 3)", "Answered"],
            "rows": themes}}]},
        {"heading": "Next steps", "blocks": [next_steps]},
        *([{"heading": "Participant groups", "blocks": [{"table": {
            "caption": "Each declared group: its role and the red flags raised for it",
            "head": ["Group", "Role", "Red flags raised for it"], "rows": group_rows}}]}] if group_rows else []),
        {"heading": "Answers: how each number was reached", "blocks": [{"table": {
            "caption": "Each question in view: answer, points, evidence and notes",
            "head": ["Question", "Theme", "Weight", "Answer", "Points", "Evidence and notes"], "rows": rows}}]},
    ]
    migrations = a.get("migrations") or []
    if migrations:
        sections.append({"heading": "Migrations applied to this file",
                         "blocks": [{"list": [[["text", m]] for m in migrations]}]})
    return {
        "title": f"Engagement-plan self-assessment: {a.get('team') or 'unnamed team'}",
        "facts": [["Product", a.get("product") or "not given"],
                  ["Model type", _option_title(rubric.data.get("model_types"), a.get("model_type"))],
                  ["Lifecycle stage", _option_title(rubric.data.get("lifecycle_stages"), a.get("lifecycle_stage"))],
                  ["Date", a.get("date") or "not given"],
                  ["Rubric", f"{rubric.id} {rubric.version}, {score['scope']} version"]],
        "disclaimer": DISCLAIMER,
        "sections": sections,
    }


_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
_MD_SPANS = {"strong": "**{}**", "em": "*{}*"}


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def _md_inline(spans) -> str:
    out = []
    for kind, text, *rest in spans:
        if kind == "link":
            out.append(f"[{escape_markdown(text)}]({_md_url(rest[0])})")
        elif kind == "code" and _IDENTIFIER.fullmatch(text):
            out.append(f"`{text}`")  # an identifier (criterion id, book label); other text is escaped
        elif kind != "bar":
            out.append(_MD_SPANS.get(kind, "{}").format(escape_markdown(text)))
    return "".join(out)


def render_markdown(report: Mapping) -> str:
    """A report from :func:`score_report` as Markdown; every piece of text is escaped."""
    lines = [f"# {escape_markdown(report['title'])}", ""]
    lines += [f"- **{escape_markdown(name)}:** {escape_markdown(value)}" for name, value in report["facts"]]
    lines += ["", f"> {escape_markdown(report['disclaimer'])}"]
    for section in report["sections"]:
        lines += ["", f"## {escape_markdown(section['heading'])}", ""]
        for block in section["blocks"]:
            if "paragraph" in block:
                lines.append(_md_inline(block["paragraph"]))
            elif "list" in block:
                lines += [f"- {_md_inline(item)}" for item in block["list"]]
            elif "ordered" in block:
                lines += [f"{i}. {_md_inline(item)}" for i, item in enumerate(block["ordered"], start=1)]
            else:
                table = block["table"]
                lines.append("| " + " | ".join(escape_markdown(x) for x in table["head"]) + " |")
                lines.append("|" + "---|" * len(table["head"]))
                lines += ["| " + " | ".join(_md_inline(cell) for cell in row) + " |" for row in table["rows"]]
    return "\n".join(lines) + "\n"


def _html_inline(spans) -> str:
    out = []
    for kind, text, *rest in spans:
        if kind == "link":
            out.append(f"<a href=\"{escape_html(rest[0])}\">{escape_html(text)}</a>")
        elif kind == "bar":
            out.append(f"<div class=\"bar\" aria-hidden=\"true\"><span style=\"width:{float(text):.1f}%\"></span></div>")
        else:
            out.append(f"<{kind}>{escape_html(text)}</{kind}>" if kind in ("strong", "em", "code") else escape_html(text))
    return "".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}.note{border-left:4px solid #555;padding:.5rem 1rem;background:#f7f7f7}
.bar{background:#ddd;height:.8rem;min-width:8rem}.bar>span{display:block;height:100%;background:#2b5b84}
code{background:#f3f3f3;padding:0 .2rem}
"""


def render_html(report: Mapping) -> str:
    """A report from :func:`score_report` as a standalone HTML page (no scripts, no external
    resources); every piece of text is escaped."""
    title = escape_html(report["title"])
    p = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         f"<title>{title}</title><style>{_CSS}</style></head><body>", f"<h1>{title}</h1>",
         "<dl>" + "".join(f"<dt>{escape_html(k)}</dt><dd>{escape_html(v)}</dd>" for k, v in report["facts"]) + "</dl>",
         f"<p class=\"note\">{escape_html(report['disclaimer'])}</p>"]
    for section in report["sections"]:
        p.append(f"<h2>{escape_html(section['heading'])}</h2>")
        for block in section["blocks"]:
            if "paragraph" in block:
                p.append(f"<p>{_html_inline(block['paragraph'])}</p>")
            elif "list" in block or "ordered" in block:
                tag = "ul" if "list" in block else "ol"
                p.append(f"<{tag}>" + "".join(f"<li>{_html_inline(i)}</li>" for i in block.get("list", block.get("ordered")))
                         + f"</{tag}>")
            else:
                table = block["table"]
                head = "".join(f"<th scope=\"col\">{escape_html(x)}</th>" for x in table["head"])
                # Each row's first cell names the row (a theme, a criterion).
                body = "".join(f"<tr><th scope=\"row\">{_html_inline(row[0])}</th>"
                               + "".join(f"<td>{_html_inline(c)}</td>" for c in row[1:]) + "</tr>" for row in table["rows"])
                p.append(f"<table><caption>{escape_html(table['caption'])}</caption><thead><tr>{head}</tr></thead>"
                         f"<tbody>{body}</tbody></table>")
    p.append("</body></html>\n")
    return "".join(p)


# --------------------------------------------------------------------------- Word (.docx)
#
# The third writer of the same report model: headings, paragraphs, lists and tables become Word's
# own (styles Heading 1-2, List Bullet, List Number, Quote, Caption, Table Grid), so a section the
# scorer adds later appears in Word without new code here. Text goes in as plain text runs: Word
# makes no field, no formula and no hyperlink out of a run's text, so user text needs no escaping,
# only the characters XML cannot hold removed; a hyperlink is made only from a "link" span whose
# address is a web address.

# XML 1.0 cannot hold the two noncharacters U+FFFE and U+FFFF (strip_controls removes the rest).
_XML_NONCHARACTERS = re.compile("[\ufffe\uffff]")
# A fixed date for every file in the .docx (ZIP) archive: the earliest a ZIP entry can carry.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _docx_text(text) -> str:
    """Text for a Word run: control and bidirectional characters removed as in every other export."""
    return _XML_NONCHARACTERS.sub("\ufffd", strip_controls(text))


def _docx_inline(paragraph, spans) -> None:
    """Spans as runs: strong is bold, em italic, code monospace, a link a real hyperlink."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text, *rest in spans:
        if kind == "bar":
            continue  # a picture of the percentage the cell already gives as text (as in Markdown)
        if kind == "link" and rest and _is_web_address(rest[0]):
            run = paragraph.add_run(_docx_text(text), style="Hyperlink")
            link = OxmlElement("w:hyperlink")
            link.set(qn("r:id"), paragraph.part.relate_to(rest[0], RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
            link.append(run._r)  # moves the run into the hyperlink
            paragraph._p.append(link)
            continue
        run = paragraph.add_run(_docx_text(text))
        if kind == "strong":
            run.bold = True
        elif kind == "em":
            run.italic = True
        elif kind == "code":
            run.font.name = "Courier New"


def _docx_paragraphs(doc):
    """``add(style, text="")``: a paragraph of the named style at the end of the document. Each
    style name is looked up once (python-docx would search the styles part for every paragraph)."""
    ids: dict = {}

    def add(style: str, text: str = ""):
        if style not in ids:
            ids[style] = doc.styles[style].style_id
        paragraph = doc.add_paragraph(text)
        paragraph._p.style = ids[style]
        return paragraph
    return add


def _docx_restart_numbering(doc) -> int:
    """A new numbering instance of the List Number style, starting at 1, for one ordered list
    (paragraphs of that style otherwise continue one count through the whole document)."""
    numbering = doc.part.numbering_part.element
    style_num = doc.styles["List Number"].element.pPr.numPr.numId.val
    num = numbering.add_num(numbering.num_having_numId(style_num).abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


# Tables are set in 10 points, and tables wider than this many columns in 8, so that words fit a column.
_DOCX_WIDE_TABLE = 8


def _spans_text(spans) -> str:
    return "".join(str(text) for kind, text, *_ in spans if kind != "bar")


def _docx_column_widths(columns: list[list[str]], total: int, point_size: float) -> list[int]:
    """Column widths (EMU) summing to ``total``: each column at least as wide as its longest word
    (up to 10 characters, so a long word or address may wrap), the rest shared by how much text the column
    holds on average (so a column of questions is wider than a column of numbers)."""
    char = point_size * 0.0085 * 914400  # a wide character, in EMU (914,400 to the inch)
    padding = 0.2 * 914400  # the cell margins and a little room
    minimum = [padding + char * min(10, max((len(w) for t in col for w in t.split()), default=1)) for col in columns]
    if sum(minimum) >= total:
        widths = [int(m * total / sum(minimum)) for m in minimum]
    else:
        share = [1 + min(60.0, sum(len(t) for t in col) / len(col)) for col in columns]
        spare = total - sum(minimum)
        widths = [int(m + spare * x / sum(share)) for m, x in zip(minimum, share)]
    # Word stores widths in whole twips (635 EMU): round each down, or rounding could overrun the page.
    return [w - w % 635 for w in widths]


def _docx_table(doc, add, table: Mapping) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from docx.text.run import Run

    head = table["head"]
    for i, row in enumerate(table["rows"]):
        if len(row) != len(head):
            raise ValueError(f"report table {table.get('caption')!r}: row {i + 1} has {len(row)} cells, "
                             f"expected {len(head)} (one per heading)")
    add("Caption", _docx_text(table["caption"]))
    out = doc.add_table(rows=1, cols=len(head))
    out.style = "Table Grid"
    out.autofit = False
    # The caption as the table's title for screen readers, and the heading row repeated on each page.
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), _docx_text(table["caption"]))
    out._tbl.tblPr.append(caption)
    header = OxmlElement("w:tblHeader")
    out.rows[0]._tr.get_or_add_trPr().append(header)
    for cell, name in zip(out.rows[0].cells, head):
        cell.paragraphs[0].add_run(_docx_text(name)).bold = True
    for row in table["rows"]:
        for cell, spans in zip(out.add_row().cells, row):
            _docx_inline(cell.paragraphs[0], spans)
    point_size = 8 if len(head) > _DOCX_WIDE_TABLE else 10
    for r in out._tbl.iter(qn("w:r")):
        Run(r, out).font.size = Pt(point_size)
    section = doc.sections[-1]
    columns = [[_docx_text(name)] + [_spans_text(row[i]) for row in table["rows"]] for i, name in enumerate(head)]
    widths = _docx_column_widths(columns, section.page_width - section.left_margin - section.right_margin, point_size)
    for column, width in zip(out.columns, widths):
        column.width = width
    for row in out.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _docx_fix_metadata(doc, title: str) -> None:
    """Fixed document properties: the report's title, no author, dates or template thumbnail.

    The title property is one line of at most 255 characters (the limit python-docx enforces for
    core properties), so a longer title is shortened there, with an ellipsis; the heading in the
    document keeps it whole.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn

    props = doc.core_properties
    one_line = " ".join(title.split())
    props.title = one_line if len(one_line) <= 255 else one_line[:254] + "\u2026"
    props.author = "Participatory AI in Practice toolkit"
    props.subject = "Engagement-plan self-assessment"
    props.comments = props.keywords = props.category = props.last_modified_by = ""
    props.language = "en"
    props.revision = 1
    for name in ("dcterms:created", "dcterms:modified"):
        for element in props._element.findall(qn(name)):
            props._element.remove(element)
    package_rels = doc.part.package.rels
    for rid in [rid for rid, rel in package_rels.items() if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL]:
        del package_rels[rid]  # the template's thumbnail shows another document


def _docx_fixed_zip(data: bytes) -> bytes:
    """The archive rewritten with one fixed date and mode on every entry, in the same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def render_docx(report: Mapping, *, landscape: bool = False) -> bytes:
    """A report from :func:`score_report` as a Word document (.docx bytes), written with python-docx.

    Every block of the model becomes Word's own structure: the title a Heading 1, the plan facts a
    bulleted list, the disclaimer a quote, each section a Heading 2 with its paragraphs, bulleted
    and numbered lists (each numbered list counts from 1) and tables (caption, a heading row that
    repeats on each page); so a section the scorer adds appears here without new code. Text is put
    in as plain runs, never as fields or markup, and only a ``link`` span whose address starts with
    ``https://`` or ``http://`` becomes a hyperlink; user text never does.

    The output is deterministic: the same report gives the same bytes. The document properties are
    fixed (no creation or modification date, no author taken from the machine) and every entry of
    the ZIP archive carries the same fixed date, because python-docx would otherwise stamp the
    current time into it. So a report can be kept under version control or compared by checksum
    without spurious changes, and it does not record when, or on whose computer, it was written.
    ``landscape=True`` turns the page for wide tables (the comparison).
    """
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Inches, RGBColor

    doc = docx.Document()
    _docx_fix_metadata(doc, _docx_text(report["title"]))
    if "Hyperlink" not in doc.styles:  # python-docx's template has no hyperlink style
        link_style = doc.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link_style.font.underline = True
        link_style.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    if landscape:
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
        section.left_margin = section.right_margin = Inches(0.6)

    add = _docx_paragraphs(doc)
    add("Heading 1", _docx_text(report["title"]))
    for name, value in report["facts"]:
        item = add("List Bullet")
        item.add_run(_docx_text(f"{name}:")).bold = True
        item.add_run(" " + _docx_text(value))
    add("Quote", _docx_text(report["disclaimer"]))
    for section in report["sections"]:
        add("Heading 2", _docx_text(section["heading"]))
        for block in section["blocks"]:
            if "paragraph" in block:
                _docx_inline(add("Normal"), block["paragraph"])
            elif "list" in block:
                for item in block["list"]:
                    _docx_inline(add("List Bullet"), item)
            elif "ordered" in block:
                num_id = _docx_restart_numbering(doc)
                for item in block["ordered"]:
                    paragraph = add("List Number")
                    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    num_pr.get_or_add_ilvl().val = 0
                    num_pr.get_or_add_numId().val = num_id
                    _docx_inline(paragraph, item)
            elif "table" in block:
                _docx_table(doc, add, block["table"])
            else:
                raise ValueError(f"report section {section['heading']!r}: unknown block with keys "
                                 f"{sorted(block)}; expected paragraph, list, ordered or table")
    buffer = io.BytesIO()
    doc.save(buffer)
    return _docx_fixed_zip(buffer.getvalue())


def report_dict(score: Score, assessment: Assessment | None = None) -> dict:
    """The JSON report: the score (``Score.to_dict()``) plus the evidence and notes behind it."""
    out = {"format": REPORT_FORMAT, "format_version": 1, "disclaimer": DISCLAIMER, "score": score.to_dict()}
    if assessment is not None:
        out["assessment"] = assessment.to_dict()
        out["source"] = assessment.source
    return out


def report_json(score: Score, assessment: Assessment | None = None) -> str:
    return json_dumps_safe(report_dict(score, assessment), indent=2) + "\n"


def _file_dict(score: Score, assessment: Assessment | None) -> dict:
    if assessment is not None:
        return assessment.to_dict()
    return dict(score.to_dict()["plan"])


def report_markdown(score: Score, assessment: Assessment | None = None) -> str:
    """The Markdown report of a score (the notebook widget's ``report()`` and the page's download
    are the same report). User text is escaped."""
    return render_markdown(score_report(score.rubric, _file_dict(score, assessment), score.to_dict()))


def report_html(score: Score, assessment: Assessment | None = None) -> str:
    """The same report as a standalone HTML page (no scripts, no external resources)."""
    return render_html(score_report(score.rubric, _file_dict(score, assessment), score.to_dict()))


def report_docx(score: Score, assessment: Assessment | None = None) -> bytes:
    """The same report as a Word document (.docx bytes; see :func:`render_docx`): the same
    sections, text and table cells as :func:`report_markdown`, user text as plain text.

    >>> Path("report.docx").write_bytes(report_docx(score, assessment))  # doctest: +SKIP
    """
    return render_docx(score_report(score.rubric, _file_dict(score, assessment), score.to_dict()))


def render_report(score: Score, assessment: Assessment | None = None, fmt: str = "md") -> str | bytes:
    """Render a score report as ``md``, ``json`` or ``html`` (text), or ``docx`` (bytes)."""
    renderers = {"md": report_markdown, "json": report_json, "html": report_html, "docx": report_docx}
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(renderers)}")
    return renderers[fmt](score, assessment)


# --------------------------------------------------------------------------- comparison


def compare_rows(pairs: Iterable[tuple[Assessment, Score]]) -> list[dict]:
    """One row per assessment: who, when, band, IAP2 level, overall and theme scores, flags."""
    rows = []
    for assessment, score in pairs:
        row = {
            "file": assessment.source, "team": assessment.team, "product": assessment.product,
            "date": assessment.date, "scope": score.scope, "band": score.band_id,
            "iap2": score.iap2_level, "overall_percent": score.overall.percent,
            "completeness_percent": score.to_dict()["completeness"]["percent"], "confidence": score.confidence,
            "red_flags": list(score.flag_ids),
            # Answers at level 1 with part of level 2 in place, and the red flags they leave out.
            "partly_met": list(score.partly_met),
        }
        for t, tally in score.themes:
            row[t] = tally.percent
        rows.append(row)
    rows.sort(key=lambda r: (str(r["team"]), str(r["date"]), str(r["file"])))
    return rows


def _partly_cell(entries: list) -> str:
    """The `partly_met` entries of a comparison row in one cell: "question/group (spared flags)"."""
    return "; ".join(x["criterion"] + (f"/{x['group']}" if x.get("group") else "")
                     + (f" ({', '.join(x['flags'])})" if x["flags"] else "") for x in entries)


def _compare_table(rows: list[dict], rubric: Rubric) -> tuple[list[str], list[list]]:
    """The comparison's headings and cells, unescaped (each writer escapes for its format)."""
    theme_ids = list(rubric.themes)
    head = ["Team", "Product", "Date", "Band", "IAP2", "Overall", "Complete", "Red flags", ui_labels()["partial"]["section"]] + [
        rubric.themes[t]["title"] for t in theme_ids]
    cells = [[r["team"], r["product"], r["date"], _band_title(rubric, r["band"]), r["iap2"], _pct(r["overall_percent"]),
              _pct(r["completeness_percent"]), ", ".join(r["red_flags"]) or "none",
              _partly_cell(r["partly_met"]) or "none"] + [_pct(r[t]) for t in theme_ids]
             for r in rows]
    return head, cells


def compare_report(pairs: Sequence[tuple[Assessment, Score]], fmt: str = "md") -> str | bytes:
    """A table across teams or over time, as Markdown, CSV or JSON (text), or Word (``docx``, bytes)."""
    rows = compare_rows(pairs)
    rubric = pairs[0][1].rubric if pairs else load_rubric()
    theme_ids = list(rubric.themes)
    if fmt == "json":
        return json_dumps_safe({"format": "pai-comparison", "format_version": 1, "rows": rows}, indent=2) + "\n"
    if fmt == "csv":
        head = ["team", "product", "date", "scope", "band", "iap2", "overall_percent", "completeness_percent",
                "confidence", "red_flags", "partly_met"] + theme_ids + ["file"]
        cell = {"red_flags": ";".join, "partly_met": _partly_cell}
        return csv_text([head] + [[cell[k](r[k]) if k in cell else r[k] for k in head] for r in rows])
    head, cells = _compare_table(rows, rubric)
    if fmt == "docx":
        # The same table as the Markdown, in the report model, so render_docx writes it.
        table = {"caption": "One row per assessment: band, IAP2 level, overall and theme scores, red flags",
                 "head": head, "rows": [[[["text", "" if c is None else str(c)]] for c in row] for row in cells]}
        return render_docx({
            "title": "Engagement-plan self-assessments compared",
            "facts": [["Assessments", str(len(rows))], ["Rubric", f"{rubric.id} {rubric.version}"]],
            "disclaimer": DISCLAIMER,
            "sections": [{"heading": "Assessments", "blocks": [{"table": table}]}],
        }, landscape=True)
    if fmt != "md":
        raise ValueError(f"unknown comparison format {fmt!r}; choose md, csv, json or docx")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in cells:
        lines.append("| " + " | ".join(escape_markdown(c) if i < 3 else c for i, c in enumerate(row)) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the rubric itself


def rubric_rows(rubric: Rubric | None = None) -> list[dict]:
    """One flat row per criterion, for the CSV export and for reviewers' spreadsheets."""
    rubric = rubric or load_rubric()
    rows = []
    for c in rubric.criteria:
        rows.append({
            "id": c.id, "theme": c.theme, "question": c.question, "weight": c.weight, "weight_points": c.points,
            "short": c.short, "stages": ";".join(c.stages), "ladder_step": c.step or "",
            "per_group": c.per_group, "needs_participants": c.needs_participants,
            "raises_at_0": ";".join(c.flags_at(0)), "raises_at_1": ";".join(c.flags_at(1)),
            "raises_at_2": ";".join(c.flags_at(2)),
            "not_applicable_if": c.not_applicable_if or "",
            "level_0": c.levels[0], "level_1": c.levels[1], "level_2": c.levels[2], "level_3": c.levels[3],
            "next_step": c.action, "who": c.who, "explained_in": c.explained_in,
            "sources": ";".join(c.sources), "source_note": c.source_note or "",
        })
    return rows


def rubric_csv(rubric: Rubric | None = None) -> str:
    rows = rubric_rows(rubric)
    return csv_text([list(rows[0])] + [list(r.values()) for r in rows])


RUBRIC_PARTS = ("scale", "bands", "flags", "criteria")


def rubric_markdown(rubric: Rubric | None = None, *, myst: bool = False, part: str | None = None) -> str:
    """The rubric as Markdown, whole or one ``part`` (scale, bands, flags, criteria).

    With ``myst=True`` (the book chapter, where this is rendered as a cell output) the text uses
    ``{ref}`` roles to the Guidance and Guardrails sections, ``{cite:p}`` citations, no headings
    (myst-nb does not allow headings in outputs: themes become rubric titles and each criterion a
    dropdown). Without it, plain Markdown with headings, for reviewers (``python -m widgets rubric``).
    """
    rubric = rubric or load_rubric()
    if part is not None and part not in RUBRIC_PARTS:
        raise ValueError(f"part must be one of {RUBRIC_PARTS}")

    def ref(label: str) -> str:
        return f"{{ref}}`{label}`" if myst else f"`{label}` ({_label_title(rubric, label)})"

    def cite(keys) -> str:
        if not keys:
            return ""
        return f"{{cite:p}}`{','.join(keys)}`" if myst else "(" + ", ".join(keys) + ")"

    def heading(text: str, level: int) -> list[str]:
        if myst:
            return [f":::{{rubric}} {text}", ":::", ""]
        return ["#" * level + " " + text, ""]

    data = rubric.data
    out: list[str] = []
    if part is None and not myst:
        out += heading(f"{data['title']} {rubric.version}", 1) + [" ".join(data["summary"].split()), ""]
    if part in (None, "scale"):
        if part is None:
            out += heading("The answer scale", 2)
        out += ["| Level | Name | Meaning |", "|---|---|---|"]
        out += [f"| {s['level']} | {s['name']} | {s['meaning']} |" for s in data["scale"]]
        out += ["", "Weights: " + "; ".join(f"**{k}** = {v['points']} points ({v['meaning'].rstrip('.')})"
                                             for k, v in data["weights"].items()) + ".", ""]
    if part in (None, "bands"):
        if part is None:
            out += heading("The participation bands", 2)
        out += ["| Band | IAP2 level | Meaning |", "|---|---|---|"]
        for b in data["bands"]:
            out.append(f"| **{b['title']}** | {rubric.iap2_levels[b['iap2']]['title']} | "
                       f"{' '.join(b['meaning'].split())} {cite(b['sources'])} |")
        out.append("")
        rules = rubric.rules
        steps = "; ".join(f"*{rubric.iap2_levels[step]['title']}*: " + (" and " if rule == "all" else " or ").join(
            f"`{cid}`" for cid in cids) for step, rule, cids in rubric.ladder)
        out += [f"The ladder of power (each step met when its questions are answered at {rules['met_at']} or more): "
                f"{steps}. The band is tokenism plus one band for each step met after *Inform*; a profile under "
                f"{rules['profile_low_percent']} % on the other questions lowers it by one (never below "
                f"{rubric.bands[rules['profile_floor']]['title']}); each red flag then limits it."
                + _heard_floor_text(rubric) + _voice_and_clearing_text(rubric), ""]
    if part in (None, "flags"):
        if part is None:
            out += heading("Red flags (guardrails)", 2)
        out += ["| Red flag | What it means | Caps the band at | Raised by |", "|---|---|---|---|"]
        for f in data["red_flags"]:
            raised_by = ", ".join(f"`{c.id}` at level " + " or ".join(str(lv) for lv in sorted(c.raises) if f["id"] in c.raises[lv])
                                  for c in rubric.criteria if f["id"] in c.flags)
            title = f"{f['title']} ({ref(f['explained_in'])})" if myst else f"{f['title']} (`{f['explained_in']}`)"
            out.append(f"| {title} | {f['meaning']} | {rubric.bands[f['cap']]['title']} | {raised_by} |")
        out.append("")
    if part in (None, "criteria"):
        for t in data["themes"]:
            crits = [c for c in rubric.criteria if c.theme == t["id"]]
            out += heading(t["title"], 2)
            out += [f"{t['summary']} Explained in {ref(t['explained_in'])}.", ""]
            for c in crits:
                tags = [f"weight {c.weight} ({c.points} points)", "stages: " + ", ".join(c.stages)]
                if c.short:
                    tags.append("in the short version")
                if c.step:
                    tags.append(f"a step of the ladder of power (IAP2 *{rubric.iap2_levels[c.step]['title']}*)")
                if c.per_group:
                    tags.append("answered per group (" + ", ".join(c.group_roles) + ")")
                if c.needs_participants:
                    tags.append("not applicable when nobody takes part")
                for f in c.flags:
                    at = " or ".join(str(lv) for lv in sorted(c.raises) if f in c.raises[lv])
                    tags.append(f"raises *{rubric.red_flags[f]['title']}* at level {at}")
                line = "; ".join(tags)
                body = [line[0].upper() + line[1:] + ".", ""]
                body += [f"- **{i}**: {c.levels[i]}" for i in range(4)]
                body.append("")
                if c.not_applicable_if:
                    body += [f"May be answered *n/a* when: {c.not_applicable_if}", ""]
                body += [f"**Next step:** {c.action} *Who:* {c.who}. Explained in {ref(c.explained_in)}.", ""]
                src = f"**Sources:** {cite(c.sources)}."
                if c.source_note:
                    src += f" *Note on sources:* {c.source_note}"
                body += [src, ""]
                if myst:
                    out += [f"::::{{dropdown}} `{c.id}`: {c.question}"] + body + ["::::", ""]
                else:
                    out += [f"### `{c.id}`: {c.question}", ""] + body
    return "\n".join(out)


def rubric_export(fmt: str = "md", rubric: Rubric | None = None) -> str:
    if fmt == "md":
        return rubric_markdown(rubric)
    if fmt == "csv":
        return rubric_csv(rubric)
    if fmt == "json":
        return json_dumps_safe((rubric or load_rubric()).data, indent=2) + "\n"
    raise ValueError(f"unknown rubric format {fmt!r}; choose md, csv or json")


__all__ = ["DISCLAIMER", "report_dict", "report_json", "report_markdown", "report_html", "report_docx",
           "render_report", "score_report", "render_markdown", "render_html", "render_docx", "ui_labels", "compare_rows", "compare_report", "rubric_rows", "rubric_csv", "rubric_markdown", "rubric_export",
           "RUBRIC_PARTS", "BAND_ORDER", "IAP2_ORDER"]
