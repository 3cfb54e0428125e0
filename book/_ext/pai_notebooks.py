"""Generate the .ipynb copies of the book's notebook pages that Colab opens.

The book's notebooks are MyST Markdown files (reviewable diffs), which Google
Colab cannot open. This script writes an output-free .ipynb copy of each one
under ``notebooks/`` (same relative path), with a first cell that installs the
book's packages when, and only when, they are missing (Colab, a downloaded
copy). The site's Colab and Binder buttons and its notebook download all open
these copies (see ``pai_site.py``), so every reader starts from the same notebook. ``--check`` exits with
status 1 when a committed copy is missing, stale or orphaned; the tests run it.

Usage: ``python book/_ext/pai_notebooks.py [--check]`` (``make notebooks``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "notebooks"
CONTENT_DIRS = ("book", "casestudies")


def repository() -> tuple[str, str]:
    """The repository URL and branch named in _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "main")


def notebook_pages() -> list[Path]:
    """Every MyST notebook page (a .md file whose front matter names a kernel)."""
    pages = []
    for folder in CONTENT_DIRS:
        for path in sorted((ROOT / folder).rglob("*.md")):
            head = path.read_text(encoding="utf-8")[:600]
            if head.startswith("---") and "kernelspec:" in head and "format_name: myst" in head:
                pages.append(path)
    return pages


#: Packages of this project a notebook imports; the set-up cell installs the project when one is missing.
PACKAGES = ("widgets", "casestudies")


def setup_cell(repo_url: str, branch: str) -> nbformat.NotebookNode:
    source = (
        "# Set-up: installs this toolkit (its widgets and casestudies packages) only where it is\n"
        "# missing, as in Google Colab or a downloaded copy. On Binder, and in a clone of the\n"
        "# repository set up with `make`, it is already installed and this cell does nothing.\n"
        "# pip builds the widgets' front-ends with Node.js (esbuild through npx), which Colab\n"
        "# provides. Data sets are downloaded from their sources and checked.\n"
        "import importlib.util\n"
        f"if any(importlib.util.find_spec(name) is None for name in {PACKAGES!r}):\n"
        f'    %pip install --quiet "participatory-ai-in-practice @ git+{repo_url}@{branch}"\n'
    )
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["colab-setup"]
    cell.pop("id", None)
    return cell


def colab_copy(page: Path, repo_url: str, branch: str) -> str:
    """The .ipynb text for one page: its cells, no outputs, the set-up cell first."""
    notebook = jupytext.read(page)
    for cell in notebook.cells:
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.cells.insert(0, setup_cell(repo_url, branch))
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook.metadata["colab"] = {"provenance": []}
    notebook.nbformat, notebook.nbformat_minor = 4, 4
    return nbformat.writes(notebook) + "\n"


def target(page: Path) -> Path:
    return OUT / page.relative_to(ROOT).with_suffix(".ipynb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale copies instead of writing them")
    args = parser.parse_args(argv)
    repo_url, branch = repository()
    expected = {target(page): colab_copy(page, repo_url, branch) for page in notebook_pages()}
    problems = []
    for path, text in expected.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            if args.check:
                problems.append(f"{path.relative_to(ROOT)} is {'missing' if current is None else 'stale'}")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in OUT.rglob("*.ipynb") if OUT.exists() else []:
        if path not in expected:
            if args.check:
                problems.append(f"{path.relative_to(ROOT)} has no notebook page any more")
            else:
                path.unlink()
    if problems:
        print("Colab copies are out of date; run `make notebooks` and commit notebooks/:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
