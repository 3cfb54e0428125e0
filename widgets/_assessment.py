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
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ._files import (  # noqa: F401 - MAX_* and Problem are part of this module's documented surface
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    Collector,
    InputError,
    Problem,
    field_name,
    is_blank,
    is_date,
    load_file,
    scan,
    schema_errors,
)
from ._files import short as _short
from ._scoring import CURRENT_VERSION, NOT_APPLICABLE, RUBRIC_DIR, RUBRIC_ID, Rubric, load_rubric

FORMAT = "pai-assessment"
FORMAT_VERSION = 1
MAX_ANSWERS = 200
PLAN_FIELDS = ("team", "product", "model_type", "lifecycle_stage", "date")
#: Fictional example assessments shipped with the toolkit (scored in the book's scales chapter).
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


# --------------------------------------------------------------------------- errors
# Problem, the size and problem limits and the readers are the input contract of widgets/_files.py,
# shared by every loader of the toolkit.


class AssessmentError(InputError):
    """An assessment file could not be loaded. ``problems`` lists the problems found (at most
    ``MAX_PROBLEMS``)."""

    what = "the assessment file"


# --------------------------------------------------------------------------- the Assessment


@dataclass(frozen=True)
class Answer:
    """One answer: a level (0-3, "n/a" or None for unanswered), with optional evidence and notes.

    ``partial`` (only with level 1) says the plan does part of what the level-2 descriptor names
    and is not what the level-1 descriptor describes (FILLING.md rule 6); the scorer keeps the
    level and its points and spares the flags the question raises at level 1 only.
    ``by_group`` holds the answers given per participant group (group id -> ``Answer``) for the
    questions the rubric asks per group; a group without its own answer takes ``level``.
    """

    level: int | str | None = None
    evidence: str = ""
    notes: str = ""
    by_group: Mapping[str, "Answer"] = field(default_factory=dict)
    partial: bool = False

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"level": self.level}
        if self.partial:
            out["partial"] = True
        if self.evidence:
            out["evidence"] = self.evidence
        if self.notes:
            out["notes"] = self.notes
        if self.by_group:
            out["by_group"] = {gid: a.to_dict() for gid, a in self.by_group.items()}
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
    context: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[dict, ...] = ()
    levels: dict[str, Any] = field(init=False, repr=False, compare=False)
    group_levels: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False)
    _plan: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "levels", {cid: a.level for cid, a in self.answers.items()})
        object.__setattr__(self, "group_levels", {cid: {g: ga.level for g, ga in a.by_group.items()}
                                                  for cid, a in self.answers.items() if a.by_group})
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
        if self.context:
            out["context"] = dict(self.context)
        if self.groups:
            out["groups"] = [dict(g) for g in self.groups]
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


#: Rubric 1.0 questions renamed in 2.0 with the same meaning (their answers move).
RENAMED_1_0 = {"accountable-sponsor": "accountable-decision-holder", "policy-gate": "standing-rule",
               "living-wage-contracts": "living-wage", "safety-risks": "identification-risk"}
#: Rubric 1.0 questions with no 2.0 question of the same meaning: their answers are kept in the
#: assessment's notes, word for word, and no longer count.
RETIRED_1_0 = ("target-level-chosen", "refresh-participants", "pay-prompt", "pilot-instructions", "protect-dissent",
               "fair-aggregation", "failure-log", "sourcing-guidelines", "worker-monitoring", "worker-voice")


