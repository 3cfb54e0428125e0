"""One anywidget factory for every notebook widget of the toolkit.

Each widget's browser code is an ES module in ``widgets/static/`` that imports the shared modules
in ``widgets/static/lib/``. The static site imports those modules directly; a notebook loads one
file per widget, which esbuild (from npm, pinned in ``package.json``) bundles into
``widgets/bundles/`` at setup time (``make bundles``, run by ``make setup``, ``make book`` and
``make test``; never committed), and into the installed package when pip builds it (``setup.py``).
:func:`build_bundles` is the one esbuild invocation both use; :func:`anywidget_base` gives the
base class a widget class derives from.

This file also runs as a script, without importing the package (``python widgets/_frontend.py``,
what ``make bundles`` runs), so it imports nothing from the toolkit at module level.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY = PACKAGE_DIR.parent
STATIC = PACKAGE_DIR / "static"
BUNDLES = PACKAGE_DIR / "bundles"
MAKE_TARGET = "make bundles"
# The widget modules in widgets/static/ that a notebook loads, one bundle each.
ENTRIES = ("assessment.js", "room.js", "tools/paycalc.js", "tools/vendor.js", "tools/transparency.js")
ESBUILD_TIMEOUT = 600  # seconds; npx may first download esbuild

__all__ = ["FrontEndMissing", "BundleBuildError", "anywidget_base", "build_bundles", "bundle_path",
           "esbuild_command", "esbuild_version", "BUNDLES", "ENTRIES", "STATIC"]


class FrontEndMissing(RuntimeError):
    """The bundled front-end of a notebook widget has not been built."""


class BundleBuildError(RuntimeError):
    """esbuild could not be found or run to build the notebook front-ends."""


def esbuild_version(root: Path = REPOSITORY) -> str:
    """The esbuild version pinned in ``<root>/package.json`` (``devDependencies``)."""
    manifest = Path(root) / "package.json"
    try:
        pinned = json.loads(manifest.read_text(encoding="utf-8"))["devDependencies"]["esbuild"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BundleBuildError(f"{manifest}: expected the field devDependencies.esbuild with the pinned esbuild "
                               f"version ({type(error).__name__}: {error}); restore package.json from the "
                               "repository") from error
    if not isinstance(pinned, str) or not pinned[:1].isdigit():
        raise BundleBuildError(f"{manifest}: devDependencies.esbuild is {pinned!r}; expected an exact version "
                               "such as \"0.28.2\" (the pin keeps bundles reproducible)")
    return pinned


def esbuild_command(root: Path = REPOSITORY) -> list[str]:
    """How to run esbuild: the one ``npm ci`` installed in ``<root>/node_modules``, else the pinned
    version through ``npx`` (Node.js). Raises :class:`BundleBuildError` when neither is available."""
    local = Path(root) / "node_modules" / ".bin" / "esbuild"
    if local.is_file():
        return [str(local)]
    npx = shutil.which("npx")
    if npx:
        return [npx, "--yes", f"esbuild@{esbuild_version(root)}"]
    raise BundleBuildError(f"esbuild was not found: neither {local} (run `npm ci`) nor Node.js's npx on PATH "
                           "(install Node.js from https://nodejs.org)")


def build_bundles(outdir: Path = BUNDLES, root: Path = REPOSITORY) -> list[Path]:
    """Bundle each of :data:`ENTRIES` (in ``<root>/widgets/static``) with the modules it imports
    into ``outdir`` (same relative paths), with esbuild; return the files written.

    esbuild runs in ``root`` so the path comments in a bundle do not depend on where it is built.
    Raises :class:`BundleBuildError` when esbuild is missing or fails.
    """
    root = Path(root).resolve()
    outdir = Path(outdir).resolve()
    command = esbuild_command(root) + [
        *(f"widgets/static/{entry}" for entry in ENTRIES),
        "--bundle", "--format=esm", "--outbase=widgets/static", f"--outdir={outdir}", "--log-level=warning",
    ]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=ESBUILD_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BundleBuildError(f"could not run {command[0]}: {error}") from error
    if done.returncode != 0:
        raise BundleBuildError(f"esbuild failed (exit status {done.returncode}) running {' '.join(command[:3])}:\n"
                               f"{done.stderr.strip() or done.stdout.strip()}")
    if done.stderr.strip():
        print(done.stderr.strip(), file=sys.stderr)
    written = [outdir / entry for entry in ENTRIES]
    missing = [str(path) for path in written if not path.is_file()]
    if missing:
        raise BundleBuildError(f"esbuild reported success but did not write {', '.join(missing)}")
    return written


def bundle_path(module: str) -> Path:
    """Where the bundle of ``widgets/static/<module>`` is built (``widgets/bundles/<module>``)."""
    return BUNDLES / module


def _missing_message(module: str) -> str:
    return (f"The notebook front-end widgets/bundles/{module} has not been built. In a checkout of the "
            f"repository, run `{MAKE_TARGET}` (or `make setup`). In a copy installed with pip, install Node.js "
            "(https://nodejs.org; pip then runs esbuild through npx) and reinstall the package with pip. "
            "Then restart the kernel.")


def anywidget_base(module: str, css: str | None = None) -> type:
    """An ``anywidget.AnyWidget`` subclass whose front-end is the bundle of ``widgets/static/<module>``
    (and whose stylesheet is ``widgets/static/<css>``).

    When the bundle is missing the class can still be defined and used headless (with a
    ``DummyComm``, as on executed book pages), but showing it raises :class:`FrontEndMissing`
    naming the make target. The same arguments always give the same class.
    """
    return _base(module, css)


@lru_cache(maxsize=None)
def _base(module: str, css: str | None) -> type:
    import anywidget

    path = bundle_path(module)
    built = path.is_file()

    def __init__(self, *args, **kwargs):
        comm = kwargs.get("comm")
        if not built and type(comm).__name__ != "DummyComm":
            raise FrontEndMissing(_missing_message(module))
        anywidget.AnyWidget.__init__(self, *args, **kwargs)

    namespace = {
        "__init__": __init__,
        "__doc__": f"anywidget base for widgets/static/{module}.",
        # A string of several lines is taken as module code, not as a file name.
        "_esm": path if built else "// not built\nexport default { render({ el }) { el.textContent = "
                                   f"{_missing_message(module)!r}; }} }};\n",
    }
    if css is not None:
        namespace["_css"] = STATIC / css
    name = "".join(part.capitalize() for part in Path(module).stem.split("-")) + "Base"
    return type(name, (anywidget.AnyWidget,), namespace)


def tool_widget(module: str, *, name: str, data: str, state: str, method: str, read):
    """A notebook widget class for one supply-chain tool: the bundle of ``widgets/static/<module>``
    with two synchronised dictionaries, the tool's ``data`` (questions, template) and its ``state``
    (what was entered), and a method ``method()`` giving ``read(state, data)``, the Python object."""
    import traitlets

    def value(self):
        return read(getattr(self, state), getattr(self, data))

    value.__name__ = method
    value.__doc__ = "What was entered, as the tool's Python object."
    namespace = {data: traitlets.Dict().tag(sync=True), state: traitlets.Dict().tag(sync=True), method: value}
    return type(name, (anywidget_base(module),), namespace)


def main(argv: list[str] | None = None) -> int:
    """``python widgets/_frontend.py [--outdir DIR]``: build the bundles (what ``make bundles`` runs)."""
    import argparse

    parser = argparse.ArgumentParser(description="Bundle the notebook widgets' front-ends with esbuild.")
    parser.add_argument("--outdir", type=Path, default=BUNDLES, help="where to write them (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        build_bundles(args.outdir)
    except BundleBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
