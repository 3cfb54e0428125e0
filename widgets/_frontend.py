"""One anywidget factory for every notebook widget of the toolkit.

Each widget's browser code is an ES module in ``widgets/static/`` that imports the shared modules
in ``widgets/static/lib/``. The static site imports those modules directly; a notebook loads one
file per widget, which esbuild (from npm, pinned in ``package.json``) bundles into
``widgets/bundles/`` at setup time (``make bundles``, run by ``make setup``, ``make book`` and
``make test``; never committed). :func:`anywidget_base` gives the base class a widget class
derives from.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC = PACKAGE_DIR / "static"
BUNDLES = PACKAGE_DIR / "bundles"
MAKE_TARGET = "make bundles"

__all__ = ["FrontEndMissing", "anywidget_base", "bundle_path", "BUNDLES", "STATIC"]


class FrontEndMissing(RuntimeError):
    """The bundled front-end of a notebook widget has not been built."""


def bundle_path(module: str) -> Path:
    """Where the bundle of ``widgets/static/<module>`` is built (``widgets/bundles/<module>``)."""
    return BUNDLES / module


def _missing_message(module: str) -> str:
    return (f"The notebook front-end widgets/bundles/{module} has not been built. "
            f"Run `{MAKE_TARGET}` (or `make setup`) in the repository folder, then restart the kernel.")


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
