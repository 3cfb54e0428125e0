"""Sphinx extension that puts our widget front-ends on the static site, with no kernel and no CDN.

What it does at build time
--------------------------
* Copies every file of ``widgets/static/`` (our plain ES modules and their CSS) to
  ``_static/widgets/`` in the built site (written into the output folder, never into the repository).
* Serves the JSON files the modules import themselves (``MODULE_DATA``: the interface labels) at
  ``_static/data/``, the same place relative to the modules as in the repository.
* Exports data files the front-ends read (YAML to JSON) to ``_static/widgets/data/``. The
  engagement-plan rubric (``widgets/rubric/engagement-plan.yaml``) is always exported as
  ``data/rubric.json``, validated by :func:`widgets.load_rubric`, so the page and the Python
  scorer read the same file.
* Writes each data file also as a small ES module (``data/<name>.js``, ``export default``), so a
  page can import its data together with its modules.
* Provides the ``pai-widget`` directive. Only pages that use it load our code: the module's CSS,
  and in ``<head>`` one small module script (marked ``data-pai-mount``) that imports
  ``static-host.js``, the page's front-end modules and their data statically and mounts every
  container, with ``modulepreload`` hints for each file. The browser fetches all of it while the page
  loads and runs it as soon as the page is parsed, before the theme's deferred scripts, so the form
  is interactive sooner (issue 4). An async ``static-host.js`` script after each container is the
  fallback where a theme drops that head script: the host then mounts by itself, importing and
  fetching on demand.

The ``pai-widget`` directive (for every helper's front-end module)
------------------------------------------------------------------
A front-end module follows the anywidget contract: it exports ``render({model, el})`` (or a
default object with ``render``) and talks to its host only through
``model.get/set/on/off/save_changes``. On the site, ``static-host.js`` supplies a model kept
in ``localStorage`` (autosaved on every ``save_changes``); in a notebook, anywidget supplies
the kernel's. Usage in a MyST page::

    ```{pai-widget}
    :module: my-tool.js
    :data: widgets/supplychain/vendor-questions.yaml
    :data-key: questions
    :persist: answers
    :storage-key: pai:my-tool
    :label: Vendor question checklist
    ```

Options
    ``:module:``       ES module file in ``widgets/static/``, subfolders allowed (``tools/paycalc.js``);
                       default ``assessment.js``. If a CSS file with the same name and ``.css``
                       exists beside it, the page loads it too.
    ``:derive:``       optional module in ``widgets/static/`` exporting ``derive(state) -> {key: value}``;
                       the static host calls it after each ``save_changes``, where a kernel would
                       recompute (the assessment uses ``scoring.js`` to rescore).
    ``:data:``         ``rubric`` or a repository-relative ``.yaml``/``.yml``/``.json`` path under
                       ``widgets/``; exported as JSON and loaded into the model before ``render``.
    ``:data-key:``     model key that receives the data (default ``data``; ``rubric`` for the rubric).
    ``:persist:``      space-separated model keys kept in browser storage (default ``state``).
    ``:storage-key:``  browser storage key (default ``pai:<docname>:<n>``: one per widget per page).
    ``:options:``      a JSON object merged into the model's initial state.
    ``:label:``        accessible name of the widget region (default from the module name).
    ``:version:``      assessment only: ``short`` or ``full`` (default ``full``).
    ``:criteria:``     assessment only: space-separated criterion ids, to show a subset (a mini
                       self-check in a chapter). Unknown ids fail the build.

For ``:module: assessment.js`` the defaults are ``:derive: scoring.js``, ``:data: rubric``,
``:data-key: rubric`` and ``:persist: assessment``, so a full self-assessment is just::

    ```{pai-widget}
    :version: full
    ```

Links: every string in the exported data that is a Sphinx label of the book (e.g.
``theme-fair-treatment``) is resolved at build time to a relative URL and handed to the module in
the model key ``links`` (``{label: {"url": ..., "title": ...}}``), so modules never guess URLs.

Without JavaScript the container shows a short explanation and points to the notebook version.
"""

from __future__ import annotations

import json
import re
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
REPO_ROOT = PACKAGE_DIR.parent
#: Named data sources: name -> repository-relative file. Other names are paths.
NAMED_DATA = {"rubric": "widgets/rubric/engagement-plan.yaml"}
#: Served folder under _static.
SERVED = "widgets"
HOST_SCRIPT = f"{SERVED}/static-host.js"
#: JSON data files that modules import directly (``import x from "../../data/ui-labels.json" with
#: {type: "json"}``), served at the same place relative to the modules as in the repository.
MODULE_DATA = ("data/ui-labels.json",)
#: File types of widgets/static that are served (package.json only tells Node these are ES modules).
SERVED_SUFFIXES = {".js", ".css", ".json", ".svg"}
ASSESSMENT_DEFAULTS = {
    "derive": "scoring.js",
    "data": "rubric",
    "data-key": "rubric",
    "persist": "assessment",
}


