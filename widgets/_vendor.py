"""Vendor engagement checklist: record each vendor's answers and evidence, find the gaps, compare vendors.

The questions live once, in ``widgets/data/vendor-questions.yaml`` (validated against its JSON
Schema); this module, the site's checklist (``widgets/static/tools/vendor.js``) and the book
chapter ``book/supplychain/04-vendor-engagement.md`` all read that file. A saved checklist
carries its format version and the version of the question set it was answered against, and
keeps answers to questions that a later question set dropped, so nothing a user entered is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from widgets._text import csv_text, escape_markdown, json_dumps_safe

DATA_DIR = Path(__file__).resolve().parent / "data"
QUESTIONS_FILE = DATA_DIR / "vendor-questions.yaml"
QUESTIONS_SCHEMA = DATA_DIR / "vendor-questions.schema.json"

FORMAT_NAME = "pai-vendor-checklist"
FORMAT_VERSION = 1


class ToolFileError(ValueError):
    """A data or saved file could not be used; the message says what is wrong and how to fix it."""


def validate_data(data: object, schema_path: Path, what: str) -> None:
    """Check ``data`` against a JSON Schema, raising :class:`ToolFileError` with the first problem."""
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.path) or "(top level)"
        raise ToolFileError(f"{what} is not valid at {where}: {err.message}")


def parse_validated_yaml(text: str, name: str, schema_path: Path) -> dict:
    """Parse a tool's YAML data file and check it against its JSON Schema."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ToolFileError(f"{name} is not valid YAML: {exc}") from None
    validate_data(data, schema_path, name)
    return data


def _unique(ids: list[str], what: str) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            raise ToolFileError(f"{what} id {i!r} is used twice; ids must be unique.")
        seen.add(i)


