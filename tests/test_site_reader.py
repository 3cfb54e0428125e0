"""book/_ext/pai_reader.py: the accessibility fixes to the theme's pages, on the theme's own markup."""

from __future__ import annotations

import importlib.util

from site_pages import ROOT

_spec = importlib.util.spec_from_file_location("pai_reader", ROOT / "book" / "_ext" / "pai_reader.py")
pai_reader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pai_reader)

SIDEBAR = (
    '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar"><nav>'
    '<li class="toctree-l1 current active has-children"><a class="current reference internal" href="#">Guidance &amp; more</a>'
    '<details open="open"><summary><span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary><ul>'
    '<li class="toctree-l1 has-children"><a class="reference internal" href="x.html">Supply <em>chain</em></a><details>'
    '<summary><span class="toctree-toggle" role="presentation"><i></i></span></summary></details></ul></details></nav></div>'
)


def test_every_sidebar_toggle_is_named_after_its_part():
    html = pai_reader.fix_page(SIDEBAR)
    assert '<summary aria-label="Show or hide the pages of Guidance &amp; more">' in html
    assert '<summary aria-label="Show or hide the pages of Supply chain">' in html
    assert "<summary>" not in html


def test_sidebar_is_a_landmark_and_bibliography_a_list():
    html = pai_reader.fix_page(SIDEBAR + '<div role="list" class="citation-list"><div class="citation" role="doc-biblioentry">x</div></div>')
    assert '<div role="region" aria-label="Book navigation" id="pst-primary-sidebar"' in html
    assert 'role="doc-biblioentry"' not in html and 'role="listitem"' in html


def test_empty_corner_cell_of_a_table_head_becomes_a_plain_cell():
    table = '<table><thead><tr><th></th><th>share</th></tr></thead><tbody><tr><th>0</th><td>1</td></tr></tbody></table>'
    html = pai_reader.fix_page(table)
    assert "<thead><tr><td></td><th>share</th></tr></thead>" in html
    assert "<tbody><tr><th>0</th>" in html  # body header cells are left alone


def test_cjk_font_css_points_at_the_served_woff2_files_only():
    css = ("@font-face { src: url(./files/noto-sans-tc-0-400-normal.woff2) format('woff2'), "
           "url(./files/noto-sans-tc-0-400-normal.woff) format('woff'); }")
    assert pai_reader.cjk_font_css(css) == "@font-face { src: url(./noto-sans-tc-0-400-normal.woff2) format('woff2'); }"
