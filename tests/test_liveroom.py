"""The live room's server: joining, own answers only, validation, conflicts, facilitator key,
exports, hostile text, rate limits, closing. Runs the ASGI app in-process (httpx's ASGI transport)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile

import httpx
import pytest

from widgets._assessment import load_assessment
from widgets._scoring import load_rubric
from widgets.liveroom import create_app
from widgets.liveroom.app import COOKIE
from widgets.liveroom.storage import RoomStore, normalise_code

CRITERIA = [c.id for c in load_rubric().criteria]
PLAN = {"plan.product": "Triage assistant", "plan.model_type": "narrow", "plan.lifecycle_stage": "data",
        "plan.date": "2026-12-01"}


def run(coro):
    return asyncio.run(coro)


class Room:
    """The app with a client; `join` gives a participant's headers."""

    def __init__(self, folder, **limits):
        self.app = create_app(folder, **limits)
        self.info = self.app.state.room.store.room()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app, client=("127.0.0.1", 5000)),
                                        base_url="http://127.0.0.1")

    async def join(self, team="Team Kestrel", rater="Ana"):
        r = await self.client.post("/api/join", json={"code": self.info["code"], "team": team, "rater": rater})
        assert r.status_code == 200, r.text
        return {"authorization": f"Bearer {r.json()['token']}"}

    async def write(self, headers, changes: dict, base=0):
        body = {"changes": {k: {"value": v, "base": base} for k, v in changes.items()}}
        return await self.client.post("/api/p/changes", headers=headers, json=body)

    def as_facilitator(self):
        self.client.cookies.set(COOKIE, self.info["facilitator_key"])


@pytest.fixture
def room(tmp_path):
    return Room(tmp_path / "room")


def test_room_code_is_kept_and_typed_codes_are_normalised(tmp_path):
    a = RoomStore(tmp_path).room()
    b = RoomStore(tmp_path).room()
    assert a["code"] == b["code"] and a["facilitator_key"] == b["facilitator_key"]
    assert normalise_code(a["code"].lower().replace("-", " ")) == a["code"]


def test_join_needs_the_room_code_and_names(room):
    async def go():
        c = room.client
        r = await c.post("/api/join", json={"code": "AAA-AAA", "team": "T", "rater": "R"})
        assert r.status_code == 403 and "code" in r.json()["error"]
        r = await c.post("/api/join", json={"code": room.info["code"], "team": "  ", "rater": "R"})
        assert r.status_code == 400 and r.json()["error"].startswith("team:")
        r = await c.post("/api/join", json={"code": room.info["code"], "team": "T", "rater": "x" * 201})
        assert r.status_code == 400 and "at most 200" in r.json()["error"]
        await room.join("T", "R")
        r = await c.post("/api/join", json={"code": room.info["code"], "team": "T", "rater": "R"})
        assert r.status_code == 409 and "personal link" in r.json()["error"]
    run(go())


def test_wrong_codes_are_rate_limited(tmp_path):
    room = Room(tmp_path / "r", join_fail_per_minute=5)

    async def go():
        statuses = [(await room.client.post("/api/join", json={"code": "BAD-BAD", "team": "T", "rater": "R"})).status_code
                    for _ in range(8)]
        assert statuses[:5] == [403] * 5 and statuses[-1] == 429
    run(go())


def test_participants_see_only_their_own_answers(room):
    async def go():
        ana = await room.join("Team Kestrel", "Ana")
        bo = await room.join("Team Kestrel", "Bo")
        assert (await room.write(ana, {f"answers.{CRITERIA[0]}": {"level": 3, "evidence": "Ana's secret"}})).status_code == 200
        state = (await room.client.get("/api/p/state", headers=bo)).json()
        assert state["rater"] == "Bo" and state["assessment"]["answers"] == {}
        assert "Ana's secret" not in (await room.client.get("/api/p/file", headers=bo)).text
        own = await room.client.get("/api/p/file", headers=ana)
        assert own.json()["answers"][CRITERIA[0]]["evidence"] == "Ana's secret"
        assert "attachment" in own.headers["content-disposition"]
        for headers in ({}, {"authorization": "Bearer not-a-token"}):
            r = await room.client.get("/api/p/state", headers=headers)
            assert r.status_code == 401
        # A participant token does not open the facilitator's side.
        r = await room.client.get("/api/f/export/room.json", headers=ana)
        assert r.status_code == 403
    run(go())


