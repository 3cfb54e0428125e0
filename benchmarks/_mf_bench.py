"""Matrix-factorisation benchmark: the Community Notes model on one million synthetic ratings (run via bench_casestudies.py)."""

from __future__ import annotations

import pathlib
import sys
import time
import resource
import tracemalloc

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from casestudies import bridging  # noqa: E402

#: The Community Notes reference scorer (PyTorch, default settings) on 1M synthetic
#: ratings on this machine, as measured for issue 7: ~20 s, ~160 MB, r = 0.95.
REFERENCE = {"seconds": 20.0, "peak_mb": 160.0, "intercept_r": 0.95}


def bench_mf(n_ratings: int = 1_000_000, seed: int = 0) -> dict:
    from tqdm.auto import tqdm

    syn = bridging.synthetic_ratings(n_raters=50_000, n_items=5_000, n_ratings=int(n_ratings * 1.01), seed=seed)
    bar = tqdm(desc=f"MF fit on {len(syn.ratings):,} ratings", unit="sweep", mininterval=1.0)

    def progress(it, loss):
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.5f}")

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t_cpu = time.process_time()
    fit = bridging.fit_community_notes(syn.raters, syn.items, syn.ratings, n_raters=syn.n_raters, n_items=syn.n_items, callback=progress)
    cpu = time.process_time() - t_cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    bar.close()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Time again without the progress callback.
    t0 = time.perf_counter()
    fit2 = bridging.fit_community_notes(syn.raters, syn.items, syn.ratings, n_raters=syn.n_raters, n_items=syn.n_items)
    wall = time.perf_counter() - t0
    n = np.bincount(syn.items, minlength=syn.n_items)
    status = bridging.community_notes_status(fit2, n)
    k = int((syn.kind == "bridging").sum())
    top = np.argsort(-fit2.item_intercept)[:k]
    return {
        "ratings": int(len(syn.ratings)),
        "raters": syn.n_raters,
        "items": syn.n_items,
        "iterations": fit2.iterations,
        "seconds": round(wall, 2),
        "cpu_seconds_with_progress": round(cpu, 2),
        "peak_traced_mb": round(peak / 2**20, 1),
        "max_rss_growth_mb": round((rss1 - rss0) / 1024, 1),
        "intercept_r": round(float(np.corrcoef(fit2.item_intercept, syn.item_intercept)[0, 1]), 4),
        "factor_r": round(float(np.corrcoef(fit2.item_factor, syn.item_factor)[0, 1]), 4),
        "top_k_bridging_precision": round(float((syn.kind[top] == "bridging").mean()), 3),
        "helpful_precision": round(float((syn.kind[status == "helpful"] == "bridging").mean()), 3) if (status == "helpful").any() else None,
        "helpful_recall": round(float((status[syn.kind == "bridging"] == "helpful").mean()), 3),
        "speedup_vs_reference": round(REFERENCE["seconds"] / wall, 1),
        "reference": REFERENCE,
    }


def mf_section(out: dict, n_ratings: int = 1_000_000) -> None:
    """Run the matrix-factorisation benchmark; print and store results in ``out``."""
    mf = bench_mf(n_ratings)
    out["mf"] = mf
    print("\nMatrix factorisation (Community Notes loss, numpy, alternating exact updates)")
    for k, v in mf.items():
        print(f"  {k}: {v}")
