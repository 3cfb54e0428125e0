"""Execute the book's notebook pages several at a time, into the cache the book build reads.

Run by ``make book`` before ``jupyter-book build``: ``python book/_ext/pai_execute.py --jobs 2``.
The build executes notebooks one after another (cache mode, ``execute:`` in _config.yml), and on a
clean build that is most of its time. This step reads every notebook page in _toc.yml the way
myst-nb reads it (same reader, same MyST settings from _config.yml), runs the ones the cache does
not hold yet in a pool of ``--jobs`` processes with the call myst-nb makes
(``jupyter_cache.executors.utils.single_nb_execution``: the page's folder as working directory,
the configured timeout and ``allow_errors``), and stores each result in the build's jupyter-cache
(``_build/.jupyter_cache``) as myst-nb would. The build then finds every notebook in the cache and
only renders it, exactly as on a rebuild.

Why not jupyter-cache's own parallel executor (``local-parallel``, ``JupyterExecutorLocalMproc``)?
It would read the pages with myst-nb's jupyter-cache reader and execute them with the same call, but
its pool always has ``os.cpu_count()`` processes (not ``--jobs``, not the CPUs this process may use:
a container that reports the host's 64 CPUs would start a kernel for every page at once), it forks
(the tests call this step from a process holding a server and a browser), it gives every page one
timeout and ``allow_errors`` where myst-nb honours a page's own ``mystnb`` settings, and its reader
parses with myst-parser's default settings rather than the book's (today's 24 pages hash the same
either way, checked, but nothing keeps it so). The pool here is a few lines around the same
``single_nb_execution`` and ``cache_notebook_bundle`` calls.

Nothing is decided here that the build does not check again: the cache matches a notebook by a
hash of its code cells, so a page this step read differently is executed by the build itself, and a
notebook that fails here is not stored, so the build runs it again and reports the error with its
usual traceback and warning (the strict build then fails).
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = (".md", ".ipynb")
#: Stored in each cache record this step writes (``executed_by``), so a test can tell that the build
#: executed nothing itself.
MARK = "book/_ext/pai_execute.py"


def sphinx_config(root: Path = ROOT) -> dict:
    """The Sphinx configuration jupyter-book derives from _config.yml (and _toc.yml)."""
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(user_yaml=root / "_config.yml", sourcedir=root, cli_config={"latex_individualpages": False})
    return config


def parser_configs(config: dict):
    """myst-parser's and myst-nb's settings as the build would set them from ``config``."""
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig

    def build(cls, prefix):
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k[len(prefix):]: v for k, v in config.items() if k.startswith(prefix) and k[len(prefix):] in names}
        if "enable_extensions" in values:
            values["enable_extensions"] = set(values["enable_extensions"])
        return cls(**values)

    return build(MdParserConfig, "myst_"), build(NbParserConfig, "nb_")


def toc_pages(root: Path = ROOT) -> list[Path]:
    """Source files of the pages _toc.yml lists, globs expanded as Sphinx expands them, in order."""
    from sphinx.util.matching import patfilter
    from sphinx_external_toc.api import GlobItem
    from sphinx_external_toc.parsing import parse_toc_yaml

    site_map = parse_toc_yaml(root / "_toc.yml")
    sources = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.suffix in SUFFIXES and rel.parts[0] not in {"_build", ".venv", "node_modules", "notebooks"}:
            sources.setdefault(rel.with_suffix("").as_posix(), path)
    found: list[str] = []

    def walk(docname):
        if docname in found or docname not in sources:
            return
        found.append(docname)
        if docname not in site_map:
            return
        for subtree in site_map[docname].subtrees:
            for item in subtree.items:
                if isinstance(item, GlobItem):
                    for match in sorted(patfilter(list(sources), str(item))):
                        walk(match)
                elif isinstance(item, str):  # a document (a URL item is not a str)
                    walk(item)

    walk(site_map.root.docname)
    return [sources[d] for d in found]


def read_notebook(path: Path, md_config, nb_config):
    """The notebook myst-nb reads from ``path`` and the settings it executes it with, or None for a page that is not a notebook."""
    from myst_nb.core.read import create_nb_reader
    from myst_nb.core.nb_to_tokens import nb_node_to_dict

    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), md_config, nb_config, text)
    if reader is None:
        return None
    notebook = reader.read(text)
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel is not None:
        for pattern, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(pattern, kernel):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    if nb_config.metadata_key in notebook.metadata:
        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        nb_config = nb_config.copy(**overrides)
    return notebook, nb_config, reader.read_fmt


def _excluded(path: Path, root: Path, nb_config) -> bool:
    from sphinx.util.matching import Matcher

    return Matcher(list(nb_config.execution_excludepatterns))(path.relative_to(root).as_posix())


def _execute(notebook, cwd: str, allow_errors: bool, timeout):
    """Run in a worker process: execute ``notebook`` as myst-nb's cache mode does."""
    from jupyter_cache.executors.utils import single_nb_execution

    result = single_nb_execution(notebook, cwd=cwd, allow_errors=allow_errors, timeout=timeout, meta_override=True)
    error = None
    if result.err is not None:
        lines = [line for line in str(result.err).splitlines() if line.strip()]
        error = f"{type(result.err).__name__}: {lines[-1][:200] if lines else ''}"
    return notebook, result.time, error


