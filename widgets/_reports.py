"""Turn a score, a set of scores or the rubric itself into Markdown, JSON, HTML or CSV.

All text a user typed (team, product, evidence, notes) is escaped for the target format by the
text kernel (``widgets/_text.py``), so a hostile file cannot inject markup, a link or a formula. Reports
say what a score is: evidence for a conversation, never a certificate (book chapter "The rubric").
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

from ._assessment import Assessment
from ._scoring import BAND_ORDER, IAP2_ORDER, Rubric, Score, load_rubric
from ._text import csv_text, escape_html, escape_markdown, json_dumps_safe

DISCLAIMER = ("This score is evidence for a conversation inside the team and with the communities "
              "involved. It is not a certificate, and it cannot show that a plan is participatory.")
REPORT_FORMAT = "pai-score-report"

def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1f} %"


def _range(low, high) -> str:
    return "n/a" if low is None else (f"{low:.1f}" if low == high else f"{low:.1f} to {high:.1f}")


def _range_note(tally: dict) -> str:
    if tally["unanswered"] == 0:
        return " (every question answered)"
    return (f" (between {_pct(tally['low_percent'])} and {_pct(tally['high_percent'])} if every unanswered "
            "question were answered at 0, or at 3)")


def _action_text(rubric: Rubric, action: dict) -> str:
    """What to do, for a report: the criterion's next step, or how to reach the target level."""
    crit = rubric.by_id[action["criterion"]]
    target = action["target_level"]
    if target is None:
        return f"Answer this question; then, if needed: {crit.action}"
    if target == 3:
        return f"Have it confirmed by participants or an independent reviewer. Level 3 means: {crit.levels[3]}"
    return f"{crit.action} Level {target} means: {crit.levels[target]}"


def _band_title(rubric: Rubric, band_id) -> str:
    return "not enough answers" if band_id is None else rubric.bands[band_id]["title"]


def _label_title(rubric: Rubric, label: str) -> str:
    if label.startswith("theme-"):
        return "Guidance: " + rubric.themes[label[6:]]["title"]
    return "Guardrail: " + rubric.red_flags[label[10:]]["title"]


# --------------------------------------------------------------------------- score reports


def report_dict(score: Score, assessment: Assessment | None = None) -> dict:
    """The JSON report: the score (``Score.to_dict()``) plus the evidence and notes behind it."""
    out = {"format": REPORT_FORMAT, "format_version": 1, "disclaimer": DISCLAIMER, "score": score.to_dict()}
    if assessment is not None:
        out["assessment"] = assessment.to_dict()
        out["source"] = assessment.source
    return out


def report_json(score: Score, assessment: Assessment | None = None) -> str:
    return json_dumps_safe(report_dict(score, assessment), indent=2) + "\n"


def _summary_lines(score: Score) -> dict:
    rubric = score.rubric
    d = score.to_dict()
    band = d["band"]
    limits = []
    for lim in band["limited_by"]:
        if lim["kind"] == "iap2":
            limits.append(f"the IAP2 level reached ({rubric.iap2_levels[lim['id']]['title']})")
        elif lim["kind"] == "score":
            limits.append("the overall score")
        else:
            limits.append(f"the red flag \"{rubric.red_flags[lim['id']]['title']}\"")
    return {"d": d, "limits": limits}


