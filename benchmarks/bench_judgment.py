"""Does the self-assessment judge like an experienced reviewer? The judgment benchmark on the
calibration corpus (targets on the held-out set: band 100 % within the acceptable bands, flag
recall >= 95 %, flag precision >= 90 %).

Usage: .venv/bin/python benchmarks/bench_judgment.py [--set design|heldout-7|all] [--json PATH]

The corpus has eight sources, each with its own expected answers: `plans` (`expected.yaml`),
the first held-out set `heldout` (`heldout/expected.yaml`, scored once against rubric 2.0 and
design data since), the second to sixth held-out sets `heldout-2` ... `heldout-6`
(`heldout-N/expected.yaml`, each scored once after its round's freeze and design data since) and
the seventh held-out set `heldout-7` (`heldout-7/expected.yaml`). The set `design` is `plans`,
`heldout` and `heldout-2` ... `heldout-6` together, reported together and per source; `heldout-7`
is the held-out set; `all` runs both and reports them separately. While the held-out set's README
says "Being written: N of M plans", it is not scored: `--set heldout-7` exits with status 2 and
`--set all` runs the design set only, both saying why; the same holds while any of its plans has
fewer than two readers' fills (``FILLS_PER_PLAN``).

Every fill `benchmarks/calibration/fills/<reader>/<plan-id>.yaml` of a plan in the chosen set is
loaded and scored with the current rubric, and compared with its source's expected answers as
`benchmarks/calibration/README.md` proposes:

- band: in `band.acceptable`, and equal to `band.expected`; the same for the IAP2 level;
- flag recall: of all `must_raise` claims, the share whose flag the score raises;
- flag precision: raised flags that are in `must_raise`, over raised flags that are in
  `must_raise` or `must_not_raise`; a raised flag in neither list is reported, not counted.

A plan filled by several readers counts once per fill (every reader is reported, none is
chosen); a fill that cannot be loaded counts as a miss on every measure and is listed. The design
and held-out sets are always reported separately. Results go to `test-artifacts/judgment.json`.
The exit status is 1 when the held-out set (`heldout-7`) is in the run and misses a target, else 0.

Whoever designs the rubric runs this with `--set design` only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from widgets import AssessmentError, load_assessment, score_plan  # noqa: E402

CORPUS = ROOT / "benchmarks" / "calibration"
#: Each source of plans and its expected answers.
EXPECTED = {"plans": CORPUS / "expected.yaml", "heldout": CORPUS / "heldout" / "expected.yaml",
            "heldout-2": CORPUS / "heldout-2" / "expected.yaml",
            "heldout-3": CORPUS / "heldout-3" / "expected.yaml",
            "heldout-4": CORPUS / "heldout-4" / "expected.yaml",
            "heldout-5": CORPUS / "heldout-5" / "expected.yaml",
            "heldout-6": CORPUS / "heldout-6" / "expected.yaml",
            "heldout-7": CORPUS / "heldout-7" / "expected.yaml"}
#: Each set the benchmark can run, and the sources it pools (reported together and per source).
SETS = {"design": ["plans", "heldout", "heldout-2", "heldout-3", "heldout-4", "heldout-5", "heldout-6"],
        "heldout-7": ["heldout-7"]}
#: The set the targets (and the exit status) apply to.
HELDOUT = "heldout-7"
#: The held-out set is scored only when every plan has this many readers' fills (README, "Readers").
FILLS_PER_PLAN = 2
FILLS = CORPUS / "fills"
ARTIFACTS = ROOT / "test-artifacts"
#: The issue's targets, checked on the held-out set.
TARGETS = {"band_acceptable": 100.0, "recall": 95.0, "precision": 90.0}


def load_expected(path: Path) -> list[dict]:
    """The plans of one expected-answers file."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no expected-answers file; expected the set's expected.yaml there "
                                "(a held-out set is added to the corpus when it is written; run --set design until then)")
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["plans"]


def find_fills(fills_dir: Path, plan_ids) -> list[tuple[str, str, Path]]:
    """(reader, plan id, path) for every reader's fill of the given plans, sorted."""
    wanted = set(plan_ids)
    out = []
    if fills_dir.is_dir():
        for reader in sorted(p for p in fills_dir.iterdir() if p.is_dir()):
            for path in sorted(reader.glob("*.yaml")):
                if path.stem in wanted:
                    out.append((reader.name, path.stem, path))
    return out


