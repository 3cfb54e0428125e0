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


def test_setup_cell_is_valid_ipython_and_only_acts_in_colab():
    url, branch = pai_notebooks.repository()
    source = "".join(pai_notebooks.setup_cell(url, branch).source)
    python = TransformerManager().transform_cell(source)
    compile(python, "<colab-setup>", "exec")  # raises if the magic did not transform
    assert 'if "google.colab" in sys.modules:' in source
    namespace = {"get_ipython": lambda: (_ for _ in ()).throw(AssertionError("ran outside Colab"))}
    exec(python, namespace)  # outside Colab the install must not run


def test_colab_buttons_point_at_the_copies(built_site):
    pages = [p for p in pai_notebooks.notebook_pages()]
    html = (built_site / pages[0].relative_to(ROOT).with_suffix(".html")).read_text()
    links = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', html)
    assert links, "no Colab button on a notebook page"
    for link in links:
        assert link.endswith(".ipynb") and "/notebooks/" in link, link
        rel = link.split("/notebooks/", 1)[1]
        assert (ROOT / "notebooks" / rel).exists(), f"Colab button points at a missing copy: {link}"
