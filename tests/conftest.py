"""Shared fixtures: the built site, a local server for it, and a headless Chromium.

Browser tests need the site built (`make book`; `make test` does it first) and
Debian's Chromium at /usr/bin/chromium. Where either is missing they skip with
the reason, except when PAI_REQUIRE_BROWSER=1 (set by .ci/run), where they fail.
The site folder can be overridden with PAI_SITE_DIR (useful to test a private
build).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import socketserver
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("PAI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
#: Every address that is not this machine's (and not data:, blob: or about:): the requests
#: ``new_page`` blocks. Playwright's driver matches a regular expression itself, so a local
#: request (most of a page's) goes on without a round trip through Python; ``is_local`` decides
#: again for each request that does match.
NOT_LOCAL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$))(?!(?:data|blob|about):)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test that reads the built site is a ``build`` test, whether or not its file says so.

    Runs before pytest's own ``-m`` selection, so ``make test-fast`` (``-m "not browser and not
    build"``) never runs a test that needs ``_build/html``.
    """
    for item in items:
        if "built_site" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("build"):
            item.add_marker(pytest.mark.build)
        group = _shared_module_fixture_group(item)
        if group and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group))
    _tell_controller_the_groups(config, items)


# --- pytest-xdist groups -----------------------------------------------------------------------
# `--dist loadgroup` keeps the tests of one `xdist_group` on one worker. pytest-xdist 3.8 does it
# by appending "@group" to each test's node id in the worker, which pytest 9 ignores (a node's id
# is no longer the attribute xdist sets), so every test went to whichever worker was free and a
# file's module fixture was set up on both. Instead, each worker writes which group each of its
# tests is in to a folder the controller made, and the controller's scheduler (a LoadScope
# scheduler whose scope is that group, or the test itself) reads it before handing out the tests.
# The workers write before they report their collection, so the file is there when it is read.
GROUPS_DIR_KEY = "pai_xdist_groups_dir"


