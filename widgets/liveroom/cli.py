"""``python -m widgets room``: start the live room on this computer and print how to reach it."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

DEFAULT_FOLDER = "workshop-room"
DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"


def add_parser(sub) -> None:
    r = sub.add_parser("room", help="start a live workshop room on this computer (participants join from their devices)")
    r.add_argument("--folder", default=DEFAULT_FOLDER,
                   help=f"folder for the room's database (default ./{DEFAULT_FOLDER}); the same folder resumes the room")
    r.add_argument("--host", default=LOOPBACK,
                   help="interface to listen on (default 127.0.0.1, this computer only); "
                        "give this computer's local-network address, or 0.0.0.0, to let other devices join")
    r.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    r.add_argument("--scope", choices=["short", "full"], default="short",
                   help="which self-assessment participants fill in (default short, about 15 questions)")
    r.add_argument("--no-qr", action="store_true", help="do not print the QR code in the terminal")


def _lan_address() -> str:
    """This computer's address on the local network (a UDP socket is connected, which sends nothing)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.255", 1))
        return s.getsockname()[0]
    except OSError:
        return LOOPBACK
    finally:
        s.close()


def _public_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return _lan_address()
    return host


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def banner(folder: Path, info: dict, join_url: str, base: str, host: str, *, qr: bool = True) -> str:
    """What the command prints: the participants' code, address and QR code, the facilitator's
    address, and what the chosen interface means."""
    from .pages import qr_text

    lines = ["Workshop room",
             f"  Data folder:      {folder.resolve()}",
             f"  Room code:        {info['code']}",
             f"  Join address:     {join_url}"]
    if qr:
        lines.append(qr_text(join_url))
    lines += [f"  Facilitator:      {base}/facilitator/login?key={info['facilitator_key']}",
              "  Keep the facilitator address to yourself: it opens the dashboard, the exports and the delete button."]
    if _is_loopback(host):
        lines.append("  Listening on 127.0.0.1 only: devices other than this computer cannot join. To open the room "
                     "to the local network, start again with --host 0.0.0.0 (or this computer's address).")
    else:
        lines.append(f"WARNING: listening on {host}: every device on this local network can reach the room. "
                     "Anyone who sees the room code can join it, and traffic is not encrypted (plain HTTP). "
                     "Use a network you trust (not public Wi-Fi) and close the room when the workshop ends.")
    lines.append("  Press Ctrl+C to stop; start again with the same --folder to resume the room.")
    return "\n".join(lines)


def run(args) -> int:
    import uvicorn

    from .app import create_app

    folder = Path(args.folder)
    app = create_app(folder, scope=args.scope)
    room = app.state.room
    info = room.store.room()

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as err:
        print(f"error: cannot listen on {args.host}:{args.port}: {err.strerror or err}. "
              "Choose another port with --port (0 picks a free one).", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    shown = _public_host(args.host)
    base = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    room.join_url = f"{base}/join?code={info['code']}"

    print(banner(folder, info, room.join_url, base, args.host, qr=not args.no_qr), flush=True)

    # Access logs off: the facilitator's login address holds the key. Connections kept open for a
    # minute, as browsers expect between saves.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=65)
    server = uvicorn.Server(config)
    room.on_close = lambda: setattr(server, "should_exit", True)
    try:
        server.run(sockets=[sock])
    finally:
        room.store.close()
    if room.closed:
        print("The room was closed and its data deleted.")
    return 0
