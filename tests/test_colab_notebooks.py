"""Colab opens a generated .ipynb copy of each notebook page; the copies must stay in step."""

from __future__ import annotations

import importlib.util
import json
import re

from IPython.core.inputtransformer2 import TransformerManager

from site_pages import ROOT

_spec = importlib.util.spec_from_file_location("pai_notebooks", ROOT / "book" / "_ext" / "pai_notebooks.py")
pai_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pai_notebooks)


def test_every_notebook_page_has_an_up_to_date_colab_copy(capsys):
    status = pai_notebooks.main(["--check"])
    assert status == 0, capsys.readouterr().err


def test_copies_have_the_pages_cells_without_outputs():
    page = pai_notebooks.notebook_pages()[0]
    copy = json.loads(pai_notebooks.target(page).read_text())
    assert copy["cells"][0]["metadata"]["tags"] == ["colab-setup"]
    code = [c for c in copy["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert len(copy["cells"]) > 2


def _setup_python():
    url, branch = pai_notebooks.repository()
    source = "".join(pai_notebooks.setup_cell(url, branch).source)
    python = TransformerManager().transform_cell(source)
    compile(python, "<colab-setup>", "exec")  # raises if the magic did not transform
    return source, python


def test_setup_cell_does_nothing_where_the_toolkit_is_installed():
    source, python = _setup_python()
    assert "participatory-ai-in-practice @ git+" in source
    namespace = {"get_ipython": lambda: (_ for _ in ()).throw(AssertionError("installed although importable"))}
    exec(python, namespace)  # here widgets and casestudies import: the install must not run


def test_setup_cell_installs_the_toolkit_where_it_is_missing(monkeypatch):
    import importlib.util

    _, python = _setup_python()
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "casestudies" else real(name, *a))
    calls = []

    class Shell:
        def run_line_magic(self, name, line):
            calls.append((name, line))

    exec(python, {"get_ipython": lambda: Shell()})
    assert calls and calls[0][0] == "pip" and "participatory-ai-in-practice @ git+" in calls[0][1]


def test_binder_and_download_open_the_same_copy_as_colab(built_site):
    page = pai_notebooks.notebook_pages()[0]
    rel = page.relative_to(ROOT)
    html = (built_site / rel.with_suffix(".html")).read_text()
    binder = re.findall(r'href="(https://mybinder\.org/[^"]+)"', html)
    assert binder, "no Binder button on a notebook page"
    for link in binder:
        assert link.endswith(f"urlpath=tree/notebooks/{rel.with_suffix('.ipynb').as_posix()}"), link
    served = built_site / "_sources" / rel.with_suffix(".ipynb")
    assert f'_sources/{rel.with_suffix(".ipynb").as_posix()}"' in html, "no .ipynb download on a notebook page"
    assert served.read_text() == pai_notebooks.target(page).read_text(), "the download is not the launch copy"


def test_colab_buttons_point_at_the_copies(built_site):
    pages = [p for p in pai_notebooks.notebook_pages()]
    html = (built_site / pages[0].relative_to(ROOT).with_suffix(".html")).read_text()
    links = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', html)
    assert links, "no Colab button on a notebook page"
    for link in links:
        assert link.endswith(".ipynb") and "/notebooks/" in link, link
        rel = link.split("/notebooks/", 1)[1]
        assert (ROOT / "notebooks" / rel).exists(), f"Colab button points at a missing copy: {link}"
