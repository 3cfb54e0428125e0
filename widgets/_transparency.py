"""Transparency report builder: fill in the template, see what is missing, publish Markdown, HTML or JSON.

The sections and fields live once, in ``widgets/data/transparency-template.yaml`` (validated
against its JSON Schema), read by this module, the site's builder
(``widgets/static/tools/transparency.js``) and ``book/supplychain/05-transparency-report.md``.
Every piece of user text is escaped in the HTML and Markdown outputs.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from widgets._text import escape_html, escape_markdown, json_dumps_safe
from widgets._vendor import ToolFileError, _unique, parse_validated_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
TEMPLATE_FILE = DATA_DIR / "transparency-template.yaml"
TEMPLATE_SCHEMA = DATA_DIR / "transparency-template.schema.json"

FORMAT_NAME = "pai-transparency-report"
FORMAT_VERSION = 1


def load_template(path: str | Path | None = None) -> dict:
    """The validated template (sections and fields) as plain data."""
    if path is None:
        return _default_template()
    return _validated(Path(path).read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _default_template() -> dict:
    return _validated(TEMPLATE_FILE.read_text(encoding="utf-8"), TEMPLATE_FILE.name)


def _validated(text: str, name: str) -> dict:
    data = parse_validated_yaml(text, name, TEMPLATE_SCHEMA)
    _unique([s["id"] for s in data["sections"]], "Section")
    _unique([f"{s['id']}.{f['id']}" for s in data["sections"] for f in s["fields"]], "Field")
    return data


def field_keys(template: dict | None = None) -> list[str]:
    """Every field's key, ``section-id.field-id``, in template order."""
    template = template or load_template()
    return [f"{s['id']}.{f['id']}" for s in template["sections"] for f in s["fields"]]


def is_filled(value: str) -> bool:
    """A field counts as filled when it holds non-blank text. Mirrored in transparency.js."""
    return isinstance(value, str) and value.strip() != ""


class TransparencyReport:
    """One organisation's report for one period: values per field, completeness, exports."""

    def __init__(self, organisation: str = "", period: str = "", template: dict | None = None):
        self.template = template or load_template()
        self.organisation = _text(organisation, "Organisation")
        self.period = _text(period, "Period")
        self.values: dict[str, str] = {}
        self._fields = {
            f"{s['id']}.{f['id']}": {**f, "section": s["id"]} for s in self.template["sections"] for f in s["fields"]
        }

    def set(self, key: str, value) -> None:
        """Fill one field (``section-id.field-id``). Numbers are checked but kept as typed."""
        if key not in self._fields:
            raise KeyError(f"Unknown field {key!r}. Known fields: {', '.join(self._fields)}.")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = repr(value) if isinstance(value, float) else str(value)
        text = _text(value, self._fields[key]["label"])
        if self._fields[key]["kind"] == "number" and text.strip():
            check_number(text, self._fields[key]["label"])
        self.values[key] = text

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def orphaned(self) -> dict:
        """Values whose field is not in this template (kept from an older template, never dropped)."""
        return {k: v for k, v in self.values.items() if k not in self._fields}

    def completeness(self) -> dict:
        """Share of required fields filled, overall and per section, plus the missing ones."""
        per_section = {}
        missing = []
        for s in self.template["sections"]:
            required = [f"{s['id']}.{f['id']}" for f in s["fields"] if f["required"]]
            filled = [k for k in required if is_filled(self.values.get(k, ""))]
            per_section[s["id"]] = {"title": s["title"], "required": len(required), "filled": len(filled)}
            missing += [k for k in required if k not in filled]
        required_total = sum(v["required"] for v in per_section.values())
        filled_total = sum(v["filled"] for v in per_section.values())
        return {
            "required": required_total,
            "filled": filled_total,
            "percent": round(100 * filled_total / required_total) if required_total else 100,
            "sections": per_section,
            "missing": missing,
            "missing_labels": [self._fields[k]["label"] for k in missing],
        }

    # -- exports ---------------------------------------------------------------------
    def _heading(self) -> str:
        name = self.organisation.strip() or "[organisation]"
        period = f", {self.period.strip()}" if self.period.strip() else ""
        return f"{self.template['title']}: {name}{period}"

    def to_markdown(self) -> str:
        c = self.completeness()
        out = [f"# {escape_markdown(self._heading())}", "",
               f"_Completeness: {c['filled']} of {c['required']} required fields ({c['percent']}%)._", ""]
        for s in self.template["sections"]:
            out += [f"## {escape_markdown(s['title'])}", ""]
            for f in s["fields"]:
                value = self.values.get(f"{s['id']}.{f['id']}", "")
                out += [f"**{escape_markdown(f['label'])}**", ""]
                if is_filled(value):
                    out += [escape_markdown(value, multiline=True), ""]
                else:
                    out += ["_Not yet answered._" if f["required"] else "_Not answered (optional)._", ""]
        out += ["---", "", f"_{escape_markdown(self.template['provenance'])}_", ""]
        return "\n".join(out)

    def to_html(self) -> str:
        """A standalone HTML page; every user-entered string is escaped."""
        e = escape_html
        c = self.completeness()
        parts = [
            "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            f"<title>{e(self._heading())}</title>", "</head>", "<body>", "<main>",
            f"<h1>{e(self._heading())}</h1>",
            f"<p><em>Completeness: {c['filled']} of {c['required']} required fields ({c['percent']}%).</em></p>",
        ]
        for s in self.template["sections"]:
            parts.append(f"<section><h2>{e(s['title'])}</h2>")
            for f in s["fields"]:
                value = self.values.get(f"{s['id']}.{f['id']}", "")
                parts.append(f"<h3>{e(f['label'])}</h3>")
                if is_filled(value):
                    for para in _paragraphs(value):
                        parts.append("<p>" + "<br>".join(e(line) for line in para.split("\n")) + "</p>")
                else:
                    parts.append("<p><em>Not yet answered.</em></p>" if f["required"]
                                 else "<p><em>Not answered (optional).</em></p>")
            parts.append("</section>")
        parts += [f"<footer><p><small>{e(self.template['provenance'])}</small></p></footer>",
                  "</main>", "</body>", "</html>"]
        return "\n".join(parts) + "\n"

    def to_dict(self) -> dict:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "template_version": self.template["version"],
            "organisation": self.organisation,
            "period": self.period,
            "values": dict(self.values),
            "completeness": {k: v for k, v in self.completeness().items() if k in ("required", "filled", "percent")},
        }

    def save_json(self) -> str:
        """The JSON record (also the file the site's builder downloads and uploads)."""
        return json_dumps_safe(self.to_dict(), indent=2)


