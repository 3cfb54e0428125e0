"""Polis opinion groups: casestudies.polis against red-dwarf 0.4.0 on all 13 open conversations, in one run.

Prints, split into the development set (where every default Polis's code leaves open
was chosen) and the check set (never used for a choice), the agreement (adjusted Rand
index with Polis's own ``group-id``), coverage (share of Polis's labelled participants
labelled) and CPU time of both pipelines side by side, with the agreement ceiling
(``polis.agreement_ceiling``) and whether each target of the issue is met; before it,
the choice of defaults on the development set and the parity with Polis's math
fixtures; after it, the spread over update schedules and the ceiling over each vote
history. Both pipelines run with one BLAS thread: on a shared machine a multi-threaded
BLAS bills CPU time it spends waiting, mostly to red-dwarf's PCA.

    PAI_DATA_CACHE=../shared/data .venv/bin/python benchmarks/bench_polis.py

Results are also written to ``benchmarks/results/polis.json``. The scale benchmark
(synthetic conversations of 10,000 to 200,000 participants) is in ``bench_casestudies.py``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
if "PAI_DATA_CACHE" not in os.environ and (ROOT.parent / "shared" / "data").is_dir():
    os.environ["PAI_DATA_CACHE"] = str(ROOT.parent / "shared" / "data")

from _polis_bench import polis_section  # noqa: E402


def main() -> int:
    out: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                             "blas_threads": os.environ.get("OMP_NUM_THREADS")}}
    polis_section(out)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "polis.json").write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
