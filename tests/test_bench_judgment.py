"""The judgment benchmark's metric code, on tiny invented plans and fills (never on the corpus)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_judgment", ROOT / "benchmarks" / "bench_judgment.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def expected(pid, band="tokenism", ok=("tokenism",), iap2="inform", iap2_ok=("inform",), must=(), must_not=()):
    return {"id": pid, "band": {"expected": band, "acceptable": list(ok)},
            "iap2": {"expected": iap2, "acceptable": list(iap2_ok)},
            "must_raise": [{"flag": f, "quote": "q", "reason": "r"} for f in must],
            "must_not_raise": [{"flag": f, "quote": "q", "reason": "r"} for f in must_not]}


def score(band, iap2, flags):
    return {"band": {"id": band}, "iap2": {"level": iap2}, "red_flags": [{"id": f} for f in flags]}


def test_judge_counts_agreement_recall_and_precision():
    e = expected("p", band="consultation", ok=("consultation", "tokenism"), iap2="consult", iap2_ok=("consult",),
                 must=("no-report-back", "unpaid-participation"), must_not=("synthetic-stand-ins",))
    row = bench.judge(e, score("tokenism", "inform", ["unpaid-participation", "synthetic-stand-ins", "credit-flag"]))
    assert (row["band_ok"], row["band_exact"], row["iap2_ok"], row["iap2_exact"]) == (True, False, False, False)
    assert (row["claims"], row["recalled"], row["missed"]) == (2, 1, ["no-report-back"])
    assert row["true_raised"] == ["unpaid-participation"] and row["false_raised"] == ["synthetic-stand-ins"]
    assert row["unlisted"] == ["credit-flag"]


def test_a_fill_that_cannot_be_scored_misses_everything():
    row = bench.judge(expected("p", must=("a",)), None)
    assert not (row["band_ok"] or row["iap2_ok"]) and row["recalled"] == 0 and row["missed"] == ["a"]


def test_summary_is_micro_averaged_and_targets_are_checked():
    rows = [bench.judge(expected("p1", must=("a", "b"), must_not=("c",)), score("tokenism", "inform", ["a", "c"])),
            bench.judge(expected("p2", ok=("consultation",), must=("a",)), score("tokenism", "none", ["a", "z"]))]
    s = bench.summarise(rows)
    assert (s["fills"], s["band_acceptable"], s["iap2_acceptable"]) == (2, 50.0, 50.0)
    assert (s["claims"], s["recalled"], s["recall"]) == (3, 2, 66.7)
    assert (s["true_raised"], s["false_raised"], s["precision"]) == (2, 1, 66.7)
    assert s["unlisted"] == {"z": 1}
    assert len(bench.misses_targets(s)) == 3
    perfect = bench.summarise([bench.judge(expected("p", must=("a",)), score("tokenism", "inform", ["a"]))])
    assert bench.misses_targets(perfect) == []
    # Nothing to measure is a miss, not a pass.
    assert "precision None < 90.0" in bench.misses_targets(bench.summarise([]))


def test_run_set_scores_every_readers_fill_and_reports_broken_ones(tmp_path):
    exp = tmp_path / "expected.yaml"
    exp.write_text(yaml.safe_dump({"plans": [expected("honest", must_not=("unpaid-participation",)),
                                             expected("other")]}), encoding="utf-8")
    example = yaml.safe_load((ROOT / "widgets" / "examples" / "inform-only.yaml").read_text(encoding="utf-8"))
    for reader in ("r1", "r2"):
        (tmp_path / "fills" / reader).mkdir(parents=True)
        (tmp_path / "fills" / reader / "honest.yaml").write_text(json.dumps(example), encoding="utf-8")
    (tmp_path / "fills" / "r2" / "other.yaml").write_text("format: nothing\n", encoding="utf-8")
    (tmp_path / "fills" / "r2" / "not-in-set.yaml").write_text(json.dumps(example), encoding="utf-8")
    result = bench.run_set("design", exp, tmp_path / "fills")
    assert [(r["reader"], r["plan"]) for r in result["rows"]] == [("r1", "honest"), ("r2", "honest"), ("r2", "other")]
    assert [e["plan"] for e in result["errors"]] == ["other"] and result["unfilled"] == []
    assert result["by_reader"]["r1"]["band_acceptable"] == 100.0
    assert result["summary"]["band_acceptable"] == 66.7
