"""Loading assessment files: validation names every problem; old rubric versions migrate losslessly."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets import AssessmentError, load_assessment, load_rubric, score_plan
from widgets._assessment import MIGRATIONS, migrate_0_9_to_1_0
from widgets._scoring import CURRENT_VERSION

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "widgets" / "examples"
FIXTURES = ROOT / "tests" / "fixtures" / "assessments"


def minimal(**answers) -> dict:
    return {
        "format": "pai-assessment", "format_version": 1,
        "rubric": {"id": "engagement-plan", "version": CURRENT_VERSION},
        "team": "T", "product": "P", "model_type": "narrow", "lifecycle_stage": "data",
        "date": "2026-01-01", "answers": {k.replace("_", "-"): v for k, v in answers.items()},
    }


def problems_of(doc_or_path) -> list:
    with pytest.raises(AssessmentError) as info:
        load_assessment(doc_or_path)
    assert info.value.problems, "an AssessmentError always lists its problems"
    for p in info.value.problems:
        assert p.file and p.field and p.expected
    return info.value.problems


def test_minimal_dict_loads():
    a = load_assessment(minimal(purpose_stated={"level": 2, "evidence": "brief"}))
    assert a.answers["purpose-stated"].level == 2 and a.answers["purpose-stated"].evidence == "brief"
    assert a.levels == {"purpose-stated": 2} and a.scope == "full"


def test_yaml_and_json_load_the_same(tmp_path):
    doc = minimal(purpose_stated={"level": 2}, harmful_exposure={"level": "n/a"})
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(doc), encoding="utf-8")
    ya = load_assessment(tmp_path / "a.yaml")
    js = load_assessment(tmp_path / "a.json")
    assert ya.to_dict() == js.to_dict()
    assert score_plan(ya).to_dict() == score_plan(js).to_dict()


def test_round_trip_keeps_everything():
    a = load_assessment(EXAMPLES / "community-led.yaml")
    b = load_assessment(a.to_dict())
    assert a.to_dict() == b.to_dict()


def test_unquoted_yaml_date_and_version_are_accepted(tmp_path):
    text = (EXAMPLES / "inform-only.yaml").read_text(encoding="utf-8")
    text = text.replace('date: "2026-08-20"', "date: 2026-08-20").replace('version: "2.0"', "version: 2.0")
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    a = load_assessment(tmp_path / "x.yaml")
    assert a.date == "2026-08-20" and a.rubric_version == "2.0"


def test_every_problem_is_listed_with_field_and_expectation():
    doc = minimal(purpose_stated={"level": 5}, early_start={"level": "yes"}, no_such_thing={"level": 1})
    doc["model_type"] = "huge"
    del doc["team"]
    fields = {p.field for p in problems_of(doc)}
    assert {"team", "model_type", "answers.purpose-stated.level", "answers.early-start.level"} <= fields


def test_unknown_criterion_gets_a_suggestion():
    (p,) = problems_of(minimal(purpose_stat={"level": 1}))
    assert p.field == "answers.purpose-stat" and "purpose-stated" in p.expected


def test_na_only_where_the_rubric_allows_it():
    load_assessment(minimal(living_wage={"level": "n/a"}))
    (p,) = problems_of(minimal(pay_participants={"level": "n/a"}))
    assert p.field == "answers.pay-participants.level"


def test_unanswered_forms_are_equivalent():
    a = load_assessment(minimal(purpose_stated={"level": None, "notes": "to discuss"}, early_start={}))
    s = score_plan(a)
    assert s.overall.answered == 0 and s.overall.unanswered == len(s.levels)
    assert a.answers["purpose-stated"].notes == "to discuss"


def test_integral_float_level_becomes_int():
    a = load_assessment(minimal(purpose_stated={"level": 2.0}))
    assert a.levels["purpose-stated"] == 2 and type(a.levels["purpose-stated"]) is int


@pytest.mark.parametrize("value", [True, 1.5, -1, 4, "2", [], {}])
def test_bad_levels_are_rejected(value):
    (p,) = problems_of(minimal(purpose_stated={"level": value}))
    assert p.field == "answers.purpose-stated.level"


# ----------------------------------------------------------------------------- versions


def test_newer_rubric_version_is_a_clear_error():
    doc = minimal()
    doc["rubric"]["version"] = "3.0"
    (p,) = problems_of(doc)
    assert p.field == "rubric.version" and "update the toolkit" in p.expected


def test_unknown_old_rubric_version_names_known_versions():
    doc = minimal()
    doc["rubric"]["version"] = "0.3"
    (p,) = problems_of(doc)
    assert "0.9" in p.expected and "1.0" in p.expected


def test_newer_format_version_is_a_clear_error():
    doc = minimal()
    doc["format_version"] = 2
    (p,) = problems_of(doc)
    assert p.field == "format_version" and "newer toolkit" in p.expected


def test_not_an_assessment_file():
    (p,) = problems_of({"name": "something else"})
    assert p.field == "format"


def test_other_rubric_id():
    doc = minimal()
    doc["rubric"]["id"] = "another-rubric"
    (p,) = problems_of(doc)
    assert p.field == "rubric.id"


def test_every_old_version_has_a_migration_to_current():
    for version in MIGRATIONS:
        seen, v = set(), version
        while v != CURRENT_VERSION:
            assert v not in seen
            seen.add(v)
            v = MIGRATIONS[v][0]


def test_migration_0_9_fixture_loads_and_keeps_every_word():
    a = load_assessment(FIXTURES / "rubric-0.9.yaml")
    assert a.rubric_version == CURRENT_VERSION
    assert a.answers["pay-participants"].evidence.startswith("Advice-line callers")
    assert a.answers["report-back"].level == 1 and "newsletter" in a.answers["report-back"].notes
    assert a.answers["informed-consent"].level == 2
    assert a.answers["informed-consent"].notes == "Reviewed by the advice centre."
    assert a.answers["withdrawal"].level is None and "please answer" in a.answers["withdrawal"].notes.lower()
    # Three notes for 0.9 -> 1.0, then the context and the questions to answer for 1.0 -> 2.0 (a
    # note with their number, then one per section of the form that asks one of them).
    sections = {c.theme for c in load_rubric().criteria if a.levels.get(c.id) is None}
    assert len(a.migrations) == 5 + len(sections) and a.migrations[3].startswith("1.0 -> 2.0: plan context")
    assert a.migrations[4].startswith("1.0 -> 2.0: please answer the")
    assert not {"participants-paid", "feedback-loop", "consent"} & set(a.answers)
    # The split question is unconfirmed, not silently scored.
    score = score_plan(a)
    assert "no-withdrawal" in [f.flag for f in score.unconfirmed_flags]
    # Saving the migrated file and loading it again keeps the migration history.
    again = load_assessment(a.to_dict())
    assert again.migrations == a.migrations and again.rubric_version == CURRENT_VERSION


def _migrated_fixture(name, step):
    """A fixture's document, and what one migration step makes of it (checking it is left unchanged)."""
    doc = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    doc["date"] = str(doc["date"])
    before = copy.deepcopy(doc)
    new, notes = step(doc)
    assert doc == before, "migrations must not modify their input"
    return doc, new, notes