class pai_widget(nodes.General, nodes.Element):
    """A widget container; written as a ``div.pai-widget`` by HTML builders, skipped elsewhere."""


def _is_static_module(name: str) -> bool:
    """A ``.js`` file inside widgets/static (subfolders allowed, e.g. ``tools/paycalc.js``)."""
    path = (STATIC_DIR / name).resolve()
    return name.endswith(".js") and path.is_file() and STATIC_DIR in path.parents


def _data_source(name: str) -> Path:
    rel = NAMED_DATA.get(name, name)
    path = (REPO_ROOT / rel).resolve()
    if not str(path).startswith(str(PACKAGE_DIR)) or path.suffix not in {".yaml", ".yml", ".json"}:
        raise ValueError(
            f"data {name!r}: expected 'rubric' or a .yaml/.yml/.json file under widgets/ "
            "(path relative to the repository root)"
        )
    if not path.is_file():
        raise ValueError(f"data {name!r}: file {rel} does not exist")
    return path


def _served_data_name(name: str) -> str:
    return f"data/{name}.json" if name in NAMED_DATA else f"data/{Path(name).stem}.json"


def _served_data_module(name: str) -> str:
    """The same data as an ES module (``export default``), for pages that import it with their modules."""
    return _served_data_name(name)[: -len(".json")] + ".js"


def _data_module_text(text: str) -> str:
    # JSON.parse of a string literal: parsed faster than the same object as a JavaScript literal.
    return "// Generated by widgets/_sphinx.py from the data file of the same name.\nexport default JSON.parse(" + json.dumps(text) + ");\n"


def _load_data(name: str) -> Any:
    """The JSON-ready content of a data source; the rubric goes through its validating loader."""
    if name == "rubric":
        # Through the validating loader, so a broken rubric fails the build instead of the page.
        from widgets._scoring import load_rubric

        return json.loads(json.dumps(dict(load_rubric().data)))
    path = _data_source(name)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def _criterion_ids(rubric: Any) -> set[str]:
    ids: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "id" in value and ("levels" in value or "question" in value):
                ids.add(str(value["id"]))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(rubric)
    return ids


