"""How fast is the static self-assessment page? Time to interactive, rescore time, bytes moved.

Targets: interactive in under 1 s, rescore after one answer in under 16 ms (one frame),
on this machine. Serves the built site (PAI_SITE_DIR or _build/html) on 127.0.0.1 and drives
Debian's Chromium headless:

    .venv/bin/python benchmarks/bench_assessment_page.py [--runs 5]

Time to interactive = navigation start to the `pai-widget-ready` event (the form drawn, answers
restored, first score shown); it includes everything the page loads before it (HTML, the theme's
render-blocking CSS and head scripts, our module graph). DOMContentLoaded and first contentful
paint are reported beside it, and for a plain chapter page (no tool, no math) as a reference. Own mount = the part that is ours: mounting a second copy of the form on the loaded
page (module and data already cached) until it is drawn and scored. Rescore = one answer changed to the result panel redrawn: the change
handler, autosave to localStorage, the JS scorer and the redraw all run synchronously, so the
time around the `change` event covers them all; click-to-redraw also includes the theme's own
document-wide click handlers (Bootstrap). Bytes = transfer sizes of every response of a cold load,
summed once the page has loaded and the network is idle (fonts and deferred scripts included);
"ours" = the part under `_static/widgets/`.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import socketserver
import statistics
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"short": "book/selfassessment/02-short-assessment.html", "full": "book/selfassessment/03-full-assessment.html"}
PLAIN_PAGE = "book/guidance/index.html"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

READY_PROBE = """
window.__paiReady = null;
document.addEventListener('pai-widget-ready', () => { window.__paiReady = performance.now(); }, true);
"""

RESCORE = """
(viaClick) => {
  // One answer changed, 60 times over the form. `change` alone is our work (model update,
  // autosave, JS scorer, redraw); a full click also runs the theme's document-wide click handlers.
  const radios = [...document.querySelectorAll('fieldset.pai-criterion input[type=radio]')];
  const times = [];
  for (let i = 0; i < 60; i += 1) {
    const input = radios[(i * 7) % radios.length];
    const t0 = performance.now();
    if (viaClick) input.click();
    else {
      input.checked = true;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
    times.push(performance.now() - t0);
  }
  return times;
}
"""

MOUNT_ONLY = """
async () => {
  // Our own start-up cost, apart from the theme: mount a second copy of the form (fresh storage key).
  const base = document.baseURI.replace(/book\\/selfassessment\\/.*$/, '');
  const { mount } = await import(new URL('_static/widgets/static-host.js', base).href);
  const src = document.querySelector('.pai-widget');
  const el = document.createElement('div');
  for (const [k, v] of Object.entries(src.dataset)) if (k !== 'paiMounted') el.dataset[k] = v;
  el.dataset.storageKey = 'pai:bench:' + Math.random();
  document.body.append(el);
  const t0 = performance.now();
  await mount(el, new URL('_static/widgets/static-host.js', base).href);
  const t1 = performance.now();
  el.remove();
  return t1 - t0;
}
"""

SCORE_ONLY = """
async () => {
  const { scorePlan } = await import(new URL('_static/widgets/scoring.js', document.baseURI.replace(/book\\/selfassessment\\/.*$/, '')).href);
  const rubric = await (await fetch(new URL('_static/widgets/data/rubric.json', document.baseURI.replace(/book\\/selfassessment\\/.*$/, '')).href)).json();
  const answers = Object.fromEntries(rubric.criteria.map((c, i) => [c.id, { level: i % 4 }]));
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) scorePlan({ answers, scope: 'full' }, rubric);
  return (performance.now() - t0) / n;
}
"""


TIMINGS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const entries = [nav, ...performance.getEntriesByType('resource')];
  const size = (e) => e.transferSize || e.encodedBodySize || 0;
  return {
    dcl: nav.domContentLoadedEventEnd,
    fcp: fcp ? fcp.startTime : null,
    bytes: entries.reduce((s, e) => s + size(e), 0),
    ours: entries.filter((e) => e.name.includes('/_static/widgets/')).reduce((s, e) => s + size(e), 0),
  };
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the browser closed a context mid-response
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    site = Path(os.environ.get("PAI_SITE_DIR", ROOT / "_build" / "html"))
    if not (site / PAGES["full"]).exists():
        raise SystemExit(f"The site is not built at {site} (run `make book` or set PAI_SITE_DIR).")
    handler = functools.partial(_Quiet, directory=str(site))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        results = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=os.environ.get("PAI_CHROMIUM", "/usr/bin/chromium"), args=ARGS)
            for name, path in PAGES.items():
                tti, rescore, clicks, transferred, ours, dcl, fcp, mount = [], [], [], [], [], [], [], []
                for _ in range(args.runs):
                    context = browser.new_context()  # cold cache, empty storage
                    page = context.new_page()
                    page.add_init_script(READY_PROBE)
                    page.goto(base + path)
                    page.wait_for_function("window.__paiReady !== null", timeout=30000)
                    tti.append(page.evaluate("window.__paiReady"))
                    page.wait_for_load_state("networkidle")
                    timings = page.evaluate(TIMINGS)
                    transferred.append(timings["bytes"])
                    ours.append(timings["ours"])
                    dcl.append(timings["dcl"])
                    fcp.append(timings["fcp"] or 0)
                    rescore.extend(page.evaluate(RESCORE, False))
                    clicks.extend(page.evaluate(RESCORE, True))
                    score_ms = page.evaluate(SCORE_ONLY)
                    mount.append(page.evaluate(MOUNT_ONLY))
                    context.close()
                rescore.sort()
                clicks.sort()
                results[name] = {
                    "time_to_interactive_ms_median": round(statistics.median(tti), 1),
                    "time_to_interactive_ms_max": round(max(tti), 1),
                    "dom_content_loaded_ms_median": round(statistics.median(dcl), 1),
                    "first_contentful_paint_ms_median": round(statistics.median(fcp), 1),
                    "own_mount_ms_median": round(statistics.median(mount), 1),
                    "rescore_ms_median": round(statistics.median(rescore), 2),
                    "rescore_ms_p95": round(rescore[int(0.95 * (len(rescore) - 1))], 2),
                    "rescore_ms_min": round(rescore[0], 2),
                    "click_to_redraw_ms_median": round(statistics.median(clicks), 2),
                    "score_only_ms": round(score_ms, 3),
                    "bytes_transferred": int(statistics.median(transferred)),
                    "bytes_ours": int(statistics.median(ours)),
                    "tti_target_met": statistics.median(tti) < 1000,
                    "rescore_target_met": statistics.median(rescore) < 16,
                }
            if (site / PLAIN_PAGE).exists():
                dcl, fcp, transferred = [], [], []
                for _ in range(args.runs):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(base + PLAIN_PAGE)
                    page.wait_for_load_state("networkidle")
                    timings = page.evaluate(TIMINGS)
                    dcl.append(timings["dcl"])
                    fcp.append(timings["fcp"] or 0)
                    transferred.append(timings["bytes"])
                    context.close()
                results["plain_page"] = {
                    "page": PLAIN_PAGE,
                    "dom_content_loaded_ms_median": round(statistics.median(dcl), 1),
                    "first_contentful_paint_ms_median": round(statistics.median(fcp), 1),
                    "bytes_transferred": int(statistics.median(transferred)),
                }
            browser.close()
        httpd.shutdown()
    widget_bytes = {p.name: p.stat().st_size for p in sorted((site / "_static" / "widgets").glob("*.*"))}
    for name in ("data/rubric.json", "data/rubric.js"):
        if (site / "_static" / "widgets" / name).exists():
            widget_bytes[name] = (site / "_static" / "widgets" / name).stat().st_size
    # The machine is shared: report its load, which the wall-clock times depend on.
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(json.dumps({"pages": results, "widget_files_bytes": widget_bytes, "load_average_1_5_15": load,
                      "cpus": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