@pytest.mark.parametrize("changes, field", [
    ({"plan.team": "Another team"}, "plan.team"),
    ({"answers.no-such-question": {"level": 1}}, "answers.no-such-question"),
    ({f"answers.{CRITERIA[0]}": {"level": 4}}, f"answers.{CRITERIA[0]}"),
    ({f"answers.{CRITERIA[0]}": {"level": 1, "colour": "red"}}, f"answers.{CRITERIA[0]}"),
    ({f"answers.{CRITERIA[0]}": {"level": 1, "evidence": "x" * 20001}}, f"answers.{CRITERIA[0]}"),
    ({"plan.model_type": "quantum"}, "model_type"),
    ({"plan.date": "1 December"}, "date"),
    ({"plan.round": 100}, "round"),
    ({"plan.actions": "call the council"}, "actions"),
])
def test_every_write_goes_through_the_assessment_validator(room, changes, field):
    async def go():
        ana = await room.join()
        before = (await room.client.get("/api/p/state", headers=ana)).json()
        assert list(before["versions"]) == ["plan.date"], "joining dates the assessment"
        r = await room.write(ana, changes)
        assert r.status_code == 422
        assert any(field in p for p in r.json()["problems"]), r.json()
        state = (await room.client.get("/api/p/state", headers=ana)).json()
        assert state["fields"] == before["fields"], "a refused change stores nothing"
    run(go())


def test_malformed_and_oversized_bodies_get_clear_errors(room):
    async def go():
        ana = await room.join()
        post = lambda content: room.client.post("/api/p/changes", headers={**ana, "content-type": "application/json"},
                                                content=content)
        cid = CRITERIA[0]
        r = await post(b'{"changes": {}, "changes": {}}')
        assert r.status_code == 400 and "appears twice" in r.json()["error"]
        r = await post(b'{"changes": {"answers.%s": {"value": {"level": NaN}, "base": 0}}}' % cid.encode())
        assert r.status_code == 400 and "NaN" in r.json()["error"]
        r = await post(b"[" * 100_000)
        assert r.status_code in (400, 413)
        r = await post(b'{"changes": {"answers.%s": {"value": {"level": 1, "notes": "%s"}, "base": 0}}}'
                       % (cid.encode(), b"x" * 300_000))
        assert r.status_code == 413 and "KB" in r.json()["error"]
        r = await post(b'{"changes": {"plan.product": {"value": "\\ud800", "base": 0}}}')
        assert r.status_code == 422 and "surrogate" in r.json()["problems"][0]
    run(go())


def test_two_devices_of_one_rater_keep_both_changes_or_report_the_conflict(room):
    async def go():
        ana = await room.join()
        a, b, c = CRITERIA[:3]
        # Device 1 and device 2 both start from the empty assessment (version 0 of every field).
        r1 = await room.write(ana, {f"answers.{a}": {"level": 1}})
        r2 = await room.write(ana, {f"answers.{b}": {"level": 2}})
        assert r1.json()["conflicts"] == [] and r2.json()["conflicts"] == []
        # Different questions: both changes are kept.
        fields = r2.json()["fields"]
        assert fields[f"answers.{a}"][0] == {"level": 1} and fields[f"answers.{b}"][0] == {"level": 2}
        # The same question from both devices: the later write wins, and the replaced answer comes back.
        await room.write(ana, {f"answers.{c}": {"level": 3, "evidence": "from the laptop"}})
        r = await room.write(ana, {f"answers.{c}": {"level": 0}}, base=0)
        conflict, = r.json()["conflicts"]
        assert conflict == {"field": f"answers.{c}", "replaced": {"level": 3, "evidence": "from the laptop"},
                            "kept": {"level": 0}}
        assert room.app.state.room.store.conflicts(1)[0]["replaced"]["evidence"] == "from the laptop"
        # A device that had seen the latest version writes without a conflict.
        r = await room.write(ana, {f"answers.{c}": {"level": 2}}, base=r.json()["versions"][f"answers.{c}"])
        assert r.json()["conflicts"] == []
    run(go())