def test_migration_function_is_pure_and_small():
    doc, new, notes = _migrated_fixture("rubric-0.9.yaml", migrate_0_9_to_1_0)
    assert new["rubric"]["version"] == "1.0" and len(notes) == 3


def test_migration_conflict_is_reported():
    doc = minimal(participants_paid={"level": 1}, pay_participants={"level": 2})
    doc["rubric"]["version"] = "0.9"
    (p,) = problems_of(doc)
    assert p.field == "answers.participants-paid"


# ----------------------------------------------------------------------------- fast path


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, width=32)
    | st.sampled_from(["", "n/a", "1.0", "2026-01-01", "narrow", "data", "engagement-plan", "pai-assessment",
                       "x" * 201, "purpose-stated", "Bad Id"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["level", "evidence", "notes", "partial", "x"]),
                                                               inner, max_size=3),
    max_leaves=6,
)
_FIELDS = ["format", "format_version", "rubric", "scope", "team", "product", "model_type", "lifecycle_stage",
           "date", "assessor", "notes", "migrations", "answers", "extra"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_FIELDS + ["answer", "level", "delete"]), _JSON), max_size=4))
def test_fast_check_is_never_more_lenient_than_the_schema(mutations):
    import jsonschema

    from widgets._assessment import _assessment_schema, _surely_valid

    doc = load_assessment(EXAMPLES / "inform-only.yaml").to_dict()
    for field, value in mutations:
        if field == "delete":
            doc.pop(_FIELDS[len(str(value)) % len(_FIELDS)], None)
        elif field == "answer":
            doc.setdefault("answers", {})
            if isinstance(doc["answers"], dict):
                doc["answers"]["purpose-stated"] = value
        elif field == "level":
            if isinstance(doc.get("answers"), dict):
                doc["answers"]["early-start"] = {"level": value}
        else:
            doc[field] = value
    if _surely_valid(doc):
        assert jsonschema.Draft202012Validator(_assessment_schema()).is_valid(doc), doc