class PaiWidgetDirective(SphinxDirective):
    """``{pai-widget}``: mount an anywidget-style ES module on this page (see module docstring)."""

    has_content = False
    option_spec = {
        "module": directives.unchanged_required,
        "derive": directives.unchanged,
        "data": directives.unchanged,
        "data-key": directives.unchanged,
        "persist": directives.unchanged,
        "storage-key": directives.unchanged,
        "options": directives.unchanged,
        "label": directives.unchanged,
        "version": lambda arg: directives.choice(arg, ("short", "full")),
        "criteria": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        opts = dict(self.options)
        module = opts.get("module", "assessment.js").strip()
        if module == "assessment.js":
            for key, value in ASSESSMENT_DEFAULTS.items():
                opts.setdefault(key, value)
        problems = []
        for key in ("module", "derive"):
            name = module if key == "module" else opts.get("derive")
            if name and not _is_static_module(name):
                problems.append(f":{key}: {name!r} is not an ES module file in widgets/static/")
        initial: dict[str, Any] = {}
        if opts.get("options"):
            try:
                initial = json.loads(opts["options"])
                if not isinstance(initial, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                problems.append(f":options: must be a JSON object ({exc})")
                initial = {}
        data = opts.get("data")
        if data:
            try:
                _data_source(data)
            except ValueError as exc:
                problems.append(str(exc))
        if "version" in opts:
            initial["version"] = opts["version"]
        if opts.get("criteria"):
            wanted = opts["criteria"].split()
            initial["criteria"] = wanted
            if data == "rubric" and not problems:
                try:
                    known = _criterion_ids(_load_data("rubric"))
                except Exception as exc:  # noqa: BLE001 - reported as a build warning
                    problems.append(f"the rubric could not be loaded: {exc}")
                else:
                    unknown = [c for c in wanted if c not in known]
                    if unknown:
                        problems.append(
                            ":criteria: unknown criterion id(s) "
                            + ", ".join(unknown)
                            + " (see widgets/rubric/engagement-plan.yaml)"
                        )
        if problems:
            for problem in problems:
                logger.warning("pai-widget: %s", problem, location=self.get_location())
            return []

        env = self.env
        counter = env.temp_data.setdefault("pai_widget_counter", 0) + 1
        env.temp_data["pai_widget_counter"] = counter
        if data:
            env.pai_widget_data = getattr(env, "pai_widget_data", {})
            env.pai_widget_data.setdefault(env.docname, set()).add(data)
        node = pai_widget()
        node["module"] = module
        node["derive"] = opts.get("derive") or ""
        node["data"] = data or ""
        node["data_key"] = opts.get("data-key") or "data"
        node["persist"] = opts.get("persist") or "state"
        node["storage_key"] = opts.get("storage-key") or f"pai:{env.docname}:{counter}"
        node["label"] = opts.get("label") or _default_label(module, initial)
        node["initial"] = initial
        node["element_id"] = f"pai-widget-{counter}"
        node["links"] = {}
        self.set_source_info(node)
        return [node]


def _default_label(module: str, initial: dict) -> str:
    if module == "assessment.js":
        if initial.get("criteria"):
            return "Self-check"
        return "Short self-assessment" if initial.get("version") == "short" else "Full self-assessment"
    return Path(module).stem.replace("-", " ").capitalize()


def _labels_in(value: Any, labels: dict) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item in labels:
                found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _resolve_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give each widget the relative URLs of the book sections its data names."""
    widgets = list(doctree.findall(pai_widget))
    if not widgets or app.builder.format != "html":
        return
    labels = app.env.domaindata["std"]["labels"]
    cache: dict[str, Any] = {}
    for node in widgets:
        name = node["data"]
        if not name:
            continue
        if name not in cache:
            try:
                cache[name] = _load_data(name)
            except Exception as exc:  # noqa: BLE001 - reported as a build warning
                logger.warning("pai-widget: data %r could not be loaded: %s", name, exc, location=node)
                cache[name] = None
        links = {}
        for label in sorted(_labels_in(cache[name], labels)):
            todoc, anchor, title = labels[label]
            url = app.builder.get_relative_uri(docname, todoc)
            links[label] = {"url": f"{url}#{anchor}" if anchor else url, "title": title}
        node["links"] = links


def _json_for_script(value: Any) -> str:
    # "<" escaped so that no string in the data can close the script element.
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


def visit_pai_widget_html(self, node: pai_widget) -> None:
    node["ids"] = [node["element_id"]]
    attrs = {
        "CLASS": "pai-widget",
        "role": "region",
        "aria-label": node["label"],
        "data-module": node["module"],
        "data-storage-key": node["storage_key"],
        "data-persist": node["persist"],
        "data-options": json.dumps(node["initial"], sort_keys=True),
    }
    if node["derive"]:
        attrs["data-derive"] = node["derive"]
    if node["data"]:
        attrs["data-data"] = _served_data_name(node["data"])
        attrs["data-data-key"] = node["data_key"]
    self.body.append(self.starttag(node, "div", "", **attrs))
    if node["links"]:
        self.body.append(
            '<script type="application/json" class="pai-widget-links">'
            + _json_for_script(node["links"])
            + "</script>"
        )
    self.body.append(
        '<p class="pai-widget-fallback">This interactive tool needs JavaScript. '
        "Everything it does is also available in a notebook with the "
        "<code>widgets</code> Python package.</p>"
    )
    self.body.append("</div>\n")
    # Fallback only: the page's head script (_add_page_assets) mounts first. Where a theme drops
    # that script, the host, loaded async right after the container, mounts by itself. It is
    # evaluated once per page.
    host = relative_uri(self.builder.get_target_uri(self.builder.current_docname), f"_static/{HOST_SCRIPT}")
    self.body.append(f'<script type="module" async src="{host}"></script>\n')
    raise nodes.SkipNode


def skip_node(self, node: nodes.Node) -> None:
    raise nodes.SkipNode


_IMPORT = re.compile(r"""^(?:import|export)\b[^;]*?\bfrom\s+["'](\.{1,2}/[^"']+\.js)["']""", re.M)


def _static_imports(roots: list[str]) -> list[str]:
    """The ES modules of widgets/static that ``roots`` import, directly or not (roots excluded)."""
    seen, order, todo = set(roots), [], list(roots)
    while todo:
        name = todo.pop(0)
        path = STATIC_DIR / name
        if not path.is_file():
            continue
        for spec in _IMPORT.findall(path.read_text(encoding="utf-8")):
            dep = (path.parent / spec).resolve()
            if STATIC_DIR not in dep.parents:
                continue
            rel = dep.relative_to(STATIC_DIR).as_posix()
            if rel not in seen:
                seen.add(rel)
                order.append(rel)
                todo.append(rel)
    return order


def _add_page_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if doctree is None:
        return
    widgets = list(doctree.findall(pai_widget))
    if not widgets:
        return
    preload = []
    for module in sorted({node["module"] for node in widgets}):
        css = Path(module).with_suffix(".css")
        if (STATIC_DIR / css).is_file():
            app.add_css_file(f"{SERVED}/{css.as_posix()}")
    # One module script imports the host, the page's modules and its data, and mounts every
    # container once the page is parsed (see the module docstring); the modulepreload hints
    # fetch the whole graph in parallel while the theme's own assets load.
    pathto = context["pathto"]

    def url(path: str) -> str:
        return pathto(f"_static/{SERVED}/{path}", 1)

    modules = sorted({n[k] for n in widgets for k in ("module", "derive") if n[k]})
    data = sorted({n["data"] for n in widgets if n["data"]})
    files = [HOST_SCRIPT.split("/", 1)[1], *modules, *(_served_data_module(name) for name in data)]
    # The modules those import (lib/, assessment/ ...), so the graph is not fetched level by level.
    preload = [f'<link rel="modulepreload" href="{url(path)}">' for path in files + _static_imports(files)]
    imports = [f"import {{ provide, mountAll }} from {json.dumps(url(files[0]))};"]
    provided = {}
    for i, module in enumerate(modules):
        imports.append(f"import * as m{i} from {json.dumps(url(module))};")
        provided[module] = f"m{i}"
    for i, name in enumerate(data):
        imports.append(f"import d{i} from {json.dumps(url(_served_data_module(name)))};")
        provided[_served_data_name(name)] = f"d{i}"
    entries = ", ".join(f"{json.dumps(key)}: {var}" for key, var in provided.items())
    # "<" escaped as in _json_for_script, so no file name can close the script element.
    script = "\n".join([*imports, f"provide({{{entries}}});", "mountAll();"]).replace("<", "\\u003c")
    preload.append(f'<script type="module" data-pai-mount="page">\n{script}\n</script>')
    context["metatags"] = context.get("metatags", "") + "\n".join(preload) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def export_static(target: Path, data_names: set[str]) -> None:
    """Write the served widget folder: our ES modules and CSS, and each data source as JSON."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for item in sorted(STATIC_DIR.rglob("*")):
        if item.is_file() and item.suffix in SERVED_SUFFIXES and item.name != "package.json":
            dest = target / item.relative_to(STATIC_DIR)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, dest)
    from widgets._reports import ui_labels

    ui_labels()  # validated against its schema before it is served
    for name in MODULE_DATA:
        dest = target.parent / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PACKAGE_DIR / name, dest)
    for name in sorted(data_names):
        text = json.dumps(_load_data(name), ensure_ascii=False)
        _atomic_write(target / _served_data_name(name), text)
        _atomic_write(target / _served_data_module(name), _data_module_text(text))


