"""Benchmark the case-study methods (not a timed test): run by hand, or with ``make bench``.

1. Polis opinion groups against red-dwarf on all 13 conversations: ``bench_polis.py`` (its own
   script, so ``make bench`` runs it once; ``--with-polis`` runs it here too).
2. Polis at scale (``_polis_scale_bench.py``): time and peak memory of the sparse single pass
   and of red-dwarf on synthetic conversations of 10,000, 50,000 and 200,000 participants x
   2,000 statements, each in a watched subprocess.
3. Matrix factorisation (``_mf_bench.py``): time, peak memory and recovery of planted item
   intercepts for our numpy fit of the Community Notes model and for a PyTorch
   re-implementation of the reference scorer (``community_notes_torch.py``; needs
   ``benchmarks/requirements.txt``), on the same one million synthetic ratings.

Usage::

    PAI_DATA_CACHE=../shared/data .venv/bin/python benchmarks/bench_casestudies.py [--with-polis] [--skip-scale] [--skip-mf]

Results are printed and written to ``benchmarks/results/casestudies.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _mf_bench import mf_section  # noqa: E402
from _polis_bench import polis_section  # noqa: E402
from _polis_scale_bench import scale_section  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--with-polis", action="store_true", help="also run the Polis section (bench_polis.py runs it alone)")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-mf", action="store_true")
    ap.add_argument("--ratings", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    out: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    if args.with_polis:
        polis_section(out)
    if not args.skip_scale:
        scale_section(out)
    if not args.skip_mf:
        mf_section(out, args.ratings)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "casestudies.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
