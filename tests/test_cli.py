"""The command line as the README shows it: score, validate, compare, rubric."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from widgets.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "widgets" / "examples").glob("*.yaml"))
WASHING = ROOT / "widgets" / "examples" / "participation-washing.yaml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "widgets", "score", str(WASHING), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["score"]["band"]["id"] == "non-participation"
    bad = subprocess.run([sys.executable, "-m", "widgets", "score", "missing.yaml"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "no such file" in bad.stderr


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_score_formats(capsys, fmt):
    code, out, err = run(capsys, "score", str(WASHING), "--format", fmt)
    assert code == 0 and err == ""
    assert "Growth squad" in out or fmt == "md" and "Growth squad" in out.replace("\\", "")
    if fmt == "json":
        assert "decision-already-made" in [f["id"] for f in json.loads(out)["score"]["red_flags"]]
    if fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and "http" not in out.split("<body>")[0]


def test_score_to_file(capsys, tmp_path):
    target = tmp_path / "report.html"
    code, out, err = run(capsys, "score", str(WASHING), "--format", "html", "-o", str(target))
    assert code == 0 and out == "" and "wrote" in err
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_validate_ok_and_bad(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", *map(str, EXAMPLES))
    assert code == 0 and out.count("ok:") == len(EXAMPLES)
    bad = tmp_path / "bad.yaml"
    bad.write_text(WASHING.read_text(encoding="utf-8").replace("model_type: narrow", "model_type: tiny"),
                   encoding="utf-8")
    code, out, err = run(capsys, "validate", str(EXAMPLES[0]), str(bad))
    assert code == 1 and "ok:" in out
    assert "model_type" in err and "narrow" in err and str(bad) in err


def test_validate_reports_migrations(capsys):
    from widgets import load_assessment, load_rubric

    path = ROOT / "tests" / "fixtures" / "assessments" / "rubric-0.9.yaml"
    code, out, _ = run(capsys, "validate", str(path))
    # Three notes for 0.9 -> 1.0; for 1.0 -> 2.0 the context, the number of questions to answer,
    # then one note per section of the form naming its questions by their text.
    levels = load_assessment(path).levels
    sections = {c.theme for c in load_rubric().criteria if levels.get(c.id) is None}
    assert code == 0 and out.count("migrated:") == 5 + len(sections) and "please answer" in out
    assert out.count("migrated: 1.0 -> 2.0: to answer in “") == len(sections)


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_compare(capsys, fmt):
    code, out, err = run(capsys, "compare", *map(str, EXAMPLES), "--format", fmt)
    assert code == 0, err
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 4
        assert {r["band"] for r in rows} == {"community-led", "non-participation", "tokenism"}
    elif fmt == "json":
        assert len(json.loads(out)["rows"]) == 4
    else:
        assert out.count("\n") == 2 + 4


def test_compare_stops_on_any_bad_file(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "compare", str(EXAMPLES[0]), str(bad))
    assert code == 1 and "valid JSON" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_rubric_export(capsys, fmt):
    code, out, _ = run(capsys, "rubric", "--format", fmt)
    assert code == 0
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 59 and rows[0]["id"] == "purpose-stated"
        assert {"question", "level_0", "level_3", "next_step", "who", "explained_in"} <= set(rows[0])
    elif fmt == "json":
        assert json.loads(out)["id"] == "engagement-plan"
    else:
        assert out.startswith("# Engagement-plan rubric") and "{ref}" not in out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["score"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["score", str(WASHING), "--format", "pdf"])
    assert info.value.code == 2
    code, _, _ = run(capsys)
    assert code == 2


def test_unwritable_output_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "rubric", "-o", str(tmp_path / "no" / "such" / "dir" / "r.md"))
    assert code == 1 and "cannot write" in err and "Traceback" not in err
