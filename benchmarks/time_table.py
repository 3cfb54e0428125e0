"""The per-test time table of a profiled test run (``make test-profile``), as Markdown.

Reads the JSON lines that ``tests/conftest.py`` writes when ``PAI_TEST_PROFILE`` names a folder
(one file per pytest-xdist worker, one line per test) and prints: the tests that cost the most
CPU (worker plus Chromium, Node and servers under it), those that wait the most (wall much larger
than CPU), the cost per file, and how busy each worker was from the first test to its last.

    python benchmarks/time_table.py test-artifacts/profile [--top 20]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path


def read_records(folder: Path) -> list[dict]:
    """Every test's record in ``folder`` (``*.jsonl``), its node id without xdist's ``@group``."""
    records = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise SystemExit(f"{path}, line {number}: not a JSON record ({err}); delete the folder and profile again")
            record["test"] = record["test"].split("@", 1)[0]
            records.append(record)
    if not records:
        raise SystemExit(f"{folder}: no *.jsonl records; run `make test-profile` first")
    return records


def per_file(records: list[dict]) -> list[dict]:
    files: dict[str, dict] = defaultdict(lambda: {"tests": 0, "cpu": 0.0, "wall": 0.0, "workers": set()})
    for r in records:
        f = files[r["test"].split("::", 1)[0]]
        f["tests"] += 1
        f["cpu"] += r["cpu"]
        f["wall"] += r["wall"]
        f["workers"].add(r["worker"])
    return sorted(({"file": k, **v} for k, v in files.items()), key=lambda f: -f["cpu"])


def per_worker(records: list[dict]) -> list[dict]:
    workers: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        workers[r["worker"]].append(r)
    first = min(r["start"] for r in records)
    rows = []
    for name, rs in sorted(workers.items()):
        end = max(r["start"] + r["wall"] for r in rs)
        rows.append({"worker": name, "tests": len(rs), "cpu": sum(r["cpu"] for r in rs),
                     "busy": sum(r["wall"] for r in rs), "first": min(r["start"] for r in rs) - first,
                     "last": end - first})
    return rows


def table(records: list[dict], top: int = 20) -> str:
    out = []
    cpu = sum(r["cpu"] for r in records)
    wall = sum(r["wall"] for r in records)
    out.append(f"{len(records)} tests: CPU {cpu:.0f} s (worker and the processes under it), "
               f"summed wall {wall:.0f} s.\n")
    out.append(f"Top {top} by CPU:\n\n| CPU s | wall s | worker | test |\n|---:|---:|---|---|")
    for r in sorted(records, key=lambda r: -r["cpu"])[:top]:
        out.append(f"| {r['cpu']:.1f} | {r['wall']:.1f} | {r['worker']} | `{r['test']}` |")
    waiting = sorted(records, key=lambda r: -(r["wall"] - r["cpu"]))[:top]
    out.append(f"\nTop {top} by waiting (wall minus CPU; on a loaded machine this includes waiting for a core):\n\n"
               "| wait s | wall s | CPU s | test |\n|---:|---:|---:|---|")
    for r in waiting:
        out.append(f"| {r['wall'] - r['cpu']:.1f} | {r['wall']:.1f} | {r['cpu']:.1f} | `{r['test']}` |")
    out.append("\nPer file (by CPU):\n\n| CPU s | wall s | tests | workers | file |\n|---:|---:|---:|---|---|")
    for f in per_file(records)[:top]:
        out.append(f"| {f['cpu']:.1f} | {f['wall']:.1f} | {f['tests']} | {', '.join(sorted(f['workers']))} | `{f['file']}` |")
    out.append("\nWorkers (seconds from the first test of the run):\n\n"
               "| worker | tests | CPU s | busy wall s | first test at | last test ends at |\n|---|---:|---:|---:|---:|---:|")
    for w in per_worker(records):
        out.append(f"| {w['worker']} | {w['tests']} | {w['cpu']:.0f} | {w['busy']:.0f} | {w['first']:.0f} | {w['last']:.0f} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder PAI_TEST_PROFILE named")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    print(table(read_records(args.folder), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
