"""The room view on the built site (no kernel) and over the Python kernel, in headless Chromium.

A generated room (3 raters for each of 10 teams, a second round for 3 of them: 39 files) is
loaded into the page, anonymised; every figure shown must equal the Python summary
(``widgets._room``, the same as ``python -m widgets compare --room``), and so must the page's
CSV and Markdown exports and the notebook host's view of the same files. Also: drag and drop,
bad files, user text shown as text, axe-core, and the page at 1280 and 390 px.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import artifact_screenshot, serve_folder

from tests.room_fixtures import write_room
from widgets.__main__ import main
from widgets._room import load_room, room_report, room_summary, room_widget

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "widgets" / "static"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGE = "book/workshops/05-room-view.html"


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("room")
    paths = write_room(folder)
    assert len(paths) == 39
    return folder, paths


def open_room(new_page, server_url, built_site, **options):
    if not (built_site / PAGE).exists():
        pytest.skip(f"{PAGE} is not in this build")
    page = new_page(accept_downloads=True, **options)
    page.goto(server_url + PAGE)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready] .pai-room", timeout=15000)
    return page


def load_files(page, paths):
    page.locator(".pai-room input[type=file]:not([webkitdirectory])").set_input_files([str(p) for p in paths])


def shown(page) -> dict:
    """Every figure the page shows, read from the data attributes of the tables and lists."""
    return page.evaluate("""() => {
      const q = (s) => [...document.querySelectorAll(s)];
      const num = (v) => v === "" ? null : Number(v);
      return {
        cells: q('.pai-room-heatmap tbody tr').map((tr) => [tr.dataset.team,
          [...tr.querySelectorAll('td[data-theme]')].map((td) => [td.dataset.theme, num(td.dataset.mean), num(td.dataset.spread)])]),
        disagreement: q('tr.pai-room-disagreement').map((tr) => [tr.dataset.criterion, Number(tr.querySelector('[data-max-spread]').dataset.maxSpread)]),
        widest: q('.pai-room-widest li').map((li) => [li.dataset.team, li.dataset.criterion]),
        flags: q('.pai-room-flags li').map((li) => li.dataset.flag),
        weakest: q('tr.pai-room-weak').map((tr) => [tr.dataset.criterion, Number(tr.querySelector('[data-mean-level]').dataset.meanLevel)]),
        changes: q('tr.pai-room-change').map((tr) => [tr.dataset.team,
          [...tr.querySelectorAll('td[data-theme]')].map((td) => [td.dataset.theme, num(td.dataset.change)])]),
        status: document.querySelector('.pai-room-status').textContent,
      };
    }""")


def expected(summary: dict) -> dict:
    return {
        "cells": [[t["team"], [["overall", t["overall"]["mean"], t["overall"]["spread"]]]
                   + [[th["id"], t["themes"][th["id"]]["mean"], t["themes"][th["id"]]["spread"]] for th in summary["themes"]]]
                  for t in summary["teams"]],
        "disagreement": [[d["criterion"], d["max_spread"]] for d in summary["disagreement"][:10]],
        "widest": [[w["team"], w["criterion"]] for w in summary["widest"][:10]],
        "flags": [f["id"] for f in summary["red_flags"]],
        "weakest": [[w["criterion"], w["mean_level"]] for w in summary["weakest"][:10]],
        "changes": [[c["team"], [["overall", c["overall"]["change"]]] + [[th["id"], c["themes"][th["id"]]["change"]]
                                                                         for th in summary["themes"]]] for c in summary["changes"]],
    }


def assert_clean(page):
    assert page.pai_external_requests == []
    assert page.pai_page_errors == []
    assert [r for r in page.pai_failed_requests if "_static" in r] == []


def test_thirty_nine_files_anonymised_match_python_and_the_cli(new_page, server_url, built_site, room, capsys, artifacts):
    folder, paths = room
    page = open_room(new_page, server_url, built_site)
    assert page.locator(".pai-room-anonymise").is_checked()  # labels by default
    load_files(page, paths)
    page.wait_for_selector("tr.pai-room-disagreement")
    summary = room_summary(load_room(folder), anonymise=True)
    got = shown(page)
    assert got.pop("status").startswith("39 files loaded: 10 teams, 30 ratings")
    assert got == expected(summary)
    # Widest disagreements first: the top criterion has the largest spread anywhere in the room.
    assert got["disagreement"][0][1] == max(d["max_spread"] for d in summary["disagreement"])
    # Anonymised: no team or rater name, product or file name on the page.
    text = page.locator(".pai-room").inner_text()
    assert "Team 01" not in text and "Ada" not in text and "Product 1" not in text and ".json" not in text
    assert {t["team"] for t in summary["teams"]} == {f"Team {c}" for c in "ABCDEFGHIJ"}
    # The CLI prints the same summary.
    assert main(["compare", "--room", "--anonymise", str(folder), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == summary
    # Exports: the page's CSV and Markdown are the Python module's, byte for byte.
    for fmt in ("csv", "md", "json"):
        with page.expect_download() as info:
            page.locator(f"button[data-export={fmt}]").click()
        body = Path(info.value.path()).read_text(encoding="utf-8")
        if fmt == "json":
            assert json.loads(body) == summary
        else:
            assert body == room_report(summary, fmt)
    artifact_screenshot(page, artifacts / "room-view-1280.png", full_page=True)
    assert_clean(page)


def test_names_shown_as_text_when_not_anonymised(new_page, server_url, built_site, room):
    folder, paths = room
    page = open_room(new_page, server_url, built_site)
    load_files(page, paths)
    page.wait_for_selector("tr.pai-room-disagreement")
    page.locator(".pai-room-anonymise").uncheck()
    page.wait_for_selector(".pai-room-heatmap tr[data-team^='Team 01']")
    summary = room_summary(load_room(folder), anonymise=False)
    assert shown(page)["cells"] == expected(summary)["cells"]
    # Team names hold angle brackets: shown as text, never as markup.
    assert page.locator(".pai-room-heatmap th", has_text="<").count() == 10
    assert page.locator(".pai-room north, .pai-room south, .pai-room east, .pai-room west").count() == 0
    assert_clean(page)


def test_drag_and_drop_and_bad_files(new_page, server_url, built_site, room):
    folder, paths = room
    page = open_room(new_page, server_url, built_site)
    files = [{"name": p.name, "text": p.read_text(encoding="utf-8")} for p in paths[:6]]
    bad = json.loads(paths[6].read_text(encoding="utf-8"))
    bad["round"] = 0
    files += [{"name": "broken.json", "text": "{"}, {"name": "bad-round.json", "text": json.dumps(bad)}]
    page.evaluate("""(files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([f.text], f.name, {type: 'application/json'}));
      const zone = document.querySelector('.pai-room-drop');
      zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
      zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", files)
    alert = page.locator(".pai-room-alert[role=alert]")
    alert.wait_for()
    text = alert.inner_text()
    assert "broken.json: not valid JSON" in text and "bad-round.json: round" in text
    assert page.locator(".pai-room-heatmap").count() == 0  # not shown until the bad file is gone
    page.locator(".pai-room-clear").click()
    page.evaluate("""(files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([f.text], f.name, {type: 'application/json'}));
      document.querySelector('.pai-room-drop').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", files[:6])
    page.wait_for_selector("tr.pai-room-disagreement")
    summary = room_summary(load_room(paths[:6]), anonymise=True)
    assert shown(page)["cells"] == expected(summary)["cells"]
    assert_clean(page)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_no_serious_or_critical_violations(new_page, server_url, built_site, room, theme):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    folder, paths = room
    page = open_room(new_page, server_url, built_site)
    page.evaluate("(t) => { document.documentElement.dataset.theme = t; document.documentElement.dataset.mode = t; }", theme)
    load_files(page, paths)
    page.wait_for_selector("tr.pai-room-disagreement")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document.querySelector('.pai-widget'), {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []


def test_phone_width(new_page, server_url, built_site, room, artifacts):
    folder, paths = room
    page = open_room(new_page, server_url, built_site, viewport={"width": 390, "height": 844})
    load_files(page, paths)
    page.wait_for_selector("tr.pai-room-disagreement")
    # Wide tables scroll inside their own labelled region; the page itself does not scroll sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    region = page.locator(".pai-room-scroll").first
    region.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('pai-room-scroll')")
    artifact_screenshot(page, artifacts / "room-view-390.png", full_page=True)


# --------------------------------------------------------------------------- the notebook host

HARNESS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>room kernel host</title>
<link rel="stylesheet" href="room.css"></head><body><main><h1>Room view over a kernel</h1><div id="w"></div></main>
<script type="module">
import widget from "./room.js";
const state = await window.kernelState();
const listeners = {};
const emit = (name, value) => (listeners[name] || []).forEach((cb) => cb(model, value));
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; emit(`change:${k}`, v); },
  on: (n, cb) => { for (const x of n.split(/\\s+/)) (listeners[x] ||= []).push(cb); },
  off: (n, cb) => { listeners[n] = (listeners[n] || []).filter((f) => f !== cb); },
  save_changes: () => {
    window.kernelSync(JSON.stringify({room_files: state.room_files, anonymise: state.anonymise})).then((reply) => {
      for (const [k, v] of Object.entries(JSON.parse(reply))) model.set(k, v);
      window.__syncs = (window.__syncs || 0) + 1;
    });
  },
  send: () => {},
};
widget.render({ model, el: document.getElementById("w") });
document.body.dataset.ready = "1";
</script></body></html>
"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    root = tmp_path_factory.mktemp("room-kernel-host")
    # What a notebook loads: the module bundled with its imports (make bundles), and its stylesheet.
    shutil.copy2(ROOT / "widgets" / "bundles" / "room.js", root / "room.js")
    shutil.copy2(STATIC / "room.css", root / "room.css")
    (root / "index.html").write_text(HARNESS, encoding="utf-8")
    with serve_folder(root) as url:
        yield url + "index.html"


def test_notebook_host_shows_the_same_figures(browser, new_page, harness, room):
    folder, paths = room
    w = room_widget(anonymise=True)
    page = new_page()
    page.expose_function("kernelState", lambda: {
        "rubric": w.rubric, "room_files": w.room_files, "anonymise": w.anonymise, "summary": w.summary,
        "room_problems": w.room_problems, "room_exports": w.room_exports})

    def sync(payload: str) -> str:
        data = json.loads(payload)
        w.anonymise = data["anonymise"]
        w.room_files = data["room_files"]  # what anywidget does on save_changes
        return json.dumps({"summary": w.summary, "room_problems": w.room_problems, "room_exports": w.room_exports})

    page.expose_function("kernelSync", sync)
    page.goto(harness)
    page.wait_for_selector("body[data-ready='1']")
    load_files(page, paths)
    page.wait_for_selector("tr.pai-room-disagreement")
    got = shown(page)
    got.pop("status")
    assert got == expected(room_summary(load_room(folder), anonymise=True))
    assert w.room_exports["csv"] == room_report(w.summary, "csv")
    assert page.pai_page_errors == []


def test_a_rater_saves_rater_round_and_owned_actions_that_python_reads(new_page, server_url, built_site, tmp_path):
    from widgets._assessment import load_assessment
    from widgets._reports import render_report
    from widgets._scoring import score_plan

    path = "book/selfassessment/02-short-assessment.html"
    if not (built_site / path).exists():
        pytest.skip(f"{path} is not in this build")
    page = new_page(accept_downloads=True)
    page.goto(server_url + path)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]", timeout=15000)
    page.locator("input[id$='-team']").fill("Search team")
    page.locator("input[id$='-product']").fill("Library search")
    page.locator("select[id$='-model_type']").select_option("narrow")
    page.locator("select[id$='-lifecycle_stage']").select_option("data")
    page.locator("input[id$='-rater']").fill("Ada")
    page.locator("input[id$='-round']").fill("2")
    page.locator("fieldset[data-criterion='early-start'] input[type=radio]").first.check()
    owner = page.locator(".pai-actions li[data-criterion='early-start'] input[id$='-owner']")
    owner.fill("Sam <Lee>")
    page.locator(".pai-actions li[data-criterion='early-start'] input[id$='-due']").fill("2026-12-15")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download assessment file").click()
    assert info.value.suggested_filename.startswith("search-team-ada-round2-")
    saved = tmp_path / "a.json"
    saved.write_text(Path(info.value.path()).read_text(encoding="utf-8"), encoding="utf-8")
    a = load_assessment(saved)
    assert (a.rater, a.round) == ("Ada", 2)
    assert a.actions == ({"criterion": "early-start", "owner": "Sam <Lee>", "due": "2026-12-15"},)
    assert "*Owner:* Sam &lt;Lee&gt;, by 2026-12-15." in render_report(score_plan(a), a, "md")
    assert page.pai_page_errors == []


def test_groups_tool_on_the_site_matches_python_and_passes_axe(new_page, server_url, built_site, artifacts):
    from widgets._groups import form_groups, read_roster

    path = "book/workshops/02-roles-and-groups.html"
    if not (built_site / path).exists():
        pytest.skip(f"{path} is not in this build")
    page = new_page(accept_downloads=True)
    page.goto(server_url + path)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready] .pai-groups", timeout=15000)
    roster = "name,role,organisation,viewpoint\n" + "".join(
        f"P{i} <b>,{['eng', 'design', 'policy'][i % 3]},org{i % 4},{['for', 'against', ''][i % 3]}\n" for i in range(20))
    page.locator(".pai-groups-roster").fill(roster)
    page.locator("input[id$='-size']").fill("4")
    page.locator("input[id$='-seed']").fill("7")
    page.get_by_role("button", name="Form groups").click()
    page.wait_for_selector("ul.pai-group")
    shown = page.evaluate("() => [...document.querySelectorAll('ul.pai-group')].map((ul) => "
                          "[...ul.querySelectorAll('li')].map((li) => li.dataset.name))")
    expected = form_groups(read_roster(roster), 4, seed=7)
    assert shown == [[p.name for p in g] for g in expected.groups]
    assert page.locator(".pai-groups b").count() == 0  # names shown as text
    with page.expect_download() as info:
        page.locator("button[data-export=csv]").click()
    assert Path(info.value.path()).read_text(encoding="utf-8") == expected.to_csv()
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document.querySelector('.pai-widget'), {resultTypes: ['violations']})")
        assert [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    artifact_screenshot(page, artifacts / "groups-tool-1280.png", full_page=True)
    assert page.pai_page_errors == [] and page.pai_external_requests == []