def report_markdown(score: Score, assessment: Assessment | None = None, *, top: int = 10) -> str:
    """A Markdown report people can edit and share. User text is escaped."""
    rubric = score.rubric
    info = _summary_lines(score)
    d = info["d"]
    plan = d["plan"]
    lines = [f"# Engagement-plan self-assessment: {escape_markdown(plan['team'])}", ""]
    lines += [f"- **Product:** {escape_markdown(plan['product'])}",
              f"- **Model type:** {escape_markdown(plan['model_type'])}; **lifecycle stage:** {escape_markdown(plan['lifecycle_stage'])}; "
              f"**date:** {escape_markdown(plan['date'])}",
              f"- **Rubric:** {rubric.id} {rubric.version}, {d['scope']} version", "",
              f"> {DISCLAIMER}", ""]
    band = d["band"]
    lines += ["## Where the plan stands", "",
              f"- **Band:** {_band_title(rubric, band['id'])}"
              + (f" (could be {_band_title(rubric, band['low'])} to {_band_title(rubric, band['high'])} "
                 "once every question is answered)" if band["low"] != band["high"] else ""),
              f"- **Limited by:** {', '.join(info['limits']) or 'nothing (no answers yet)'}",
              f"- **IAP2 level reached:** {rubric.iap2_levels[d['iap2']['level']]['title']}",
              f"- **Overall score on answered questions:** {_pct(d['overall']['percent'])}" + _range_note(d["overall"]),
              f"- **Completeness:** {d['completeness']['answered']} answered, {d['completeness']['not_applicable']} not applicable, "
              f"{d['completeness']['unanswered']} unanswered of {d['completeness']['in_scope']}; confidence "
              f"**{d['completeness']['confidence']}**", ""]
    lines += ["## Red flags", ""]
    if d["red_flags"]:
        for f in d["red_flags"]:
            flag = rubric.red_flags[f["id"]]
            lines.append(f"- **{flag['title']}** (caps the band at {_band_title(rubric, f['cap'])}); raised by "
                         f"{', '.join('`' + c + '`' for c in f['raised_by'])}. Read: {_label_title(rubric, f['explained_in'])} "
                         f"(`{f['explained_in']}`).")
    else:
        lines.append("- None raised.")
    for f in d["unconfirmed_flags"]:
        lines.append(f"- *Unconfirmed:* {rubric.red_flags[f['id']]['title']}: answer "
                     f"{', '.join('`' + c + '`' for c in f['unanswered'])} to check it.")
    lines += ["", "## Themes", "", "| Theme | Score on answered questions | Range (unanswered at 0 or 3) | Answered |", "|---|---|---|---|"]
    for t in d["themes"]:
        lines.append(f"| {rubric.themes[t['id']]['title']} | {_pct(t['percent'])} | "
                     f"{_range(t['low_percent'], t['high_percent'])} | {t['answered'] + t['not_applicable']}/"
                     f"{t['answered'] + t['not_applicable'] + t['unanswered']} |")
    lines += ["", f"## What to do next (top {min(top, len(d['actions']))} of {len(d['actions'])})", ""]
    for a in d["actions"][:top]:
        crit = rubric.by_id[a["criterion"]]
        target = "" if a["target_level"] is None else f" (from level {a['level']} to {a['target_level']})"
        lines.append(f"{a['rank']}. **{crit.question}** [{a['kind']}]{target}. {_action_text(rubric, a)} "
                     f"*Who:* {a['who']}. *Read:* {_label_title(rubric, a['explained_in'])} (`{a['explained_in']}`).")
    lines += ["", "## How each number was reached", "",
              "| Criterion | Theme | Weight | Answer | Points | Evidence and notes |", "|---|---|---|---|---|---|"]
    answers = assessment.answers if assessment is not None else {}
    for c in d["contributions"]:
        ans = answers.get(c["criterion"])
        text = ""
        if ans is not None:
            text = " / ".join(escape_markdown(x) for x in (ans.evidence, ans.notes) if x)
        answer = {"answered": str(c["level"]), "not-applicable": "n/a", "unanswered": "unanswered"}[c["status"]]
        flag = " (red flag)" if c["flag_raised"] else ""
        lines.append(f"| `{c['criterion']}` | {c['theme']} | {c['weight_points']} | {answer}{flag} | "
                     f"{c['points']}/{c['max_points']} | {text} |")
    if assessment is not None and assessment.migrations:
        lines += ["", "## Migrations applied to this file", ""]
        lines += [f"- {escape_markdown(m)}" for m in assessment.migrations]
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}.note{border-left:4px solid #555;padding:.5rem 1rem;background:#f7f7f7}
.flag{border-left:4px solid #a00;padding:.3rem .8rem;margin:.5rem 0;background:#fff3f3}
.bar{background:#ddd;height:.8rem;min-width:8rem}.bar>span{display:block;height:100%;background:#2b5b84}
code{background:#f3f3f3;padding:0 .2rem}
"""


def report_html(score: Score, assessment: Assessment | None = None) -> str:
    """A standalone HTML page (no scripts, no external resources). All user text is escaped."""
    rubric = score.rubric
    info = _summary_lines(score)
    d = info["d"]
    plan = d["plan"]
    band = d["band"]
    p = []
    p.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>Self-assessment: {escape_html(plan['team'])}</title><style>{_CSS}</style></head><body>")
    p.append(f"<h1>Engagement-plan self-assessment: {escape_html(plan['team'])}</h1>")
    p.append("<dl>" + "".join(f"<dt>{k}</dt><dd>{escape_html(v)}</dd>" for k, v in (
        ("Product", plan["product"]), ("Model type", plan["model_type"]),
        ("Lifecycle stage", plan["lifecycle_stage"]), ("Date", plan["date"]),
        ("Rubric", f"{rubric.id} {rubric.version}, {d['scope']} version"))) + "</dl>")
    p.append(f"<p class=\"note\">{escape_html(DISCLAIMER)}</p>")
    p.append("<h2>Where the plan stands</h2><ul>")
    rng = "" if band["low"] == band["high"] else (
        f" (could be {escape_html(_band_title(rubric, band['low']))} to {escape_html(_band_title(rubric, band['high']))} once every question is answered)")
    p.append(f"<li><strong>Band:</strong> {escape_html(_band_title(rubric, band['id']))}{rng}</li>")
    p.append(f"<li><strong>Limited by:</strong> {escape_html(', '.join(info['limits']) or 'nothing (no answers yet)')}</li>")
    p.append(f"<li><strong>IAP2 level reached:</strong> {escape_html(rubric.iap2_levels[d['iap2']['level']]['title'])}</li>")
    p.append(f"<li><strong>Overall score on answered questions:</strong> {_pct(d['overall']['percent'])}"
             f"{escape_html(_range_note(d['overall']))}</li>")
    c = d["completeness"]
    p.append(f"<li><strong>Completeness:</strong> {c['answered']} answered, {c['not_applicable']} not applicable, "
             f"{c['unanswered']} unanswered of {c['in_scope']}; confidence <strong>{escape_html(c['confidence'])}</strong></li></ul>")
    p.append("<h2>Red flags</h2>")
    if not d["red_flags"]:
        p.append("<p>None raised.</p>")
    for f in d["red_flags"]:
        flag = rubric.red_flags[f["id"]]
        p.append(f"<div class=\"flag\" role=\"note\"><strong>Red flag: {escape_html(flag['title'])}</strong>. {escape_html(flag['meaning'])} "
                 f"Caps the band at {escape_html(_band_title(rubric, f['cap']))}. Raised by "
                 f"{', '.join('<code>' + escape_html(x) + '</code>' for x in f['raised_by'])}. "
                 f"Read: {escape_html(_label_title(rubric, f['explained_in']))} (<code>{escape_html(f['explained_in'])}</code>).</div>")
    for f in d["unconfirmed_flags"]:
        p.append(f"<p><em>Unconfirmed:</em> {escape_html(rubric.red_flags[f['id']]['title'])}: answer "
                 f"{', '.join('<code>' + escape_html(x) + '</code>' for x in f['unanswered'])} to check it.</p>")
    p.append("<h2>Themes</h2><table><caption>Score per theme, in percent of the points available on answered "
             "questions</caption><thead><tr><th scope=\"col\">Theme</th><th scope=\"col\">Score on answered questions</th>"
             "<th scope=\"col\">Range (unanswered at 0 or 3)</th><th scope=\"col\">Answered</th></tr></thead><tbody>")
    for t in d["themes"]:
        width = 0 if t["percent"] is None else t["percent"]
        p.append(f"<tr><th scope=\"row\">{escape_html(rubric.themes[t['id']]['title'])}</th>"
                 f"<td>{_pct(t['percent'])}<div class=\"bar\" aria-hidden=\"true\"><span style=\"width:{width:.1f}%\"></span></div></td>"
                 f"<td>{_range(t['low_percent'], t['high_percent'])}</td>"
                 f"<td>{t['answered'] + t['not_applicable']}/{t['answered'] + t['not_applicable'] + t['unanswered']}</td></tr>")
    p.append("</tbody></table>")
    p.append("<h2>What to do next</h2><ol>")
    for a in d["actions"]:
        crit = rubric.by_id[a["criterion"]]
        target = "" if a["target_level"] is None else f" (from level {a['level']} to {a['target_level']})"
        p.append(f"<li><strong>{escape_html(crit.question)}</strong> <small>[{escape_html(a['kind'])}]</small>{target}. {escape_html(_action_text(rubric, a))} "
                 f"<em>Who:</em> {escape_html(a['who'])}. <em>Read:</em> {escape_html(_label_title(rubric, a['explained_in']))} "
                 f"(<code>{escape_html(a['explained_in'])}</code>).</li>")
    p.append("</ol><h2>How each number was reached</h2><table><thead><tr><th scope=\"col\">Criterion</th>"
             "<th scope=\"col\">Theme</th><th scope=\"col\">Weight</th><th scope=\"col\">Answer</th>"
             "<th scope=\"col\">Points</th><th scope=\"col\">Evidence and notes</th></tr></thead><tbody>")
    answers = assessment.answers if assessment is not None else {}
    for row in d["contributions"]:
        ans = answers.get(row["criterion"])
        text = "" if ans is None else "<br>".join(escape_html(x) for x in (ans.evidence, ans.notes) if x)
        answer = {"answered": str(row["level"]), "not-applicable": "n/a", "unanswered": "unanswered"}[row["status"]]
        if row["flag_raised"]:
            answer += " (red flag)"
        p.append(f"<tr><td><code>{escape_html(row['criterion'])}</code></td><td>{escape_html(row['theme'])}</td>"
                 f"<td>{row['weight_points']}</td><td>{escape_html(answer)}</td><td>{row['points']}/{row['max_points']}</td>"
                 f"<td>{text}</td></tr>")
    p.append("</tbody></table>")
    if assessment is not None and assessment.migrations:
        p.append("<h2>Migrations applied to this file</h2><ul>"
                 + "".join(f"<li>{escape_html(m)}</li>" for m in assessment.migrations) + "</ul>")
    p.append("</body></html>\n")
    return "".join(p)


def render_report(score: Score, assessment: Assessment | None = None, fmt: str = "md") -> str:
    """Render a score report as ``md``, ``json`` or ``html``."""
    renderers = {"md": report_markdown, "json": report_json, "html": report_html}
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
        }
        for t, tally in score.themes:
            row[t] = tally.percent
        rows.append(row)
    rows.sort(key=lambda r: (str(r["team"]), str(r["date"]), str(r["file"])))
    return rows


def compare_report(pairs: Sequence[tuple[Assessment, Score]], fmt: str = "md") -> str:
    """A table across teams or over time, as Markdown, CSV or JSON."""
    rows = compare_rows(pairs)
    rubric = pairs[0][1].rubric if pairs else load_rubric()
    theme_ids = list(rubric.themes)
    if fmt == "json":
        return json_dumps_safe({"format": "pai-comparison", "format_version": 1, "rows": rows}, indent=2) + "\n"
    if fmt == "csv":
        head = ["team", "product", "date", "scope", "band", "iap2", "overall_percent", "completeness_percent",
                "confidence", "red_flags"] + theme_ids + ["file"]
        return csv_text([head] + [[";".join(r[k]) if k == "red_flags" else r[k] for k in head] for r in rows])
    if fmt != "md":
        raise ValueError(f"unknown comparison format {fmt!r}; choose md, csv or json")
    head = ["Team", "Product", "Date", "Band", "IAP2", "Overall", "Complete", "Red flags"] + [
        rubric.themes[t]["title"] for t in theme_ids]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [escape_markdown(r["team"]), escape_markdown(r["product"]), escape_markdown(r["date"]),
                 _band_title(rubric, r["band"]), r["iap2"], _pct(r["overall_percent"]),
                 _pct(r["completeness_percent"]), ", ".join(r["red_flags"]) or "none"]
        cells += [_pct(r[t]) for t in theme_ids]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the rubric itself


def rubric_rows(rubric: Rubric | None = None) -> list[dict]:
    """One flat row per criterion, for the CSV export and for reviewers' spreadsheets."""
    rubric = rubric or load_rubric()
    rows = []
    for c in rubric.criteria:
        rows.append({
            "id": c.id, "theme": c.theme, "question": c.question, "weight": c.weight, "weight_points": c.points,
            "short": c.short, "stages": ";".join(c.stages), "gate": c.gate or "",
            "red_flag": c.flag or "", "flag_at_or_below": "" if c.flag_at_or_below is None else c.flag_at_or_below,
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
        out += ["| Band | Needs IAP2 level | Needs overall score | Meaning |", "|---|---|---|---|"]
        for b in data["bands"]:
            out.append(f"| **{b['title']}** | {rubric.iap2_levels[b['iap2']]['title']} | {b['min_percent']} % or more | "
                       f"{' '.join(b['meaning'].split())} {cite(b['sources'])} |")
        out.append("")
    if part in (None, "flags"):
        if part is None:
            out += heading("Red flags (guardrails)", 2)
        out += ["| Red flag | What it means | Caps the band at | Raised by |", "|---|---|---|---|"]
        for f in data["red_flags"]:
            raised_by = ", ".join(f"`{c.id}` at level {c.flag_at_or_below}" for c in rubric.criteria if c.flag == f["id"])
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
                if c.gate:
                    tags.append(f"gate for IAP2 *{rubric.iap2_levels[c.gate]['title']}*")
                if c.flag:
                    tags.append(f"raises *{rubric.red_flags[c.flag]['title']}* at level {c.flag_at_or_below}")
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


__all__ = ["DISCLAIMER", "report_dict", "report_json", "report_markdown", "report_html", "render_report",
           "compare_rows", "compare_report", "rubric_rows", "rubric_csv", "rubric_markdown", "rubric_export",
           "RUBRIC_PARTS", "BAND_ORDER", "IAP2_ORDER"]
