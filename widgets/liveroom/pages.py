"""The live room's HTML pages and QR codes.

The pages are shells: their content comes from ES modules under ``/room-static/`` and the
self-assessment front-end under ``/w/static/``. The few values a page needs from the server
(room code, join address) are escaped with the text kernel; no script or style is inline, so the
Content-Security-Policy can forbid both.
"""

from __future__ import annotations

import io
import re

from .._text import escape_html as esc

PRIVACY = (
    "What is stored: the team and rater names you type here and your answers, evidence and notes, with the time "
    "of each change. Where: in one database file on the facilitator's computer, nowhere else; this page loads "
    "nothing from the internet. Who sees it: only you see your own answers; the facilitator sees everyone's, "
    "with names replaced by labels when the room is shown on a screen. When it is deleted: when the facilitator "
    "closes the room (the database is erased) or deletes its folder. Your browser also keeps a copy of your "
    "answers and a secret token for this room, so that a lost connection loses nothing; “Forget this device” "
    "removes them. Download your own file at any time to keep your answers."
)


def _page(title: str, body: str, *, scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()) -> str:
    links = "".join(f'<link rel="stylesheet" href="{esc(s)}">' for s in ("/room-static/liveroom.css", *styles))
    mods = "".join(f'<script type="module" src="{esc(s)}"></script>' for s in scripts)
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title>{links}{mods}</head>"
        f"<body><main id=\"main\">{body}</main></body></html>"
    )


def join_page(code: str) -> str:
    body = f"""
<h1>Join the workshop room</h1>
<p>Type the room code shown by the facilitator, your team's name and a name or nickname for yourself.</p>
<form id="join" class="room-form" novalidate>
  <div class="room-field"><label for="code">Room code</label>
    <input id="code" name="code" required autocomplete="off" autocapitalize="characters" maxlength="12"
      value="{esc(code)}" aria-describedby="code-hint"><span id="code-hint" class="room-hint">Six letters and digits, such as ABC-234.</span></div>
  <div class="room-field"><label for="team">Team</label>
    <input id="team" name="team" required maxlength="200" autocomplete="organization"></div>
  <div class="room-field"><label for="rater">Your name or a nickname</label>
    <input id="rater" name="rater" required maxlength="200" autocomplete="nickname"></div>
  <button type="submit" class="room-button">Join</button>
  <p id="join-status" class="room-status" role="status" aria-live="polite"></p>
</form>
<section aria-labelledby="privacy-h" class="room-privacy">
  <h2 id="privacy-h">Privacy</h2>
  <p>{esc(PRIVACY)}</p>
</section>"""
    return _page("Join the workshop room", body, scripts=("/room-static/join.js",))


def participant_page() -> str:
    body = """
<header class="room-header">
  <h1>Self-assessment <span id="who" class="room-who"></span></h1>
  <p id="sync" class="room-sync" role="status" aria-live="polite">Connecting…</p>
  <div class="room-actions">
    <button type="button" id="download-own" class="room-button">Download my file</button>
    <details class="room-device"><summary>Continue on another device</summary>
      <p>Open this personal link on your other device (keep it to yourself: it opens your answers).</p>
      <p><input id="personal-link" readonly aria-label="Your personal link" class="room-link"></p>
    </details>
    <button type="button" id="forget" class="room-button room-secondary">Forget this device</button>
  </div>
</header>
<div id="conflicts" class="room-conflicts" role="alert"></div>
<div id="assessment" class="pai-widget-host"><p>Loading the self-assessment…</p></div>
<p class="room-privacy-short">Your answers are saved on the facilitator's computer and in this browser. Only you and the facilitator see them. <a href="/join#privacy-h">Privacy</a></p>"""
    return _page("Self-assessment: workshop room", body, scripts=("/room-static/participant.js",),
                 styles=("/w/static/assessment.css",))


def dashboard_page(code: str, join_url: str) -> str:
    body = f"""
<header class="room-header">
  <h1>Workshop room</h1>
  <div class="room-join">
    <figure class="room-qr">{qr_svg(join_url)}<figcaption>Scan to join</figcaption></figure>
    <div>
      <p class="room-code-line">Room code <strong id="room-code" class="room-code">{esc(code)}</strong></p>
      <p>Join at <span id="join-url" class="room-url">{esc(join_url)}</span></p>
    </div>
  </div>
  <p id="live" class="room-sync" role="status" aria-live="polite">Connecting…</p>
</header>
<section aria-labelledby="progress-h"><h2 id="progress-h">Progress of each team</h2>
  <div id="progress"></div></section>
<section aria-labelledby="view-h"><h2 id="view-h">The room</h2>
  <div id="room-view" class="room-live-view"></div></section>
<section aria-labelledby="export-h"><h2 id="export-h">Export</h2>
  <p>Downloads come from this computer; names are replaced by labels unless you untick the switch above.</p>
  <ul class="room-exports">
    <li><a id="export-files" href="/api/f/export/files.zip" download>Every participant's assessment file (ZIP)</a></li>
    <li><a data-export-summary="room.md" href="/api/f/export/room.md" download>Room summary, Markdown</a></li>
    <li><a data-export-summary="room.csv" href="/api/f/export/room.csv" download>Room summary, CSV (spreadsheet)</a></li>
    <li><a data-export-summary="room.json" href="/api/f/export/room.json" download>Room summary, JSON</a></li>
  </ul></section>
<section aria-labelledby="close-h" class="room-danger"><h2 id="close-h">Close and delete the room</h2>
  <p>This erases every answer from this computer and stops the server. Export first what you want to keep.</p>
  <form id="close" class="room-form">
    <div class="room-field"><label for="confirm">Type the room code to confirm</label>
      <input id="confirm" autocomplete="off" maxlength="12"></div>
    <button type="submit" class="room-button room-danger-button">Close and delete the room</button>
    <p id="close-status" class="room-status" role="status" aria-live="polite"></p>
  </form></section>"""
    return _page("Workshop room: facilitator", body, scripts=("/room-static/dashboard.js",),
                 styles=("/w/static/room.css",))


def message_page(title: str, text: str) -> str:
    return _page(title, f"<h1>{esc(title)}</h1><p>{esc(text)}</p>")


# --------------------------------------------------------------------------- QR codes


def _qr(data: str):
    import qrcode

    q = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    q.add_data(data)
    q.make(fit=True)
    return q


def qr_svg(data: str) -> str:
    """The QR code of ``data`` as inline SVG (made here, so the page fetches nothing)."""
    import qrcode.image.svg

    svg = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    label = esc(f"QR code of the join address {data}")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="room-qr-svg" ', 1)


def qr_text(data: str) -> str:
    """The QR code as block characters for a terminal."""
    out = io.StringIO()
    _qr(data).print_ascii(out=out, invert=True)
    return out.getvalue()
