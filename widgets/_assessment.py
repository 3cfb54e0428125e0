"""Read, validate and migrate a team's saved self-assessment (format ``pai-assessment``).

The file format is documented in ``widgets/rubric/ASSESSMENT-FORMAT.md`` and its structure in
``widgets/rubric/assessment.schema.json``. Every problem is reported at once, each naming the
file, the field and what was expected, through :class:`AssessmentError`. Files saved against an
older rubric version are upgraded by small migration functions, one per version step, that keep
everything the user wrote.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from ._scoring import CURRENT_VERSION, NOT_APPLICABLE, RUBRIC_DIR, RUBRIC_ID, Rubric, load_rubric

FORMAT = "pai-assessment"
FORMAT_VERSION = 1
#: Larger files are refused before parsing: a real assessment is a few tens of kilobytes.
MAX_FILE_BYTES = 2_000_000
#: Stop listing problems after this many (a wrong file could otherwise produce thousands).
MAX_PROBLEMS = 50
MAX_ANSWERS = 200
PLAN_FIELDS = ("team", "product", "model_type", "lifecycle_stage", "date")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an assessment file: where, and what was expected instead."""

    file: str
    field: str
    expected: str
    found: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}: {self.field}: expected {self.expected}"
        if self.found is not None:
            text += f" (found {self.found})"
        return text


class AssessmentError(ValueError):
    """An assessment file could not be loaded. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the assessment file:"
        return "\n".join([head] + [f"  - {p}" for p in self.problems])


def _short(value: Any, limit: int = 60) -> str:
    """A safe, short description of a value found in a user's file, for error messages."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 3] + "..."
        text = "".join(ch if ch.isprintable() else "?" for ch in text)
        return repr(text)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


# --------------------------------------------------------------------------- the Assessment


@dataclass(frozen=True)
class Answer:
    """One answer: a level (0-3, "n/a" or None for unanswered), with optional evidence and notes."""

    level: int | str | None = None
    evidence: str = ""
    notes: str = ""

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"level": self.level}
        if self.evidence:
            out["evidence"] = self.evidence
        if self.notes:
            out["notes"] = self.notes
        return out


@dataclass(frozen=True)
class Assessment:
    """A validated assessment, migrated to the current rubric version.

    ``migrations`` records every migration applied (on load, or earlier and saved in the file).
    ``source`` names the file it came from, for messages.
    """

    team: str
    product: str
    model_type: str
    lifecycle_stage: str
    date: str
    answers: dict[str, Answer]
    rubric_version: str = CURRENT_VERSION
    scope: str = "full"
    assessor: str = ""
    notes: str = ""
    rater: str = ""
    round: int | None = None
    actions: tuple[dict, ...] = ()
    migrations: tuple[str, ...] = ()
    source: str = "<data>"
    levels: dict[str, Any] = field(init=False, repr=False, compare=False)
    _plan: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "levels", {cid: a.level for cid, a in self.answers.items()})
        object.__setattr__(self, "_plan", {k: getattr(self, k) for k in PLAN_FIELDS})

    def plan_info(self) -> dict:
        """Team, product, model type, lifecycle stage and date (treat as read-only)."""
        return self._plan

    def to_dict(self) -> dict:
        """The file form (format_version 1), ready to save as YAML or JSON."""
        out: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "rubric": {"id": RUBRIC_ID, "version": self.rubric_version},
            "scope": self.scope,
            **self.plan_info(),
        }
        if self.assessor:
            out["assessor"] = self.assessor
        if self.notes:
            out["notes"] = self.notes
        if self.rater:
            out["rater"] = self.rater
        if self.round is not None:
            out["round"] = self.round
        if self.actions:
            out["actions"] = [dict(x) for x in self.actions]
        if self.migrations:
            out["migrations"] = list(self.migrations)
        out["answers"] = {cid: a.to_dict() for cid, a in self.answers.items()}
        return out


# --------------------------------------------------------------------------- migrations
# One function per rubric version step. Each takes the whole document (a dict already valid
# against the structure schema), returns the upgraded document and a list of human-readable
# notes. Nothing the user wrote may be dropped: moved answers keep their evidence and notes.


def _rename(answers: dict, old: str, new: str, notes: list[str], step: str, problems: list[tuple[str, str]]):
    if old not in answers:
        return
    if new in answers:
        problems.append((f"answers.{old}", f"only one of {old!r} (its {step} name) and {new!r}"))
        return
    answers[new] = answers.pop(old)
    notes.append(f"{step}: criterion {old!r} renamed to {new!r}; answer kept.")


