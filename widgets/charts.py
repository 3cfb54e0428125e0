"""Altair charts that draw on the book's pages with no network and always carry alt text.

Call :func:`enable` once at the top of a notebook. Every chart then needs a
``description`` (its alt text, read by screen readers); a chart without one
raises instead of rendering silently inaccessible. In Jupyter the chart renders
through the front end's own Vega-Lite support; on the built site it renders
with the copies of Vega that the book serves itself (see ``book/_ext/pai_site.py``).
"""

from __future__ import annotations

import html
import json
import textwrap
import uuid

import altair as alt

RENDERER_NAME = "pai-offline"
THEME_NAME = "pai-readable"
#: Text sizes (px) for every chart: nothing below 12 px, and labels long enough
#: to read whole instead of cut with an ellipsis at Vega's 180 px default.
READABLE_CONFIG = {
    "config": {
        "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 400},
        "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 400, "titleLimit": 400},
        "header": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 600},
        "title": {"fontSize": 15, "subtitleFontSize": 13},
        "text": {"fontSize": 12},
    }
}
#: Smallest text, in CSS pixels, that a chart may draw (the site's browser test checks it).
MIN_FONT_PX = 12
#: Vega expression that draws a label holding line breaks (see :func:`wrap_label`) on several lines.
LABEL_LINES = "split(datum.label, '\\n')"


def wrap_label(text: str, width: int = 40) -> str:
    """``text`` with line breaks every ``width`` characters or so, for an axis with ``labelExpr=LABEL_LINES``.

    Long labels (statements, questions) are then shown whole on a few lines instead of cut with an ellipsis.
    """
    return "\n".join(textwrap.wrap(str(text), width=width)) or str(text)
#: Class the site extension looks for to decide whether a page loads Vega.
CHART_MARKER = "pai-vega-chart"


class MissingAltText(ValueError):
    """A chart was displayed without a description to serve as its alt text."""


def _json_for_script(data: object) -> str:
    # "</" would close the <script> element early; "<\/" is the same JSON string.
    return json.dumps(data, sort_keys=True).replace("</", "<\\/")


def alt_text(spec: dict) -> str:
    """The chart's alt text (its ``description``); raises :class:`MissingAltText` if there is none."""
    description = spec.get("description")
    if not description or not str(description).strip():
        raise MissingAltText(
            "This chart has no alt text. Add .properties(description='What the chart shows "
            "and its main finding') before displaying it."
        )
    return str(description)


def chart_html(spec: dict) -> str:
    """Return the HTML that draws one Vega-Lite ``spec`` with the site's local Vega."""
    description = alt_text(spec)
    chart_id = f"pai-chart-{uuid.uuid4().hex[:12]}"
    label = html.escape(description, quote=True)
    return (
        f'<div class="{CHART_MARKER}" id="{chart_id}" role="figure" aria-label="{label}">'
        f'<p class="pai-chart-fallback">{label}</p></div>\n'
        f'<script type="application/json" id="{chart_id}-spec">{_json_for_script(spec)}</script>\n'
        "<script>(function () {\n"
        f'  var id = "{chart_id}";\n'
        "  function draw() {\n"
        "    var el = document.getElementById(id);\n"
        "    if (!window.vegaEmbed) { return; }\n"
        '    var spec = JSON.parse(document.getElementById(id + "-spec").textContent);\n'
        '    window.vegaEmbed(el, spec, {actions: false, renderer: "svg"}).then(function (r) {\n'
        '      var svg = el.querySelector("svg");\n'
        '      if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", el.getAttribute("aria-label")); }\n'
        "    });\n"
        "  }\n"
        '  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }\n'
        "})();</script>"
    )


VEGALITE_MIME = f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.split('.')[0].lstrip('v')}+json"


def _renderer(spec: dict, **metadata) -> dict:
    return {VEGALITE_MIME: spec, "text/plain": f"<Chart: {alt_text(spec)}>"}


class VegaLiteMimeRenderer:
    """myst-nb plugin: draw Vega-Lite outputs on the site with the local Vega copies.

    Registered under the ``myst_nb.mime_renderers`` entry point (pyproject.toml).
    A notebook output that carries a Vega-Lite spec becomes the HTML of
    :func:`chart_html`; a spec without alt text fails the build with the fix.
    """

    mime_priority_overrides = [
        ("html", "application/vnd.vegalite.v6+json", 5),
        ("html", "application/vnd.vegalite.v5+json", 6),
    ]

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if not data.mime_type.startswith("application/vnd.vegalite.v"):
            return None
        from docutils import nodes

        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        try:
            markup = chart_html(spec)
        except MissingAltText as err:
            renderer.logger.warning(str(err), subtype="missing_alt_text", line=data.line)
            return []
        return [nodes.raw("", markup, format="html")]


def _readable_theme() -> dict:
    return READABLE_CONFIG


def enable() -> None:
    """Render Altair charts offline, with alt text required and readable text sizes. Idempotent."""
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(_readable_theme)
    alt.theme.enable(THEME_NAME)
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, _renderer)
    alt.renderers.enable(RENDERER_NAME)
