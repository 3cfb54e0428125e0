"""Malformed, truncated, wrong-version and hostile files: a clear error, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from widgets import AssessmentError, load_assessment
from widgets.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "widgets" / "examples" / "vendor-labelling.yaml").read_text(encoding="utf-8")

BILLION_LAUGHS = """format: pai-assessment
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]
"""

CASES = {
    "truncated.yaml": GOOD[: len(GOOD) // 2] + '\n  early-start: {level: 2, evidence: "cut',
    "truncated.json": json.dumps(json.loads(json.dumps({"format": "pai-assessment", "answers": {}})))[:-7],
    "empty.yaml": "",
    "whitespace.yaml": "   \n\n",
    "binary.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.yaml": "format: pai-assessment\nteam: \u00e9quipe\n".encode("latin-1"),
    "list.yaml": "- a\n- b\n",
    "scalar.json": "42",
    "two-docs.yaml": GOOD + "\n---\n" + GOOD,
    "python-tag.yaml": "format: !!python/object/apply:os.system ['echo pwned']\n",
    "billion-laughs.yaml": BILLION_LAUGHS,
    "deep.json": "[" * 200_000 + "]" * 200_000,
    "deep.yaml": "a: " + "[" * 20_000 + "]" * 20_000,
    "deep-blocks.yaml": "".join("  " * i + f"k{i}:\n" for i in range(1_500)),
    "tabs.yaml": "format: pai-assessment\n\tteam: x\n",
    "unhashable.yaml": "? [a, b]\n: 1\n",
    "nan.json": GOOD and json.dumps({"format": "pai-assessment", "format_version": 1,
                                     "rubric": {"id": "engagement-plan", "version": "1.0"},
                                     "team": "t", "product": "p", "model_type": "narrow",
                                     "lifecycle_stage": "data", "date": "2026-01-01",
                                     "answers": {"purpose-stated": {"level": float("nan")}}}),
    "wrong-version.yaml": GOOD.replace('version: "2.0"', 'version: "9.1"'),
    "wrong-format-version.yaml": GOOD.replace("format_version: 1", "format_version: 7"),
    "string-format-version.yaml": GOOD.replace("format_version: 1", "format_version: one"),
    "garbage-version.yaml": GOOD.replace('version: "2.0"', 'version: "latest"'),
    "huge-evidence.yaml": GOOD.replace("answers:\n", "answers:\n  credit: {level: 1, evidence: \"" + "x" * 30_000 + "\"}\n", 1)
    .replace("  credit:\n    level: 0\n", ""),
    "too-many-answers.json": json.dumps({"format": "pai-assessment", "format_version": 1,
                                         "rubric": {"id": "engagement-plan", "version": "1.0"},
                                         "team": "t", "product": "p", "model_type": "narrow",
                                         "lifecycle_stage": "data", "date": "2026-01-01",
                                         "answers": {f"c{i}": {"level": 1} for i in range(5000)}}),
}


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_gives_assessment_error(tmp_path, name):
    path = write(tmp_path, name, CASES[name])
    with pytest.raises(AssessmentError) as info:
        load_assessment(path)
    problems = info.value.problems
    assert 1 <= len(problems) <= 50
    for p in problems:
        assert p.file == str(path) and p.field and p.expected
        assert len(str(p)) < 600, "messages stay readable even for huge inputs"


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_prints_clear_error_without_traceback(tmp_path, capsys, name):
    path = write(tmp_path, name, CASES[name])
    for argv in (["score", str(path)], ["validate", str(path)]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 1, (argv, out, err)
        assert "Traceback" not in out + err
        assert str(path) in err and "expected" in err


def test_file_too_large(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * 2_100_000 + "\n", encoding="utf-8")
    with pytest.raises(AssessmentError, match="bytes"):
        load_assessment(path)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(AssessmentError, match="a file"):
        load_assessment(tmp_path)
    with pytest.raises(AssessmentError, match="no such file"):
        load_assessment(tmp_path / "nope.yaml")


def test_terminal_escape_sequences_are_not_echoed(tmp_path, capsys):
    path = write(tmp_path, "ansi.yaml", GOOD.replace('version: "2.0"', 'version: "\\e[2J\\e[31mred"'))
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err


def test_hostile_text_loads_and_is_kept_verbatim(tmp_path):
    evil = '<script>alert("x")</script> {ref}`x` [a](javascript:alert(1)) \u202eevil'
    text = GOOD.replace("team: Safety data team, Lumen Models (fictional)", "team: " + json.dumps(evil))
    a = load_assessment(write(tmp_path, "evil.yaml", text))
    assert a.team == evil