def migrate_0_9_to_1_0(doc: dict) -> tuple[dict, list[str]]:
    """Rubric 0.9 -> 1.0.

    - ``participants-paid`` was renamed ``pay-participants``;
    - ``feedback-loop`` was renamed ``report-back``;
    - ``consent`` (consent and withdrawal in one question) was split into ``informed-consent``
      and ``withdrawal``: the old answer moves to ``informed-consent`` and ``withdrawal`` is
      left unanswered, with a note asking the team to answer it, so the scorer lists it as an
      unconfirmed guardrail instead of guessing.
    """
    step = "0.9 -> 1.0"
    doc = copy.deepcopy(doc)
    answers = doc.setdefault("answers", {})
    notes: list[str] = []
    problems: list[tuple[str, str]] = []
    _rename(answers, "participants-paid", "pay-participants", notes, step, problems)
    _rename(answers, "feedback-loop", "report-back", notes, step, problems)
    if "consent" in answers:
        if "informed-consent" in answers or "withdrawal" in answers:
            problems.append(("answers.consent", "either 'consent' (rubric 0.9) or 'informed-consent'/'withdrawal' (1.0), not both"))
        else:
            old = answers.pop("consent")
            answers["informed-consent"] = old
            answers["withdrawal"] = {
                "level": None,
                "notes": "Rubric 1.0 asks about withdrawal separately; the 0.9 answer to 'consent' "
                         "(level " + json.dumps(old.get("level")) + ") was moved to 'informed-consent'. "
                         "Please answer this question.",
            }
            notes.append(f"{step}: criterion 'consent' split into 'informed-consent' (answer kept) "
                         "and 'withdrawal' (left unanswered: please answer it).")
    if problems:
        raise _MigrationConflict(problems)
    doc["rubric"] = {"id": RUBRIC_ID, "version": "1.0"}
    return doc, notes


