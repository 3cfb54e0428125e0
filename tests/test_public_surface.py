"""The packages' public surface is the names in ``__all__``, and the book uses nothing else."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRIVATE_IMPORT = re.compile(r"^\s*(from\s+(widgets|casestudies)(\.\w+)*\._\w*|import\s+(widgets|casestudies)(\.\w+)*\._\w*"
                            r"|from\s+(widgets|casestudies)(\.\w+)*\s+import\s+.*\b_\w+)", re.MULTILINE)


@pytest.mark.parametrize("package", ["widgets", "casestudies"])
def test_every_name_in_all_exists(package):
    module = importlib.import_module(package)
    assert module.__all__, f"{package}.__all__ is empty"
    assert len(module.__all__) == len(set(module.__all__)), f"{package}.__all__ repeats a name"
    for name in module.__all__:
        assert getattr(module, name, None) is not None or importlib.import_module(f"{package}.{name}"), name


def test_every_public_casestudies_module_is_listed():
    import casestudies

    folder = ROOT / "casestudies"
    modules = sorted([p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")]
                     + [p.parent.name for p in folder.glob("*/__init__.py") if not p.parent.name.startswith("_")])
    assert sorted(casestudies.__all__) == modules


def test_widgets_exports_each_function_under_one_name():
    import widgets

    seen: dict[int, str] = {}
    for name in widgets.__all__:
        obj = getattr(widgets, name)
        if callable(obj):
            assert id(obj) not in seen, f"widgets.{name} and widgets.{seen.get(id(obj))} are the same function"
            seen[id(obj)] = name


def test_pages_import_only_public_names():
    pages = [p for p in (ROOT / "book").rglob("*.md") if "_build" not in p.parts]
    pages += list((ROOT / "casestudies").glob("*.md"))
    assert pages
    offenders = {p.relative_to(ROOT).as_posix(): PRIVATE_IMPORT.findall(p.read_text(encoding="utf-8"))
                 for p in pages}
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"pages importing private modules or names: {offenders}"