def migrate_1_0_to_2_0(doc: dict) -> tuple[dict, list[str]]:
    """Rubric 1.0 -> 2.0.

    - answers to questions whose meaning is the same are carried, level, evidence and notes;
      four of them were renamed (``RENAMED_1_0``);
    - answers to the 1.0 questions that 2.0 retired (``RETIRED_1_0``) are copied, word for word,
      into the assessment's ``notes`` and no longer count;
    - the plan context is set to its defaults (a product lifecycle, a company, people take part),
      which was what rubric 1.0 assumed, and the team is asked to check it;
    - the notes name every 2.0 question the file does not answer yet, so the team knows exactly
      which to answer (the scorer lists them as unanswered, never as 0).
    """
    step = "1.0 -> 2.0"
    doc = copy.deepcopy(doc)
    answers = doc.setdefault("answers", {})
    notes: list[str] = []
    problems: list[tuple[str, str]] = []
    for old, new in RENAMED_1_0.items():
        _rename(answers, old, new, notes, step, problems)
    if problems:
        raise _MigrationConflict(problems)
    kept = []
    for cid in RETIRED_1_0:
        if cid in answers:
            old = answers.pop(cid)
            parts = [f"level {json.dumps(old.get('level'))}"]
            if old.get("evidence"):
                parts.append("evidence: " + old["evidence"])
            if old.get("notes"):
                parts.append("notes: " + old["notes"])
            if old.get("partial") is True:
                parts.append("partial: true")
            kept.append(f"- {cid} (rubric 1.0): " + "; ".join(parts))
    if kept:
        block = "Answers to rubric 1.0 questions that rubric 2.0 no longer asks:\n" + "\n".join(kept)
        doc["notes"] = (doc["notes"].rstrip() + "\n\n" + block) if doc.get("notes") else block
        notes.append(f"{step}: {len(kept)} answer(s) to retired questions kept in the notes, word for word: "
                     + ", ".join(cid for cid in RETIRED_1_0 if f"- {cid} " in "\n".join(kept)) + ".")
    if "context" not in doc:
        from ._scoring import CONTEXT_DEFAULTS

        doc["context"] = dict(CONTEXT_DEFAULTS)
        notes.append(f"{step}: plan context set to what rubric 1.0 assumed (process: product-lifecycle, "
                     "convener: company, participants: people-take-part); check it and change it if it does not fit.")
    rubric = load_rubric("2.0")
    notes.extend(questions_to_answer(step, rubric, [c for c in rubric.criteria
                                                    if (answers.get(c.id) or {}).get("level") is None]))
    doc["rubric"] = {"id": RUBRIC_ID, "version": "2.0"}
    return doc, notes


def questions_to_answer(step: str, rubric, todo: list) -> list[str]:
    """The notes that ask a team to answer the questions ``todo`` (criteria of ``rubric``).

    The form shows each question by its text under its section's title, never by its id, so the
    notes name them the same way: one note with the count, then one note per section listing its
    questions' texts (a saved note may hold 2,000 characters, and every question of the longest
    section fits in one). The ids stay where a program reads them: the answers of the saved file
    and the JSON report. The page's twin is ``questionsToAnswer`` in
    ``widgets/static/assessment/migrate.js``, which also makes each question a link to it.
    """
    if not todo:
        return []
    n = len(todo)
    notes = [f"{step}: please answer the {n} {'question' if n == 1 else 'questions'} new or not yet answered in "
             f"rubric {rubric.version}; {'it is' if n == 1 else 'each is'} named below with its section."]
    for theme in rubric.data["themes"]:
        texts = [c.question for c in todo if c.theme == theme["id"]]
        if texts:
            notes.append(f"{step}: to answer in “{theme['title']}”: " + "; ".join(f"“{t}”" for t in texts) + ".")
    return notes


