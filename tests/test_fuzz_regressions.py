"""Every input that once got through or brought a tool down, kept as a regression test.

Each case was found by an adversarial run against the command line, the scorer and the
supply-chain tools; each now gets a clear refusal (the toolkit's own error naming the file and the
field) or, where the file is valid, is read as written.
"""

from __future__ import annotations

import json
import math
import tracemalloc
from pathlib import Path

import pytest
import yaml

from widgets import AssessmentError, load_assessment, load_rubric, score_plan
from widgets import _paycalc as pc
from widgets import _transparency as tr
from widgets import _vendor as vd
from widgets.__main__ import main
from widgets._files import MAX_PROBLEMS, ToolFileError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "widgets" / "examples" / "vendor-labelling.yaml"
GOOD = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
GOOD["date"] = str(GOOD["date"])


def write_json(tmp_path: Path, doc, name="plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def write_yaml_text(tmp_path: Path, text: str, name="plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path) -> list:
    with pytest.raises(AssessmentError) as info:
        load_assessment(path)
    return info.value.problems


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("where", ["format_version", "level"])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_5000_digit_integer_is_a_clear_error(tmp_path, capsys, where, suffix):
    text = EXAMPLE.read_text(encoding="utf-8") if suffix == ".yaml" else json.dumps(GOOD)
    huge = "9" * 5000
    if where == "format_version":
        text = text.replace("format_version: 1", f"format_version: {huge}", 1).replace(
            '"format_version": 1', f'"format_version": {huge}', 1)
    else:
        cid = next(iter(GOOD["answers"]))
        if suffix == ".json":
            doc = json.loads(text)
            doc["answers"][cid]["level"] = 0
            text = json.dumps(doc).replace(f'"{cid}": {{"level": 0', f'"{cid}": {{"level": {huge}', 1)
        else:
            text = text.replace("answers:\n", f"answers:\n  {cid}: {{level: {huge}}}\n", 1)
            text = _drop_later(text, cid)
    path = write_yaml_text(tmp_path, text, "plan" + suffix)
    problems = problems_of(path)
    assert any("5,000-digit integer" in (p.found or "") for p in problems), problems
    assert any(p.field.endswith(where) for p in problems), problems
    code, _, err = cli(capsys, "score", path)
    assert code == 1 and "internal error" not in err and "5,000-digit" in err


def _drop_later(text: str, cid: str) -> str:
    """Remove the example's own block for ``cid`` (the test wrote a new first one)."""
    lines = text.split("\n")
    out, skip, seen = [], False, 0
    for line in lines:
        if line.startswith(f"  {cid}:"):
            seen += 1
            if seen == 2:
                skip = True
                continue
        if skip and line.startswith("    "):
            continue
        skip = False
        out.append(line)
    return "\n".join(out)


def test_a_level_that_rounds_to_a_whole_number_is_refused(tmp_path):
    cid = next(iter(GOOD["answers"]))
    doc = json.loads(json.dumps(GOOD))
    doc["answers"][cid]["level"] = 2
    text = json.dumps(doc).replace(f'"{cid}": {{"level": 2', f'"{cid}": {{"level": 2.9999999999999999', 1)
    problems = problems_of(write_yaml_text(tmp_path, text, "plan.json"))
    assert [p.field for p in problems] == [f"answers.{cid}.level"]
    assert "reads as 3" in problems[0].found
    # The same in YAML; and 2.0 written as such is still the level 2.
    ytext = EXAMPLE.read_text(encoding="utf-8").replace("answers:\n", f"answers:\n  {cid}: {{level: 2.9999999999999999}}\n", 1)
    assert "reads as 3" in problems_of(write_yaml_text(tmp_path, _drop_later(ytext, cid)))[0].found
    doc["answers"][cid]["level"] = 2.0
    assert load_assessment(write_json(tmp_path, doc, "two.json")).answers[cid].level == 2


# --------------------------------------------------------------------------- text


def test_a_lone_surrogate_is_refused_before_any_report_is_written(tmp_path, capsys):
    doc = dict(GOOD, team="Team \ud800")
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # json.dumps escapes it as \ud800
    assert [p.field for p in problems_of(path)] == ["team"]
    for argv in (["validate", path], ["score", path, "-o", tmp_path / "r.md"],
                 ["compare", path, EXAMPLE, "-o", tmp_path / "c.md"]):
        code, _, err = cli(capsys, *argv)
        assert code == 1, err
        assert "internal error" not in err and "UnicodeEncodeError" not in err and "team" in err
    assert not (tmp_path / "r.md").exists() and not (tmp_path / "c.md").exists()


