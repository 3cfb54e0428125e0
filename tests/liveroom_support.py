"""Start the live room as a real process (``python -m widgets room``) on 127.0.0.1 and read the
addresses it prints; shared by the room's tests and its benchmark."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0


@dataclass
class RoomProcess:
    proc: subprocess.Popen
    base: str
    code: str
    key: str
    output: list

    @property
    def join_url(self) -> str:
        return f"{self.base}/join?code={self.code}"

    @property
    def facilitator_url(self) -> str:
        return f"{self.base}/facilitator/login?key={self.key}"

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)



def run_coroutine(coro):
    """Run ``coro`` to completion on a new event loop in a worker thread. The Playwright sync API
    used by the browser tests keeps an event loop running in the main thread for the whole
    session, and ``asyncio.run`` refuses to start beside it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()

def start_room(folder: Path, *, extra: tuple[str, ...] = ()) -> RoomProcess:
    """Start a room on 127.0.0.1 with a free port; return once it prints its facilitator address."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "widgets", "room", "--folder", str(folder), "--host", "127.0.0.1", "--port", "0",
         "--no-qr", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    code = key = base = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if m := re.search(r"Room code:\s+(\S+)", line):
            code = m.group(1)
        if m := re.search(r"Facilitator:\s+(http://127\.0\.0\.1:\d+)/facilitator/login\?key=(\S+)", line):
            base, key = m.group(1), m.group(2)
        if "Press Ctrl+C" in line:
            break
    if not (code and key and base):
        proc.kill()
        raise RuntimeError("the room did not start:\n" + "".join(lines))
    # The socket is bound before the banner is printed; wait until the server answers.
    import httpx

    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return RoomProcess(proc, base, code, key, lines)


# --------------------------------------------------------------------------- simulated participants

PLAN_CHANGES = {"plan.product": "Load test", "plan.model_type": "narrow", "plan.lifecycle_stage": "data"}


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))]
    return {"n": len(v), "p50_ms": round(pick(0.50) * 1000, 1), "p95_ms": round(pick(0.95) * 1000, 1),
            "p99_ms": round(pick(0.99) * 1000, 1), "max_ms": round(v[-1] * 1000, 1)}


async def simulate(room: RoomProcess, *, participants: int, answers: int, pace: tuple[float, float] | None,
                   time_limit: float, seed: int = 0, team_prefix: str = "Team") -> dict:
    """Simulated participants: each joins, then answers ``answers`` questions one save at a time,
    waiting a random ``pace`` (seconds, low and high) between saves, or not at all (``None``: as fast
    as the server answers). A facilitator's event stream stays open throughout. Bounded twice: by the
    number of saves, and by ``time_limit`` seconds, after which the remaining saves are not made.
    At the end each participant reads its answers back: a saved answer missing there is "lost".
    Only ever sends to the room on 127.0.0.1."""
    import asyncio
    import random

    import httpx
    import psutil

    from widgets._scoring import load_rubric

    if not room.base.startswith("http://127.0.0.1:"):
        raise ValueError("the load test only targets a room on 127.0.0.1")
    rng = random.Random(seed)
    short = [c.id for c in load_rubric().criteria if c.short]
    latency: dict[str, list[float]] = {"join": [], "save": [], "read": []}
    errors: dict[str, int] = {}
    counts = {"saves": 0, "rate_limited": 0, "lost": 0, "events": 0, "skipped": 0}
    server = psutil.Process(room.proc.pid)
    rss = [server.memory_info().rss]
    start = time.monotonic()
    deadline = start + time_limit

    def error(kind: str):
        errors[kind] = errors.get(kind, 0) + 1

    async def timed(kind, call):
        t = time.perf_counter()
        response = await call
        latency[kind].append(time.perf_counter() - t)
        return response

    async def participant(client: httpx.AsyncClient, i: int):
        delays = [rng.uniform(*pace) if pace else 0.0 for _ in range(answers)]
        chosen = [short[(i + k) % len(short)] for k in range(answers)]
        try:
            r = await timed("join", client.post("/api/join", json={"code": room.code, "team": f"{team_prefix} {i % 40}",
                                                                   "rater": f"Rater {i}"}))
        except httpx.HTTPError as err:
            return error(f"join: {type(err).__name__}")
        if r.status_code != 200:
            return error(f"join: HTTP {r.status_code}")
        headers = {"authorization": f"Bearer {r.json()['token']}"}
        saved: dict[str, int] = {}
        versions: dict[str, int] = {}
        for k, cid in enumerate(chosen):
            if time.monotonic() + delays[k] > deadline:
                counts["skipped"] += answers - k
                break
            await asyncio.sleep(delays[k])
            level = (i + k) % 4
            name = f"answers.{cid}"
            changes = {name: {"value": {"level": level}, "base": versions.get(name, 0)}}
            if k == 0:
                changes.update({n: {"value": v, "base": 0} for n, v in PLAN_CHANGES.items()})
            for _attempt in range(3):  # a rate-limited save is retried, as the page does
                try:
                    r = await timed("save", client.post("/api/p/changes", headers=headers, json={"changes": changes}))
                except httpx.HTTPError as err:
                    error(f"save: {type(err).__name__}")
                    break
                if r.status_code == 429:
                    counts["rate_limited"] += 1
                    await asyncio.sleep(1.0)
                    continue
                if r.status_code != 200:
                    error(f"save: HTTP {r.status_code}")
                else:
                    counts["saves"] += 1
                    saved[cid] = level
                    versions[name] = r.json()["versions"][name]
                break
        try:
            r = await timed("read", client.get("/api/p/state", headers=headers))
        except httpx.HTTPError as err:
            return error(f"read: {type(err).__name__}")
        stored = {c: a.get("level") for c, a in r.json()["assessment"]["answers"].items()}
        counts["lost"] += sum(1 for c, lv in saved.items() if stored.get(c) != lv)

    async def dashboard(client: httpx.AsyncClient, stop: asyncio.Event):
        try:
            async with client.stream("GET", "/api/f/events", cookies={"pai_room_facilitator": room.key},
                                     timeout=httpx.Timeout(time_limit + 10)) as r:
                async for line in r.aiter_lines():
                    if line.startswith("event:"):
                        counts["events"] += 1
                    if stop.is_set() or time.monotonic() > deadline:
                        break
        except httpx.HTTPError:
            error("dashboard stream")

    async def sample_memory(stop: asyncio.Event):
        while not stop.is_set() and time.monotonic() < deadline + 5:
            rss.append(server.memory_info().rss)
            await asyncio.sleep(0.25)

    limits = httpx.Limits(max_connections=participants + 5, max_keepalive_connections=participants + 5)
    async with httpx.AsyncClient(base_url=room.base, limits=limits, timeout=30) as client:
        stop = asyncio.Event()
        watchers = [asyncio.create_task(dashboard(client, stop)), asyncio.create_task(sample_memory(stop))]
        try:
            await asyncio.wait_for(asyncio.gather(*(participant(client, i) for i in range(participants))),
                                   timeout=time_limit + 30)
        except asyncio.TimeoutError:
            error("time limit")
        stop.set()
        await asyncio.sleep(0.6)  # the last batch of changes reaches the stream
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
    elapsed = time.monotonic() - start
    return {"participants": participants, "answers_each": answers, "pace_s": pace, "elapsed_s": round(elapsed, 2),
            "saves": counts["saves"], "saves_per_s": round(counts["saves"] / elapsed, 1), "skipped": counts["skipped"],
            "rate_limited": counts["rate_limited"], "lost": counts["lost"], "dashboard_events": counts["events"],
            "errors": errors, "latency": {k: _percentiles(v) for k, v in latency.items()},
            "server_rss_mb": {"start": round(rss[0] / 2**20, 1), "peak": round(max(rss) / 2**20, 1),
                              "end": round(rss[-1] / 2**20, 1)}}