def judge(expected: dict, score: dict | None) -> dict:
    """Compare one score (``Score.to_dict()``, or ``None`` when the fill could not be scored) with
    one plan's expected answers."""
    must = [c["flag"] for c in expected.get("must_raise", [])]
    must_not = {c["flag"] for c in expected.get("must_not_raise", [])}
    if score is None:
        return {"plan": expected["id"], "band": None, "band_ok": False, "band_exact": False,
                "iap2": None, "iap2_ok": False, "iap2_exact": False, "claims": len(must), "recalled": 0,
                "missed": sorted(set(must)), "true_raised": [], "false_raised": [], "unlisted": [], "raised": []}
    raised = [f["id"] for f in score["red_flags"]]
    band, iap2 = score["band"]["id"], score["iap2"]["level"]
    listed = set(must)
    return {
        "plan": expected["id"],
        "band": band, "band_ok": band in expected["band"]["acceptable"], "band_exact": band == expected["band"]["expected"],
        "iap2": iap2, "iap2_ok": iap2 in expected["iap2"]["acceptable"], "iap2_exact": iap2 == expected["iap2"]["expected"],
        "claims": len(must), "recalled": sum(1 for f in must if f in raised),
        "missed": sorted({f for f in must if f not in raised}),
        "true_raised": [f for f in raised if f in listed],
        "false_raised": [f for f in raised if f in must_not and f not in listed],
        "unlisted": [f for f in raised if f not in listed and f not in must_not],
        "raised": raised,
    }


def _pct(n: int, d: int) -> float | None:
    return None if d == 0 else round(100.0 * n / d, 1)


def summarise(rows: list[dict]) -> dict:
    """Agreement, recall and precision over judged fills (micro-averaged: every claim and every
    raised flag counts once)."""
    n = len(rows)
    claims = sum(r["claims"] for r in rows)
    recalled = sum(r["recalled"] for r in rows)
    tp = sum(len(r["true_raised"]) for r in rows)
    fp = sum(len(r["false_raised"]) for r in rows)
    return {
        "fills": n,
        "band_acceptable": _pct(sum(r["band_ok"] for r in rows), n),
        "band_exact": _pct(sum(r["band_exact"] for r in rows), n),
        "iap2_acceptable": _pct(sum(r["iap2_ok"] for r in rows), n),
        "iap2_exact": _pct(sum(r["iap2_exact"] for r in rows), n),
        "claims": claims, "recalled": recalled, "recall": _pct(recalled, claims),
        "true_raised": tp, "false_raised": fp, "precision": _pct(tp, tp + fp),
        "unlisted": dict(sorted(Counter(f for r in rows for f in r["unlisted"]).items())),
    }


def misses_targets(summary: dict) -> list[str]:
    """The targets a set's summary misses (a measure with nothing to measure counts as missed)."""
    out = []
    for key, target in TARGETS.items():
        value = summary.get(key)
        if value is None or value < target:
            out.append(f"{key} {value} < {target}")
    return out


def _sources(name: str, expected) -> dict:
    """Source name -> expected-answers path for one set: ``expected`` may be one path (a set of a
    single source named after the set), a mapping of source names to paths, or ``None`` (the
    corpus's own files for the set)."""
    if expected is None:
        return {src: EXPECTED[src] for src in SETS[name]}
    if isinstance(expected, dict):
        return dict(expected)
    return {name: Path(expected)}


def run_set(name: str, expected=None, fills_dir: Path | None = None) -> dict:
    """Judge every fill of one set (``fills_dir``: the corpus's fills unless given); return its
    rows (each naming its source), errors, and the overall, per-source and per-reader summaries."""
    fills_dir = FILLS if fills_dir is None else fills_dir
    sources = _sources(name, expected)
    plans, source_of = {}, {}
    for src, path in sources.items():
        for plan in load_expected(path):
            if plan["id"] in plans:
                raise ValueError(f"{path}: plan id {plan['id']!r} is also in source {source_of[plan['id']]!r}; "
                                 "expected a plan id in one source only (rename one of them)")
            plans[plan["id"]], source_of[plan["id"]] = plan, src
    rows, errors = [], []
    for reader, plan_id, path in find_fills(fills_dir, plans):
        try:
            score = score_plan(load_assessment(path)).to_dict()
        except AssessmentError as err:
            errors.append({"reader": reader, "plan": plan_id, "problems": [str(p) for p in err.problems][:10]})
            score = None
        rows.append({"reader": reader, "source": source_of[plan_id], **judge(plans[plan_id], score)})
    unfilled = sorted(set(plans) - {r["plan"] for r in rows})
    readers = sorted({r["reader"] for r in rows})
    return {"set": name, "plans": len(plans), "sources": {src: sum(1 for s in source_of.values() if s == src)
                                                        for src in sources},
            "unfilled": unfilled, "errors": errors, "rows": rows, "summary": summarise(rows),
            "by_source": {src: summarise([r for r in rows if r["source"] == src]) for src in sources},
            "by_reader": {rd: summarise([r for r in rows if r["reader"] == rd]) for rd in readers}}