def test_writes_are_rate_limited_per_participant(tmp_path):
    room = Room(tmp_path / "r", write_rate=1, write_burst=5)

    async def go():
        ana = await room.join()
        statuses = [(await room.write(ana, {f"answers.{CRITERIA[0]}": {"level": i % 4}})).status_code for i in range(8)]
        assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
        bo = await room.join("Team Kestrel", "Bo")
        assert (await room.write(bo, {f"answers.{CRITERIA[0]}": {"level": 1}})).status_code == 200
    run(go())


def test_only_the_facilitator_key_opens_dashboard_and_exports(room):
    async def go():
        c = room.client
        for path in ("/facilitator", "/api/f/export/room.md", "/api/f/export/files.zip"):
            assert (await c.get(path)).status_code == 403, path
        assert (await c.post("/api/f/close", headers={"x-pai-room": "close"}, json={"confirm": room.info["code"]})).status_code == 403
        r = await c.get("/facilitator/login", params={"key": room.info["facilitator_key"][:-1] + "x"})
        assert r.status_code == 403
        r = await c.get("/facilitator/login", params={"key": room.info["facilitator_key"]}, follow_redirects=False)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        page = await c.get("/facilitator")
        assert page.status_code == 200 and room.info["facilitator_key"] not in page.text
        assert room.info["code"] in page.text and "<svg" in page.text
    run(go())


HOSTILE = '=HYPERLINK("http://evil.example")<img src=x onerror=alert(1)>'


def test_hostile_names_stay_text_in_pages_and_exports(room):
    async def go():
        c = room.client
        page = await c.get("/join", params={"code": '"><script>alert(1)</script>'})
        assert "<script>alert" not in page.text and page.headers["content-security-policy"].startswith("default-src 'none'")
        h = await room.join(HOSTILE, HOSTILE)
        r = await room.write(h, {**PLAN, f"answers.{CRITERIA[0]}": {"level": 2, "evidence": HOSTILE}})
        assert r.status_code == 200
        room.as_facilitator()
        md = (await c.get("/api/f/export/room.md", params={"anonymise": "0"})).text
        assert "<img" not in md and "http://evil" not in md
        rows = list(csv.reader(io.StringIO((await c.get("/api/f/export/room.csv", params={"anonymise": "0"})).text)))
        cells = [cell for row in rows for cell in row]
        assert not any(cell.startswith("=") for cell in cells)
        assert any("HYPERLINK" in cell for cell in cells), "the name is kept, as text"
        anon = (await c.get("/api/f/export/room.json")).text
        assert "HYPERLINK" not in anon, "exports replace names by labels unless asked not to"
        for path in ("/join", "/assess", "/facilitator", "/api/p/state", "/w/static/assessment.js"):
            r = await c.get(path, headers=h)
            assert "script-src 'self'" in r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
    run(go())