def load_json(text: str, template: dict | None = None) -> TransparencyReport:
    """Read a saved report, checking format and version. Values of fields the template no
    longer has are kept (see :meth:`TransparencyReport.orphaned`), never dropped."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ToolFileError(f"This file is not valid JSON ({exc}). Load a file saved by the report builder.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ToolFileError(f'This is not a transparency-report file (expected "format": "{FORMAT_NAME}").')
    version = data.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ToolFileError("The file has no valid format_version. Save it again from the report builder.")
    if version > FORMAT_VERSION:
        raise ToolFileError(
            f"This file uses format version {version}, newer than this toolkit ({FORMAT_VERSION}). Update the toolkit."
        )
    for key in ("organisation", "period"):
        if not isinstance(data.get(key, ""), str):
            raise ToolFileError(f"{key} must be text.")
    values = data.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise ToolFileError("values must be an object mapping field keys to text.")
    report = TransparencyReport(data.get("organisation", ""), data.get("period", ""), template)
    for key, value in values.items():
        # Stored as is: a bad number typed on the site is kept so the user can fix it.
        report.values[key] = value
    return report


def check_number(text: str, label: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{label}: {text!r} is not a number. Enter digits only, e.g. 3.") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{label}: {text!r} must be zero or a positive number.")
    return number


def _text(value, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text, got {type(value).__name__}.")
    return value


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def report_builder(report: TransparencyReport | None = None):
    """The interactive report form in Jupyter: the site's ES module, hosted by anywidget.

    ``.report()`` returns what was entered as a :class:`TransparencyReport`.
    """
    from widgets._frontend import tool_widget

    widget = tool_widget("tools/transparency.js", name="ReportBuilder", data="template", state="transparency_report",
                         method="report", read=lambda entered, template: load_json(json.dumps(entered), template)
                         if entered else TransparencyReport(template=template))
    report = report or TransparencyReport()
    return widget(template=report.template, transparency_report=report.to_dict())
