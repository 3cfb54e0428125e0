"""Polis opinion groups benchmark: casestudies.polis against red-dwarf on every open conversation (run via bench_casestudies.py)."""

from __future__ import annotations

import pathlib
import sys
import time
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from casestudies import datasets, polis  # noqa: E402


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


def polis_section(out: dict) -> None:
    """Run the Polis fixture parity and the open-conversation comparison; print and store results in ``out``."""
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