class _MigrationConflict(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems


#: from-version -> (to-version, function). Applied in a chain until the current version.
MIGRATIONS: dict[str, tuple[str, Callable[[dict], tuple[dict, list[str]]]]] = {
    "0.9": ("1.0", migrate_0_9_to_1_0),
}
#: Criterion ids of older rubric versions that the migrations know (for error messages).
RETIRED_IDS = {"0.9": {"participants-paid", "feedback-loop", "consent"}}


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def migrate(doc: dict, source: str = "<data>") -> tuple[dict, list[str]]:
    """Upgrade a structurally valid document to the current rubric version; return it and notes."""
    version = doc["rubric"]["version"]
    notes: list[str] = []
    seen = set()
    while version != CURRENT_VERSION:
        if version in seen or version not in MIGRATIONS:  # pragma: no cover - guarded by _check_version
            raise AssessmentError([Problem(source, "rubric.version", "a version with a migration path")])
        seen.add(version)
        target, step = MIGRATIONS[version]
        try:
            doc, step_notes = step(doc)
        except _MigrationConflict as conflict:
            raise AssessmentError([Problem(source, f, e) for f, e in conflict.problems]) from None
        notes.extend(step_notes)
        version = target
    return doc, notes


# --------------------------------------------------------------------------- parsing


class _SafeLoader(yaml.SafeLoader):
    """Safe YAML without aliases (no "billion laughs") and with dates kept as text."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in assessment files", event.start_mark)
        return super().compose_node(parent, index)


# Keep "2026-11-24" a string: the format stores dates as ISO text.
_SafeLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_DEPTH = 64
_BRACKETS = __import__("re").compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    """Cheap guard before parsing: flow brackets nested deeper than MAX_DEPTH (quotes ignored,
    so this can only over-count, and real assessments nest three levels at most)."""
    depth = 0
    for ch in _BRACKETS.findall(text):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth = max(0, depth - 1)
    return False


def _parse_text(text: str, source: str, suffix: str) -> Any:
    if _too_deep(text):
        raise AssessmentError([Problem(source, "(file)", f"data nested at most {MAX_DEPTH} levels deep",
                                       "deeper nesting")])
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise AssessmentError([Problem(source, f"line {err.lineno}, column {err.colno}",
                                           "valid JSON", err.msg)]) from None
    try:
        docs = list(yaml.load_all(text, Loader=_SafeLoader))  # noqa: S506 - _SafeLoader is a SafeLoader
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise AssessmentError([Problem(source, where, "valid YAML", err.problem or err.context)]) from None
    except yaml.YAMLError as err:
        raise AssessmentError([Problem(source, "(file)", "valid YAML", str(err).splitlines()[0])]) from None
    if len(docs) != 1:
        raise AssessmentError([Problem(source, "(file)", "exactly one YAML document",
                                       f"{len(docs)} documents")])
    return docs[0]


def _read(path: Path) -> Any:
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AssessmentError([Problem(source, "(file)", "an existing file", "no such file")]) from None
    except OSError as err:
        raise AssessmentError([Problem(source, "(file)", "a readable file", err.strerror or str(err))]) from None
    if not path.is_file():
        raise AssessmentError([Problem(source, "(file)", "a file", "a directory or special file")])
    if size > MAX_FILE_BYTES:
        raise AssessmentError([Problem(source, "(file)", f"at most {MAX_FILE_BYTES:,} bytes", f"{size:,} bytes")])
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise AssessmentError([Problem(source, "(file)", "a readable file", err.strerror or str(err))]) from None
    if not raw.strip():
        raise AssessmentError([Problem(source, "(file)", "an assessment (YAML or JSON)", "an empty file")])
    if b"\x00" in raw:
        raise AssessmentError([Problem(source, "(file)", "a text file (YAML or JSON)", "binary data")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AssessmentError([Problem(source, "(file)", "UTF-8 text",
                                       f"an undecodable byte at position {err.start}")]) from None
    return _parse_text(text, source, path.suffix.lower())


# --------------------------------------------------------------------------- validation


def _field(path) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


def _schema_problems(doc: Any, source: str) -> list[Problem]:
    import jsonschema

    if _surely_valid(doc):
        return []
    if "validator" not in _SCHEMA_CACHE:
        _SCHEMA_CACHE["validator"] = jsonschema.Draft202012Validator(_assessment_schema())
    validator = _SCHEMA_CACHE["validator"]
    if validator.is_valid(doc):
        return []
    problems = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        where = _field(err.absolute_path)
        v = err.validator
        if v == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            problems.append(Problem(source, f"{where}.{missing}" if err.absolute_path else missing,
                                    "this field (see ASSESSMENT-FORMAT.md)", "nothing"))
        elif v == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for name in extra:
                known = sorted(err.schema.get("properties", {}))
                problems.append(Problem(source, f"{where}.{name}" if err.absolute_path else str(name),
                                        "only known fields: " + ", ".join(known), "an unknown field"))
        elif v == "oneOf" and err.absolute_path and err.absolute_path[-1] == "level":
            problems.append(Problem(source, where, 'a level 0, 1, 2 or 3, "n/a", or nothing for unanswered',
                                    _short(err.instance)))
        elif v in ("enum", "const"):
            allowed = err.validator_value if v == "enum" else [err.validator_value]
            problems.append(Problem(source, where, "one of " + ", ".join(json.dumps(a) for a in allowed),
                                    _short(err.instance)))
        elif v == "type":
            problems.append(Problem(source, where, f"a {err.validator_value}", _short(err.instance)))
        elif v == "maxLength":
            problems.append(Problem(source, where, f"at most {err.validator_value} characters",
                                    f"{len(err.instance)} characters"))
        elif v == "minLength":
            problems.append(Problem(source, where, "a non-empty text", "an empty text"))
        elif v == "pattern" and where == "date":
            problems.append(Problem(source, where, "a date written YYYY-MM-DD", _short(err.instance)))
        elif v == "pattern" and where == "rubric.version":
            problems.append(Problem(source, where, 'a version such as "1.0" (in quotes)', _short(err.instance)))
        elif v == "propertyNames":
            problems.append(Problem(source, where, "criterion ids in lowercase-with-hyphens",
                                    _short(err.instance)))
        else:
            problems.append(Problem(source, where, err.message[:200]))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


_SCHEMA_CACHE: dict = {}

_TOP_FIELDS = {"format", "format_version", "rubric", "scope", "team", "product", "model_type", "lifecycle_stage",
               "date", "assessor", "notes", "migrations", "answers"}
_REQUIRED = {"format", "format_version", "rubric", "team", "product", "model_type", "lifecycle_stage", "date",
             "answers"}
_MODEL_TYPES = {"narrow", "advanced-narrow", "general-purpose"}
_STAGES = {"problem-formulation", "data", "development", "evaluation", "deployment", "post-deployment"}
_ANSWER_FIELDS = {"level", "evidence", "notes"}
_RE = __import__("re")
_ID_RX = _RE.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_DATE_RX = _RE.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_VERSION_RX = _RE.compile(r"[0-9]+\.[0-9]+")


def _text(value, lo: int, hi: int) -> bool:
    return type(value) is str and lo <= len(value) <= hi


def _surely_valid(doc) -> bool:
    """A fast check that is at least as strict as assessment.schema.json: True only when the
    schema would accept the document (tests/test_assessment.py checks this against jsonschema).
    When it says False, the schema validator runs and names the problems."""
    if type(doc) is not dict or not _REQUIRED <= doc.keys() <= _TOP_FIELDS:
        return False
    rub = doc["rubric"]
    if not (doc["format"] == "pai-assessment" and type(doc["format_version"]) is int and doc["format_version"] == 1
            and type(rub) is dict and rub.keys() == {"id", "version"} and rub["id"] == "engagement-plan"
            and type(rub["version"]) is str and _VERSION_RX.fullmatch(rub["version"])
            and doc.get("scope", "full") in ("full", "short") and type(doc.get("scope", "full")) is str
            and _text(doc["team"], 1, 200) and _text(doc["product"], 1, 200)
            and type(doc["model_type"]) is str and doc["model_type"] in _MODEL_TYPES
            and type(doc["lifecycle_stage"]) is str and doc["lifecycle_stage"] in _STAGES
            and type(doc["date"]) is str and _DATE_RX.fullmatch(doc["date"])
            and _text(doc.get("assessor", ""), 0, 200) and _text(doc.get("notes", ""), 0, 20000)):
        return False
    migrations = doc.get("migrations", [])
    if type(migrations) is not list or len(migrations) > 100 or not all(_text(m, 0, 2000) for m in migrations):
        return False
    answers = doc["answers"]
    if type(answers) is not dict or len(answers) > 200:
        return False
    for cid, ans in answers.items():
        if not (type(cid) is str and len(cid) <= 60 and _ID_RX.fullmatch(cid)):
            return False
        if type(ans) is not dict or not ans.keys() <= _ANSWER_FIELDS:
            return False
        level = ans.get("level")
        if not (level is None or level == "n/a" and type(level) is str or type(level) is int and 0 <= level <= 3):
            return False
        if not (_text(ans.get("evidence", ""), 0, 20000) and _text(ans.get("notes", ""), 0, 20000)):
            return False
    return True


def _assessment_schema() -> dict:
    if "schema" not in _SCHEMA_CACHE:
        with open(RUBRIC_DIR / "assessment.schema.json", encoding="utf-8") as fh:
            _SCHEMA_CACHE["schema"] = json.load(fh)
    return _SCHEMA_CACHE["schema"]


def _check_header(doc: Mapping, source: str) -> None:
    """Checks that decide whether the rest can be read at all: format, versions, rubric id."""
    if doc.get("format") != FORMAT:
        raise AssessmentError([Problem(source, "format", f'"{FORMAT}" (is this a self-assessment file?)',
                                       _short(doc.get("format")) if "format" in doc else "nothing")])
    fv = doc.get("format_version")
    if not isinstance(fv, int) or isinstance(fv, bool):
        raise AssessmentError([Problem(source, "format_version", f"the integer {FORMAT_VERSION}", _short(fv))])
    if fv > FORMAT_VERSION:
        raise AssessmentError([Problem(source, "format_version",
                                       f"{FORMAT_VERSION} or lower: this file was written by a newer toolkit; "
                                       "update the toolkit to read it", str(fv))])
    if fv != FORMAT_VERSION:
        raise AssessmentError([Problem(source, "format_version", f"{FORMAT_VERSION}", str(fv))])
    rub = doc.get("rubric")
    if not isinstance(rub, Mapping):
        raise AssessmentError([Problem(source, "rubric", f'{{id: {RUBRIC_ID}, version: "{CURRENT_VERSION}"}}',
                                       _short(rub))])
    if rub.get("id") != RUBRIC_ID:
        raise AssessmentError([Problem(source, "rubric.id", f'"{RUBRIC_ID}"', _short(rub.get("id")))])
    version = rub.get("version")
    if isinstance(version, float):  # an unquoted 1.0 in YAML
        version = repr(version)
    if not isinstance(version, str):
        raise AssessmentError([Problem(source, "rubric.version", f'a version such as "{CURRENT_VERSION}"',
                                       _short(version))])
    try:
        key = _version_key(version)
    except ValueError:
        raise AssessmentError([Problem(source, "rubric.version", f'a version such as "{CURRENT_VERSION}"',
                                       _short(version))]) from None
    if key > _version_key(CURRENT_VERSION):
        raise AssessmentError([Problem(source, "rubric.version",
                                       f"{CURRENT_VERSION} or older: this file uses a newer rubric; "
                                       "update the toolkit to score it", _short(version))])
    if version != CURRENT_VERSION and version not in MIGRATIONS:
        known = ", ".join(sorted(set(MIGRATIONS) | {CURRENT_VERSION}, key=_version_key))
        raise AssessmentError([Problem(source, "rubric.version",
                                       f"a version this toolkit can read or migrate ({known})", _short(version))])
    if isinstance(rub.get("version"), float):
        rub = dict(rub, version=version)
        doc["rubric"] = rub
    answers = doc.get("answers")
    if isinstance(answers, Mapping) and len(answers) > MAX_ANSWERS:
        raise AssessmentError([Problem(source, "answers", f"at most {MAX_ANSWERS} answers (the rubric has about 50)",
                                       f"{len(answers):,} answers")])


def _semantic_problems(doc: Mapping, rubric: Rubric, source: str) -> list[Problem]:
    problems = []
    ids = rubric.by_id
    for cid, ans in doc["answers"].items():
        if cid not in ids:
            close = difflib.get_close_matches(cid, list(ids), n=1)
            hint = f" - did you mean {close[0]!r}?" if close else " (list them with `python -m widgets rubric`)"
            problems.append(Problem(source, f"answers.{cid}",
                                    f"a criterion id of rubric {rubric.id} {rubric.version}{hint}",
                                    "an unknown criterion"))
            continue
        if ans.get("level") == NOT_APPLICABLE and not ids[cid].not_applicable_if:
            problems.append(Problem(source, f"answers.{cid}.level",
                                    "a level 0-3: this question applies to every plan, so it cannot be n/a",
                                    '"n/a"'))
        if len(problems) >= MAX_PROBLEMS:
            break
    for i, act in enumerate(doc.get("actions", [])):
        if act["criterion"] not in ids:
            problems.append(Problem(source, f"actions[{i}].criterion", f"a criterion id of rubric {rubric.id} {rubric.version}",
                                    repr(act["criterion"])))
    # Answers outside the short version are kept in the file but do not count: not an error.
    return problems


def _normalise(value: Any) -> Any:
    """Make YAML-specific values JSON-like: dates to ISO text, integral floats in levels stay floats."""
    import datetime as _dt

    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, str) else k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]
    return value


def load_assessment(path_or_dict: str | Path | Mapping, rubric: Rubric | None = None) -> Assessment:
    """Load a self-assessment from a YAML/JSON file path or a mapping; validate and migrate it.

    Raises :class:`AssessmentError` listing every problem (file, field, what was expected).
    Files made with an older rubric version are migrated (see ``MIGRATIONS``); the notes are in
    ``Assessment.migrations``. The format is documented in ``widgets/rubric/ASSESSMENT-FORMAT.md``.
    """
    if isinstance(path_or_dict, Mapping):
        source = "<data>"
    elif isinstance(path_or_dict, (str, Path)):
        source = str(path_or_dict)
    else:
        raise TypeError("load_assessment expects a file path or a mapping")
    try:
        raw = path_or_dict if isinstance(path_or_dict, Mapping) else _read(Path(path_or_dict))
        doc = _normalise(raw)
    except RecursionError:
        raise AssessmentError([Problem(source, "(file)", "a shallow YAML/JSON structure", "nesting too deep")]) from None
    if not isinstance(doc, dict):
        raise AssessmentError([Problem(source, "(top level)", "a mapping of fields (format, team, answers, ...)",
                                       _short(doc))])
    _check_header(doc, source)
    problems = _schema_problems(doc, source)
    if problems:
        raise AssessmentError(problems)
    # Integral floats such as 2.0 pass the schema's "integer"; store them as int.
    for ans in doc["answers"].values():
        if isinstance(ans.get("level"), float):
            ans["level"] = int(ans["level"])
    doc, notes = migrate(doc, source)
    rubric = rubric or load_rubric(CURRENT_VERSION)
    problems = _semantic_problems(doc, rubric, source)
    if problems:
        raise AssessmentError(problems)
    answers = {cid: Answer(level=a.get("level"), evidence=a.get("evidence", ""), notes=a.get("notes", ""))
               for cid, a in doc["answers"].items()}
    return Assessment(
        team=doc["team"], product=doc["product"], model_type=doc["model_type"],
        lifecycle_stage=doc["lifecycle_stage"], date=doc["date"], answers=answers,
        rubric_version=doc["rubric"]["version"], scope=doc.get("scope", "full"),
        assessor=doc.get("assessor", ""), notes=doc.get("notes", ""),
        rater=doc.get("rater", ""), round=doc.get("round"),
        actions=tuple(dict(x) for x in doc.get("actions", [])),
        migrations=tuple(doc.get("migrations", [])) + tuple(notes), source=source,
    )


def validate_file(path_or_dict: str | Path | Mapping) -> list[Problem]:
    """Return the problems of an assessment file (an empty list if it is valid)."""
    try:
        load_assessment(path_or_dict)
    except AssessmentError as err:
        return err.problems
    return []
