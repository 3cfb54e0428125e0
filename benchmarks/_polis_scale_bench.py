"""Polis at scale: time and peak memory of casestudies.polis and red-dwarf on large synthetic conversations.

Each conversation has ``n`` participants and 2,000 statements, three planted opinion
groups, and sparse votes: a participant votes on 1 + Poisson(30) statements, drawn
with a popularity skew (early statements are shown more, as in Polis), agreeing with
their group's stance with probability 0.7, passing with 0.1, and otherwise voting at
random. Votes arrive in a random order (their timestamps), which the replay follows.
Each method runs in a fresh subprocess (so peak memory is its own) under a
watchdog that stops it when its resident memory passes ``RSS_LIMIT_GB`` or its time
passes ``TIME_LIMIT_S``; a stopped run is reported with the measured reason.

Run alone: ``.venv/bin/python benchmarks/_polis_scale_bench.py [--sizes 10000 50000 200000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = (10_000, 50_000, 200_000)
N_STATEMENTS = 2_000
#: The machine has 24 GiB shared with other work and 2 cores: stop a run beyond these.
RSS_LIMIT_GB = 10.0
TIME_LIMIT_S = 900.0
METHODS = ("casestudies.polis (sparse single pass)", "casestudies.polis (replay, 200 updates)", "red-dwarf 0.4.0")


def synthetic_votes(n: int, m: int = N_STATEMENTS, seed: int = 0):
    """Long votes of a planted three-group conversation; returns (votes data frame, planted group per participant)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    stance = rng.choice([-1, 1], size=(3, m))
    per = 1 + rng.poisson(30, n)
    pid = np.repeat(np.arange(n), per)
    popularity = 1.0 / np.arange(1, m + 1) ** 0.6
    tid = rng.choice(m, size=len(pid), p=popularity / popularity.sum())
    key = np.unique(pid.astype(np.int64) * m + tid)
    pid, tid = key // m, key % m
    u = rng.random(len(pid))
    vote = np.where(u < 0.7, stance[group[pid], tid], np.where(u < 0.8, 0, rng.choice([-1, 0, 1], len(pid))))
    when = rng.permutation(len(pid)) + 1  # the order votes arrive in, for the replay
    votes = pd.DataFrame({"participant": pid, "comment-id": tid, "vote": vote.astype(int), "timestamp": when})
    return votes, group


def _child(method: str, n: int, out_path: str) -> None:
    import warnings

    import pandas as pd

    from casestudies import polis

    votes, planted = synthetic_votes(n)
    conv = polis.PolisConversation(f"synthetic-{n}", pd.DataFrame({"comment-id": np.arange(N_STATEMENTS), "comment-body": ""}),
                                   votes, pd.Series(planted, name="group-id", dtype="float64"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        if "single pass" in method:
            res = polis.run_sparse(conv)
        elif "replay" in method:
            res = polis.run(conv, n_updates=200, keep_participants=())
        else:
            res = polis.run_reddwarf(conv)
        seconds = time.perf_counter() - t0
    agr = polis.group_agreement(res, conv.groups)
    with open("/proc/self/status") as fh:
        peak = next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:"))
    pathlib.Path(out_path).write_text(json.dumps({"seconds": seconds, "peak_mb": peak, "ari_planted": agr["ari"], "k": agr["k"],
                                                  "votes": int(len(votes))}))


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0.0


def run_one(method: str, n: int) -> dict:
    """One method on one size in a watched subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child", method, str(n), out], cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        peak_seen, reason = 0.0, None
        while proc.poll() is None:
            rss = _rss_mb(proc.pid)
            peak_seen = max(peak_seen, rss)
            elapsed = time.perf_counter() - t0
            if rss > RSS_LIMIT_GB * 1024:
                reason = f"stopped at {rss / 1024:.1f} GB resident after {elapsed:.0f} s (limit {RSS_LIMIT_GB:.0f} GB)"
            elif elapsed > TIME_LIMIT_S:
                reason = f"stopped after {elapsed:.0f} s (limit {TIME_LIMIT_S:.0f} s) at {rss / 1024:.1f} GB resident"
            if reason:
                proc.kill()
                proc.wait()
                break
            time.sleep(0.2)
        row = {"method": method, "participants": n, "statements": N_STATEMENTS}
        if reason is None and proc.returncode == 0 and os.path.exists(out):
            row.update(json.loads(pathlib.Path(out).read_text()))
            row["completed"] = True
        else:
            row.update({"completed": False, "reason": reason or f"exited with code {proc.returncode}",
                        "peak_mb_seen": round(peak_seen, 1)})
        return row


def bench_scale(sizes=SIZES) -> list[dict]:
    rows = []
    stopped: dict = {}  # a method stopped at one size is not tried at larger ones
    for n in sizes:
        for method in METHODS:
            if method in stopped:
                rows.append({"method": method, "participants": n, "statements": N_STATEMENTS, "completed": False,
                             "reason": f"not tried: it did not finish at {stopped[method]:,d} participants"})
                print(f"  {n:>8,d} x {N_STATEMENTS:,d}  {method:40s} {rows[-1]['reason']}", flush=True)
                continue
            rows.append(run_one(method, n))
            if not rows[-1]["completed"]:
                stopped[method] = n
            r = rows[-1]
            if r["completed"]:
                print(f"  {n:>8,d} x {N_STATEMENTS:,d}  {method:40s} {r['seconds']:8.1f} s  {r['peak_mb']:8.0f} MB peak  "
                      f"{r['votes']:>10,d} votes  ARI with planted groups {r['ari_planted']:.3f} (k={r['k']})", flush=True)
            else:
                print(f"  {n:>8,d} x {N_STATEMENTS:,d}  {method:40s} did not finish: {r['reason']}", flush=True)
    return rows


def growth(rows: list[dict]) -> dict:
    """Log-log slope of time and memory against participants, per method (1 = linear)."""
    out = {}
    for method in METHODS:
        done = [r for r in rows if r["method"] == method and r["completed"]]
        if len(done) >= 2:
            n = np.log([r["participants"] for r in done])
            out[method] = {"time_exponent": round(float(np.polyfit(n, np.log([r["seconds"] for r in done]), 1)[0]), 2),
                           "memory_exponent": round(float(np.polyfit(n, np.log([r["peak_mb"] for r in done]), 1)[0]), 2)}
    return out


def scale_section(out: dict, sizes=SIZES) -> None:
    print(f"\nPolis at scale: synthetic sparse conversations x {N_STATEMENTS:,d} statements (fresh process each; "
          f"stopped beyond {RSS_LIMIT_GB:.0f} GB or {TIME_LIMIT_S:.0f} s)")
    rows = bench_scale(sizes)
    out["polis_scale"] = rows
    out["polis_scale_growth"] = growth(rows)
    for method, g in out["polis_scale_growth"].items():
        print(f"  {method}: time grows as n^{g['time_exponent']}, peak memory as n^{g['memory_exponent']}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        raise SystemExit(0)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = ap.parse_args()
    result: dict = {}
    scale_section(result, args.sizes)
