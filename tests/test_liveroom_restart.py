"""The live room keeps every acknowledged answer when its process is killed mid-session."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx

from liveroom_support import start_room
from widgets._scoring import load_rubric

CRITERIA = [c.id for c in load_rubric().criteria]


def _join(base, code, team, rater):
    r = httpx.post(f"{base}/api/join", json={"code": code, "team": team, "rater": rater}, timeout=10)
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['token']}"}


def test_kill_minus_nine_mid_session_loses_no_acknowledged_answer(tmp_path):
    folder = tmp_path / "room"
    room = start_room(folder)
    try:
        headers = _join(room.base, room.code, "Team Kestrel", "Ana")
        acknowledged: dict[str, int] = {}
        stop = threading.Event()

        def writer():
            # Bounded: at most one write per criterion, and never after the kill.
            with httpx.Client(timeout=5) as client:
                for i, cid in enumerate(CRITERIA):
                    if stop.is_set():
                        return
                    level = i % 4
                    try:
                        r = client.post(f"{room.base}/api/p/changes", headers=headers,
                                        json={"changes": {f"answers.{cid}": {"value": {"level": level}, "base": 0}}})
                    except httpx.HTTPError:
                        return  # the server died while this request was in flight: not acknowledged
                    if r.status_code == 200:
                        acknowledged[cid] = level
                    time.sleep(0.02)

        thread = threading.Thread(target=writer)
        thread.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(room.proc.pid, signal.SIGKILL)
        room.proc.wait(timeout=10)
        stop.set()
        thread.join(timeout=10)
        assert len(acknowledged) >= 8, "the writer did not get far enough before the kill"
        assert len(acknowledged) < len(CRITERIA), "the kill came after the session ended, not in the middle"
    finally:
        room.stop()

    again = start_room(folder)
    try:
        assert (again.code, again.key) == (room.code, room.key), "a restarted room keeps its code and key"
        state = httpx.get(f"{again.base}/api/p/state", headers=headers, timeout=10).json()
        assert state["team"] == "Team Kestrel" and state["rater"] == "Ana"
        stored = {cid: a["level"] for cid, a in state["assessment"]["answers"].items()}
        for cid, level in acknowledged.items():
            assert stored.get(cid) == level, f"{cid}: acknowledged level {level}, after restart {stored.get(cid)}"
        # The room goes on: new writes after the restart are stored too, with the next version.
        cid = CRITERIA[0]
        before = state["versions"].get(f"answers.{cid}", 0)
        r = httpx.post(f"{again.base}/api/p/changes", headers=headers, timeout=10,
                       json={"changes": {f"answers.{cid}": {"value": {"level": 3}, "base": before}}})
        assert r.status_code == 200 and r.json()["conflicts"] == []
        assert r.json()["versions"][f"answers.{cid}"] == before + 1
    finally:
        again.stop()


def test_a_busy_port_gives_a_clear_error(tmp_path):
    room = start_room(tmp_path / "r")
    try:
        port = room.base.rsplit(":", 1)[1]
        import subprocess
        import sys

        from liveroom_support import ROOT

        out = subprocess.run([sys.executable, "-m", "widgets", "room", "--folder", str(tmp_path / "other"),
                              "--port", port, "--no-qr"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
        assert out.returncode == 1
        assert "cannot listen on 127.0.0.1:" in out.stderr and "--port" in out.stderr
    finally:
        room.stop()