def _env_updated(app: Sphinx, env) -> list[str]:
    names: set[str] = set()
    for per_doc in getattr(env, "pai_widget_data", {}).values():
        names |= per_doc
    if (REPO_ROOT / NAMED_DATA["rubric"]).is_file():
        names.add("rubric")
    if app.builder.format == "html":
        # Written straight into the output before Sphinx copies assets and writes pages, so the
        # per-page script tags get their cache-busting checksums; nothing lands in the repository.
        export_static(Path(app.outdir) / "_static" / SERVED, names)
    return []


def _purge_doc(app: Sphinx, env, docname: str) -> None:
    getattr(env, "pai_widget_data", {}).pop(docname, None)


def _merge_info(app: Sphinx, env, docnames, other) -> None:
    mine = env.pai_widget_data = getattr(env, "pai_widget_data", {})
    for docname, names in getattr(other, "pai_widget_data", {}).items():
        if docname in docnames:
            mine[docname] = set(names)


def setup(app: Sphinx) -> dict:
    app.add_node(
        pai_widget,
        html=(visit_pai_widget_html, None),
        latex=(skip_node, None),
        text=(skip_node, None),
        man=(skip_node, None),
        texinfo=(skip_node, None),
    )
    app.add_directive("pai-widget", PaiWidgetDirective)
    app.connect("env-purge-doc", _purge_doc)
    app.connect("env-merge-info", _merge_info)
    app.connect("env-updated", _env_updated)
    app.connect("doctree-resolved", _resolve_links)
    app.connect("html-page-context", _add_page_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
