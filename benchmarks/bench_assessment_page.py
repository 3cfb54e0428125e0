"""How fast is the static self-assessment page? Time to interactive, rescore time, bytes moved.

Targets (issue 4): interactive in under 1 s, rescore after one answer in under 16 ms (one frame),
on this machine. Serves the built site (PAI_SITE_DIR or _build/html) on 127.0.0.1 and drives
Debian's Chromium headless:

    .venv/bin/python benchmarks/bench_assessment_page.py [--runs 5]

Time to interactive = navigation start to the `pai-widget-ready` event (the form drawn, answers
restored, first score shown). Rescore = one answer clicked to the result panel redrawn: the click
handler, autosave to localStorage, the JS scorer and the redraw all run synchronously, so the
time around `click()` covers them all. Bytes = transfer sizes of every response of a cold load.
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
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

READY_PROBE = """
window.__paiReady = null;
document.addEventListener('pai-widget-ready', () => { window.__paiReady = performance.now(); }, true);
"""

RESCORE = """
() => {
  const radios = [...document.querySelectorAll('fieldset.pai-criterion input[type=radio]')];
  const times = [];
  for (let i = 0; i < 40; i += 1) {
    const input = radios[(i * 7) % radios.length];
    const t0 = performance.now();
    input.click();
    times.push(performance.now() - t0);
  }
  return times;
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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
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
                tti, rescore, transferred = [], [], []
                for _ in range(args.runs):
                    context = browser.new_context()  # cold cache, empty storage
                    page = context.new_page()
                    page.add_init_script(READY_PROBE)
                    page.goto(base + path)
                    page.wait_for_function("window.__paiReady !== null", timeout=30000)
                    tti.append(page.evaluate("window.__paiReady"))
                    transferred.append(page.evaluate(
                        "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                        ".reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0)"))
                    rescore.extend(page.evaluate(RESCORE))
                    score_ms = page.evaluate(SCORE_ONLY)
                    context.close()
                rescore.sort()
                results[name] = {
                    "time_to_interactive_ms_median": round(statistics.median(tti), 1),
                    "time_to_interactive_ms_max": round(max(tti), 1),
                    "rescore_ms_median": round(statistics.median(rescore), 2),
                    "rescore_ms_p95": round(rescore[int(0.95 * (len(rescore) - 1))], 2),
                    "score_only_ms": round(score_ms, 3),
                    "bytes_transferred": int(statistics.median(transferred)),
                    "targets_met": statistics.median(tti) < 1000 and rescore[int(0.95 * (len(rescore) - 1))] < 16,
                }
            browser.close()
        httpd.shutdown()
    widget_bytes = {p.name: p.stat().st_size for p in sorted((site / "_static" / "widgets").glob("*.*"))}
    widget_bytes["data/rubric.json"] = (site / "_static" / "widgets" / "data" / "rubric.json").stat().st_size
    print(json.dumps({"pages": results, "widget_files_bytes": widget_bytes}, indent=2))


if __name__ == "__main__":
    main()