class _MigrationConflict(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems


#: from-version -> (to-version, function). Applied in a chain until the current version.
MIGRATIONS: dict[str, tuple[str, Callable[[dict], tuple[dict, list[str]]]]] = {
    "0.9": ("1.0", migrate_0_9_to_1_0),
    "1.0": ("2.0", migrate_1_0_to_2_0),
}
#: Criterion ids of older rubric versions that the migrations know (for error messages).
RETIRED_IDS = {"0.9": {"participants-paid", "feedback-loop", "consent"},
               "1.0": set(RENAMED_1_0) | set(RETIRED_1_0)}


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


# --------------------------------------------------------------------------- validation


def _schema_problems(doc: Any, source: str) -> list[Problem]:
    import jsonschema

    if _surely_valid(doc):
        return []
    if "validator" not in _SCHEMA_CACHE:
        _SCHEMA_CACHE["validator"] = jsonschema.Draft202012Validator(_assessment_schema())
    validator = _SCHEMA_CACHE["validator"]
    if validator.is_valid(doc):
        return []
    problems: list[Problem] = []
    for err in schema_errors(validator, doc, MAX_PROBLEMS):
        where = field_name(err.absolute_path)
        v = err.validator
        if v == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            problems.append(Problem(source, f"{where}.{missing}" if err.absolute_path else missing,
                                    "this field (see ASSESSMENT-FORMAT.md)", "nothing"))
        elif v == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for name in extra[:MAX_PROBLEMS - len(problems)]:
                known = sorted(err.schema.get("properties", {}))
                problems.append(Problem(source, f"{where}.{name}" if err.absolute_path else str(name),
                                        "only known fields: " + ", ".join(known), "an unknown field"))
        elif "propertyNames" in err.schema_path:
            problems.append(Problem(source, where, "criterion ids in lowercase-with-hyphens",
                                    _short(err.instance)))
        elif v == "oneOf" and err.absolute_path and err.absolute_path[-1] == "level":
            problems.append(Problem(source, where, _LEVEL_EXPECTED, _short(err.instance)))
        elif v == "type" and err.absolute_path and err.absolute_path[-1] == "partial":
            problems.append(Problem(source, where, _PARTIAL_TYPE_EXPECTED, _short(err.instance)))
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
        else:
            problems.append(Problem(source, where, err.message[:200]))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


_SCHEMA_CACHE: dict = {}

_TOP_FIELDS = {"format", "format_version", "rubric", "scope", "team", "product", "model_type", "lifecycle_stage",
               "date", "assessor", "notes", "migrations", "answers", "context", "groups"}
_REQUIRED = {"format", "format_version", "rubric", "team", "product", "model_type", "lifecycle_stage", "date",
             "answers"}
_ANSWER_FIELDS = {"level", "evidence", "notes", "partial", "by_group"}
_CELL_FIELDS = {"level", "evidence", "notes", "partial"}
_CONTEXT_CHOICES = {"process": ("product-lifecycle", "single-decision", "standing-body"),
                    "convener": ("company", "public-body", "council-or-coop", "community-organisation"),
                    "participants": ("people-take-part", "inform-only")}
_ROLES = ("governance", "participants", "advisers", "workers", "data-contributors", "partners", "informed-only")
_RE = __import__("re")
_ID_RX = _RE.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_VERSION_RX = _RE.compile(r"[0-9]+\.[0-9]+")


def _text(value, lo: int, hi: int) -> bool:
    return type(value) is str and lo <= len(value) <= hi


def _surely_valid(doc) -> bool:
    """A fast check that is at least as strict as assessment.schema.json: True only when the
    schema would accept the document (tests/test_assessment.py checks this against jsonschema).
    When it says False, the schema validator runs and names the problems."""
    if type(doc) is not dict or not _REQUIRED <= doc.keys() <= _TOP_FIELDS:
        return False
    model_types, stages = _plan_choices()
    rub = doc["rubric"]
    if not (doc["format"] == "pai-assessment" and type(doc["format_version"]) is int and doc["format_version"] == 1
            and type(rub) is dict and rub.keys() == {"id", "version"} and rub["id"] == "engagement-plan"
            and type(rub["version"]) is str and _VERSION_RX.fullmatch(rub["version"])
            and doc.get("scope", "full") in ("full", "short") and type(doc.get("scope", "full")) is str
            and _text(doc["team"], 1, 200) and _text(doc["product"], 1, 200)
            and type(doc["model_type"]) is str and doc["model_type"] in model_types
            and type(doc["lifecycle_stage"]) is str and doc["lifecycle_stage"] in stages
            and is_date(doc["date"]) and not is_blank(doc["team"]) and not is_blank(doc["product"])
            and _text(doc.get("assessor", ""), 0, 200) and _text(doc.get("notes", ""), 0, 20000)):
        return False
    migrations = doc.get("migrations", [])
    if type(migrations) is not list or len(migrations) > 100 or not all(_text(m, 0, 2000) for m in migrations):
        return False
    context = doc.get("context", {})
    if type(context) is not dict or not all(type(k) is str and k in _CONTEXT_CHOICES and type(v) is str
                                            and v in _CONTEXT_CHOICES[k] for k, v in context.items()):
        return False
    groups = doc.get("groups", [])
    if type(groups) is not list or len(groups) > 20:
        return False
    for g in groups:
        if not (type(g) is dict and g.keys() == {"id", "label", "role"} and type(g["id"]) is str
                and len(g["id"]) <= 60 and _ID_RX.fullmatch(g["id"]) and _text(g["label"], 1, 200)
                and type(g["role"]) is str and g["role"] in _ROLES):
            return False
    answers = doc["answers"]
    if type(answers) is not dict or len(answers) > 200:
        return False
    for cid, ans in answers.items():
        if not (type(cid) is str and len(cid) <= 60 and _ID_RX.fullmatch(cid)):
            return False
        if type(ans) is not dict or not ans.keys() <= _ANSWER_FIELDS or not _cell_ok(ans):
            return False
        cells = ans.get("by_group", {})
        if type(cells) is not dict or len(cells) > 20:
            return False
        for gid, cell in cells.items():
            if not (type(gid) is str and len(gid) <= 60 and _ID_RX.fullmatch(gid) and type(cell) is dict
                    and cell.keys() <= _CELL_FIELDS and _cell_ok(cell)):
                return False
    return True


def _cell_ok(ans: dict) -> bool:
    if not _level_ok(ans.get("level")):
        return False
    return (type(ans.get("partial", False)) is bool and _text(ans.get("evidence", ""), 0, 20000)
            and _text(ans.get("notes", ""), 0, 20000))


@functools.lru_cache(maxsize=1)
def _plan_choices() -> tuple[frozenset[str], frozenset[str]]:
    """The model types and lifecycle stages a plan may name: the rubric's, its one home."""
    rubric = load_rubric(CURRENT_VERSION)
    return frozenset(rubric.model_type_ids), frozenset(rubric.stage_ids)


def _assessment_schema() -> dict:
    """assessment.schema.json, with the model types and lifecycle stages read from the rubric (the
    published file lists the same ones, for validators outside this toolkit; a test keeps them equal)."""
    if "schema" not in _SCHEMA_CACHE:
        with open(RUBRIC_DIR / "assessment.schema.json", encoding="utf-8") as fh:
            schema = json.load(fh)
        rubric = load_rubric(CURRENT_VERSION)
        schema["properties"]["model_type"]["enum"] = list(rubric.model_type_ids)
        schema["properties"]["lifecycle_stage"]["enum"] = list(rubric.stage_ids)
        _SCHEMA_CACHE["schema"] = schema
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
                                       "update the toolkit to read it", _short(fv))])
    if fv != FORMAT_VERSION:
        raise AssessmentError([Problem(source, "format_version", f"{FORMAT_VERSION}", _short(fv))])
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
    groups = doc.get("groups", [])
    roles = {}
    for i, g in enumerate(groups):
        if g["id"] in roles:
            problems.append(Problem(source, f"groups.{i + 1}.id", "a group id used once", repr(g["id"])))
        roles[g["id"]] = g["role"]
    for cid, ans in doc["answers"].items():
        if cid not in ids:
            close = difflib.get_close_matches(cid, list(ids), n=1)
            hint = f" - did you mean {close[0]!r}?" if close else " (list them with `python -m widgets rubric`)"
            problems.append(Problem(source, f"answers.{cid}",
                                    f"a criterion id of rubric {rubric.id} {rubric.version}{hint}",
                                    "an unknown criterion"))
            continue
        crit = ids[cid]
        if ans.get("level") == NOT_APPLICABLE and not crit.not_applicable_if:
            problems.append(Problem(source, f"answers.{cid}.level", _NA_EXPECTED, '"n/a"'))
        if not partial_ok(ans.get("partial"), ans.get("level")):
            problems.append(_partial_problem(source, f"answers.{cid}", ans.get("level")))
        cells = ans.get("by_group") or {}
        if cells and not crit.per_group:
            problems.append(Problem(source, f"answers.{cid}.by_group",
                                    "one answer for the whole plan: this question is not asked per group "
                                    "(give its level directly)", "answers per group"))
            cells = {}
        for gid, cell in cells.items():
            where = f"answers.{cid}.by_group.{gid}"
            if gid not in roles:
                known = ", ".join(roles) or "none declared"
                problems.append(Problem(source, where, f"a group id declared under groups ({known})", "an unknown group"))
            elif roles[gid] not in crit.group_roles:
                problems.append(Problem(source, where,
                                        f"a group whose role this question is asked of ({', '.join(crit.group_roles)})",
                                        f"a group with role {roles[gid]!r}"))
            else:
                if cell.get("level") == NOT_APPLICABLE and not crit.not_applicable_if:
                    problems.append(Problem(source, f"{where}.level", _NA_EXPECTED, '"n/a"'))
                if not partial_ok(cell.get("partial"), cell.get("level")):
                    problems.append(_partial_problem(source, where, cell.get("level")))
        if len(problems) >= MAX_PROBLEMS:
            break
    for i, act in enumerate(doc.get("actions", [])):
        if act["criterion"] not in ids:
            problems.append(Problem(source, f"actions[{i}].criterion", f"a criterion id of rubric {rubric.id} {rubric.version}",
                                    repr(act["criterion"])))
    # Answers outside the short version are kept in the file but do not count: not an error.
    return problems


