"""benchmarks/time_table.py: the per-test profile's records read back and summed per file and worker."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[1] / "benchmarks"))
import time_table as ttt  # noqa: E402


def write(folder: Path, worker: str, records: list[dict]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{worker}.jsonl").write_text("".join(json.dumps({"worker": worker, **r}) + "\n" for r in records))


def test_records_are_summed_per_file_and_worker(tmp_path):
    write(tmp_path, "gw0", [{"test": "tests/test_a.py::test_one@tests/test_a.py", "start": 100.0, "wall": 10.0, "cpu": 4.0},
                            {"test": "tests/test_a.py::test_two", "start": 110.0, "wall": 5.0, "cpu": 5.0}])
    write(tmp_path, "gw1", [{"test": "tests/test_b.py::test_three[x]", "start": 101.0, "wall": 2.0, "cpu": 1.5}])
    records = ttt.read_records(tmp_path)
    assert sorted(r["test"] for r in records) == ["tests/test_a.py::test_one", "tests/test_a.py::test_two",
                                                   "tests/test_b.py::test_three[x]"]
    files = {f["file"]: f for f in ttt.per_file(records)}
    assert (files["tests/test_a.py"]["cpu"], files["tests/test_a.py"]["wall"], files["tests/test_a.py"]["tests"]) == (9.0, 15.0, 2)
    workers = {w["worker"]: w for w in ttt.per_worker(records)}
    assert (workers["gw0"]["busy"], workers["gw0"]["first"], workers["gw0"]["last"]) == (15.0, 0.0, 15.0)
    assert (workers["gw1"]["first"], workers["gw1"]["last"]) == (1.0, 3.0)
    table = ttt.table(records, top=2)
    assert "| 5.0 | 5.0 | gw0 | `tests/test_a.py::test_two` |" in table
    assert "tests/test_b.py::test_three" not in table.split("Top 2 by waiting")[0]  # only the top two by CPU


def test_a_damaged_record_names_its_file_and_line(tmp_path):
    write(tmp_path, "gw0", [{"test": "t::a", "start": 0, "wall": 1, "cpu": 1}])
    with open(tmp_path / "gw0.jsonl", "a") as out:
        out.write("{not json\n")
    with pytest.raises(SystemExit, match=r"gw0.jsonl, line 2: not a JSON record"):
        ttt.read_records(tmp_path)
    with pytest.raises(SystemExit, match="no \\*.jsonl records"):
        ttt.read_records(tmp_path / "empty")
