"""The notebook host of the self-assessment: an anywidget over the same front-end as the static site.

The browser part is ``widgets/static/assessment.js`` (one ES module for both hosts; a notebook
loads it bundled, see :mod:`widgets._frontend`). Here the
kernel holds the answers, checks them, and recomputes the authoritative score with the reference
scorer (:func:`widgets._scoring.score_plan`) after every change, whether the change came from a
click in the notebook or from Python. Everything also works without a browser, so the widget can
be driven and tested headless. The book explains the method in "The rubric"
(``book/selfassessment/01-rubric.md``) and shows the widget in ``book/selfassessment/``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

import traitlets

from ._frontend import anywidget_base
from ._assessment import AssessmentError, Problem, load_assessment, validate_file
from ._scoring import NOT_APPLICABLE, Rubric, Score, load_rubric, score_plan
from ._reports import render_docx, render_markdown, score_report, ui_labels

PLAN_FIELDS = ("team", "product", "model_type", "lifecycle_stage", "date")
OPTIONAL_FIELDS = ("context", "groups", "assessor", "notes", "rater", "round", "actions", "migrations")

def new_assessment(rubric: Rubric, scope: str = "full") -> dict:
    """A blank assessment in the file format (the front-end's ``newAssessment``)."""
    return {
        "format": "pai-assessment",
        "format_version": 1,
        "rubric": {"id": rubric.id, "version": rubric.version},
        "scope": scope,
        "team": "",
        "product": "",
        "model_type": None,
        "lifecycle_stage": None,
        "date": _dt.date.today().isoformat(),
        "answers": {},
    }


class AssessmentWidget(anywidget_base("assessment.js", css="assessment.css")):
    """Fill in the engagement-plan self-assessment in a notebook, or drive it from Python.

    >>> w = AssessmentWidget(version="short", team="Search team")   # doctest: +SKIP
    >>> w.answer("early-start", 2, evidence="Kick-off notes, 3 March")  # doctest: +SKIP
    >>> w.result.band_id, w.report()[:40]                               # doctest: +SKIP

    ``version`` is ``"short"`` (about a dozen questions for first-time users) or ``"full"``;
    ``criteria`` shows a subset (a mini self-check). Answers are levels 0-3, or ``"n/a"`` where
    the rubric allows it. ``save(path)`` and ``load(path)`` use the same JSON/YAML file as the
    static page's download and upload. ``headless=True`` (or the environment variable
    ``PAI_WIDGETS_HEADLESS=1``) keeps the widget off the notebook connection: for scripts, tests
    and executed book pages.
    """

    rubric = traitlets.Dict().tag(sync=True)
    assessment = traitlets.Dict().tag(sync=True)
    score = traitlets.Dict().tag(sync=True)
    version = traitlets.Unicode("full").tag(sync=True)
    criteria = traitlets.List(traitlets.Unicode()).tag(sync=True)
    links = traitlets.Dict().tag(sync=True)
    errors = traitlets.List(traitlets.Unicode()).tag(sync=True)
    host = traitlets.Unicode("kernel").tag(sync=True)

    def __init__(
        self,
        assessment: str | Path | Mapping | None = None,
        *,
        version: str = "full",
        criteria: Iterable[str] | None = None,
        rubric: Rubric | None = None,
        headless: bool | None = None,
        **plan: Any,
    ):
        self._rubric = rubric or load_rubric()
        if version not in ("short", "full"):
            raise ValueError(f"version must be 'short' or 'full', not {version!r}")
        criteria = list(criteria or [])
        unknown = [c for c in criteria if c not in self._rubric.by_id]
        if unknown:
            raise ValueError(f"unknown criterion id(s): {', '.join(unknown)}")
        self._result: Score | None = None
        extra = {}
        if headless or (headless is None and os.environ.get("PAI_WIDGETS_HEADLESS") == "1"):
            # No front-end connection: nothing is sent to a notebook, and an executed book page
            # keeps no widget state (which would make the page fetch a front-end from a CDN).
            from comm import DummyComm

            extra["comm"] = DummyComm(target_name="jupyter.widget")
        super().__init__(
            **extra,
            rubric=json.loads(json.dumps(dict(self._rubric.data))),
            version=version,
            criteria=criteria,
            assessment=new_assessment(self._rubric, version),
        )
        if assessment is not None:
            self.load(assessment)
        if plan:
            self.set_plan(**plan)
        if self._result is None:
            self._rescore()

    # ------------------------------------------------------------------ answers

    @traitlets.observe("assessment")
    def _on_assessment(self, change) -> None:
        self._rescore()

    def _rescore(self) -> None:
        doc = self.assessment or new_assessment(self._rubric, self.version)
        problems = self._problems(doc)
        self.errors = problems
        valid = {cid: a for cid, a in (doc.get("answers") or {}).items() if self._answer_ok(cid, a)}
        scored = {**doc, "answers": valid}
        if scored.get("scope") not in ("short", "full"):  # reported in errors; score what is shown
            scored["scope"] = "short" if self.version == "short" and not self.criteria else "full"
        self._result = score_plan(scored, self._rubric)
        self.score = self._result.to_dict()

    def _answer_ok(self, cid: str, answer: Any) -> bool:
        criterion = self._rubric.by_id.get(cid)
        if criterion is None or not isinstance(answer, Mapping):
            return False
        level = answer.get("level")
        return level is None or (type(level) is int and 0 <= level <= 3) or (
            level == NOT_APPLICABLE and criterion.not_applicable_if is not None
        )

    def _problems(self, doc: Mapping) -> list[str]:
        """File problems, except plan fields that are simply not filled in yet."""
        probe = dict(doc)
        # Stand-ins for empty plan fields, so that the answers are still checked (the loader stops
        # at structural problems before it checks criterion ids).
        fillers = {"team": "-", "product": "-", "model_type": self._rubric.model_type_ids[0],
                   "lifecycle_stage": self._rubric.stage_ids[0], "date": _dt.date.today().isoformat()}
        for key, value in fillers.items():
            if not probe.get(key):
                probe[key] = value
        return [f"{p.field}: expected {p.expected}" + (f" (found {p.found})" if p.found else "")
                for p in validate_file(probe)]

    def answer(self, criterion: str, level: int | str | None, *, evidence: str | None = None,
               notes: str | None = None, partial: bool | None = None) -> None:
        """Answer one question (level 0-3, ``"n/a"`` where allowed, ``None`` to clear).

        ``partial=True`` with level 1 says the plan does part of level 2 (the form's box under level
        1); with any other level it is refused. An answer moved off level 1 loses its tick, as in the
        form, since the file keeps ``partial`` with level 1 only.
        """
        c = self._rubric.by_id.get(criterion)
        if c is None:
            raise ValueError(f"unknown criterion id {criterion!r}; see widgets/rubric/engagement-plan.yaml")
        if not (level is None or (type(level) is int and 0 <= level <= 3) or
                (level == NOT_APPLICABLE and c.not_applicable_if)):
            allowed = "0, 1, 2, 3" + (' or "n/a"' if c.not_applicable_if else "") + " (or None to clear)"
            raise ValueError(f"{criterion}: level must be {allowed}, not {level!r}")
        if partial is not None and type(partial) is not bool:
            raise ValueError(f"{criterion}: partial must be True or False, not {partial!r}")
        if partial and level != 1:
            raise ValueError(f"{criterion}: partial is only for level 1 (part of level 2 in place), "
                             f"not level {level!r}: set level 1, or leave partial out")
        doc = copy.deepcopy(self.assessment)
        entry = {"level": None, **doc["answers"].get(criterion, {})}
        entry["level"] = level
        if partial is not None:
            entry["partial"] = partial
        if entry.get("partial") is not True or level != 1:
            entry.pop("partial", None)
        for key, value in (("evidence", evidence), ("notes", notes)):
            if value is not None:
                entry[key] = str(value)
            if not entry.get(key):
                entry.pop(key, None)
        if entry["level"] is None and len(entry) == 1:
            doc["answers"].pop(criterion, None)
        else:
            doc["answers"][criterion] = entry
        self.assessment = doc

    def answer_many(self, levels: Mapping[str, int | str | None]) -> None:
        """Answer several questions at once (one rescore)."""
        doc = copy.deepcopy(self.assessment)
        for cid, level in levels.items():
            c = self._rubric.by_id.get(cid)
            if c is None or not (level is None or (type(level) is int and 0 <= level <= 3) or
                                 (level == NOT_APPLICABLE and c.not_applicable_if)):
                raise ValueError(f"{cid}: not a criterion id, or {level!r} is not an allowed level")
            entry = {"level": None, **doc["answers"].get(cid, {})}
            entry["level"] = level
            if level != 1:
                entry.pop("partial", None)  # the file keeps "part of level 2" with level 1 only
            doc["answers"][cid] = entry
        self.assessment = doc

    def set_plan(self, **fields: Any) -> None:
        """Set plan fields: team, product, model_type, lifecycle_stage, date (and assessor, notes)."""
        unknown = [k for k in fields if k not in PLAN_FIELDS + ("assessor", "notes")]
        if unknown:
            raise ValueError(f"unknown plan field(s): {', '.join(unknown)}; known: {', '.join(PLAN_FIELDS)}, assessor, notes")
        doc = copy.deepcopy(self.assessment)
        doc.update(fields)
        self.assessment = doc

    @property
    def answers(self) -> dict[str, Any]:
        """Current levels by criterion id (unanswered questions are absent)."""
        return {cid: a.get("level") for cid, a in self.assessment.get("answers", {}).items()
                if a.get("level") is not None}

    @property
    def result(self) -> Score:
        """The authoritative score (a :class:`widgets._scoring.Score`)."""
        return self._result

    def in_view(self) -> list:
        """The criteria this widget shows, in rubric order."""
        if self.criteria:
            return [c for c in self._rubric.criteria if c.id in self.criteria]
        return list(self._rubric.in_scope(self.version))

    # ------------------------------------------------------------------ files

    def to_file_dict(self) -> dict:
        """The assessment as saved: only the fields the format knows."""
        doc = self.assessment
        out = new_assessment(self._rubric, doc.get("scope") or self.version)
        for key in PLAN_FIELDS:
            if key in doc:
                out[key] = doc[key]
        for key in OPTIONAL_FIELDS:
            if doc.get(key):
                out[key] = doc[key]
        out["answers"] = {}
        def cell(a: Mapping) -> dict:
            entry = {"level": a.get("level")}
            if a.get("partial") is True:
                entry["partial"] = True
            for key in ("evidence", "notes"):
                if a.get(key):
                    entry[key] = a[key]
            return entry

        for cid, a in doc.get("answers", {}).items():
            entry = cell(a)
            if a.get("by_group"):
                entry["by_group"] = {gid: cell(g) for gid, g in a["by_group"].items()}
            out["answers"][cid] = entry
        return out

    def save(self, path: str | Path) -> Path:
        """Save as JSON (``.json``) or YAML (``.yaml``/``.yml``), the format the page uploads.

        Refuses, naming each field to fix, if the file would not load again (for example the team
        name is empty); the answers stay in the widget either way.
        """
        path = Path(path)
        doc = self.to_file_dict()
        problems = validate_file(doc)
        if problems:
            raise AssessmentError([Problem(str(path), p.field, p.expected, p.found) for p in problems])
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        else:
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")
        return path

    def load(self, source: str | Path | Mapping) -> None:
        """Replace the answers with a saved assessment (path or mapping), validated and migrated.

        Raises :class:`widgets._assessment.AssessmentError` naming every problem; the current
        answers are kept unchanged in that case.
        """
        loaded = load_assessment(source, self._rubric)
        doc = loaded.to_dict()
        if not self.criteria:
            self.version = doc.get("scope", self.version)
        self.assessment = doc
        # The validated object is authoritative (it carries migration notes).
        self._result = score_plan(loaded, self._rubric)
        self.score = self._result.to_dict()

    # ------------------------------------------------------------------ outputs

    def report(self) -> str:
        """The result as Markdown, identical to the static page's "Download report"."""
        return markdown_report(
            self._rubric, self.assessment, self.score, self.links,
            list(self.criteria) if self.criteria else None,
        )

    def report_docx(self) -> bytes:
        """The same report as :meth:`report` as a Word document (.docx bytes), to save with
        ``Path("report.docx").write_bytes(w.report_docx())``."""
        return render_docx(score_report(
            self._rubric, self.assessment, self.score, self.links,
            list(self.criteria) if self.criteria else None,
        ))

    def to_dataframe(self):
        """One row per question in view: answer, points, flags, evidence and the next step."""
        import pandas as pd

        contributions = {c["criterion"]: c for c in self.score["contributions"]}
        scale = {lv["level"]: lv["name"] for lv in self._rubric.data["scale"]}
        themes = self._rubric.themes
        rows = []
        for c in self.in_view():
            contrib = contributions.get(c.id, {})
            ans = self.assessment.get("answers", {}).get(c.id, {})
            level = ans.get("level")
            rows.append({
                "theme": themes[c.theme]["title"],
                "criterion": c.id,
                "question": c.question,
                "level": level,
                "level_name": scale.get(level) if isinstance(level, int) else (
                    ui_labels()["not_applicable"] if level == NOT_APPLICABLE else None),
                # Level 1 with part of level 2 already in place (the form's box under level 1).
                "partial": ans.get("partial") is True and level == 1,
                "status": contrib.get("status", "unanswered"),
                "points": contrib.get("points", 0),
                "max_points": contrib.get("max_points", 0),
                "weight": c.weight,
                "flag": c.flag,
                "flag_raised": bool(contrib.get("flags")),
                "evidence": ans.get("evidence", ""),
                "notes": ans.get("notes", ""),
                "next_step": c.action,
                "who": c.who,
            })
        frame = pd.DataFrame(rows)
        # Levels mix integers, "n/a" and None: keep them as they are, not as floats.
        frame["level"] = pd.Series([row["level"] for row in rows], dtype=object)
        return frame


# ---------------------------------------------------------------------- Markdown report


def markdown_report(rubric: Rubric, assessment: Mapping, score: Mapping, links: Mapping | None = None,
                    criteria_ids: list[str] | None = None) -> str:
    """Markdown report of one scored assessment: the CLI's report (:func:`widgets._reports.score_report`),
    and the twin of ``markdownReport`` in ``widgets/static/lib/report.js``."""
    return render_markdown(score_report(rubric, assessment, score, links, criteria_ids))