def test_blank_team_is_refused(tmp_path):
    problems = problems_of(write_json(tmp_path, dict(GOOD, team="   ")))
    assert [p.field for p in problems] == ["team"] and "blank" in problems[0].expected


@pytest.mark.parametrize("date", ["2026-13-45", "0000-00-00", "2026-02-30", "2026-01-01\n", " 2026-01-01"])
def test_impossible_dates_are_refused(tmp_path, date):
    problems = problems_of(write_json(tmp_path, dict(GOOD, date=date)))
    assert [p.field for p in problems] == ["date"]


def test_65_brackets_in_evidence_are_accepted_in_a_valid_file(tmp_path):
    cid = next(iter(GOOD["answers"]))
    doc = json.loads(json.dumps(GOOD))
    doc["answers"][cid]["evidence"] = "[" * 65 + " see the minutes " + "{" * 70
    for name, text in (("p.json", json.dumps(doc)), ("p.yaml", yaml.safe_dump(doc))):
        loaded = load_assessment(write_yaml_text(tmp_path, text, name))
        assert loaded.answers[cid].evidence == doc["answers"][cid]["evidence"]


# --------------------------------------------------------------------------- duplicate keys


def test_duplicate_keys_are_refused(tmp_path):
    cid = next(iter(GOOD["answers"]))
    ytext = EXAMPLE.read_text(encoding="utf-8").replace(
        "answers:\n", f"answers:\n  {cid}:\n    level: 0\n    level: 3\n", 1)
    problems = problems_of(write_yaml_text(tmp_path, _drop_later(ytext, cid)))
    assert [p.field for p in problems] == [f"answers.{cid}.level"] and "only once" in problems[0].expected
    # A criterion listed twice (YAML), and a JSON duplicate.
    ytext = EXAMPLE.read_text(encoding="utf-8").replace("answers:\n", f"answers:\n  {cid}: {{level: 0}}\n", 1)
    assert [p.field for p in problems_of(write_yaml_text(tmp_path, ytext, "twice.yaml"))] == [f"answers.{cid}"]
    jtext = json.dumps(GOOD).replace('"team":', '"team": "first", "team":', 1)
    assert [p.field for p in problems_of(write_yaml_text(tmp_path, jtext, "dup.json"))] == ["team"]


# --------------------------------------------------------------------------- bounded work


def test_150000_unknown_keys_give_a_bounded_list_of_problems(tmp_path, capsys):
    doc = dict(GOOD)
    doc.update({f"unknown-{i}": i for i in range(150_000)})
    path = write_json(tmp_path, doc)
    problems = problems_of(path)
    assert 1 <= len(problems) <= MAX_PROBLEMS
    code, _, err = cli(capsys, "validate", path)
    assert code == 1 and len(err) < 20_000