def test_model_types_and_stages_come_from_the_rubric():
    """The rubric is the one home of the model types and lifecycle stages; the published schema
    lists the same ones for outside validators, and a plan naming another one is refused."""
    import json

    from widgets import load_rubric
    from widgets._scoring import RUBRIC_DIR

    rubric = load_rubric()
    published = json.loads((RUBRIC_DIR / "assessment.schema.json").read_text(encoding="utf-8"))["properties"]
    assert published["model_type"]["enum"] == list(rubric.model_type_ids)
    assert published["lifecycle_stage"]["enum"] == list(rubric.stage_ids)
    doc = load_assessment(EXAMPLES / "inform-only.yaml").to_dict()
    for field, ids in (("model_type", rubric.model_type_ids), ("lifecycle_stage", rubric.stage_ids)):
        for value in ids:
            assert getattr(load_assessment({**doc, field: value}), field) == value
        with pytest.raises(AssessmentError) as err:
            load_assessment({**doc, field: "frontier"})
        assert any(p.field == field and all(json.dumps(i) in p.expected for i in ids) for p in err.value.problems)


# ----------------------------------------------------------------------------- rubric 1.0 -> 2.0


def test_migration_1_0_fixture_carries_answers_and_names_the_questions_to_answer():
    from widgets._assessment import RENAMED_1_0, RETIRED_1_0

    old = yaml.safe_load((FIXTURES / "rubric-1.0.yaml").read_text(encoding="utf-8"))["answers"]
    a = load_assessment(FIXTURES / "rubric-1.0.yaml")
    assert a.rubric_version == CURRENT_VERSION == "2.0"
    rubric = load_rubric()
    # Same meaning, same id: level, evidence and notes carried word for word.
    for cid, ans in old.items():
        new_id = RENAMED_1_0.get(cid, cid)
        if cid in RETIRED_1_0:
            assert cid not in a.answers
            continue
        assert new_id in rubric.by_id, cid
        assert a.answers[new_id].level == ans.get("level")
        assert a.answers[new_id].evidence == ans.get("evidence", "")
    assert a.answers["living-wage"].evidence.startswith("Per-label rate")
    # Retired questions: every word kept in the notes.
    for cid in RETIRED_1_0:
        if cid in old:
            assert f"- {cid} (rubric 1.0): level {old[cid]['level']}" in a.notes
            if old[cid].get("evidence"):
                assert old[cid]["evidence"] in a.notes
    # The message names exactly the questions still to answer, by the text and the section the form
    # shows them under, never by their ids (a practitioner never sees an id).
    todo = [m for m in a.migrations if "please answer" in m]
    assert len(todo) == 1
    missing = [c for c in rubric.criteria if a.levels.get(c.id) is None]
    assert f"the {len(missing)} questions new or not yet answered" in todo[0]
    titles = {t["id"]: t["title"] for t in rubric.data["themes"]}
    named = {}
    for note in a.migrations[a.migrations.index(todo[0]) + 1:]:
        head, _, listed = note.partition("”: ")
        section = head.removeprefix("1.0 -> 2.0: to answer in “")
        assert section in titles.values() and listed.endswith(".") and section not in named, note
        named[section] = listed[:-1]
    assert named == {titles[t]: "; ".join(f"“{c.question}”" for c in missing if c.theme == t)
                     for t in titles if any(c.theme == t for c in missing)}
    # No id in them (a one-word id such as "credit" is also a word of the questions' texts).
    assert not [c.id for c in rubric.criteria if "-" in c.id and any(c.id in m for m in a.migrations[-len(named) - 1:])]
    assert "claims-match-mechanisms" in [c.id for c in missing] and "pay-participants" not in [c.id for c in missing]
    assert a.context == {"process": "product-lifecycle", "convener": "company", "participants": "people-take-part"}
    # It scores (the new questions unanswered, never taken as 0) and saves as a valid 2.0 file.
    score = score_plan(a)
    assert score.overall.unanswered == len(missing) and score.band is not None
    again = load_assessment(a.to_dict())
    assert again.migrations == a.migrations and again.rubric_version == "2.0" and again.notes == a.notes


