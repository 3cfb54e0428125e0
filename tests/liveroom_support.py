"""Start the live room as a real process (``python -m widgets room``) on 127.0.0.1 and read the
addresses it prints; shared by the room's tests and its benchmark."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0


@dataclass
class RoomProcess:
    proc: subprocess.Popen
    base: str
    code: str
    key: str
    output: list

    @property
    def join_url(self) -> str:
        return f"{self.base}/join?code={self.code}"

    @property
    def facilitator_url(self) -> str:
        return f"{self.base}/facilitator/login?key={self.key}"

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)


def start_room(folder: Path, *, extra: tuple[str, ...] = ()) -> RoomProcess:
    """Start a room on 127.0.0.1 with a free port; return once it prints its facilitator address."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "widgets", "room", "--folder", str(folder), "--host", "127.0.0.1", "--port", "0",
         "--no-qr", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    code = key = base = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if m := re.search(r"Room code:\s+(\S+)", line):
            code = m.group(1)
        if m := re.search(r"Facilitator:\s+(http://127\.0\.0\.1:\d+)/facilitator/login\?key=(\S+)", line):
            base, key = m.group(1), m.group(2)
        if "Press Ctrl+C" in line:
            break
    if not (code and key and base):
        proc.kill()
        raise RuntimeError("the room did not start:\n" + "".join(lines))
    # The socket is bound before the banner is printed; wait until the server answers.
    import httpx

    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return RoomProcess(proc, base, code, key, lines)