_LEVEL_EXPECTED = 'a level 0, 1, 2 or 3, "n/a", or nothing for unanswered'
_NA_EXPECTED = "a level 0-3: this question applies to every plan, so it cannot be n/a"
_PARTIAL_TYPE_EXPECTED = ("true or false (partial: true marks a level-1 answer that does part of level 2; "
                          "write true, or remove it)")
_PARTIAL_LEVEL_EXPECTED = "level 1 with partial: true (partial is only for level 1: remove it, or set level 1)"


def partial_ok(partial: Any, level: Any) -> bool:
    """Whether an answer's ``partial`` fits its level: absent or false with any level, true only
    with level 1 (a boolean is checked by the schema first)."""
    return partial is not True or (type(level) is int and level == 1)


def _partial_problem(source: str, where: str, level: Any) -> Problem:
    return Problem(source, f"{where}.partial", _PARTIAL_LEVEL_EXPECTED, f"partial: true with level {json.dumps(level)}")


def validate_plan(plan: Mapping, rubric: Rubric, source: str = "<data>") -> None:
    """The answer rules of the file format, for a plan handed to ``score_plan`` as a mapping.

    Each answer is ``{"level": ...}``, a bare level, or an object with a ``level``; a level is
    an integer 0-3 (not a bool, a float or the text "3"), ``None`` for unanswered, or ``"n/a"``
    where the rubric allows it. Raises :class:`AssessmentError` naming each wrong answer.
    """
    scope = plan.get("scope")
    if scope is not None and not (type(scope) is str and scope in ("full", "short")):
        raise AssessmentError([Problem(source, "scope", 'one of "full", "short"', _short(scope))])
    context = plan.get("context")
    if context is not None and not (isinstance(context, Mapping)
                                    and all(type(k) is str and type(v) is str for k, v in context.items())):
        raise AssessmentError([Problem(source, "context", "a mapping of context question to option id, both text "
                                       "(for example {\"process\": \"single-decision\"})", _short(context))])
    groups = plan.get("groups")
    if groups is not None:
        if not isinstance(groups, (list, tuple)):
            raise AssessmentError([Problem(source, "groups", "a list of groups, each with a text id, label and role",
                                           _short(groups))])
        for i, g in enumerate(groups):
            fields = ((g.get("id"), g.get("role"), g.get("label", "")) if isinstance(g, Mapping)
                      else (getattr(g, "id", None), getattr(g, "role", None), getattr(g, "label", None)))
            if not all(type(x) is str for x in fields):
                raise AssessmentError([Problem(source, f"groups[{i}]", "a group with a text id, label and role "
                                               "(for example {id: panel, label: Panel, role: governance})", _short(g))])
    answers = plan.get("answers")
    if answers is None:
        return
    if not isinstance(answers, Mapping):
        raise AssessmentError([Problem(source, "answers", "a mapping of criterion id to answer", _short(answers))])
    found = Collector(source)
    by_id = rubric.by_id
    cells = []
    for cid, answer in answers.items():
        if isinstance(answer, Mapping):
            level, by_group, partial = answer.get("level"), answer.get("by_group"), answer.get("partial")
        else:
            level, by_group = getattr(answer, "level", answer), getattr(answer, "by_group", None)
            partial = getattr(answer, "partial", None)
        where = f"answers.{cid}" if isinstance(cid, str) else "answers"
        cells.append((cid, where, f"{where}.level" if isinstance(cid, str) else where, level, partial))
        if isinstance(by_group, Mapping):
            for gid, cell in by_group.items():
                if isinstance(cell, Mapping):
                    lv, part = cell.get("level"), cell.get("partial")
                else:
                    lv, part = getattr(cell, "level", cell), getattr(cell, "partial", None)
                cells.append((cid, f"{where}.by_group.{gid}", f"{where}.by_group.{gid}.level", lv, part))
    for cid, base, where, level, partial in cells:
        if partial is not None and type(partial) is not bool:
            if not found.add(f"{base}.partial", _PARTIAL_TYPE_EXPECTED, _short(partial)):
                break
        elif not partial_ok(partial, level) and _level_ok(level):
            problem = _partial_problem(source, base, level)
            if not found.add(problem.field, problem.expected, problem.found):
                break
        if level is None or (type(level) is int and 0 <= level <= 3):
            continue
        if level == NOT_APPLICABLE and type(level) is str:
            criterion = by_id.get(cid)
            if criterion is None or criterion.not_applicable_if:
                continue
            if not found.add(where, _NA_EXPECTED, '"n/a"'):
                break
        elif not found.add(where, _LEVEL_EXPECTED, _short(level)):
            break
    found.raise_if_any(AssessmentError)


