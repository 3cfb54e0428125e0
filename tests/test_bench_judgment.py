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


def _corpus_copy(tmp_path, sources):
    """A temporary corpus in the benchmark's layout: one expected file per source (each a list of
    (plan id, expected answers)) and the inform-only example as every reader's fill of each plan."""
    example = json.dumps(yaml.safe_load((ROOT / "widgets" / "examples" / "inform-only.yaml").read_text(encoding="utf-8")))
    paths = {}
    for src, plans in sources.items():
        folder = tmp_path / src
        folder.mkdir()
        paths[src] = folder / "expected.yaml"
        paths[src].write_text(yaml.safe_dump({"plans": [e for _, e in plans]}), encoding="utf-8")
        for pid, _ in plans:
            (tmp_path / "fills" / "r1").mkdir(parents=True, exist_ok=True)
            (tmp_path / "fills" / "r1" / f"{pid}.yaml").write_text(example, encoding="utf-8")
    return paths


def test_design_pools_its_sources_and_reports_each(tmp_path):
    paths = _corpus_copy(tmp_path, {"plans": [("a", expected("a"))],
                                    "heldout": [("b", expected("b", ok=("consultation",)))]})
    result = bench.run_set("design", paths, tmp_path / "fills")
    assert [(r["source"], r["plan"]) for r in result["rows"]] == [("plans", "a"), ("heldout", "b")]
    assert result["sources"] == {"plans": 1, "heldout": 1}
    assert result["by_source"]["plans"]["band_acceptable"] == 100.0
    assert result["by_source"]["heldout"]["band_acceptable"] == 0.0
    assert result["summary"]["band_acceptable"] == 50.0
    assert bench.SETS["design"] == ["plans", "heldout", "heldout-2", "heldout-3", "heldout-4", "heldout-5", "heldout-6"]


def test_a_plan_id_in_two_sources_is_refused(tmp_path):
    paths = _corpus_copy(tmp_path, {"plans": [("a", expected("a"))], "heldout": [("a", expected("a"))]})
    try:
        bench.run_set("design", paths, tmp_path / "fills")
    except ValueError as err:
        assert "'a'" in str(err) and "plans" in str(err)
    else:
        raise AssertionError("a plan id in two sources was accepted")


def test_all_runs_heldout_7_apart_and_its_targets_decide_the_exit_status(tmp_path, capsys):
    # The held-out layout stands in for heldout-7: its own folder and expected.yaml, fills found
    # by plan id under fills/<reader>/; the design set pools seven sources, heldout-6 among them.
    good = _corpus_copy(tmp_path, {"plans": [("a", expected("a"))], "heldout-2": [("d", expected("d"))],
                                   "heldout-3": [("e", expected("e"))], "heldout-4": [("f", expected("f"))],
                                   "heldout-5": [("m", expected("m"))], "heldout-6": [("n", expected("n"))],
                                   "heldout-7": [("h", expected("h", must_not=("unpaid-participation",)))]})
    out = tmp_path / "judgment.json"
    sets = {"design": {"plans": good["plans"], "heldout-2": good["heldout-2"], "heldout-3": good["heldout-3"],
                       "heldout-4": good["heldout-4"], "heldout-5": good["heldout-5"], "heldout-6": good["heldout-6"]},
            "heldout-7": {"heldout-7": good["heldout-7"]}}
    # No claims and no flag raised: recall and precision have nothing to measure, both missed.
    assert bench.run(["design", "heldout-7"], out, sets, tmp_path / "fills") == 1
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert list(saved["sets"]) == ["design", "heldout-7"] and saved["targets_on"] == "heldout-7"
    assert [r["plan"] for r in saved["sets"]["heldout-7"]["rows"]] == ["h"]
    assert [(r["source"], r["plan"]) for r in saved["sets"]["design"]["rows"]] == [
        ("plans", "a"), ("heldout-2", "d"), ("heldout-3", "e"), ("heldout-4", "f"), ("heldout-5", "m"),
        ("heldout-6", "n")]
    assert set(saved["sets"]["design"]["by_source"]) == {"plans", "heldout-2", "heldout-3", "heldout-4",
                                                         "heldout-5", "heldout-6"}
    assert saved["heldout_missed"] == ["recall None < 95.0", "precision None < 90.0"]
    printed = capsys.readouterr().out
    assert "== design set" in printed and "== heldout-7 set" in printed and "heldout-7 targets: MISSED" in printed
    # The design set alone never decides the exit status, however it scores.
    (tmp_path / "x").mkdir()
    bad = _corpus_copy(tmp_path / "x", {"plans": [("z", expected("z", ok=("community-led",)))]})
    assert bench.run(["design"], out, {"design": bad}, tmp_path / "x" / "fills") == 0
    assert json.loads(out.read_text(encoding="utf-8"))["heldout_missed"] == []


