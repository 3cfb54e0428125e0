"""Do the Python and JavaScript scorers agree on many random rubric 2.0 assessments? (target: no
difference at all, in the score, its key order or the Markdown report)

Usage: .venv/bin/python benchmarks/bench_parity.py [--n 3000] [--seed 1] [--json]

Draws N assessments with the strategy of `tests/test_parity_random.py` (context, participant
groups of every role, per-group answers, n/a, unanswered; noisy, clean and weak-profile plans),
checks each is a valid file, and compares `score_plan(...).to_dict()` and the report with
`widgets/static/scoring.js` and `widgets/static/lib/report.js` under Node. `make test` runs 300 of
these; this runs as many as you like, with a seed of your choice, and prints the bands, limits
and "what would change" results it covered, and the first difference if there is one.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

import test_parity_random as parity  # noqa: E402
from widgets._assessment import load_assessment  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    scorer = parity.NodeScorer(json.loads(json.dumps(dict(parity.RUBRIC.data))))
    seen = collections.Counter()
    failures: list[tuple[dict, str]] = []

    @seed(args.seed)
    @settings(max_examples=args.n, deadline=None, database=None, phases=["generate"],
              suppress_health_check=list(HealthCheck))
    @given(doc=parity.assessments())
    def compare(doc):
        load_assessment(json.loads(json.dumps(doc)))
        try:
            py = parity.check_same(scorer, doc)
        except AssertionError as err:
            if not failures:
                failures.append((doc, str(err)[:2000]))
            seen["differences"] += 1
            return
        change = py["what_would_change"]
        seen["compared"] += 1
        seen[f"band {py['band']['id']}"] += 1
        seen.update(f"limited by {x['kind']}" for x in py["band"]["limited_by"])
        seen[f"what would change: {'reachable' if change['reachable'] else 'unreachable'}"] += 1
        seen["moves for a group"] += any(m["group"] for m in change["moves"])

    start = time.perf_counter()
    compare()
    elapsed = time.perf_counter() - start
    scorer.close()
    result = {"compared": seen["compared"], "differences": seen["differences"], "seconds": round(elapsed, 1),
              "covered": {k: v for k, v in sorted(seen.items()) if k not in ("compared", "differences")}}
    if failures:
        result["first_difference"] = {"plan": failures[0][0], "error": failures[0][1]}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['compared']} assessments identical in Python and JavaScript, "
              f"{result['differences']} different ({elapsed:.1f} s)")
        for k, v in result["covered"].items():
            print(f"  {k}: {v}")
        if failures:
            print("first difference:", json.dumps(failures[0][0])[:2000], failures[0][1], sep="\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
