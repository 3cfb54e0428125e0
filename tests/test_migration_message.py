"""The migration notes name the questions still to answer as the form shows them, in both languages.

A team that uploads a rubric 1.0 file is asked to answer the questions new in 2.0. The form shows
a question by its text under its section's title, never by its id, so the notes do the same:
``widgets._assessment.questions_to_answer`` in Python and ``questionsToAnswer`` in
``widgets/static/assessment/migrate.js`` must write the same words, and the page's version also
gives the ids of each section's questions (for the links to them). Each note must also fit in the
2,000 characters a saved note may hold, or a migrated file could not be loaded again.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from widgets import load_assessment, load_rubric
from widgets._assessment import migrate, questions_to_answer
from widgets._files import load_file

ROOT = Path(__file__).resolve().parents[1]
MIGRATE_JS = ROOT / "widgets" / "static" / "assessment" / "migrate.js"
FIXTURES = ROOT / "tests" / "fixtures" / "assessments"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (needed to run the ES modules)")

PROGRAM = f"""
import {{ migrate }} from {json.dumps(MIGRATE_JS.as_uri())};
let input = ""; for await (const chunk of process.stdin) input += chunk;
const {{ rubric, drafts }} = JSON.parse(input);
process.stdout.write(JSON.stringify(drafts.map((doc) => {{ const {{ notes, todo }} = migrate(doc, rubric); return {{ notes, todo }}; }})));
"""


def page_migrate(drafts: list[dict]) -> list[dict]:
    rubric = json.loads(json.dumps(dict(load_rubric().data)))
    done = subprocess.run([NODE, "--input-type=module", "-e", PROGRAM], capture_output=True, text=True, timeout=120,
                          input=json.dumps({"rubric": rubric, "drafts": drafts}))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def drafts() -> list[dict]:
    """Old files a team may bring: the fixtures, a 1.0 file with no answer (every 2.0 question to
    answer) and one with a single answer missing (one question: the singular)."""
    docs = [load_file(p) for p in sorted(FIXTURES.rglob("*.yaml"))]
    empty = copy.deepcopy(load_file(FIXTURES / "rubric-1.0.yaml"))
    empty["answers"] = {}
    docs.append(empty)
    rubric = load_rubric()
    nearly = copy.deepcopy(load_file(FIXTURES / "rubric-1.0.yaml"))
    nearly["rubric"]["version"] = "1.0"
    nearly["answers"] = {c.id: {"level": 1} for c in rubric.criteria[1:]}
    docs.append(nearly)
    return docs


def test_questions_to_answer_are_named_by_text_and_section_alike_in_both_languages():
    rubric = load_rubric()
    titles = {t["id"]: t["title"] for t in rubric.data["themes"]}
    docs = drafts()
    page = page_migrate(copy.deepcopy(docs))
    counts = set()
    for doc, got in zip(docs, page):
        migrated, notes = migrate(copy.deepcopy(doc))
        assert got["notes"] == notes
        missing = [c for c in rubric.criteria if (migrated["answers"].get(c.id) or {}).get("level") is None]
        counts.add(len(missing))
        step = "1.0 -> 2.0"
        asked = questions_to_answer(step, rubric, missing)
        assert [t["text"] for t in got["todo"]] == asked and asked == notes[-len(asked):]
        # One section note per section with a question to answer, in the form's order, with the ids
        # of exactly its questions (the page's links) and their texts (the words).
        sections = [t for t in titles if any(c.theme == t for c in missing)]
        assert [t.get("section") for t in got["todo"][1:]] == [titles[t] for t in sections]
        for note, theme in zip(got["todo"][1:], sections):
            ids = [c.id for c in missing if c.theme == theme]
            assert note["criteria"] == ids
            assert note["text"] == (f"{step}: to answer in “{titles[theme]}”: "
                                    + "; ".join(f"“{rubric.by_id[cid].question}”" for cid in ids) + ".")
        lead = got["todo"][0]["text"]
        assert lead.startswith(f"{step}: please answer the {len(missing)} question")
        assert ("1 question new" in lead) == (len(missing) == 1)
        # Outside the quoted titles and texts, no id (the section "Influence and report-back" holds one).
        prose = " ".join(re.sub(r"“[^”]*”", "", n) for n in asked)
        assert not [c.id for c in rubric.criteria if c.id in prose]
        assert max(len(n) for n in asked) <= 2000
    assert 1 in counts and len(rubric.criteria) in counts, "the drafts should reach the singular and every question"


def test_a_file_migrated_with_every_question_to_answer_loads_again(tmp_path):
    empty = copy.deepcopy(load_file(FIXTURES / "rubric-1.0.yaml"))
    empty["answers"] = {}
    path = tmp_path / "empty-1.0.json"
    path.write_text(json.dumps(empty), encoding="utf-8")
    a = load_assessment(path)
    again = tmp_path / "saved.json"
    again.write_text(json.dumps(a.to_dict()), encoding="utf-8")
    assert load_assessment(again).migrations == a.migrations
    assert sum("to answer in “" in m for m in a.migrations) == len(load_rubric().data["themes"])
