"""The notebook widgets load one bundled file each, built by esbuild from the site's ES modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets import _frontend

ROOT = Path(__file__).resolve().parents[1]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
ENTRIES = ["assessment.js", "tools/paycalc.js", "tools/vendor.js", "tools/transparency.js"]


@pytest.mark.skipif(not ESBUILD.exists(), reason="esbuild is not installed (npm ci)")
def test_bundles_are_built_from_the_current_modules(tmp_path):
    """What `make bundles` left in widgets/bundles is what esbuild makes of today's sources."""
    assert set(ENTRIES) <= set(_frontend.ENTRIES)
    _frontend.build_bundles(tmp_path)
    for entry in _frontend.ENTRIES:
        fresh = (tmp_path / entry).read_text(encoding="utf-8")
        built = _frontend.bundle_path(entry)
        assert built.is_file(), f"{built} is missing: run `make bundles`"
        assert built.read_text(encoding="utf-8") == fresh, f"{built} is stale: run `make bundles`"
        assert "\nimport " not in fresh and "export default" in fresh or "export {" in fresh


def test_every_widget_class_uses_the_one_factory():
    import widgets
    from widgets._widget import AssessmentWidget

    made = [AssessmentWidget(headless=True), widgets.pay_calculator(), widgets.vendor_checklist_widget(),
            widgets.transparency_report_builder()]
    for widget, module in zip(made, ENTRIES):
        base = _frontend.anywidget_base(module, css="assessment.css" if module == "assessment.js" else None)
        assert isinstance(widget, base)
        assert widget._esm == _frontend.bundle_path(module).read_text(encoding="utf-8")


def test_missing_bundle_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(_frontend, "BUNDLES", tmp_path)
    _frontend._base.cache_clear()
    try:
        base = _frontend.anywidget_base("tools/vendor.js")
        with pytest.raises(_frontend.FrontEndMissing, match="make bundles"):
            base()
        from comm import DummyComm

        base(comm=DummyComm(target_name="jupyter.widget"))  # headless use still works
    finally:
        _frontend._base.cache_clear()


def test_pages_preload_the_whole_module_graph():
    """The site preloads every module a widget imports, so the graph is not fetched level by level."""
    from widgets._sphinx import _static_imports

    static = ROOT / "widgets" / "static"
    graph = _static_imports(["assessment.js"])
    parts = sorted(p.relative_to(static).as_posix() for p in (static / "assessment").glob("*.js"))
    assert set(parts) <= set(graph) and {"lib/text.js", "lib/report.js", "lib/labels.js", "scoring.js"} <= set(graph)
    assert all((static / name).is_file() for name in graph)
    assert _static_imports(["tools/vendor.js"]) == ["lib/dom.js", "lib/text.js", "lib/files.js"]