def _cell(value) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def print_set(result: dict) -> None:
    s = result["summary"]
    print(f"\n== {result['set']} set: {result['plans']} plans, {s['fills']} fills "
          f"({', '.join(result['by_reader']) or 'no readers'}) ==")
    print(f"{'reader':<8} {'source':<10} {'plan':<30} {'band':<18} {'ok':<3} {'iap2':<12} {'ok':<3} {'recall':<8} "
          f"{'wrong flags':<40} unlisted")
    for r in result["rows"]:
        recall = f"{r['recalled']}/{r['claims']}"
        print(f"{r['reader']:<8} {r['source']:<10} {r['plan']:<30} {str(r['band']):<18} {'y' if r['band_ok'] else 'N':<3} "
              f"{str(r['iap2']):<12} {'y' if r['iap2_ok'] else 'N':<3} {recall:<8} "
              f"{','.join(r['false_raised'] + ['-' + m for m in r['missed']]) or '':<40} {','.join(r['unlisted'])}")
    by_source = list(result["by_source"].items()) if len(result["by_source"]) > 1 else []
    for name, summ in [("all", s), *by_source, *result["by_reader"].items()]:
        print(f"{name:<10} band {_cell(summ['band_acceptable'])} % acceptable ({_cell(summ['band_exact'])} % exact); "
              f"IAP2 {_cell(summ['iap2_acceptable'])} % ({_cell(summ['iap2_exact'])} % exact); "
              f"recall {_cell(summ['recall'])} % ({summ['recalled']}/{summ['claims']}); "
              f"precision {_cell(summ['precision'])} % ({summ['true_raised']}/{summ['true_raised'] + summ['false_raised']})")
    if s["unlisted"]:
        print("raised but in neither list: " + ", ".join(f"{f} x{n}" for f, n in s["unlisted"].items()))
    if result["unfilled"]:
        print("plans with no fill: " + ", ".join(result["unfilled"]))
    for e in result["errors"]:
        print(f"could not load {e['reader']}/{e['plan']}: {e['problems'][0]}")


def unfinished(name: str) -> tuple[int, int] | None:
    """(plans written, plans planned) when the set's README says "Being written: N of M plans",
    else None: a held-out set is scored once, so it is not scored before it is whole."""
    readme = CORPUS / name / "README.md"
    if not readme.is_file():
        return None
    found = re.search(r"Being written: (\d+) of (\d+) plans", " ".join(readme.read_text(encoding="utf-8").split()))
    return (int(found.group(1)), int(found.group(2))) if found else None


def unfilled(name: str, fills_dir: Path | None = None) -> tuple[int, int] | None:
    """(plans with :data:`FILLS_PER_PLAN` readers' fills, plans) when a plan of the set has fewer,
    else None: a held-out set is scored once, so not before every plan is filled as planned."""
    fills_dir = FILLS if fills_dir is None else fills_dir
    plans = [e["id"] for src in SETS[name] for e in load_expected(EXPECTED[src])]
    count = {pid: 0 for pid in plans}
    for _, pid, _ in find_fills(fills_dir, plans):
        count[pid] += 1
    done = sum(n >= FILLS_PER_PLAN for n in count.values())
    return None if done == len(plans) else (done, len(plans))


def not_ready(name: str) -> str | None:
    """Why the held-out set may not be scored yet (still being written, or a plan with fewer than
    :data:`FILLS_PER_PLAN` fills), or None when it may."""
    writing = unfinished(name)
    if writing:
        return (f"{name} is still being written ({writing[0]} of {writing[1]} plans); "
                "it is filled and scored once, when it is whole (its README says what is left)")
    short = unfilled(name)
    if short:
        return (f"{name} is not filled yet ({short[0]} of {short[1]} plans have {FILLS_PER_PLAN} readers' fills); "
                "it is scored once, when every plan has them")
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=[*SETS, "all"], default="design")
    ap.add_argument("--json", type=Path, default=ARTIFACTS / "judgment.json", help="where to write the results")
    args = ap.parse_args(argv)
    names = list(SETS) if args.set == "all" else [args.set]
    try:
        why = not_ready(HELDOUT) if HELDOUT in names else None
        if why:
            print(f"bench_judgment: {why}", file=sys.stderr)
            names.remove(HELDOUT)
            if not names:
                return 2
        return run(names, args.json)
    except FileNotFoundError as err:
        print(f"bench_judgment: {err}", file=sys.stderr)
        return 2


def run(names: list[str], json_path: Path, expected: dict = None, fills_dir: Path | None = None) -> int:
    """Run, print and save the named sets (``expected``: set name -> what ``run_set`` takes, for
    tests); the exit status is 1 when the held-out set is run and misses a target."""
    expected = expected or {}
    results = {name: run_set(name, expected.get(name), fills_dir) for name in names}
    for name in names:
        print_set(results[name])
    failed = []
    if HELDOUT in results:
        failed = misses_targets(results[HELDOUT]["summary"])
        print(f"\n{HELDOUT} targets: " + ("met" if not failed else "MISSED: " + "; ".join(failed)))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"targets": TARGETS, "targets_on": HELDOUT, "sets": results,
                                     "heldout_missed": failed}, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
