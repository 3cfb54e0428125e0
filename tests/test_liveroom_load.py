"""A short, bounded load test of the live room on 127.0.0.1: 200 simulated participants at a
(quickened) human pace and then as fast as possible. It checks correctness under load (every
participant joins, no error, no saved answer lost), not speed: the figures and their targets are
in benchmarks/bench_liveroom.py (`make bench`)."""

from __future__ import annotations

import asyncio

from liveroom_support import run_coroutine, simulate, start_room


def test_two_hundred_participants_lose_nothing(tmp_path):
    room = start_room(tmp_path / "room")
    try:
        paced = run_coroutine(simulate(room, participants=200, answers=2, pace=(0.05, 0.3), time_limit=60, seed=1))
        fast = run_coroutine(simulate(room, participants=200, answers=2, pace=None, time_limit=60, seed=2,
                                    team_prefix="Fast team"))
    finally:
        room.stop()
    for run in (paced, fast):
        assert run["errors"] == {}, run
        assert run["latency"]["join"]["n"] == 200
        assert run["saves"] == 400 and run["skipped"] == 0, run
        assert run["lost"] == 0
        assert run["dashboard_events"] >= 2, "the facilitator's stream sent the room and at least one update"
