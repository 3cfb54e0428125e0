"""The notebook tests reuse the book build's run only when it is current (tests/notebook_support.py)."""

from __future__ import annotations

import os
import time

import jupytext
import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from notebook_support import build_run, newest_input_mtime

PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# A page

```{code-cell} python
print(6 * 7)
```
"""


@pytest.fixture
def built(tmp_path):
    """A page and a jupyter-cache holding a run of it (an output of 42), as the book build leaves it."""
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(page, (hour_ago, hour_ago))
    executed = jupytext.read(page)
    executed.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    cache_dir = tmp_path / "cache"
    get_cache(str(cache_dir)).cache_notebook_bundle(
        CacheBundleIn(executed, str(page), data={"execution_seconds": 1.0}), check_validity=False, overwrite=True)
    return page, cache_dir, hour_ago


def test_a_current_run_is_reused(built):
    page, cache_dir, hour_ago = built
    reused = build_run(page, jupytext.read(page), cache_dir=cache_dir, inputs_changed=hour_ago)
    assert reused is not None and reused.cells[-1].outputs[0]["text"] == "42\n"


def test_a_run_older_than_an_input_is_not_reused(built):
    page, cache_dir, _ = built
    assert build_run(page, jupytext.read(page), cache_dir=cache_dir, inputs_changed=time.time() + 1) is None


def test_a_run_of_other_code_is_not_reused(built):
    page, cache_dir, hour_ago = built
    page.write_text(PAGE.replace("6 * 7", "6 * 9"), encoding="utf-8")
    os.utime(page, (hour_ago, hour_ago))  # even with an old timestamp, the code no longer matches
    assert build_run(page, jupytext.read(page), cache_dir=cache_dir, inputs_changed=hour_ago) is None


def test_a_page_edited_after_the_run_is_not_reused(built):
    page, cache_dir, hour_ago = built
    page.write_text(PAGE + "\nMore prose.\n", encoding="utf-8")
    assert build_run(page, jupytext.read(page), cache_dir=cache_dir, inputs_changed=hour_ago) is None


def test_no_cache_or_forced_execution_means_no_reuse(built, tmp_path, monkeypatch):
    page, cache_dir, hour_ago = built
    assert build_run(page, jupytext.read(page), cache_dir=tmp_path / "none", inputs_changed=hour_ago) is None
    monkeypatch.setenv("PAI_EXECUTE_NOTEBOOKS", "1")
    assert build_run(page, jupytext.read(page), cache_dir=cache_dir, inputs_changed=hour_ago) is None


def test_the_watched_inputs_include_the_code_the_pages_import():
    scoring = os.path.join(os.path.dirname(__file__), "..", "widgets", "_scoring.py")
    assert newest_input_mtime() >= os.stat(scoring).st_mtime
