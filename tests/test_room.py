"""The room summary (widgets._room): raters within teams, rounds, disagreement, anonymisation,
exports, the CLI, and the browser twin (widgets/static/room-summary.js) under Node."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.room_fixtures import room_documents, write_room
from widgets.__main__ import main
from widgets._assessment import AssessmentError, load_assessment
from widgets._room import load_room, room_csv, room_markdown, room_report, room_summary
from widgets._scoring import load_rubric

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static"
NODE = shutil.which("node") or "/usr/bin/node"
HOSTILE = '<img src=x onerror=alert(1)> =HYPERLINK("http://x") | **b**'


def plan(team="Team one", rater=None, round_=None, levels=None, scope="full"):
    doc = {"format": "pai-assessment", "format_version": 1, "rubric": {"id": "engagement-plan", "version": "1.0"},
           "scope": scope, "team": team, "product": "Search", "model_type": "narrow", "lifecycle_stage": "data",
           "date": "2026-11-02", "answers": {cid: {"level": lv} for cid, lv in (levels or {}).items()}}
    if rater is not None:
        doc["rater"] = rater
    if round_ is not None:
        doc["round"] = round_
    return doc


def write(folder: Path, name: str, doc: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_rater_and_round_are_part_of_the_file_format(tmp_path):
    a = load_assessment(write(tmp_path, "a.json", plan(rater="Ada", round_=2)))
    assert (a.rater, a.round) == ("Ada", 2)
    assert a.to_dict()["rater"] == "Ada" and a.to_dict()["round"] == 2
    with pytest.raises(AssessmentError) as info:
        load_assessment(write(tmp_path, "b.json", plan(rater="Ada", round_=0)))
    assert "round" in str(info.value)


def test_spread_means_and_widest_disagreement_by_hand(tmp_path):
    # Two teams. Team one: raters answer early-start 0, 3 and 2 (spread 3) and purpose-stated
    # 2, 2, 1 (spread 1). Team two: early-start 1 and 1 (spread 0).
    folder = tmp_path / "room"
    write(folder, "1a.json", plan(rater="A", levels={"early-start": 0, "purpose-stated": 2}))
    write(folder, "1b.json", plan(rater="B", levels={"early-start": 3, "purpose-stated": 2}))
    write(folder, "1c.json", plan(rater="C", levels={"early-start": 2, "purpose-stated": 1}))
    write(folder, "2a.json", plan(team="Team two", rater="A", levels={"early-start": 1}))
    write(folder, "2b.json", plan(team="Team two", rater="B", levels={"early-start": 1}))
    s = room_summary(load_room(folder))
    assert s["counts"] == {"files": 5, "teams": 2, "ratings_latest": 5, "teams_with_rounds": 0}
    top = s["disagreement"][0]
    assert (top["criterion"], top["max_spread"], top["teams_wide"], top["teams"]) == ("early-start", 3, 1, 2)
    assert top["mean_spread"] == 1.5  # (3 + 0) / 2
    assert [x["level"] for x in top["by_team"][0]["levels"]] == [0, 3, 2]
    assert s["disagreement"][1]["criterion"] == "purpose-stated" and s["disagreement"][1]["max_spread"] == 1
    assert [(w["team"], w["criterion"], w["spread"]) for w in s["widest"]] == [
        ("Team one", "early-start", 3), ("Team one", "purpose-stated", 1)]
    # Room means: early-start (0 + 3 + 2 + 1 + 1) / 5 = 1.4; purpose-stated 5 / 3 = 1.67 (half up).
    weakest = {w["criterion"]: w for w in s["weakest"]}
    assert weakest["early-start"]["mean_level"] == 1.4 and weakest["early-start"]["at_or_below_1"] == 3
    assert weakest["purpose-stated"]["mean_level"] == 1.67
    assert s["weakest"][0]["criterion"] == "early-start"
    # Purpose and timing per rater: points earned / answered maximum; A: early-start (0) and
    # purpose-stated (2) with their weights.
    rubric = load_rubric()
    pts = {c.id: c.points for c in rubric.criteria}
    per_rater = [100 * (pts["early-start"] * e + pts["purpose-stated"] * p) / (3 * (pts["early-start"] + pts["purpose-stated"]))
                 for e, p in ((0, 2), (3, 2), (2, 1))]
    theme = s["teams"][0]["themes"]["purpose-timing"]
    assert theme["n"] == 3
    assert theme["min"] == pytest.approx(min(per_rater), abs=0.05) and theme["max"] == pytest.approx(max(per_rater), abs=0.05)
    assert theme["mean"] == pytest.approx(sum(per_rater) / 3, abs=0.1)


def test_change_between_rounds(tmp_path):
    folder = tmp_path / "room"
    write(folder, "r1.json", plan(rater="A", round_=1, levels={"early-start": 0}))
    write(folder, "r1b.json", plan(rater="B", round_=1, levels={"early-start": 1}))
    write(folder, "r2.json", plan(rater="A", round_=2, levels={"early-start": 3}))
    s = room_summary(load_room(folder))
    (change,) = s["changes"]
    assert (change["from_round"], change["to_round"]) == (1, 2)
    # Round 1: 0 % and 33.3 % -> mean 16.7 %; round 2: 100 %.
    assert change["themes"]["purpose-timing"] == {"from": 16.7, "to": 100.0, "change": 83.3}
    assert s["teams"][0]["raters"] == 1 and s["teams"][0]["rounds"] == [1, 2]


def test_red_flags_across_the_room(tmp_path):
    folder = tmp_path / "room"
    write(folder, "a.json", plan(rater="A", levels={"pay-participants": 0}))
    write(folder, "b.json", plan(rater="B", levels={"pay-participants": 3}))
    write(folder, "c.json", plan(team="Other", rater="A", levels={"pay-participants": 0}))
    s = room_summary(load_room(folder))
    flags = {f["id"]: f for f in s["red_flags"]}
    rubric = load_rubric()
    flag = rubric.by_id["pay-participants"].flag
    assert flags[flag]["teams"] == ["Other", "Team one"] and flags[flag]["ratings"] == 2


def test_anonymised_summary_names_no_one(tmp_path):
    docs = room_documents(teams=4, second_round=1, seed=3)
    for name, doc in docs:
        doc["team"] = doc["team"] + " Secretname"
        doc["rater"] = doc["rater"] + " Hiddenperson"
        write(tmp_path / "room", name, doc)
    s = room_summary(load_room(tmp_path / "room"), anonymise=True)
    for text in (json.dumps(s), room_markdown(s), room_csv(s)):
        assert "Secretname" not in text and "Hiddenperson" not in text and "team0" not in text
        assert "Product" not in text
    assert [t["team"] for t in s["teams"]] == ["Team A", "Team B", "Team C", "Team D"]
    assert {r["rater"] for r in s["teams"][0]["ratings"]} == {"Rater 1", "Rater 2", "Rater 3"}


def test_the_same_rater_twice_is_refused_naming_both_files(tmp_path):
    folder = tmp_path / "room"
    write(folder, "first.json", plan(rater="Ada"))
    write(folder, "second.json", plan(rater="Ada"))
    with pytest.raises(AssessmentError) as info:
        load_room(folder)
    assert "first.json" in str(info.value) and "second.json" in str(info.value)


def test_every_bad_file_is_reported(tmp_path):
    folder = tmp_path / "room"
    write(folder, "ok.json", plan(rater="A"))
    bad = plan(rater="B")
    bad["model_type"] = "tiny"
    write(folder, "bad.json", bad)
    (folder / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(AssessmentError) as info:
        load_room(folder)
    text = str(info.value)
    assert "bad.json" in text and "model_type" in text and "broken.json" in text
    (tmp_path / "empty").mkdir()
    with pytest.raises(AssessmentError) as info:
        load_room(tmp_path / "empty")
    assert "at least one assessment file" in str(info.value)


def test_exports_escape_user_text_and_neutralise_formulas(tmp_path):
    folder = tmp_path / "room"
    write(folder, "a.json", plan(team=HOSTILE, rater="=cmd|' /C calc'!A0", levels={"early-start": 0}))
    write(folder, "b.json", plan(team=HOSTILE, rater="B", levels={"early-start": 3}))
    s = room_summary(load_room(folder))
    md = room_markdown(s)
    # Markdown escaping (widgets._text.escape_markdown): no tag, emphasis or table cell from user text.
    assert "<img" not in md and "**b**" not in md and "&lt;img" in md
    rows = list(csv.reader(io.StringIO(room_csv(s))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert json.loads(room_report(s, "json")) == s
    with pytest.raises(ValueError):
        room_report(s, "pdf")


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_cli_compare_room_matches_the_python_summary(capsys, tmp_path, fmt):
    folder = tmp_path / "room"
    write_room(folder)
    code = main(["compare", "--room", "--anonymise", str(folder), "--format", fmt])
    out = capsys.readouterr().out
    assert code == 0
    expected = room_summary(load_room(folder), anonymise=True)
    assert out == room_report(expected, fmt)
    if fmt == "json":
        assert json.loads(out)["counts"]["files"] == 39


def test_cli_compare_room_bad_file_exits_1(capsys, tmp_path):
    folder = tmp_path / "room"
    write(folder, "a.json", plan(rater="A"))
    (folder / "b.json").write_text("[1, 2]", encoding="utf-8")
    assert main(["compare", "--room", str(folder)]) == 1
    assert "b.json" in capsys.readouterr().err


ROOM_JS = f"""
import {{ loadRoom, roomSummary, roomCsv, roomMarkdown }} from {json.dumps((STATIC / 'room-summary.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const {{ rubric, files, anonymise }} = JSON.parse(text);
const {{ ratings, problems }} = loadRoom(files, rubric);
const summary = problems.length ? null : roomSummary(ratings, rubric, {{ anonymise }});
process.stdout.write(JSON.stringify({{ problems, summary, csv: summary && roomCsv(summary), md: summary && roomMarkdown(summary, rubric) }}));
"""


def run_room_js(files, anonymise):
    payload = {"rubric": json.loads(json.dumps(dict(load_rubric().data))), "files": files, "anonymise": anonymise}
    proc = subprocess.run([NODE, "--input-type=module", "-e", ROOM_JS], input=json.dumps(payload), capture_output=True,
                          text=True, cwd=STATIC, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.skipif(not Path(NODE).exists(), reason="Node.js is not installed (runs room-summary.js)")
@pytest.mark.parametrize("seed, anonymise", [(7, True), (7, False), (11, True), (23, False)])
def test_browser_summary_equals_python(tmp_path, seed, anonymise):
    folder = tmp_path / "room"
    paths = write_room(folder, seed=seed, teams=10 if seed == 7 else 6, second_round=3)
    files = [{"name": p.name, "data": json.loads(p.read_text())} for p in paths]
    out = run_room_js(files, anonymise)
    assert out["problems"] == []
    expected = room_summary(load_room(folder), anonymise=anonymise)
    assert out["summary"] == expected
    assert out["csv"] == room_report(expected, "csv")
    assert out["md"] == room_report(expected, "md")


@pytest.mark.skipif(not Path(NODE).exists(), reason="Node.js is not installed (runs room-summary.js)")
def test_browser_refuses_what_python_refuses():
    good = plan(rater="Ada")
    bad_round = plan(rater="Bea", round_=0)
    twice = copy.deepcopy(good)
    out = run_room_js([{"name": "a.json", "data": good}, {"name": "b.json", "data": bad_round}], False)
    assert any(p.startswith("b.json: round") for p in out["problems"]) and out["summary"] is None
    out = run_room_js([{"name": "a.json", "data": good}, {"name": "c.json", "data": twice}], False)
    assert any("a.json" in p and p.startswith("c.json") for p in out["problems"])


def test_notebook_widget_gives_the_same_summary_and_reports_bad_files(tmp_path):
    from widgets._room import room_widget

    folder = tmp_path / "room"
    write_room(folder, teams=4, second_round=1)
    w = room_widget(folder, anonymise=True)
    assert w.summary == room_summary(load_room(folder), anonymise=True)
    assert w.room_exports["md"] == room_report(w.summary, "md")
    w.anonymise = False
    assert w.summary["anonymised"] is False and w.summary["teams"][0]["team"].startswith("Team 01")
    bad = plan(rater="X")
    bad["model_type"] = "tiny"
    w.room_files = w.room_files + [{"name": "folder/bad.json", "data": bad}]
    assert w.summary is None and any(p.startswith("bad.json: model_type") for p in w.room_problems)


def test_actions_with_owner_and_date_leave_the_room(tmp_path):
    folder = tmp_path / "room"
    doc = plan(rater="Ada", levels={"early-start": 0})
    doc["actions"] = [{"criterion": "early-start", "owner": "Sam Lee", "due": "2026-12-15"},
                      {"criterion": "report-back", "owner": "", "due": ""}]
    write(folder, "a.json", doc)
    write(folder, "b.json", plan(rater="Bea", levels={"early-start": 2}))
    a = load_assessment(folder / "a.json")
    assert a.to_dict()["actions"][0] == {"criterion": "early-start", "owner": "Sam Lee", "due": "2026-12-15"}
    s = room_summary(load_room(folder))
    assert s["actions"] == [{"team": "Team one", "rater": "Ada", "round": 1, "criterion": "early-start",
                             "due": "2026-12-15", "owner": "Sam Lee"}]
    assert "| Team one | Ada | 1 | early-start | Sam Lee | 2026-12-15 |" in room_markdown(s)
    rows = list(csv.DictReader(io.StringIO(room_csv(s))))
    assert [(r["section"], r["owner"], r["due"]) for r in rows if r["section"] == "action"] == [("action", "Sam Lee", "2026-12-15")]
    anon = room_summary(load_room(folder), anonymise=True)
    assert anon["actions"][0]["owner"] == "named" and "Sam Lee" not in json.dumps(anon)
    bad = dict(doc, actions=[{"criterion": "no-such-question", "owner": "x"}])
    with pytest.raises(AssessmentError, match=r"actions\[0\]\.criterion"):
        load_assessment(write(folder, "c.json", bad))


@pytest.mark.skipif(not Path(NODE).exists(), reason="Node.js is not installed (runs lib/report.js)")
def test_report_names_owner_and_date_in_python_and_the_page():
    from widgets._reports import render_report
    from widgets._scoring import score_plan

    doc = plan(rater="Ada", levels={"early-start": 0, "stakeholder-map": 1})
    doc["actions"] = [{"criterion": "early-start", "owner": "Sam <Lee>", "due": "2026-12-15"}]
    a = load_assessment(doc)
    score = score_plan(a)
    md = render_report(score, a, "md")
    assert "*Owner:* Sam &lt;Lee&gt;, by 2026-12-15." in md
    js = f"""
import {{ markdownReport }} from {json.dumps((STATIC / 'assessment.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const c = JSON.parse(text);
process.stdout.write(JSON.stringify(markdownReport(c)));
"""
    payload = {"rubric": json.loads(json.dumps(dict(load_rubric().data))), "assessment": a.to_dict(),
               "score": score.to_dict(), "links": {}, "criteriaIds": None}
    proc = subprocess.run([NODE, "--input-type=module", "-e", js], input=json.dumps(payload), capture_output=True,
                          text=True, cwd=STATIC, timeout=120)
    assert proc.returncode == 0, proc.stderr
    from widgets._widget import markdown_report

    assert json.loads(proc.stdout) == markdown_report(load_rubric(), a.to_dict(), score.to_dict(), {}, None)
    assert "Sam &lt;Lee&gt;, by 2026-12-15" in json.loads(proc.stdout)
