"""Run a notebook page top to bottom for a test, or reuse the run the book build just made.

`make test` builds the site first, and the build executes every notebook page (jupyter-cache,
strict: a failing cell fails the build). Executing the same cells again in the tests proves
nothing more, so ``executed_notebook`` returns the build's executed copy when it ran exactly the
page's current code cells, in this checkout, after the last change to anything a page imports
(the same inputs the Makefile watches). Otherwise (no build, a stale build, or
``PAI_EXECUTE_NOTEBOOKS=1``) it executes the page with nbclient, as before. Either way the test
then checks the outputs it gets.
"""

from __future__ import annotations

import datetime
import functools
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
#: What the notebooks import or read: the Makefile's NOTEBOOK_INPUTS, plus the build configuration
#: and the installed requirements.
WATCHED_DIRS = ("widgets", "casestudies", os.path.join("book", "_ext"))
WATCHED_SUFFIXES = {".py", ".yaml", ".csv", ".json", ".js"}
WATCHED_FILES = ("_config.yml", "requirements.txt", "pyproject.toml")


@functools.lru_cache(maxsize=1)
def newest_input_mtime() -> float:
    """When anything a notebook page imports or reads last changed (scanned once per test run)."""
    newest = max((ROOT / name).stat().st_mtime for name in WATCHED_FILES if (ROOT / name).exists())
    for folder in WATCHED_DIRS:
        for dirpath, dirnames, filenames in os.walk(ROOT / folder):
            dirnames[:] = [d for d in dirnames if d not in {"__pycache__", "bundles"}]
            for name in filenames:
                if os.path.splitext(name)[1] in WATCHED_SUFFIXES:
                    newest = max(newest, os.stat(os.path.join(dirpath, name)).st_mtime)
    return newest


def _code(nb) -> list[str]:
    return [cell.source.strip() for cell in nb.cells if cell.cell_type == "code"]


def build_run(path: Path, nb, *, cache_dir: Path = CACHE, inputs_changed: float | None = None):
    """The build's executed copy of ``path`` from the jupyter-cache in ``cache_dir``, if that run
    started after ``inputs_changed`` (default: the newest watched input) and after the page's own
    last change, and ran exactly ``nb``'s code cells; else None."""
    if os.environ.get("PAI_EXECUTE_NOTEBOOKS") == "1" or not (cache_dir / "global.db").exists():
        return None
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    records = [r for r in cache.list_cache_records() if Path(r.uri) == path.resolve()]
    if not records:
        return None
    record = max(records, key=lambda r: r.created)
    seconds = float((record.data or {}).get("execution_seconds", 0.0))
    started = record.created.replace(tzinfo=datetime.timezone.utc).timestamp() - seconds
    if inputs_changed is None:
        inputs_changed = newest_input_mtime()
    if started <= max(inputs_changed, path.stat().st_mtime):
        return None
    executed = cache.get_cache_bundle(record.pk).nb
    if _code(executed) != _code(nb):
        return None
    return executed


def executed_notebook(path: Path, timeout: int = 120):
    """``path`` (a MyST notebook page) with its outputs: the build's current run, or a fresh
    execution. Fails if a cell raised (nbclient raises; a reused run is checked for error outputs)."""
    import jupytext

    nb = jupytext.read(path)
    reused = build_run(path, nb)
    if reused is None:
        import nbclient

        nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    else:
        nb = reused
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: a cell raised: {errors}"
    return nb
