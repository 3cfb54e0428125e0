"""`--dist loadgroup` keeps the tests that share a module fixture on one worker (tests/conftest.py).

pytest-xdist 3.8 groups tests by renaming their node ids, which pytest 9 ignores; the conftest's
own scheduler reads the groups the workers wrote. This runs a small suite on two workers, with
this repository's conftest, and checks where each test ran.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("xdist")

HERE = Path(__file__).resolve().parent

SUITE = '''
import json, os, pytest
from pathlib import Path

@pytest.fixture(scope="module")
def shared():
    return os.environ["PYTEST_XDIST_WORKER"]

def record(name):
    with open(Path(__file__).with_name("ran.jsonl"), "a") as out:
        out.write(json.dumps({"test": name, "worker": os.environ["PYTEST_XDIST_WORKER"]}) + "\\n")

@pytest.mark.parametrize("n", range(8))
def test_grouped(shared, n):
    record(f"grouped-{n}")

@pytest.mark.parametrize("n", range(8))
def test_free(n):
    record(f"free-{n}")
'''


def test_tests_sharing_a_module_fixture_run_on_one_worker(tmp_path):
    shutil.copy2(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                           "--dist", "loadgroup", "test_suite.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if k != "PAI_TEST_PROFILE"})  # not in the outer profile
    assert done.returncode == 0, done.stdout + done.stderr
    ran = [json.loads(line) for line in (tmp_path / "ran.jsonl").read_text().splitlines()]
    assert len(ran) == 16
    grouped = {r["worker"] for r in ran if r["test"].startswith("grouped")}
    assert len(grouped) == 1, f"the module fixture's tests ran on {sorted(grouped)}"
    # The other tests are not held to one worker: the second worker took some of them.
    workers = {r["worker"] for r in ran}
    assert len(workers) == 2, ran
