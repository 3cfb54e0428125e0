"""Fuzzing at length: every loader under every damage class, and 2 MB hostile files of every kind.

Usage: .venv/bin/python benchmarks/bench_fuzz.py [--cases 25] [--seed 20261201] [--json]

Part 1 runs ``--cases`` damaged inputs per loader and damage class (the classes and loaders of
``tests/fuzz_cases.py``, which the fuzz tests in ``make test`` draw far fewer of) and counts how
each ended: accepted, refused with the toolkit's own error, or crashed (any other exception, an
exit status other than 0 or 1 from the command line). It reports the slowest case per class and
the peak memory of the whole run (the process's maximum resident set size).

Part 2 builds hostile files just under the 2,000,000-byte limit (so they are parsed, not refused
by size): many keys, many items, one long string, deep nesting, keys written over and over, lone
surrogates, over-long numbers, rounded floats, many YAML documents and aliases, and valid
assessment headers followed by 150,000 unknown fields or a 700,000-item list. Each is given to
every loader of its syntax; the target is a clear refusal in under 1 s and under 200 MB. Time is
this process's CPU time (what the refusal costs; the wall-clock time, longer when other processes
compete for the CPUs, is printed beside it), measured without tracing; memory is the peak of
Python's allocations under tracemalloc, in a second run.

Exits with status 1 when any case crashed or any 2 MB file missed a target.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fuzz_cases import CLASSES, TARGETS, make_case, run_case  # noqa: E402
from widgets._files import MAX_FILE_BYTES  # noqa: E402

TIME_TARGET_S = 1.0
MEMORY_TARGET_MB = 200
SIZE = MAX_FILE_BYTES - 10_000  # just under the limit: these files are parsed


def fill(head: str, unit: str, tail: str, sep: str = "") -> str:
    """``head`` + ``unit`` repeated (joined by ``sep``) + ``tail``, about SIZE bytes in all."""
    n = (SIZE - len(head) - len(tail)) // (len(unit.encode("utf-8")) + len(sep))
    return head + sep.join([unit] * n) + tail


ASSESSMENT_HEAD_JSON = ('{"format": "pai-assessment", "format_version": 1, "rubric": {"id": "engagement-plan", '
                        '"version": "1.0"}, "team": "T", "product": "P", "model_type": "narrow", '
                        '"lifecycle_stage": "data", "date": "2026-01-01", "answers": {}, ')
ASSESSMENT_HEAD_YAML = ("format: pai-assessment\nformat_version: 1\nrubric: {id: engagement-plan, version: '1.0'}\n"
                        "team: T\nproduct: P\nmodel_type: narrow\nlifecycle_stage: data\ndate: '2026-01-01'\n"
                        "answers: {}\n")


def keyed(head: str, entry, sep: str, tail: str) -> str:
    """``head`` + ``entry(0)``, ``entry(1)``, ... joined by ``sep`` + ``tail``, about SIZE bytes."""
    parts, size, i = [], len(head) + len(tail), 0
    while size < SIZE - 40:
        parts.append(entry(i))
        size += len(parts[-1]) + len(sep)
        i += 1
    return head + sep.join(parts) + tail


JSON_FILES = {
    "many keys": lambda: keyed("{", lambda i: f'"k{i}": {i}', ", ", "}"),
    "many items": lambda: fill('{"items": [', "1", "]}", ","),
    "long string": lambda: fill('{"team": "', "x", '"}'),
    "deep nesting": lambda: "[" * (SIZE // 2) + "]" * (SIZE // 2),
    "deep objects": lambda: fill("", "{\"a\":", ""),
    "same key again and again": lambda: fill("{", '"a": 1', "}", ", "),
    "lone surrogates": lambda: fill("[", '"\\ud800"', "]", ","),
    "400-digit numbers": lambda: fill("[", "9" * 400, "]", ","),
    "rounded floats": lambda: fill("[", "2.9999999999999999", "]", ","),
    "floats": lambda: fill("[", "1.5", "]", ","),
    "NaN": lambda: fill("[", "NaN", "]", ","),
    "assessment + 150,000 unknown fields": lambda: keyed(ASSESSMENT_HEAD_JSON, lambda i: f'"unknown-{i}": {i}', ", ", "}"),
    "assessment + 700,000 migrations": lambda: fill(ASSESSMENT_HEAD_JSON + '"migrations": [', '"x"', "]}", ","),
}
YAML_FILES = {
    "many keys": lambda: keyed("", lambda i: f"k{i}: {i}", "\n", "\n"),
    "many items (flow)": lambda: fill("items: [", "1", "]\n", ", "),
    "many items (block)": lambda: fill("items:\n", "- 1\n", ""),
    "long string": lambda: fill('team: "', "x", '"\n'),
    "deep nesting": lambda: "a: " + "[" * (SIZE // 2 - 2) + "]" * (SIZE // 2 - 2),
    "deep blocks": lambda: "".join("  " * i + f"k{i}:\n" for i in range(1_400)),
    "same key again and again": lambda: fill("", "a: 1\n", ""),
    "many documents": lambda: fill("", "---\na: 1\n", ""),
    "aliases": lambda: "a: &a [x]\n" + fill("b: [", "*a", "]\n", ", "),
    "tags": lambda: fill("a: [", "!!python/object:os.system x", "]\n", ", "),
    "400-digit numbers": lambda: fill("a: [", "9" * 400, "]\n", ", "),
    "assessment + 150,000 unknown fields": lambda: keyed(ASSESSMENT_HEAD_YAML, lambda i: f"unknown-{i}: {i}", "\n", "\n"),
    "assessment + 700,000 migrations": lambda: fill(ASSESSMENT_HEAD_YAML + "migrations: [", "x", "]\n", ", "),
}
JSON_TARGETS = ["assessment.json", "pay.json", "vendor.json", "transparency.json"]
YAML_TARGETS = ["assessment.yaml", "questions.yaml", "template.yaml"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part1(cases: int, seed: int) -> tuple[dict, list]:
    rng = random.Random(seed)
    counts: dict = collections.defaultdict(collections.Counter)
    slowest: dict = collections.defaultdict(float)
    crashes = []
    for target in TARGETS:
        for damage in CLASSES:
            n = max(2, cases // 4) if target == "cli" else cases
            for _ in range(n):
                text = make_case(rng, target, damage)
                start = time.perf_counter()
                outcome = run_case(target, text)
                slowest[damage] = max(slowest[damage], time.perf_counter() - start)
                kind = "crash" if outcome.startswith("crash") else outcome
                counts[damage][kind] += 1
                if kind == "crash":
                    crashes.append((target, damage, outcome, text[:200]))
    return {d: {"cases": sum(c.values()), **c, "slowest_s": round(slowest[d], 3)} for d, c in counts.items()}, crashes


def part2() -> list[dict]:
    rows = []
    for files, targets in ((JSON_FILES, JSON_TARGETS), (YAML_FILES, YAML_TARGETS)):
        for kind, build in files.items():
            text = build()
            size = len(text.encode("utf-8"))
            assert size <= MAX_FILE_BYTES, (kind, size)
            for target in targets:
                start, wall = time.process_time(), time.perf_counter()
                outcome = run_case(target, text)
                seconds, wall = time.process_time() - start, time.perf_counter() - wall
                tracemalloc.start()
                run_case(target, text)
                peak = tracemalloc.get_traced_memory()[1] / 1e6
                tracemalloc.stop()
                rows.append({"file": kind, "syntax": "JSON" if files is JSON_FILES else "YAML", "target": target,
                             "bytes": size, "outcome": outcome, "seconds": round(seconds, 3), "wall_seconds": round(wall, 3),
                             "peak_mb": round(peak, 1),
                             "ok": outcome == "refused" and seconds < TIME_TARGET_S and peak < MEMORY_TARGET_MB})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=25, help="cases per loader and damage class")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    start = time.perf_counter()
    classes, crashes = part1(args.cases, args.seed)
    files = part2()
    result = {
        "python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        "classes": classes, "crashes": crashes, "hostile_2mb_files": files,
        "peak_rss_mb": round(peak_rss_mb(), 1), "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"Fuzzing every loader (Python {result['python']}, {result['cpus']} CPUs, load average "
              f"{', '.join(f'{x:.2f}' for x in result['load_average'])})")
        print(f"  {'damage class':<18}{'cases':>7}{'accepted':>10}{'refused':>9}{'crashed':>9}{'slowest s':>11}")
        for damage, c in classes.items():
            print(f"  {damage:<18}{c['cases']:>7}{c.get('accepted', 0):>10}{c.get('refused', 0):>9}"
                  f"{c.get('crash', 0):>9}{c['slowest_s']:>11.3f}")
        total = sum(c["cases"] for c in classes.values())
        print(f"  {total} cases, {len(crashes)} crashed; peak memory of the run {result['peak_rss_mb']} MB (max RSS)")
        for crash in crashes[:10]:
            print("  CRASH", crash)
        print(f"\nHostile files just under {MAX_FILE_BYTES:,} bytes (target: refused, < {TIME_TARGET_S:g} s, "
              f"< {MEMORY_TARGET_MB} MB)")
        print(f"  {'file':<38}{'syntax':<7}{'loader':<19}{'outcome':<10}{'CPU s':>7}{'wall s':>8}{'MB':>8}")
        for r in files:
            flag = "" if r["ok"] else "  MISSED"
            print(f"  {r['file']:<38}{r['syntax']:<7}{r['target']:<19}{r['outcome'][:9]:<10}"
                  f"{r['seconds']:>7.3f}{r['wall_seconds']:>8.3f}{r['peak_mb']:>8.1f}{flag}")
        worst_t = max(files, key=lambda r: r["seconds"])
        worst_m = max(files, key=lambda r: r["peak_mb"])
        print(f"  slowest: {worst_t['seconds']:.3f} s of CPU time ({worst_t['file']}, {worst_t['target']}); "
              f"largest: {worst_m['peak_mb']:.1f} MB ({worst_m['file']}, {worst_m['target']})")
    missed = [r for r in files if not r["ok"]]
    if crashes or missed:
        print(f"FAILED: {len(crashes)} crashes, {len(missed)} hostile files missed a target", file=sys.stderr)
        return 1
    print(f"All {len(files)} hostile 2 MB files refused within the targets; no crash in "
          f"{sum(c['cases'] for c in classes.values())} fuzzed cases.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