def test_migration_1_0_function_is_pure_and_refuses_a_clash():
    from widgets._assessment import migrate_1_0_to_2_0

    doc, new, notes = _migrated_fixture("rubric-1.0.yaml", migrate_1_0_to_2_0)
    assert new["rubric"]["version"] == "2.0" and any("renamed to 'living-wage'" in n for n in notes)
    doc["answers"]["living-wage"] = {"level": 1}
    problems = problems_of(doc)
    assert [p.field for p in problems] == ["answers.living-wage-contracts"]


def test_groups_and_per_group_answers_are_checked():
    groups = [{"id": "panel", "label": "Panel", "role": "governance"},
              {"id": "workers", "label": "Annotators", "role": "workers"}]
    good = minimal(pay_participants={"level": 2, "by_group": {"panel": {"level": 3, "evidence": "paid"}}})
    good["groups"] = groups
    good["context"] = {"process": "single-decision"}
    a = load_assessment(good)
    assert a.group_levels == {"pay-participants": {"panel": 3}} and a.context == {"process": "single-decision"}
    assert load_assessment(a.to_dict()).to_dict() == a.to_dict()
    bad = minimal(pay_participants={"by_group": {"workers": {"level": 2}, "nobody": {"level": 1}}},
                  purpose_stated={"level": 2, "by_group": {"panel": {"level": 2}}},
                  harmful_exposure={"by_group": {"panel": {"level": "n/a"}}},
                  informed_consent={"by_group": {"panel": {"level": "n/a"}}})
    bad["groups"] = groups + [{"id": "panel", "label": "Again", "role": "advisers"}]
    fields = {p.field: p.expected for p in problems_of(bad)}
    assert set(fields) == {"groups.3.id", "answers.pay-participants.by_group.workers",
                           "answers.pay-participants.by_group.nobody", "answers.purpose-stated.by_group",
                           "answers.informed-consent.by_group.panel.level"}
    assert "role" in fields["answers.pay-participants.by_group.workers"]
    assert "declared under groups" in fields["answers.pay-participants.by_group.nobody"]
    wrong = minimal()
    wrong["context"] = {"participants": "none"}
    wrong["groups"] = [{"id": "x", "label": "X", "role": "boss"}]
    assert {p.field for p in problems_of(wrong)} == {"context.participants", "groups.1.role"}