def _group_of(item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    if marker is None:
        return None
    return str(marker.args[0] if marker.args else marker.kwargs.get("name", "default"))


def _tell_controller_the_groups(config, items) -> None:
    folder = getattr(config, "workerinput", {}).get(GROUPS_DIR_KEY)
    if not folder:
        return
    groups = {item.nodeid: group for item in items if (group := _group_of(item))}
    path = Path(folder) / f"{config.workerinput['workerid']}.json"
    path.with_suffix(".tmp").write_text(json.dumps(groups), encoding="utf-8")
    path.with_suffix(".tmp").replace(path)


def pytest_configure(config):
    if config.getoption("dist", "no") == "loadgroup" and not hasattr(config, "workerinput"):
        config.pai_groups_dir = tempfile.mkdtemp(prefix="pai-xdist-groups-")


def pytest_unconfigure(config):
    if getattr(config, "pai_groups_dir", None):
        shutil.rmtree(config.pai_groups_dir, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    folder = getattr(node.config, "pai_groups_dir", None)
    if folder:
        node.workerinput[GROUPS_DIR_KEY] = folder


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    folder = getattr(config, "pai_groups_dir", None)
    if not folder:
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """LoadScope with each test's scope read from the groups its worker wrote (`--dist loadgroup`).

        Scopes are handed out largest first (xdist's `--loadscope-reorder`, on by default), so a
        big group starts early and does not finish alone at the end.
        """

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):  # an xdist that does rename the node ids
                return nodeid.split("@")[-1]
            if self.groups is None:
                files = sorted(Path(folder).glob("*.json"))
                if not files:
                    raise RuntimeError(f"{folder}: no worker wrote its xdist groups (tests/conftest.py, "
                                       "pytest_collection_modifyitems); run with -p xdist and --dist loadgroup")
                self.groups = {}
                for path in files:
                    self.groups.update(json.loads(path.read_text(encoding="utf-8")))
            return self.groups.get(nodeid, nodeid)

    return GroupScheduling(config, log)


#: When set (``make test-profile`` sets it), each worker appends one JSON line per test to
#: ``$PAI_TEST_PROFILE/<worker>.jsonl``: its wall time and the CPU time of the worker and of every
#: process under it (Chromium, Node, servers), setup and teardown included.
PROFILE_DIR = os.environ.get("PAI_TEST_PROFILE")
#: How often the profiler reads the CPU time of the processes under the worker. A Chromium renderer
#: ends when its test's context closes and nobody the worker can see waits for it, so its time is
#: only known from readings taken while it ran: up to this much of each such process's time is missed.
PROFILE_INTERVAL = 0.5


class _TreeCPU:
    """CPU seconds (user + system) of the worker and of the processes under it, per test.

    A thread reads every process's CPU time under the worker every PROFILE_INTERVAL seconds and
    keeps the last reading of each; a test's CPU is what each process (by pid and start time)
    used between the test's start and its last reading. Processes the worker itself waits for
    (``subprocess.run``) and that ended too soon to be read are counted from the worker's
    ``children`` times, less the whole time of the processes the readings saw end.
    """

    def __init__(self):
        import psutil

        self.psutil = psutil
        self.proc = psutil.Process()
        self.lock = threading.Lock()
        self.seen: dict[tuple[int, float], tuple[float, bool]] = {}  # (pid, started) -> (cpu, direct child)
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            self.read()
            time.sleep(PROFILE_INTERVAL)

    def read(self) -> dict:
        with contextlib.suppress(self.psutil.Error):
            for p in self.proc.children(recursive=True):  # one scan of /proc (about 6 ms here)
                with contextlib.suppress(self.psutil.Error):
                    t = p.cpu_times()
                    with self.lock:
                        self.seen[(p.pid, p.create_time())] = (t.user + t.system, p.ppid() == self.proc.pid)
        with self.lock:
            return dict(self.seen)

    def snapshot(self):
        own = self.proc.cpu_times()
        seen = self.read()
        return own, seen, {key for key in seen if self.psutil.pid_exists(key[0])}

    def used(self, before, after) -> tuple[float, float]:
        """(worker's own CPU, worker and every process under it) between two snapshots."""
        (own0, seen0, live0), (own1, seen1, live1) = before, after
        own = own1.user + own1.system - own0.user - own0.system
        tree = own + sum(cpu - seen0.get(key, (0.0, False))[0] for key, (cpu, _) in seen1.items())
        # What the worker waited for in between is whole subtrees, from their start: take off the
        # whole time of every process the readings saw end, so only processes too short to be
        # read are added (never the same time twice).
        reaped = own1.children_user + own1.children_system - own0.children_user - own0.children_system
        ended = sum(cpu for key, (cpu, _) in seen1.items() if key not in live1 and (key in live0 or key not in seen0))
        return own, tree + max(0.0, reaped - ended)


if PROFILE_DIR:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        meter = _TREE_CPU[0] if _TREE_CPU else _TREE_CPU.append(_TreeCPU()) or _TREE_CPU[0]
        before, start, clock = meter.snapshot(), time.time(), time.perf_counter()
        yield
        wall = time.perf_counter() - clock
        own, tree = meter.used(before, meter.snapshot())
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        record = {"test": item.nodeid, "worker": worker, "start": start, "wall": round(wall, 3),
                  "cpu_worker": round(own, 3), "cpu": round(tree, 3)}
        group = _group_of(item)
        if group:
            record["group"] = group
        folder = Path(PROFILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{worker}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")

_TREE_CPU: list = []


def _shared_module_fixture_group(item) -> str | None:
    """The test's file, when the test uses a module- or class-scoped fixture defined in that file.

    ``make test`` runs pytest-xdist with ``--dist loadgroup``: tests in one group run on the same
    worker, so such a fixture (a replayed conversation, a served folder, a Node process) is set up
    once, not once per worker. Every other test goes to whichever worker is free.
    """
    info = getattr(item, "_fixtureinfo", None)
    module = item.nodeid.split("::", 1)[0]
    for name in getattr(item, "fixturenames", ()):
        for fixturedef in (info.name2fixturedefs.get(name, ()) if info else ()):
            if fixturedef.scope in ("module", "class") and fixturedef.baseid.split("::", 1)[0] == module:
                return module
    return None


def _unavailable(reason: str):
    if os.environ.get("PAI_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (PAI_REQUIRE_BROWSER=1, so this is an error, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Path to the built HTML site."""
    site = Path(os.environ.get("PAI_SITE_DIR", ROOT / "_build" / "html"))
    if not (site / "index.html").exists():
        _unavailable(f"The site is not built at {site}: run `make book` first.")
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@contextlib.contextmanager
def serve_folder(folder: Path):
    """Serve ``folder`` on 127.0.0.1 (a free port) for the duration; yields the base URL with a trailing slash."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    socketserver.TCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
        httpd.shutdown()


@pytest.fixture(scope="session")
def server_url(built_site: Path):
    """Base URL (with trailing slash) of the built site served on 127.0.0.1."""
    with serve_folder(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        _unavailable(f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in {"data", "blob", "about"}:
        return True
    return parsed.hostname in LOCAL_HOSTS


@pytest.fixture
def new_page(browser):
    """Factory for pages that block and record every request leaving 127.0.0.1.

    Each page records ``pai_external_requests`` (blocked URLs),
    ``pai_failed_requests`` (local requests that failed or returned >= 400),
    ``pai_console_errors`` and ``pai_page_errors``. ``make(watch_only=True)`` records requests to
    other hosts without routing each request through Python (faster with many contexts).
    """
    contexts = []

    def make(watch_only=False, **context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        page.pai_external_requests = []
        page.pai_failed_requests = []
        page.pai_console_errors = []
        page.pai_page_errors = []

        def route(route):
            if is_local(route.request.url):
                route.continue_()
            else:
                page.pai_external_requests.append(route.request.url)
                route.abort()

        if watch_only:
            page.on("request", lambda r: is_local(r.url) or page.pai_external_requests.append(r.url))
        else:
            context.route(NOT_LOCAL, route)
        page.on("requestfailed", lambda r: is_local(r.url) and page.pai_failed_requests.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and page.pai_failed_requests.append(f"{r.url} (HTTP {r.status})"))
        page.on("console", lambda m: m.type == "error" and page.pai_console_errors.append(m.text))
        page.on("pageerror", lambda e: page.pai_page_errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for test artifacts (screenshots); ignored by git."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


#: Screenshots for people to look at (no assertion reads them) are taken only when this is set:
#: ``make screenshots`` sets it. Taking them checks nothing, and a full-page screenshot of a long
#: page costs Chromium 0.5 to 4 s (benchmarks/TEST-TIME.md, round 5). A test that asserts on a
#: screenshot's pixels or size takes it itself, always.
SCREENSHOTS = os.environ.get("PAI_SCREENSHOTS") == "1"


def artifact_screenshot(target, path: Path, **options) -> Path | None:
    """Screenshot ``target`` (a page or a locator) to ``path`` when PAI_SCREENSHOTS=1, else nothing.

    Returns the path written, or None when screenshots are off."""
    if not SCREENSHOTS:
        return None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(path), **options)
    return Path(path)
