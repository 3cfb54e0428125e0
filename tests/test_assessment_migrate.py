"""The page migrates old assessments exactly as Python does (widgets/static/assessment/migrate.js).

Every old fixture (rubric 0.9 and 1.0, and the four example plans as they were saved with rubric
1.0) is read by ``widgets.load_assessment`` and by the page's reader (upload.js) under Node: both
must give the same migrated answers, notes, context and migration notes. Drafts kept in the
browser by the 1.0 page (no team yet, no model type) go through the migration functions of both
languages. Files the migration cannot read (an old and a new name for one question) are refused
with Python's message.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from widgets import load_rubric
from widgets._assessment import AssessmentError, load_assessment, migrate
from widgets._files import load_file

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static" / "assessment"
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "assessments").rglob("*.yaml"))
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (needed to run the ES modules)")

PROGRAM = f"""
import {{ readAssessment }} from {json.dumps((STATIC / "upload.js").as_uri())};
import {{ migrate }} from {json.dumps((STATIC / "migrate.js").as_uri())};
let input = ""; for await (const chunk of process.stdin) input += chunk;
const {{ rubric, files, drafts }} = JSON.parse(input);
const read = files.map(([source, text]) => {{
  const r = readAssessment(text, rubric, source);
  return r.problems ? {{ problems: r.problems.map(String) }} : {{ data: r.data, notes: r.notes }};
}});
const migrated = drafts.map((doc) => {{
  try {{ const {{ doc: out, notes }} = migrate(doc, rubric); return {{ doc: out, notes }}; }} catch (err) {{ return {{ error: err.problems }}; }}
}});
process.stdout.write(JSON.stringify({{ read, migrated }}));
"""


def run_page(files: list[tuple[str, str]], drafts: list[dict] = ()) -> dict:
    rubric = json.loads(json.dumps(dict(load_rubric().data)))
    done = subprocess.run([NODE, "--input-type=module", "-e", PROGRAM], capture_output=True, text=True, timeout=120,
                          input=json.dumps({"rubric": rubric, "files": files, "drafts": list(drafts)}))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def answers_of(doc_answers: dict) -> dict:
    """Answers in the form Python saves them: level always, evidence and notes when given."""
    def cell(a):
        out = {"level": a.get("level")}
        out.update({k: a[k] for k in ("evidence", "notes") if a.get(k)})
        if a.get("by_group"):
            out["by_group"] = {g: cell(c) for g, c in a["by_group"].items()}
        return out
    return {cid: cell(a) for cid, a in doc_answers.items()}


def test_every_old_fixture_migrates_as_in_python(tmp_path):
    assert len(FIXTURES) >= 5
    files = []
    for path in FIXTURES:
        # The page reads JSON (and YAML through js-yaml into the same checks): give it the document
        # Python reads from the YAML file.
        files.append([path.name, json.dumps(load_file(path), ensure_ascii=False)])
    page = run_page(files)["read"]
    for path, got in zip(FIXTURES, page):
        python = load_assessment(path).to_dict()
        assert "data" in got, (path.name, got)
        data = got["data"]
        assert data["rubric"] == python["rubric"] == {"id": "engagement-plan", "version": "2.0"}
        assert list(answers_of(data["answers"])) == list(python["answers"]), path.name  # same order too
        assert answers_of(data["answers"]) == python["answers"], path.name
        assert data.get("notes", "") == python.get("notes", ""), path.name
        assert data["context"] == python["context"], path.name
        assert data["migrations"] == python["migrations"], path.name
        assert got["notes"] == python["migrations"][-len(got["notes"]):]
        # The notes name the questions still to answer, as Python's do.
        assert any("please answer the" in n for n in got["notes"])


def _doc_1_0() -> dict:
    return load_file(ROOT / "tests" / "fixtures" / "assessments" / "rubric-1.0.yaml")


def test_drafts_saved_in_the_browser_migrate_as_in_python():
    """The 1.0 page kept unfinished answers in the browser: no team, no model type, notes with
    trailing spaces, retired answers with evidence and notes, a context already there."""
    base = _doc_1_0()
    drafts = []
    blank = copy.deepcopy(base)
    blank.update(team="", product="", model_type=None, lifecycle_stage=None)
    drafts.append(blank)
    noted = copy.deepcopy(base)
    noted["notes"] = "Reviewed on Monday.  \n\t\u3000"
    noted["answers"]["worker-voice"] = {"level": "n/a", "evidence": "A forum: “ask us”", "notes": "line one\nline two"}
    noted["answers"]["target-level-chosen"] = {"level": None}
    drafts.append(noted)
    with_context = copy.deepcopy(base)
    with_context["context"] = {"process": "single-decision"}
    with_context["answers"] = {"accountable-sponsor": {"level": 1, "notes": "kept"}}
    drafts.append(with_context)
    empty = {"format": "pai-assessment", "format_version": 1, "rubric": {"id": "engagement-plan", "version": "1.0"},
             "answers": {}}
    drafts.append(empty)
    old = copy.deepcopy(load_file(ROOT / "tests" / "fixtures" / "assessments" / "rubric-0.9.yaml"))
    drafts.append(old)
    page = run_page([], drafts)["migrated"]
    for draft, got in zip(drafts, page):
        doc, notes = migrate(copy.deepcopy(draft))
        assert got == {"doc": doc, "notes": notes}


def test_a_file_with_an_old_and_a_new_name_is_refused_with_pythons_message(tmp_path):
    doc = _doc_1_0()
    doc["answers"]["accountable-decision-holder"] = {"level": 2}
    assert "accountable-sponsor" in doc["answers"]
    path = tmp_path / "both.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(AssessmentError) as err:
        load_assessment(path)
    got = run_page([[str(path), path.read_text()]])["read"][0]
    assert got == {"problems": [str(p) for p in err.value.problems]}


def test_a_version_with_no_migration_path_is_refused_as_in_python(tmp_path):
    doc = _doc_1_0()
    doc["rubric"]["version"] = "0.5"
    path = tmp_path / "ancient.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(AssessmentError) as err:
        load_assessment(path)
    got = run_page([[str(path), path.read_text()]])["read"][0]
    assert got == {"problems": [str(err.value.problems[0])]}
    assert "0.9, 1.0, 2.0" in got["problems"][0]