def test_700000_migration_items_are_refused_quickly_and_small(tmp_path):
    path = write_json(tmp_path, dict(GOOD, migrations=["x"] * 700_000))
    tracemalloc.start()
    problems = problems_of(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 1 <= len(problems) <= MAX_PROBLEMS
    assert peak < 200_000_000  # the old loader took 2.5 GB; timing is in benchmarks/bench_fuzz.py


# --------------------------------------------------------------------------- overwriting


def test_score_refuses_to_write_over_its_input(tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_bytes(EXAMPLE.read_bytes())
    before = plan.read_bytes()
    for extra in ([], ["--force"]):
        code, _, err = cli(capsys, "score", plan, "--format", "html", "-o", plan, *extra)
        assert code == 2 and "input file" in err
        assert plan.read_bytes() == before
    code, _, err = cli(capsys, "compare", plan, "-o", plan, "--force")
    assert code == 2 and plan.read_bytes() == before


def test_existing_output_needs_force(tmp_path, capsys):
    target = tmp_path / "report.md"
    target.write_text("keep me", encoding="utf-8")
    code, _, err = cli(capsys, "score", EXAMPLE, "-o", target)
    assert code == 2 and "--force" in err and target.read_text(encoding="utf-8") == "keep me"
    code, _, err = cli(capsys, "score", EXAMPLE, "-o", target, "--force")
    assert code == 0 and target.read_text(encoding="utf-8").startswith("#")


# --------------------------------------------------------------------------- the Python API


@pytest.mark.parametrize("level", ["n/a", 4, 1e9, float("nan"), "3", True, -1])
def test_score_plan_on_a_dict_checks_levels(level):
    with pytest.raises(AssessmentError) as info:
        score_plan({"answers": {"purpose-stated": {"level": level}}})
    assert info.value.problems[0].field == "answers.purpose-stated.level"


# Found by the loader fuzz test (wrong types per field): each brought score_plan down with a
# KeyError, TypeError or AttributeError instead of the toolkit's own error.
@pytest.mark.parametrize("field, plan", [
    ("groups[0]", {"groups": [{"label": "Panel", "role": "governance"}]}),
    ("groups[0]", {"groups": [{"id": {"x": 1}, "label": "Panel", "role": "governance"}]}),
    ("groups[0]", {"groups": [{"id": "panel", "label": "Panel", "role": ["governance"]}]}),
    ("groups[0]", {"groups": [7]}),
    ("groups", {"groups": "panel"}),
    ("context", {"context": ["single-decision"]}),
    ("context", {"context": {"process": {"a": 1}}}),
])
def test_score_plan_on_a_dict_checks_groups_and_context(field, plan):
    with pytest.raises(AssessmentError) as info:
        score_plan({**plan, "answers": {"purpose-stated": 2}})
    assert info.value.problems[0].field == field


def test_score_plan_still_takes_every_documented_form():
    n_a = next(c.id for c in load_rubric().criteria if c.not_applicable_if)
    bare = score_plan({"answers": {"purpose-stated": 2, "early-start": None, n_a: "n/a"}}).to_dict()
    wrapped = score_plan({"answers": {"purpose-stated": {"level": 2}, "early-start": {"level": None},
                                      n_a: {"level": "n/a"}}}).to_dict()
    assert bare == wrapped and bare["overall"] != score_plan({"answers": {}}).to_dict()["overall"]


# --------------------------------------------------------------------------- the pay calculator


def scenario(**changes):
    base = dict(currency="EUR", living_wage_per_hour=12.0, pay_model="per_task", rate=0.5, task_minutes=2, tasks=600)
    base.update(changes)
    return base


@pytest.mark.parametrize("changes", [
    {"living_wage_per_hour": 1e307}, {"rate": 10 ** 400}, {"tasks": 1e308}, {"task_minutes": 5e-324},
    {"paid_extras": {"training": True}}, {"paid_extras": "training"}, {"rate": "1e400"}, {"tasks": "600.00000000000001"},
    {"pay_model": "per_hour", "rate": 5e-324}, {"label": "\ud800"}, {"rate": [1]}, {"rate": {"a": 1}},
])
def test_pay_extremes_are_clear_errors(changes):
    with pytest.raises(pc.PayInputError):
        pc.PayScenario(**scenario(**changes))


@pytest.mark.parametrize("changes", [
    {"living_wage_per_hour": 1e15, "rate": 1e-6, "task_minutes": 1e15, "tasks": 10 ** 15},
    {"pay_model": "per_hour", "rate": 1e-6, "task_minutes": 1e-6, "tasks": 1, "other_payments": 1e15},
    {"pay_model": "per_hour", "rate": 1e15, "task_minutes": 1e15, "tasks": 10 ** 15, "training_minutes": 1e15,
     "paid_extras": ["training"]},
])
def test_pay_results_at_the_limits_are_finite(changes):
    s = pc.PayScenario(**scenario(**changes))
    r = pc.calculate_pay(s)
    for name, value in vars(r).items():
        if isinstance(value, float):
            assert math.isfinite(value), name
    assert all(math.isfinite(row["effective_hourly"]) for row in pc.task_time_sweep(s))


def test_task_time_sweep_accepts_the_smallest_valid_task_time():
    s = pc.PayScenario(**scenario(task_minutes=1e-6))
    rows = pc.task_time_sweep(s)
    assert len(rows) == 21 and all(math.isfinite(r["effective_hourly"]) for r in rows)
    with pytest.raises(pc.PayInputError):
        pc.task_time_sweep(s, [0])


# --------------------------------------------------------------------------- tool loaders


@pytest.mark.parametrize("load, error", [(pc.load_pay_scenarios, pc.PayInputError), (vd.load_vendor_checklist, ToolFileError),
                                         (tr.load_transparency_report, ToolFileError)])
@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a": ' * 50_000 + "1" + "}" * 50_000])
def test_deep_json_is_a_clear_error_in_the_tool_loaders(load, error, text):
    with pytest.raises(error, match="nested at most 64 levels"):
        load(text)


def test_two_vendors_with_the_same_name_are_refused():
    c = vd.VendorChecklist()
    qid = vd.questions()[0]["id"]
    c.record("A", qid, "yes", evidence="e")
    data = c.to_dict()
    data["vendors"].append({"name": "A", "answers": {}})
    with pytest.raises(ToolFileError, match="used by an earlier vendor"):
        vd.load_vendor_checklist(json.dumps(data))