def load_questions(path: str | Path | None = None) -> dict:
    """The validated question set (phases, questions, statuses) as plain data."""
    if path is None:
        return _default_questions()
    return _validated_questions(Path(path).read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _default_questions() -> dict:
    return _validated_questions(QUESTIONS_FILE.read_text(encoding="utf-8"), QUESTIONS_FILE.name)


def _validated_questions(text: str, name: str) -> dict:
    data = parse_validated_yaml(text, name, QUESTIONS_SCHEMA)
    _unique([p["id"] for p in data["phases"]], "Phase")
    _unique([q["id"] for p in data["phases"] for q in p["questions"]], "Question")
    _unique([s["id"] for s in data["statuses"]], "Status")
    return data


def questions(data: dict | None = None) -> list[dict]:
    """Every question, in order, each with its ``phase`` id and ``phase_title`` added."""
    data = data or load_questions()
    return [
        {**q, "phase": p["id"], "phase_title": p["title"]} for p in data["phases"] for q in p["questions"]
    ]


@dataclass(frozen=True)
class Gap:
    """One thing still missing for one vendor: which question, what kind of gap, and how serious."""

    vendor: str
    question_id: str
    phase: str
    kind: str  # "not asked", "not met", "no evidence"
    critical: bool
    text: str


class VendorChecklist:
    """Answers and evidence for several vendors against one question set.

    ``record(vendor, question_id, status, evidence, note)`` stores an answer;
    ``gaps(vendor)`` lists what is missing; ``compare()`` lines vendors up side
    by side; ``to_markdown``/``to_csv``/``save_json`` export; :func:`load_json`
    reads a saved file back losslessly.
    """

    def __init__(self, question_set: dict | None = None, title: str = ""):
        self.question_set = question_set or load_questions()
        self.title = title
        self.vendors: dict[str, dict[str, dict]] = {}
        self._questions = {q["id"]: q for q in questions(self.question_set)}
        self._statuses = {s["id"]: s for s in self.question_set["statuses"]}

    # -- recording -------------------------------------------------------------------
    def add_vendor(self, name: str) -> None:
        name = _text(name, "Vendor name").strip()
        if not name:
            raise ValueError("Vendor name is empty. Give each vendor a name (for example its company name).")
        self.vendors.setdefault(name, {})

    def record(self, vendor: str, question_id: str, status: str, evidence: str = "", note: str = "") -> None:
        """Store one answer. ``status`` is one of the question set's status ids (``yes``, ``partly``, ...)."""
        if question_id not in self._questions:
            raise KeyError(
                f"Unknown question {question_id!r}. Known ids: {', '.join(self._questions)}."
            )
        if status not in self._statuses:
            raise ValueError(
                f"Unknown status {status!r} for {question_id}. Use one of: {', '.join(self._statuses)}."
            )
        self.add_vendor(vendor)
        self.vendors[vendor.strip()][question_id] = {
            "status": status,
            "evidence": _text(evidence, "Evidence"),
            "note": _text(note, "Note"),
        }

    # -- reading ---------------------------------------------------------------------
    def answer(self, vendor: str, question_id: str) -> dict | None:
        return self.vendors.get(vendor, {}).get(question_id)

    def gaps(self, vendor: str) -> list[Gap]:
        """What is missing for ``vendor``: questions not asked, not met, or met without evidence."""
        if vendor not in self.vendors:
            raise KeyError(f"No vendor called {vendor!r}. Vendors: {', '.join(self.vendors) or 'none yet'}.")
        found = []
        for qid, q in self._questions.items():
            kind = gap_kind(self.vendors[vendor].get(qid), self._statuses)
            if kind:
                found.append(Gap(vendor, qid, q["phase"], kind, q["critical"], q["text"]))
        return found

    def summary(self, vendor: str) -> dict:
        """Counts for one vendor: questions met, gaps, critical gaps, answered."""
        gaps = self.gaps(vendor)
        total = len(self._questions)
        return {
            "vendor": vendor,
            "questions": total,
            "answered": sum(1 for q in self._questions if q in self.vendors[vendor]),
            "met": total - len(gaps),
            "gaps": len(gaps),
            "critical_gaps": sum(1 for g in gaps if g.critical),
        }

    def orphaned(self, vendor: str) -> dict:
        """Answers to questions the current question set no longer has (kept, never dropped)."""
        return {k: v for k, v in self.vendors.get(vendor, {}).items() if k not in self._questions}

    def compare(self):
        """A table with one row per question and one column per vendor (status, or the gap kind)."""
        import pandas as pd

        rows = []
        for qid, q in self._questions.items():
            row = {"phase": q["phase_title"], "question": q["text"], "critical": q["critical"]}
            for vendor in self.vendors:
                ans = self.vendors[vendor].get(qid)
                kind = gap_kind(ans, self._statuses)
                label = self._statuses[ans["status"]]["label"] if ans else "not asked"
                row[vendor] = label if not kind or kind == "not asked" else f"{label} ({kind})"
            rows.append(row)
        return pd.DataFrame(rows).set_index("question")

    # -- exports ---------------------------------------------------------------------
    def to_markdown(self, vendor: str | None = None) -> str:
        """A Markdown record for one vendor (or all), phase by phase, with gaps flagged."""
        names = [vendor] if vendor else list(self.vendors)
        out = [f"# {escape_markdown(self.title or self.question_set['title'])}", ""]
        out.append(f"_Questions: {escape_markdown(self.question_set['provenance'])}_")
        out.append("")
        for name in names:
            s = self.summary(name)
            out += [f"## {escape_markdown(name)}", "",
                    f"{s['met']} of {s['questions']} questions met; {s['gaps']} gaps, "
                    f"{s['critical_gaps']} of them critical.", ""]
            for phase in self.question_set["phases"]:
                out += [f"### {escape_markdown(phase['title'])}", ""]
                for q in phase["questions"]:
                    ans = self.vendors[name].get(q["id"])
                    kind = gap_kind(ans, self._statuses)
                    status = self._statuses[ans["status"]]["label"] if ans else "Not asked"
                    flag = f" **Gap: {kind}{' (critical)' if q['critical'] else ''}.**" if kind else ""
                    out.append(f"- {escape_markdown(q['text'])}  ")
                    out.append(f"  Answer: {escape_markdown(status)}.{flag}  ")
                    if ans and ans["evidence"]:
                        out.append(f"  Evidence: {escape_markdown(ans['evidence'])}  ")
                    if ans and ans["note"]:
                        out.append(f"  Note: {escape_markdown(ans['note'])}")
                out.append("")
            for qid, ans in self.orphaned(name).items():
                out.append(f"- (question {escape_markdown(qid)} is no longer in the question set) "
                           f"Answer: {escape_markdown(ans.get('status', ''))}; evidence: {escape_markdown(ans.get('evidence', ''))}")
        return "\n".join(out).rstrip() + "\n"

    def to_csv(self) -> str:
        """One row per vendor and question: phase, question, critical, status, evidence, note, gap."""
        rows = [["vendor", "phase", "question_id", "question", "critical", "status", "evidence", "note", "gap"]]
        for name in self.vendors:
            for qid, q in self._questions.items():
                ans = self.vendors[name].get(qid) or {}
                rows.append([name, q["phase"], qid, q["text"], "yes" if q["critical"] else "no", ans.get("status", ""),
                             ans.get("evidence", ""), ans.get("note", ""), gap_kind(ans or None, self._statuses) or ""])
        return csv_text(rows)

    def to_dict(self) -> dict:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "questions_version": self.question_set["version"],
            "title": self.title,
            "vendors": [{"name": n, "answers": a} for n, a in self.vendors.items()],
        }

    def save_json(self) -> str:
        """The checklist as the JSON file the site's checklist downloads and uploads."""
        return json_dumps_safe(self.to_dict(), indent=2)


