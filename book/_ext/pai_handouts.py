"""Print the Workshops handout pages of the built site to PDF with headless Chromium.

Run by ``make book`` after the HTML build: ``python book/_ext/pai_handouts.py _build/html``. Each
page listed in ``pai_workshops.HANDOUTS`` is opened from the built files (no server, no network)
and printed with its print stylesheet (``book/_ext/static/pai-print.css``) to
``_build/html/handouts/<name>.pdf``, where the Workshops pages link to it. Chromium is Debian's
(``/usr/bin/chromium`` or ``PAI_CHROMIUM``), driven by Playwright; nothing is downloaded. Without
Chromium the step is skipped with a message, unless ``PAI_REQUIRE_BROWSER=1`` (CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pai_workshops import HANDOUT_DIR, HANDOUTS  # noqa: E402

CHROMIUM = os.environ.get("PAI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def print_handouts(site: Path) -> list[Path]:
    """Write every handout PDF into ``site/handouts``; return their paths."""
    from playwright.sync_api import sync_playwright

    out = site / HANDOUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        # Offline: any request that is not a local file is refused.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        page = context.new_page()
        for pdf, (docname, title) in HANDOUTS.items():
            html = site / f"{docname}.html"
            if not html.is_file():
                raise SystemExit(f"handouts: {html} is missing; build the site first (make book)")
            page.goto(html.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.evaluate("document.fonts.ready")
            target = out / pdf
            page.pdf(path=str(target), format="A4", print_background=True, display_header_footer=True,
                     header_template="<span></span>",
                     footer_template=('<div style="font-size:7pt;width:100%;padding:0 14mm;display:flex;'
                                      'justify-content:space-between"><span>Participatory AI in Practice: '
                                      f'{title}</span><span>CC BY 4.0 · page <span class="pageNumber"></span> of '
                                      '<span class="totalPages"></span></span></div>'),
                     margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            written.append(target)
        browser.close()
    return written


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "_build/html").resolve()
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        message = f"handouts: Chromium is not installed at {CHROMIUM}; the handout PDFs were not printed (apt-get install -y chromium)"
        if os.environ.get("PAI_REQUIRE_BROWSER") == "1":
            print(message, file=sys.stderr)
            return 1
        print(message, file=sys.stderr)
        return 0
    start = time.perf_counter()
    written = print_handouts(site)
    print(f"handouts: {len(written)} PDFs in {site / HANDOUT_DIR} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
