"""`pip install` from the repository (as the Colab set-up cell does) builds the notebook front-ends
into the package when Node.js is there, and still installs, with a warning, when it is not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from widgets import _frontend

ROOT = Path(__file__).resolve().parents[1]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
WARNING = "WARNING: the notebook widgets' front-ends (widgets/bundles) were not built"


def _source_tree(dest: Path) -> Path:
    """What pip needs to build the package, copied without node_modules or built bundles (a fresh
    clone), so the build writes nothing into the checkout."""
    dest.mkdir()
    for name in ("pyproject.toml", "setup.py", "package.json", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, dest / name)
    ignore = shutil.ignore_patterns("bundles", "__pycache__", "*.pyc")
    for folder in ("widgets", "casestudies"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=ignore)
    return dest


def _pip_wheel(source: Path, out: Path, env: dict | None = None) -> tuple[Path, str]:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
                           "--no-index", "-w", str(out), str(source)], capture_output=True, text=True,
                          timeout=900, env=env)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, log[-4000:]
    return wheels[0], log


@pytest.mark.skipif(not ESBUILD.exists(), reason="esbuild is not installed (npm ci)")
def test_wheel_carries_the_bundles_make_bundles_builds(tmp_path):
    source = _source_tree(tmp_path / "src")
    (source / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    wheel, log = _pip_wheel(source, tmp_path / "dist")
    expected = {entry: path.read_text(encoding="utf-8")
                for entry, path in zip(_frontend.ENTRIES, _frontend.build_bundles(tmp_path / "make"))}
    with zipfile.ZipFile(wheel) as archive:
        packed = {name.removeprefix("widgets/bundles/"): archive.read(name).decode("utf-8")
                  for name in archive.namelist() if name.startswith("widgets/bundles/")}
    assert set(packed) == set(expected), log[-4000:]
    for entry, text in expected.items():
        assert packed[entry] == text, f"widgets/bundles/{entry} in the wheel differs from `make bundles` output"
    assert WARNING not in log


def test_install_without_node_succeeds_with_a_warning(tmp_path):
    source = _source_tree(tmp_path / "src")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}  # no node, no npx
    wheel, log = _pip_wheel(source, tmp_path / "dist", env=env)
    assert WARNING in log and "FrontEndMissing" in log and "Node.js" in log, log[-4000:]
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "widgets/_frontend.py" in names and "widgets/static/assessment.js" in names
    assert not [name for name in names if name.startswith("widgets/bundles/")]


def test_npx_runs_the_version_pinned_in_package_json(tmp_path, monkeypatch):
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["esbuild"]
    shutil.copy2(ROOT / "package.json", tmp_path / "package.json")
    monkeypatch.setattr(_frontend.shutil, "which", lambda name: f"/opt/node/bin/{name}")
    assert _frontend.esbuild_command(tmp_path) == ["/opt/node/bin/npx", "--yes", f"esbuild@{pinned}"]


@pytest.mark.skipif(not ESBUILD.exists(), reason="esbuild is not installed (npm ci)")
def test_the_esbuild_npm_ci_installed_comes_first(monkeypatch):
    monkeypatch.setattr(_frontend.shutil, "which", lambda name: f"/opt/node/bin/{name}")
    assert _frontend.esbuild_command(ROOT) == [str(ESBUILD)]


def test_a_package_json_without_the_pin_is_a_clear_error(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"devDependencies": {"esbuild": "^0.28"}}))
    with pytest.raises(_frontend.BundleBuildError, match=r"package\.json: devDependencies\.esbuild is '\^0\.28'"):
        _frontend.esbuild_version(tmp_path)
    (tmp_path / "package.json").write_text("{}")
    with pytest.raises(_frontend.BundleBuildError, match=r"devDependencies\.esbuild"):
        _frontend.esbuild_version(tmp_path)


def test_missing_front_end_names_both_fixes():
    message = _frontend._missing_message("assessment.js")
    assert "make bundles" in message and "Node.js" in message and "pip" in message