def _level_ok(level: Any) -> bool:
    """A level the format allows at all: 0-3, ``None`` or "n/a"."""
    return level is None or type(level) is int and 0 <= level <= 3 or type(level) is str and level == NOT_APPLICABLE


def _plain(value: Any, source: str, depth: int = 0) -> Any:
    """A mapping given by a program as plain dicts and lists (keys as text), depth-limited."""
    if depth > MAX_DEPTH:
        raise AssessmentError([Problem(source, "(top level)", f"data nested at most {MAX_DEPTH} levels deep",
                                       "deeper nesting")])
    if isinstance(value, Mapping):
        return {k if isinstance(k, str) else str(k): _plain(v, source, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, source, depth + 1) for v in value]
    return value


def _field_problems(doc: dict, source: str) -> list[Problem]:
    """Rules the JSON Schema cannot say: a real date, required text that is not blank."""
    problems = []
    if not is_date(doc["date"]):
        problems.append(Problem(source, "date", "a real calendar date written YYYY-MM-DD, such as 2026-03-31",
                                _short(doc["date"])))
    for name in ("team", "product"):
        if is_blank(doc[name]):
            problems.append(Problem(source, name, "a name (this field cannot be blank)", _short(doc[name])))
    return problems


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
        if isinstance(path_or_dict, Mapping):
            collector = Collector(source)
            scan(path_or_dict, collector)
            collector.raise_if_any(AssessmentError)
            doc = _plain(path_or_dict, source)
        else:
            doc = load_file(Path(path_or_dict))
    except InputError as err:
        if isinstance(err, AssessmentError):
            raise
        raise AssessmentError(err.problems) from None
    if not isinstance(doc, dict):
        raise AssessmentError([Problem(source, "(top level)", "a mapping of fields (format, team, answers, ...)",
                                       _short(doc))])
    _check_header(doc, source)
    problems = _schema_problems(doc, source) or _field_problems(doc, source)
    if problems:
        raise AssessmentError(problems)
    # Integral floats such as 2.0 pass the schema's "integer"; store them as int.
    for ans in doc["answers"].values():
        for cell in [ans, *(ans.get("by_group") or {}).values()]:
            if isinstance(cell.get("level"), float):
                cell["level"] = int(cell["level"])
    doc, notes = migrate(doc, source)
    rubric = rubric or load_rubric(CURRENT_VERSION)
    problems = _semantic_problems(doc, rubric, source)
    if problems:
        raise AssessmentError(problems)
    answers = {cid: Answer(level=a.get("level"), evidence=a.get("evidence", ""), notes=a.get("notes", ""),
                           partial=a.get("partial", False),
                           by_group={gid: Answer(level=g.get("level"), evidence=g.get("evidence", ""),
                                                 notes=g.get("notes", ""), partial=g.get("partial", False))
                                     for gid, g in (a.get("by_group") or {}).items()})
               for cid, a in doc["answers"].items()}
    return Assessment(
        team=doc["team"], product=doc["product"], model_type=doc["model_type"],
        lifecycle_stage=doc["lifecycle_stage"], date=doc["date"], answers=answers,
        rubric_version=doc["rubric"]["version"], scope=doc.get("scope", "full"),
        assessor=doc.get("assessor", ""), notes=doc.get("notes", ""),
        rater=doc.get("rater", ""), round=doc.get("round"),
        actions=tuple(dict(x) for x in doc.get("actions", [])),
        migrations=tuple(doc.get("migrations", [])) + tuple(notes), source=source,
        context=dict(doc.get("context", {})), groups=tuple(dict(g) for g in doc.get("groups", [])),
    )


def validate_file(path_or_dict: str | Path | Mapping) -> list[Problem]:
    """Return the problems of an assessment file (an empty list if it is valid)."""
    try:
        load_assessment(path_or_dict)
    except AssessmentError as err:
        return err.problems
    return []
