"""Benchmark the case-study methods (not a timed test): run by hand or in CI's benchmark job.

1. Polis opinion groups: for every open Polis conversation in the data registry, the
   agreement (adjusted Rand index with Polis's own ``group-id`` labels) and run time
   of ``casestudies.polis`` against red-dwarf 0.4.0, side by side.
2. Matrix factorisation: time, peak memory and recovery of planted item intercepts
   for the Community Notes model fitted in numpy on one million synthetic ratings.

Usage::

    PAI_DATA_CACHE=../shared/data .venv/bin/python benchmarks/bench_casestudies.py [--skip-polis] [--skip-mf]

Results are printed and written to ``benchmarks/results/casestudies.json``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import resource
import sys
import time
import tracemalloc
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from casestudies import bridging, datasets, polis  # noqa: E402

#: The Community Notes reference scorer (PyTorch, default settings) on 1M synthetic
#: ratings on this machine, as measured for issue 7: ~20 s, ~160 MB, r = 0.95.
REFERENCE = {"seconds": 20.0, "peak_mb": 160.0, "intercept_r": 0.95}


def bench_polis() -> list[dict]:
    from tqdm.auto import tqdm

    rows = []
    names = list(datasets.POLIS_OPEN_CONVERSATIONS)
    for name in tqdm(names, desc="Polis conversations"):
        conv = datasets.load_polis_conversation(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_cpu = time.process_time()
            ours = polis.run(conv, progress=True)
            ours_cpu = time.process_time() - t_cpu
            t_cpu = time.process_time()
            rd = polis.run_reddwarf(conv)
            rd_cpu = time.process_time() - t_cpu
        a, b = polis.group_agreement(ours, conv.groups), polis.group_agreement(rd, conv.groups)
        rows.append(
            {
                "conversation": name,
                "participants": int(conv.votes["participant"].nunique()),
                "replay": ours.method,
                "ari_ours": round(a["ari"], 3),
                "ari_reddwarf": round(b["ari"], 3),
                "coverage_ours": round(a["coverage"], 3),
                "coverage_reddwarf": round(b["coverage"], 3),
                "k_ours": a["k"],
                "k_reddwarf": b["k"],
                "k_polis": a["k_polis"],
                "seconds_ours": round(ours.seconds, 2),
                "seconds_reddwarf": round(rd.seconds, 2),
                "cpu_seconds_ours": round(ours_cpu, 2),
                "cpu_seconds_reddwarf": round(rd_cpu, 2),
            }
        )
    return rows


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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-polis", action="store_true")
    ap.add_argument("--skip-mf", action="store_true")
    ap.add_argument("--ratings", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    out: dict = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}}
    if not args.skip_polis:
        fixtures = []
        for name in datasets.POLIS_FIXTURES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fixtures.append(polis.fixture_parity(name, full=True))
        out["polis_fixtures"] = fixtures
        print("\nPolis math fixtures: parity with Polis's own output")
        for f in fixtures:
            print(f"  {f['fixture']:32s} PCA |r| {f['pca_r']:.4f}  in-conv same {f['in_conv_equal']}  groups from Polis base ARI {f['groups_from_polis_base_ari']:.2f}"
                  f"  repness same {f['repness_identical']}  consensus same {f['consensus_identical']}  from votes: ours {f['pipeline_ari']:.3f} red-dwarf {f['reddwarf_ari']:.3f}")
        rows = bench_polis()
        out["polis"] = rows
        print("\nPolis opinion groups: adjusted Rand index with Polis's labels (higher is better)")
        print(f"{'conversation':34s} {'ours':>6s} {'red-dwarf':>9s} {'k ours/rd/Polis':>16s} {'s ours':>7s} {'s rd':>6s}")
        for r in rows:
            print(f"{r['conversation']:34s} {r['ari_ours']:6.3f} {r['ari_reddwarf']:9.3f} {str(r['k_ours']) + '/' + str(r['k_reddwarf']) + '/' + str(r['k_polis']):>16s} {r['seconds_ours']:7.2f} {r['seconds_reddwarf']:6.2f}")
        med_o = float(np.median([r["ari_ours"] for r in rows]))
        med_r = float(np.median([r["ari_reddwarf"] for r in rows]))
        wins = sum(r["ari_ours"] > r["ari_reddwarf"] for r in rows)
        print(f"median ARI: ours {med_o:.3f}, red-dwarf {med_r:.3f}; ours higher on {wins} of {len(rows)}")
        out["polis_summary"] = {"median_ari_ours": med_o, "median_ari_reddwarf": med_r, "ours_higher": wins, "n": len(rows)}
    if not args.skip_mf:
        mf = bench_mf(args.ratings)
        out["mf"] = mf
        print("\nMatrix factorisation (Community Notes loss, numpy, alternating exact updates)")
        for k, v in mf.items():
            print(f"  {k}: {v}")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "casestudies.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