def execute_pages(root: Path = ROOT, jobs: int = 2, cache_path: Path | None = None, log=print) -> dict:
    """Execute the uncached notebook pages of the book at ``root``; return counts of what happened."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    config = sphinx_config(root)
    md_config, nb_config = parser_configs(config)
    counts = {"pages": 0, "notebooks": 0, "cached": 0, "executed": 0, "failed": 0, "skipped": 0}
    if nb_config.execution_mode != "cache":
        log(f"pai_execute: execute_notebooks is {nb_config.execution_mode!r}, not 'cache': nothing to do")
        return counts
    if cache_path is None:
        cache_path = Path(nb_config.execution_cache_path) if nb_config.execution_cache_path else root / "_build" / ".jupyter_cache"
    cache = get_cache(str(cache_path))
    todo = []
    for path in toc_pages(root):
        counts["pages"] += 1
        read = read_notebook(path, md_config, nb_config)
        if read is None:
            continue
        notebook, page_config, read_fmt = read
        counts["notebooks"] += 1
        if page_config.execution_mode != "cache" or _excluded(path, root, page_config):
            counts["skipped"] += 1
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
            todo.append((code_cells, len(todo), path, notebook, page_config, read_fmt))
        else:
            counts["cached"] += 1
    # Most code cells first: the long pages start early, so the pool finishes close together.
    todo.sort(key=lambda item: (-item[0], item[1]))
    started = time.perf_counter()
    if todo:
        # Fresh interpreters (spawn), not forks: the caller may hold threads (a test's server or browser).
        with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {
                pool.submit(_execute, notebook, str(path.parent.resolve()), page_config.execution_allow_errors,
                            page_config.execution_timeout): (path, read_fmt)
                for _, _, path, notebook, page_config, read_fmt in todo
            }
            for future in as_completed(futures):
                path, read_fmt = futures[future]
                rel = path.relative_to(root)
                try:
                    executed, seconds, error = future.result()
                except Exception as exc:  # a worker that died: the build executes the page itself
                    executed, seconds, error = None, 0.0, f"{type(exc).__name__}: {exc}"
                if error is not None:
                    counts["failed"] += 1
                    log(f"pai_execute: {rel} failed ({error}); the build runs it again and reports it")
                    continue
                stage = cache.add_nb_to_project(str(path), read_data=read_fmt) if read_fmt else cache.add_nb_to_project(str(path))
                cache.cache_notebook_bundle(CacheBundleIn(executed, stage.uri, data={"execution_seconds": seconds, "executed_by": MARK}),
                                            check_validity=False, overwrite=True)
                counts["executed"] += 1
                log(f"pai_execute: {rel} executed in {seconds:.1f} s")
    log(f"pai_execute: {counts['notebooks']} notebook pages: {counts['executed']} executed, {counts['cached']} already "
        f"cached, {counts['failed']} failed, {counts['skipped']} not executed by the build "
        f"({time.perf_counter() - started:.1f} s with {jobs} at a time)")
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)),
                        help="notebooks executed at the same time (default: the CPUs this process may use)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="jupyter-cache folder (default: the build's, _build/.jupyter_cache)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, not {args.jobs}")
    execute_pages(ROOT, jobs=args.jobs, cache_path=args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
