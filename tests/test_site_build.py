"""The build is strict: a raising cell, a warning or an unlisted page fails it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from jupyter_cache import get_cache

from site_pages import ROOT, content_docnames, toc_docnames

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import pai_execute  # noqa: E402

pytestmark = pytest.mark.build
JB = str(Path(sys.executable).with_name("jupyter-book"))

NOTEBOOK_HEADER = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
        format_version: 0.13
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---
    """
)


def test_every_content_page_is_in_the_toc():
    listed = set(toc_docnames())
    missing = [name for name in content_docnames() if name not in listed]
    assert not missing, f"Pages not in _toc.yml (add them or name them NN-slug.md in a part folder): {missing}"


def test_every_toc_entry_exists():
    available = set(content_docnames())
    absent = [name for name in toc_docnames() if name not in available]
    assert not absent, f"_toc.yml lists pages that do not exist: {absent}"


def test_every_toc_page_was_built():
    site = ROOT / "_build" / "html"
    if not (site / "index.html").exists():
        pytest.skip("Site not built; run `make book`.")
    unbuilt = [n for n in toc_docnames() if not (site / f"{n}.html").exists()]
    assert not unbuilt, f"Pages in the TOC with no HTML output: {unbuilt}"


def _fixture_book(tmp_path: Path, page: str) -> Path:
    """A two-page book using the project's own strict configuration."""
    book = tmp_path / "book"
    book.mkdir(parents=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["sphinx"]["local_extensions"] = {}
    config["sphinx"]["extra_extensions"] = ["sphinx_design"]
    config["sphinx"]["config"].pop("html_static_path", None)
    config["sphinx"]["config"].pop("mathjax_path", None)
    config.pop("bibtex_bibfiles", None)
    config.get("html", {}).pop("favicon", None)
    for key in [k for k in config["sphinx"]["config"] if k.startswith("bibtex_")]:
        del config["sphinx"]["config"][key]
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: page\n")
    (book / "index.md").write_text("# Fixture\n\nA fixture book.\n")
    (book / "page.md").write_text(page)
    return book


def _build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [JB, "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory):
    return tmp_path_factory.mktemp("fixture-books")


def test_make_book_executed_every_notebook_page_before_the_build():
    # The build rendered each notebook page from the record book/_ext/pai_execute.py wrote (several
    # pages at a time): had it executed a page itself (one at a time, the slow way), the record it
    # used would be its own, without the mark.
    cache_dir = ROOT / "_build" / ".jupyter_cache"
    if not (cache_dir / "global.db").exists():
        pytest.skip("Site not built; run `make book`.")
    cache = get_cache(str(cache_dir))
    md_config, nb_config = pai_execute.parser_configs(pai_execute.sphinx_config())
    problems, notebooks = [], 0
    for path in pai_execute.toc_pages():
        read = pai_execute.read_notebook(path, md_config, nb_config)
        if read is None:
            continue
        notebooks += 1
        rel = path.relative_to(ROOT)
        try:
            record = cache.match_cache_notebook(read[0])
        except KeyError:
            problems.append(f"{rel}: its current code is not in the cache (run `make book`)")
            continue
        if (record.data or {}).get("executed_by") != pai_execute.MARK:
            problems.append(f"{rel}: executed by the build itself, not by pai_execute.py beforehand")
    assert notebooks >= 20, f"only {notebooks} notebook pages found in _toc.yml"
    assert not problems, problems


def test_strict_build_passes_a_clean_fixture(tmp_module):
    book = _fixture_book(tmp_module / "clean", NOTEBOOK_HEADER + "# Page\n\n```{code-cell} python\nprint(1 + 1)\n```\n")
    result = _build(book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_strict_build_fails_when_a_cell_raises(tmp_module):
    book = _fixture_book(tmp_module / "raises", NOTEBOOK_HEADER + "# Page\n\n```{code-cell} python\nraise RuntimeError('boom')\n```\n")
    # `make book` executes the pages first (pai_execute.py): a page that raises is not cached, so
    # the build runs it again and fails on it as it would alone.
    messages = []
    counts = pai_execute.execute_pages(book, jobs=1, log=messages.append)
    assert counts["failed"] == 1 and counts["executed"] == 0, messages
    assert any("page.md failed" in m and "boom" in m for m in messages), messages
    result = _build(book)
    assert result.returncode != 0
    assert "boom" in result.stdout + result.stderr


def test_pages_executed_beforehand_are_rendered_from_the_cache(tmp_module):
    # pai_execute.py reads the pages as myst-nb does, so the build finds each one in the cache and
    # executes nothing itself; a second run finds nothing left to execute.
    cells = "".join(f"```{{code-cell}} python\n:tags: [hide-input]\nprint('cell', {i} * 7)\n```\n\n" for i in range(3))
    book = _fixture_book(tmp_module / "cached", NOTEBOOK_HEADER + "# Page\n\n" + cells)
    (book / "second.md").write_text(NOTEBOOK_HEADER + "# Second\n\n```{code-cell} python\nprint(6 * 7)\n```\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: page\n  - glob: sec*\n")
    counts = pai_execute.execute_pages(book, jobs=2, log=lambda message: None)
    assert counts == {"pages": 3, "notebooks": 2, "cached": 0, "executed": 2, "failed": 0, "skipped": 0}
    result = _build(book)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "Executing notebook" not in log and log.count("Using cached notebook") == 2, log[-3000:]
    cache = get_cache(str(book / "_build" / ".jupyter_cache"))
    assert [r.data["executed_by"] for r in cache.list_cache_records()] == [pai_execute.MARK] * 2
    assert "cell 14" in (book / "_build" / "html" / "page.html").read_text()
    assert "42" in (book / "_build" / "html" / "second.html").read_text()
    again = pai_execute.execute_pages(book, jobs=2, log=lambda message: None)
    assert again["cached"] == 2 and again["executed"] == 0


def test_strict_build_fails_on_a_warning(tmp_module):
    book = _fixture_book(tmp_module / "warns", "# Page\n\nSee {ref}`a-label-that-does-not-exist`.\n")
    result = _build(book)
    assert result.returncode != 0
    assert "a-label-that-does-not-exist" in result.stdout + result.stderr


def test_committed_tree_has_no_third_party_bundles():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    bundles = [f for f in tracked if f.startswith(("node_modules/", "_assets/")) or f.endswith((".min.js",))]
    assert not bundles, f"Third-party code is committed; it must come from npm at build time: {bundles}"