def test_exported_files_load_as_assessments(room):
    async def go():
        ana = await room.join("Team Kestrel", "Ana")
        await room.write(ana, {**PLAN, **{f"answers.{cid}": {"level": 2} for cid in CRITERIA[:5]}})
        bo = await room.join("Team Kestrel", "Bo")
        await room.write(bo, {f"answers.{CRITERIA[0]}": {"level": 1}})  # no plan details yet
        room.as_facilitator()
        z = zipfile.ZipFile(io.BytesIO((await room.client.get("/api/f/export/files.zip")).content))
        docs = {name: json.loads(z.read(name)) for name in z.namelist()}
        assert len(docs) == 2, "every participant's answers are exported, finished or not"
        ana_doc = next(d for d in docs.values() if d["rater"] == "Ana")
        a = load_assessment(ana_doc)
        assert a.team == "Team Kestrel" and a.rater == "Ana" and a.answers[CRITERIA[4]].level == 2
        summary = json.loads((await room.client.get("/api/f/export/room.json")).text)
        assert summary["counts"]["files"] == 1, "the summary counts complete assessments"
    run(go())


def test_static_files_come_from_the_package_only(room):
    async def go():
        c = room.client
        assert (await c.get("/w/static/assessment.js")).status_code == 200
        assert (await c.get("/w/data/ui-labels.json")).headers["content-type"].startswith("application/json")
        for path in ("/w/static/../_room.py", "/w/static/%2e%2e/_room.py", "/room-static/../app.py"):
            assert (await c.get(path)).status_code == 404, path
    run(go())


def test_close_and_delete_removes_the_data(room, tmp_path):
    async def go():
        ana = await room.join()
        await room.write(ana, {f"answers.{CRITERIA[0]}": {"level": 2}})
        room.as_facilitator()
        r = await room.client.post("/api/f/close", json={"confirm": room.info["code"]})
        assert r.status_code == 400, "the dashboard's header is required (no cross-site form can close the room)"
        r = await room.client.post("/api/f/close", headers={"x-pai-room": "close"}, json={"confirm": "nope"})
        assert r.status_code == 400 and "room code" in r.json()["error"]
        r = await room.client.post("/api/f/close", headers={"x-pai-room": "close"}, json={"confirm": room.info["code"]})
        assert r.status_code == 200
        assert list((tmp_path / "room").iterdir()) == []
        assert (await room.client.get("/api/p/state", headers=ana)).status_code == 410
    run(go())


def test_banner_warns_when_the_room_is_open_to_the_network(tmp_path):
    from widgets.liveroom.cli import banner

    info = {"code": "K7P-2QM", "facilitator_key": "secret"}
    local = banner(tmp_path, info, "http://127.0.0.1:8765/join?code=K7P-2QM", "http://127.0.0.1:8765", "127.0.0.1")
    lan = banner(tmp_path, info, "http://192.168.1.20:8765/join?code=K7P-2QM", "http://192.168.1.20:8765", "0.0.0.0",
                 qr=False)
    assert "WARNING" not in local and "cannot join" in local and "█" in local, "the terminal QR code is printed"
    assert "WARNING: listening on 0.0.0.0" in lan and "not encrypted" in lan and "█" not in lan
    for text in (local, lan):
        assert "K7P-2QM" in text and "/facilitator/login?key=secret" in text


def test_dashboard_qr_code_is_inline_svg_of_the_join_address():
    from widgets.liveroom.pages import qr_svg

    svg = qr_svg('http://192.168.1.20:8765/join?code=K7P-2QM"><script>')
    assert svg.startswith("<svg ") and "<script" not in svg and 'role="img"' in svg
    assert "http" not in svg.split("aria-label", 1)[0], "no external reference before the label"


def test_the_chapter_shows_the_walk_through_screenshots():
    from test_liveroom_browser import BOOK_IMAGES, SCREENSHOTS

    from liveroom_support import ROOT

    chapter = (ROOT / "book" / "workshops" / "08-live-room.md").read_text(encoding="utf-8")
    shown = [line.split("images/live-room/", 1)[1].strip() for line in chapter.splitlines()
             if line.startswith("```{image} images/live-room/")]
    assert shown == list(SCREENSHOTS), "the chapter shows each screenshot the walk-through takes, in order"
    for name in SCREENSHOTS:
        size = (BOOK_IMAGES / name).stat().st_size
        assert size < 200_000, f"{name}: {size} bytes; screenshots are committed only while small"
