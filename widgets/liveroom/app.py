"""The live room's web application (Starlette, served by uvicorn): join page, participant API,
facilitator dashboard with server-sent events, exports, and closing the room.

Who may do what:

* anyone who can reach the server sees the join page and the public assets (the rubric, the
  front-end modules); the room code is needed to join;
* a participant holds a secret token (sent as ``Authorization: Bearer``, kept in their browser)
  and reads and writes only their own answers;
* the facilitator key, compared in constant time, opens the dashboard, the exports and "close and
  delete"; it travels once in the login address and then lives in an HttpOnly, SameSite=Strict
  cookie, so a projected dashboard never shows it.

Every write is checked by the assessment loader (:func:`widgets._assessment.load_assessment`), the
same checks as a file on disk, before anything is stored. Pages put user text in the document only
through the DOM's ``textContent`` (or :func:`widgets._text.escape_html` on the server), and every
response carries a Content-Security-Policy that allows nothing but this server.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import hmac
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .._assessment import CURRENT_VERSION, FORMAT, FORMAT_VERSION, RUBRIC_ID, AssessmentError, load_assessment
from .._text import strip_controls
from . import pages
from .storage import Participant, RaterTaken, RoomStore, normalise_code

PACKAGE = Path(__file__).resolve().parent
WIDGETS = PACKAGE.parent

#: Plan fields a participant may write (team and rater are fixed when they join).
PLAN_FIELDS = ("product", "model_type", "lifecycle_stage", "date", "assessor", "notes", "round", "scope", "actions")
_FIELD_NAME = re.compile(r"^(plan\.(%s)|answers\.[a-z0-9]+(-[a-z0-9]+)*)$" % "|".join(PLAN_FIELDS))
#: Plan fields the loader requires, and the stand-ins used only to check an unfinished assessment.
_REQUIRED_STANDINS = {"product": "(not given yet)", "date": "2000-01-01"}

MAX_BODY = 256 * 1024
MAX_CHANGES = 250
MAX_NAME = 200
COOKIE = "pai_room_facilitator"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every response (a plain ASGI middleware: it leaves the event
    stream's body untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in {h for h, _ in SECURITY_HEADERS}]
                headers.extend(SECURITY_HEADERS)
                if scope["path"].startswith("/api/"):
                    headers.append((b"cache-control", b"no-store"))
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class TokenBucket:
    """At most ``rate`` events a second on average, ``burst`` at once, per key."""

    rate: float
    burst: float
    buckets: dict = field(default_factory=dict)

    def allow(self, key) -> bool:
        now = time.monotonic()
        tokens, last = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - 1, now)
        if len(self.buckets) > 10_000:  # forget idle keys so the table stays small
            cutoff = now - 3600
            self.buckets = {k: v for k, v in self.buckets.items() if v[1] > cutoff}
        return True


class ClientError(Exception):
    def __init__(self, status: int, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


def _error(status: int, message: str, problems: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "problems": problems or []}, status_code=status)


def _refuse_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"the key {k!r} appears twice")
        out[k] = v
    return out


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


async def read_json(request: Request) -> Any:
    """The request body as JSON: at most MAX_BODY bytes, no repeated keys, no NaN or Infinity."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ClientError(413, f"The request is larger than {MAX_BODY // 1024} KB; an assessment is far smaller.")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"), object_pairs_hook=_refuse_duplicates,
                          parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ClientError(400, f"The request is not valid JSON: {err}") from None


def _clean_name(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ClientError(400, f"{what}: expected text.")
    text = strip_controls(value).strip()
    if not text:
        raise ClientError(400, f"{what}: expected a name (1 to {MAX_NAME} characters); it is empty.")
    if len(text) > MAX_NAME:
        raise ClientError(400, f"{what}: expected at most {MAX_NAME} characters; it has {len(text)}.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ClientError(400, f"{what}: it contains a broken character (a lone surrogate); type it again.") from None
    return text


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40]
    return s or "x"


def file_name(p: Participant) -> str:
    return f"{slug(p.team)}-{slug(p.rater)}-{p.id}.assessment.json"


def assemble(p: Participant, values: dict[str, Any], scope: str = "full") -> dict:
    """A participant's stored fields as an assessment file (the saved-file format)."""
    doc: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "rubric": {"id": RUBRIC_ID, "version": CURRENT_VERSION},
        "scope": scope, "team": p.team, "rater": p.rater,
        "product": "", "model_type": None, "lifecycle_stage": None, "date": "", "answers": {},
    }
    for name, value in values.items():
        if value is None:
            continue
        kind, _, key = name.partition(".")
        if kind == "plan":
            doc[key] = value
        elif kind == "answers":
            doc["answers"][key] = value
    return doc


def missing_plan(doc: dict) -> list[str]:
    return [k for k in ("product", "model_type", "lifecycle_stage", "date") if doc.get(k) in (None, "")]


def _problems_text(err: AssessmentError) -> list[str]:
    return [strip_controls(f"{p.field}: expected {p.expected}; found {p.found}") for p in err.problems]


def check_doc(doc: dict) -> None:
    """Run the assessment loader on a (possibly unfinished) assessment; raise ClientError on a problem.

    Plan fields not filled yet are replaced by stand-ins for the check only: an unfinished plan is
    allowed, a wrong value never is."""
    trial = dict(doc)
    for key, standin in _REQUIRED_STANDINS.items():
        if trial.get(key) in (None, ""):
            trial[key] = standin
    for key, ids in (("model_type", "model_types"), ("lifecycle_stage", "lifecycle_stages")):
        if trial.get(key) in (None, ""):
            trial[key] = _rubric_ids()[ids][0]
    try:
        load_assessment(trial)
    except AssessmentError as err:
        raise ClientError(422, "The change was not saved: it does not fit the assessment format.",
                          _problems_text(err)) from None


_RUBRIC_CACHE: dict = {}


def rubric_json() -> dict:
    if "data" not in _RUBRIC_CACHE:
        from .._scoring import load_rubric

        _RUBRIC_CACHE["data"] = json.loads(json.dumps(dict(load_rubric().data)))
    return _RUBRIC_CACHE["data"]


def _rubric_ids() -> dict:
    r = rubric_json()
    return {"model_types": [m["id"] for m in r["model_types"]],
            "lifecycle_stages": [s["id"] for s in r["lifecycle_stages"]]}


def entry_of(p: Participant, values: dict[str, Any], scope: str = "full") -> dict:
    """What the dashboard knows of one participant: names, progress and, once complete, the file."""
    doc = assemble(p, values, scope)
    answered = sum(1 for a in doc["answers"].values() if isinstance(a, dict) and a.get("level") is not None)
    missing = missing_plan(doc)
    # Every stored write passed check_doc, which only stands in for missing plan fields: with none
    # missing, the file is a valid assessment.
    complete = not missing
    return {"id": p.id, "team": p.team, "rater": p.rater, "answered": answered, "scope": doc.get("scope", "full"),
            "missing": missing, "complete": complete, "updated_at": p.updated_at,
            "file": {"name": file_name(p), "data": doc} if complete else None}


class Room:
    """The application's state: the store, the rate limits, and the change signal for the dashboards."""

    def __init__(self, folder: Path, *, scope="short", write_rate=10.0, write_burst=30.0, join_fail_per_minute=10.0):
        if scope not in ("short", "full"):
            raise ValueError(f"scope: expected 'short' or 'full', got {scope!r}")
        self.scope = scope
        self.store = RoomStore(folder)
        self.writes = TokenBucket(write_rate, write_burst)
        self.join_failures = TokenBucket(join_fail_per_minute / 60.0, join_fail_per_minute)
        self.changed = asyncio.Event()
        self.closed = False
        self.on_close = None  # set by the command line: stops the server after "close and delete"
        self.join_url = ""

    def signal(self):
        event, self.changed = self.changed, asyncio.Event()
        event.set()

    def participant_of(self, request: Request) -> Participant:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            raise ClientError(401, "Join the room first: this device has no participant token.")
        p = self.store.participant(auth[7:].strip())
        if p is None:
            raise ClientError(401, "This device's participant token is not known in this room. Join again.")
        return p

    def is_facilitator(self, request: Request) -> bool:
        given = request.cookies.get(COOKIE, "")
        key = self.store.room()["facilitator_key"]
        return hmac.compare_digest(given.encode("utf-8", "replace"), key.encode())


def create_app(folder: str | Path, **options) -> Starlette:
    """The room's ASGI application, keeping its data in ``folder``. Options: ``scope`` ("short", the
    default, or "full": which self-assessment participants fill in) and the rate limits."""
    room = Room(Path(folder), **options)

    def guard(handler, *, facilitator=False):
        async def endpoint(request: Request):
            if room.closed:
                return _error(410, "This room was closed by the facilitator and its data deleted.")
            if facilitator and not room.is_facilitator(request):
                return _error(403, "Only the facilitator's address opens this; use the address printed when the room started.")
            try:
                return await handler(request)
            except ClientError as err:
                return _error(err.status, err.message, err.problems)
        return endpoint

    # ------------------------------------------------------------- pages

    async def join_page(request: Request):
        code = normalise_code(request.query_params.get("code", ""))[:7]
        return HTMLResponse(pages.join_page(code))

    async def assess_page(request: Request):
        return HTMLResponse(pages.participant_page())

    async def facilitator_login(request: Request):
        given = request.query_params.get("key", "")
        key = room.store.room()["facilitator_key"]
        if not hmac.compare_digest(given.encode("utf-8", "replace"), key.encode()):
            return HTMLResponse(pages.message_page("Wrong facilitator key",
                                                   "This address does not hold the room's facilitator key. "
                                                   "Use the facilitator address printed when the room started."),
                                status_code=403)
        response = RedirectResponse("/facilitator", status_code=303)
        response.set_cookie(COOKIE, key, httponly=True, samesite="strict", path="/")
        return response

    async def facilitator_page(request: Request):
        if room.closed:
            return HTMLResponse(pages.message_page("Room closed", "This room was closed and its data deleted."), status_code=410)
        if not room.is_facilitator(request):
            return HTMLResponse(pages.message_page("Facilitator only",
                                                   "Open the facilitator address printed when the room started; "
                                                   "it holds the secret key."), status_code=403)
        info = room.store.room()
        return HTMLResponse(pages.dashboard_page(info["code"], room.join_url))

    # ------------------------------------------------------------- participants

    async def join(request: Request):
        client = request.client.host if request.client else "?"
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ClientError(400, "Expected a JSON object with code, team and rater.")
        code = normalise_code(str(body.get("code", ""))[:40])
        if not hmac.compare_digest(code.encode(), room.store.room()["code"].encode()):
            if not room.join_failures.allow(client):
                raise ClientError(429, "Too many wrong codes from this device; wait a minute and check the code on the screen.")
            raise ClientError(403, "code: this is not the code of this room. Check the code on the facilitator's screen.")
        team = _clean_name(body.get("team"), "team")
        rater = _clean_name(body.get("rater"), "rater")
        try:
            # The assessment is dated the day the participant joins, as the page's blank form is.
            token, p = await run_in_threadpool(room.store.join, team, rater, {"plan.date": _dt.date.today().isoformat()})
        except RaterTaken:
            raise ClientError(409, f"rater: someone already joined team “{team}” as “{rater}”. Choose another name, "
                                   "or open your personal link (shown on your first device) to continue there.") from None
        room.signal()
        return JSONResponse({"token": token, "team": p.team, "rater": p.rater})

    async def state(request: Request):
        p = room.participant_of(request)
        fields = await run_in_threadpool(room.store.fields, p.id)
        values = {k: v for k, (v, _) in fields.items()}
        return JSONResponse({"team": p.team, "rater": p.rater, "version": room.scope,
                             "assessment": assemble(p, values, room.scope),
                             "versions": {k: ver for k, (_, ver) in fields.items()},
                             "fields": {k: [v, ver] for k, (v, ver) in fields.items()}})

    async def changes(request: Request):
        p = room.participant_of(request)
        if not room.writes.allow(p.id):
            raise ClientError(429, "Too many saves in a short time; your answers are kept in this browser and sent in a moment.")
        body = await read_json(request)
        given = body.get("changes") if isinstance(body, dict) else None
        if not isinstance(given, dict) or len(given) > MAX_CHANGES:
            raise ClientError(400, f"Expected {{\"changes\": {{field: {{value, base}}}}}} with at most {MAX_CHANGES} fields.")
        wanted: dict[str, tuple[Any, int]] = {}
        for name, change in given.items():
            if not _FIELD_NAME.match(name):
                raise ClientError(422, "The change was not saved.", [f"{strip_controls(name)[:80]}: not a field of an assessment "
                                                                      "(team and rater are fixed when you join)."])
            if not isinstance(change, dict) or not isinstance(change.get("base"), int) or isinstance(change.get("base"), bool):
                raise ClientError(400, f"{name}: expected {{value, base}} with an integer base version.")
            try:
                json.dumps(change.get("value"), ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise ClientError(422, "The change was not saved.", [f"{name}: contains a broken character (a lone surrogate)."]) from None
            wanted[name] = (change.get("value"), change["base"])
        def save():
            # One trip to a worker thread: check the assessment as it would be, then write.
            current = room.store.fields(p.id)
            values = {k: v for k, (v, _) in current.items()}
            values.update({k: v for k, (v, _) in wanted.items()})
            check_doc(assemble(p, values, room.scope))
            versions, conflicts = room.store.apply(p.id, wanted)
            return versions, conflicts, room.store.fields(p.id)

        versions, conflicts, fresh = await run_in_threadpool(save)
        room.signal()
        return JSONResponse({"versions": versions, "conflicts": conflicts,
                             "fields": {k: [v, ver] for k, (v, ver) in fresh.items()}})

    async def own_file(request: Request):
        p = room.participant_of(request)
        fields = await run_in_threadpool(room.store.fields, p.id)
        doc = assemble(p, {k: v for k, (v, _) in fields.items()}, room.scope)
        return Response(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", media_type="application/json",
                        headers={"content-disposition": f'attachment; filename="{file_name(p)}"'})

    rubric_bytes = json.dumps(rubric_json(), ensure_ascii=False).encode("utf-8")

    async def rubric(request: Request):
        return Response(rubric_bytes, media_type="application/json")

    # ------------------------------------------------------------- facilitator

    def snapshot(ids: list[int] | None = None) -> list[dict]:
        everyone = room.store.participants(ids)
        values = room.store.all_fields(ids)
        return [entry_of(p, values.get(p.id, {}), room.scope) for p in everyone]

    async def events(request: Request):
        from sse_starlette.sse import EventSourceResponse

        async def stream():
            seq = await run_in_threadpool(room.store.seq)
            first = await run_in_threadpool(snapshot)
            yield {"event": "room", "data": json.dumps({"participants": first, "closed": False})}
            while not room.closed:
                waiting = room.changed
                try:
                    await asyncio.wait_for(waiting.wait(), timeout=15)
                except asyncio.TimeoutError:
                    continue  # sse-starlette sends its own keep-alive pings
                await asyncio.sleep(0.3)  # gather a burst of saves into one update
                if room.closed:
                    break
                now = await run_in_threadpool(room.store.seq)
                ids = await run_in_threadpool(room.store.changed_since, seq)
                seq = now
                if ids:
                    changed = await run_in_threadpool(snapshot, ids)
                    yield {"event": "update", "data": json.dumps({"participants": changed})}
            yield {"event": "closed", "data": "{}"}

        return EventSourceResponse(stream(), ping=10)

    def _ratings():
        from .._room import _ratings_from_files

        files = [e["file"] for e in snapshot() if e["file"]]
        return _ratings_from_files(files) if files else []

    async def export(request: Request):
        from .._room import room_report, room_summary

        kind = request.path_params["kind"]
        stamp = _dt.date.today().isoformat()
        if kind == "files.zip":
            def build() -> bytes:
                buf = io.BytesIO()
                values = room.store.all_fields()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                    for p in room.store.participants():
                        doc = assemble(p, values.get(p.id, {}), room.scope)
                        z.writestr(file_name(p), json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
                return buf.getvalue()

            return Response(await run_in_threadpool(build), media_type="application/zip",
                            headers={"content-disposition": f'attachment; filename="room-files-{stamp}.zip"'})
        fmt = {"room.md": "md", "room.csv": "csv", "room.json": "json"}.get(kind)
        if fmt is None:
            raise ClientError(404, "Unknown export: choose files.zip, room.md, room.csv or room.json.")
        anonymise = request.query_params.get("anonymise", "1") != "0"
        ratings = await run_in_threadpool(_ratings)
        if not ratings:
            raise ClientError(409, "No participant has a complete assessment yet, so there is no room summary to export.")
        text = room_report(room_summary(ratings, anonymise=anonymise), fmt)
        media = {"md": "text/markdown", "csv": "text/csv", "json": "application/json"}[fmt]
        return Response(text, media_type=f"{media}; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="room-summary-{stamp}.{fmt}"'})

    async def close(request: Request):
        if request.headers.get("x-pai-room") != "close":
            raise ClientError(400, "Closing the room needs the dashboard's button.")
        body = await read_json(request)
        if not isinstance(body, dict) or body.get("confirm") != room.store.room()["code"]:
            raise ClientError(400, "confirm: type the room code to confirm that the room and its data are deleted.")
        room.closed = True
        room.signal()
        removed = await run_in_threadpool(room.store.delete)
        if room.on_close:
            asyncio.get_running_loop().call_later(1.0, room.on_close)
        return JSONResponse({"closed": True, "removed": [str(p.name) for p in removed]})

    async def health(request: Request):
        return JSONResponse({"ok": not room.closed, "participants": room.store.count() if not room.closed else 0})

    routes = [
        Route("/", lambda request: RedirectResponse("/join", status_code=303)),
        Route("/join", join_page),
        Route("/assess", assess_page),
        Route("/facilitator/login", facilitator_login),
        Route("/facilitator", facilitator_page),
        Route("/api/health", health),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/rubric", guard(rubric)),
        Route("/api/join", guard(join), methods=["POST"]),
        Route("/api/p/state", guard(state)),
        Route("/api/p/changes", guard(changes), methods=["POST"]),
        Route("/api/p/file", guard(own_file)),
        Route("/api/f/events", guard(events, facilitator=True)),
        Route("/api/f/export/{kind}", guard(export, facilitator=True)),
        Route("/api/f/close", guard(close, facilitator=True), methods=["POST"]),
        # The front-end modules straight from the package: the same files the site and notebooks use.
        Mount("/w/static", StaticFiles(directory=WIDGETS / "static")),
        Route("/w/data/ui-labels.json", lambda request: Response((WIDGETS / "data" / "ui-labels.json").read_bytes(),
                                                                 media_type="application/json")),
        Mount("/room-static", StaticFiles(directory=PACKAGE / "static")),
    ]
    app = Starlette(routes=routes)
    app.state.room = room
    app.add_middleware(SecurityHeaders)
    return app