def gap_kind(answer: dict | None, statuses: dict) -> str | None:
    """The kind of gap an answer leaves, or ``None`` when the question is met with evidence.

    Mirrored in ``widgets/static/tools/vendor.js`` (``gapKind``); a parity test checks both.
    """
    if not answer or not answer.get("status"):
        return "not asked"
    status = statuses.get(answer["status"])
    if status is None or not status["met"]:
        return "not met"
    if not str(answer.get("evidence", "")).strip():
        return "no evidence"
    return None


def load_json(text: str, question_set: dict | None = None) -> VendorChecklist:
    """Read a saved checklist (from Python or the site), checking its format and version."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ToolFileError(f"This file is not valid JSON ({exc}). Load a file saved by the vendor checklist.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ToolFileError(f'This is not a vendor-checklist file (expected "format": "{FORMAT_NAME}").')
    version = data.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ToolFileError("The file has no valid format_version. Save it again from the checklist.")
    if version > FORMAT_VERSION:
        raise ToolFileError(
            f"This file uses format version {version}, newer than this toolkit ({FORMAT_VERSION}). Update the toolkit."
        )
    checklist = VendorChecklist(question_set)
    title = data.get("title", "")
    checklist.title = title if isinstance(title, str) else ""
    vendors = data.get("vendors")
    if not isinstance(vendors, list):
        raise ToolFileError("The file has no list of vendors.")
    for i, v in enumerate(vendors, start=1):
        if not isinstance(v, dict) or not isinstance(v.get("name"), str) or not v["name"].strip():
            raise ToolFileError(f"Vendor {i} has no name.")
        answers = v.get("answers", {})
        if not isinstance(answers, dict):
            raise ToolFileError(f"Vendor {v['name']!r}: answers must be an object keyed by question id.")
        clean = {}
        for qid, ans in answers.items():
            if not isinstance(ans, dict):
                raise ToolFileError(f"Vendor {v['name']!r}, question {qid}: the answer must be an object.")
            for key in ("status", "evidence", "note"):
                if not isinstance(ans.get(key, ""), str):
                    raise ToolFileError(f"Vendor {v['name']!r}, question {qid}: {key} must be text.")
            if ans.get("status") and ans["status"] not in checklist._statuses:
                raise ToolFileError(
                    f"Vendor {v['name']!r}, question {qid}: unknown status {ans['status']!r}."
                )
            clean[qid] = {"status": ans.get("status", ""), "evidence": ans.get("evidence", ""),
                          "note": ans.get("note", "")}
        # Answers to questions this question set lacks are kept as they are (see orphaned()).
        checklist.vendors[v["name"]] = clean
    return checklist


def _text(value, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text, got {type(value).__name__}.")
    return value




def vendor_checklist_widget(checklist: VendorChecklist | None = None):
    """The interactive checklist in Jupyter: the site's ES module, hosted by anywidget.

    ``.checklist()`` returns what was entered as a :class:`VendorChecklist`.
    """
    from widgets._frontend import tool_widget

    widget = tool_widget("tools/vendor.js", name="VendorChecklistWidget", data="questions", state="vendor_checklist",
                         method="checklist", read=lambda entered, qs: load_json(json.dumps(entered), qs) if entered
                         else VendorChecklist(qs))
    checklist = checklist or VendorChecklist()
    return widget(questions=checklist.question_set, vendor_checklist=checklist.to_dict())
