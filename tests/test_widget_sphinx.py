"""The `pai-widget` directive (widgets/_sphinx.py), on a tiny Sphinx project built in a temp folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sphinx.application import Sphinx

from widgets._scoring import load_rubric

CONF = """
extensions = ["myst_parser", "widgets._sphinx"]
project = "t"
myst_enable_extensions = ["colon_fence"]
html_theme = "basic"
"""


def build(tmp_path: Path, pages: dict[str, str], warningiserror: bool = True) -> tuple[Path, str]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF)
    toc = "```{toctree}\n" + "\n".join(p for p in pages if p != "index") + "\n```\n"
    pages = {"index": "# Home\n\n" + toc + pages.get("index", ""), **{k: v for k, v in pages.items() if k != "index"}}
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text)
    out = tmp_path / "out"
    import io

    warnings = io.StringIO()
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html", status=None,
                 warning=warnings, warningiserror=warningiserror, keep_going=True, freshenv=True)
    app.build()
    return out, warnings.getvalue()


def test_directive_writes_container_host_and_data(tmp_path):
    out, warnings = build(tmp_path, {
        "index": "(theme-fair-treatment)=\n## Fair treatment\n",
        "full": "# Full\n\n```{pai-widget}\n:version: full\n:storage-key: pai:test:full\n```\n",
        "mini": "# Mini\n\n```{pai-widget}\n:criteria: early-start stakeholder-map\n```\n",
        "plain": "# Plain\n\nNo widget here.\n",
    })
    assert warnings == ""
    html = (out / "full.html").read_text()
    assert 'class="pai-widget"' in html and 'data-module="assessment.js"' in html
    assert 'data-derive="scoring.js"' in html and 'data-data="data/rubric.json"' in html
    assert 'data-storage-key="pai:test:full"' in html and 'data-persist="assessment"' in html
    assert '<script type="module" async src="_static/widgets/static-host.js"></script>' in html
    assert 'rel="modulepreload" href="_static/widgets/assessment.js"' in html
    assert "_static/widgets/assessment.css" in html
    # The page mounts from one module script in <head> that imports the host, the tool,
    # its scorer and its data module; the async host tag above is the fallback.
    head = html.split("</head>", 1)[0]
    assert head.count('<script type="module" data-pai-mount="page">') == 1
    mount = head.split('data-pai-mount="page">', 1)[1].split("</script>", 1)[0]
    for imported in ("static-host.js", "assessment.js", "scoring.js", "data/rubric.js"):
        assert f'"_static/widgets/{imported}"' in mount, imported
    assert "provide({" in mount and mount.rstrip().endswith("mountAll();")
    # Links to book sections named in the rubric are resolved at build time.
    assert '"theme-fair-treatment": {"title": "Fair treatment", "url": "index.html#theme-fair-treatment"}' in html
    mini = (out / "mini.html").read_text()
    assert "early-start" in mini and 'data-storage-key="pai:mini:1"' in mini
    plain = (out / "plain.html").read_text()
    assert "static-host.js" not in plain and "assessment.css" not in plain and "data-pai-mount" not in plain
    assert 'data-pai-mount="page"' in mini.split("</head>", 1)[0]
    served = out / "_static" / "widgets"
    for name in ("assessment.js", "scoring.js", "static-host.js", "assessment.css", "data/rubric.js"):
        assert (served / name).is_file()
    assert not (served / "package.json").exists()
    assert json.loads((served / "data" / "rubric.json").read_text()) == json.loads(json.dumps(dict(load_rubric().data)))


@pytest.mark.parametrize(
    "options, message",
    [
        (":criteria: early-start no-such-id", "unknown criterion id(s) no-such-id"),
        (":module: ../_sphinx.py", "is not an ES module file"),
        (":data: ../../etc/passwd", "expected 'rubric' or a .yaml"),
        (':options: [1, 2]', ":options: must be a JSON object"),
    ],
)
def test_bad_options_fail_the_strict_build(tmp_path, options, message):
    out, warnings = build(tmp_path, {"page": f"# P\n\n```{{pai-widget}}\n{options}\n```\n"}, warningiserror=False)
    assert message in warnings
    assert 'class="pai-widget"' not in (out / "page.html").read_text()