def test_all_runs_design_and_heldout_7_from_the_corpus_layout(tmp_path, monkeypatch, capsys):
    # The real entry point, with the corpus paths pointed at a temporary layout: --set all reads
    # heldout-7/expected.yaml and finds its fills by plan id, and the design set pools its seven
    # sources, heldout-6 among them.
    paths = _corpus_copy(tmp_path, {"plans": [("a", expected("a"))], "heldout": [("b", expected("b"))],
                                    "heldout-2": [("c", expected("c"))], "heldout-3": [("g", expected("g"))],
                                    "heldout-4": [("k", expected("k"))], "heldout-5": [("n", expected("n"))],
                                    "heldout-6": [("p", expected("p"))],
                                    "heldout-7": [("h", expected("h", must=("unpaid-participation",)))]})
    monkeypatch.setattr(bench, "EXPECTED", paths)
    monkeypatch.setattr(bench, "FILLS", tmp_path / "fills")
    monkeypatch.setattr(bench, "CORPUS", tmp_path)  # no README saying the held-out set is unfinished
    monkeypatch.setattr(bench, "FILLS_PER_PLAN", 1)  # the layout has one reader; the rule has its own test
    out = tmp_path / "j.json"
    assert bench.main(["--set", "all", "--json", str(out)]) == 1
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["targets_on"] == "heldout-7"
    assert saved["sets"]["design"]["sources"] == {"plans": 1, "heldout": 1, "heldout-2": 1, "heldout-3": 1,
                                                  "heldout-4": 1, "heldout-5": 1, "heldout-6": 1}
    assert [r["plan"] for r in saved["sets"]["design"]["rows"]] == ["a", "b", "c", "g", "k", "n", "p"]
    assert [r["plan"] for r in saved["sets"]["heldout-7"]["rows"]] == ["h"]
    assert "recall 0.0 < 95.0" in saved["heldout_missed"]
    # --set heldout-7 alone runs only the held-out set, and its targets decide the exit status.
    assert bench.main(["--set", "heldout-7", "--json", str(out)]) == 1
    assert list(json.loads(out.read_text(encoding="utf-8"))["sets"]) == ["heldout-7"]
    # --set design alone never needs the held-out answers and exits 0.
    paths["heldout-7"].unlink()
    assert bench.main(["--set", "design", "--json", str(out)]) == 0
    # Without heldout-7's expected answers, --set all stops with an error naming the file.
    assert bench.main(["--set", "all", "--json", str(out)]) == 2
    assert "heldout-7" in capsys.readouterr().err


def test_a_heldout_set_still_being_written_is_not_scored(tmp_path, monkeypatch, capsys):
    """A held-out set whose README says "Being written: N of M plans" is refused by name and left
    out of `--set all`: an incomplete set scored once would be spent before it is whole."""
    folder = tmp_path / "heldout-9"
    folder.mkdir()
    (folder / "README.md").write_text("# x\n\nBeing written: 36 of 108 plans.\n", encoding="utf-8")
    monkeypatch.setattr(bench, "CORPUS", tmp_path)
    monkeypatch.setattr(bench, "HELDOUT", "heldout-9")
    assert bench.unfinished("heldout-9") == (36, 108)
    monkeypatch.setattr(bench, "SETS", {"design": [], "heldout-9": ["heldout-9"]})
    assert bench.main(["--set", "heldout-9", "--json", str(tmp_path / "j.json")]) == 2
    assert "heldout-9 is still being written (36 of 108 plans)" in capsys.readouterr().err
    (folder / "README.md").write_text("# x\n\nHolds 108 plans.\n", encoding="utf-8")
    assert bench.unfinished("heldout-9") is None


def test_a_heldout_set_is_not_scored_until_every_plan_has_two_fills(tmp_path, monkeypatch, capsys):
    """A whole held-out set with a plan filled by one reader only is refused by name and left out of
    `--set all`; once every plan has two readers' fills it is scored."""
    paths = _corpus_copy(tmp_path, {"plans": [("a", expected("a"))],
                                    "heldout-7": [("h", expected("h")), ("i", expected("i"))]})
    monkeypatch.setattr(bench, "EXPECTED", paths)
    monkeypatch.setattr(bench, "FILLS", tmp_path / "fills")
    monkeypatch.setattr(bench, "CORPUS", tmp_path)
    monkeypatch.setattr(bench, "SETS", {"design": ["plans"], "heldout-7": ["heldout-7"]})
    (tmp_path / "fills" / "r2").mkdir()
    (tmp_path / "fills" / "r2" / "h.yaml").write_text((tmp_path / "fills" / "r1" / "h.yaml").read_text(), encoding="utf-8")
    assert bench.unfilled("heldout-7") == (1, 2)
    out = tmp_path / "j.json"
    assert bench.main(["--set", "heldout-7", "--json", str(out)]) == 2
    assert "heldout-7 is not filled yet (1 of 2 plans have 2 readers' fills)" in capsys.readouterr().err
    assert bench.main(["--set", "all", "--json", str(out)]) == 0
    assert list(json.loads(out.read_text(encoding="utf-8"))["sets"]) == ["design"]
    (tmp_path / "fills" / "r2" / "i.yaml").write_text((tmp_path / "fills" / "r1" / "i.yaml").read_text(), encoding="utf-8")
    assert bench.unfilled("heldout-7") is None
    bench.main(["--set", "all", "--json", str(out)])
    assert list(json.loads(out.read_text(encoding="utf-8"))["sets"]) == ["design", "heldout-7"]
