"""A short, bounded load test of the live room on 127.0.0.1: 60 simulated participants, all at once,
at a (quickened) human pace and then as fast as possible. It checks correctness under concurrent
load (every participant joins, no error, no saved answer lost), not speed. The full workshop of 200
participants, with the same checks, the figures and their targets, is
benchmarks/bench_liveroom.py (`make bench`)."""

from __future__ import annotations

from liveroom_support import run_coroutine, simulate, start_room

#: Enough to have every kind of request in flight at once; 200 is the benchmark's workshop.
PARTICIPANTS = 60


def test_many_participants_at_once_lose_nothing(tmp_path):
    room = start_room(tmp_path / "room")
    try:
        paced = run_coroutine(simulate(room, participants=PARTICIPANTS, answers=2, pace=(0.05, 0.3), time_limit=60, seed=1))
        fast = run_coroutine(simulate(room, participants=PARTICIPANTS, answers=2, pace=None, time_limit=60, seed=2,
                                    team_prefix="Fast team"))
    finally:
        room.stop()
    for run in (paced, fast):
        assert run["errors"] == {}, run
        assert run["latency"]["join"]["n"] == PARTICIPANTS
        assert run["saves"] == 2 * PARTICIPANTS and run["skipped"] == 0, run
        assert run["lost"] == 0
        assert run["dashboard_events"] >= 2, "the facilitator's stream sent the room and at least one update"
