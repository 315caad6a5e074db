"""aiohttp pieces the servers share (the simulated market's, the relay's, the classroom's):
binding the app and saying so, the WebSocket upgrade with the protocol's frame limit, a handshake
refusal as an HTTP answer, and the text of a client frame."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMessage, WSMsgType, web

from ._aio import until_signalled
from .protocol.codes import MAX_FRAME_BYTES
from .protocol.handshake import Refusal


@dataclass(frozen=True)
class Listening:
    """A bound app: its runner (``cleanup()`` stops it), the port and the URLs clients use."""

    runner: web.AppRunner
    port: int
    url: str
    ws_url: str


async def listen(app: web.Application, host: str, port: int) -> Listening:
    """Serve ``app`` on ``host:port`` (0 picks a free port) from the running loop."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    server = getattr(site, "_server", None)
    sockets = getattr(server, "sockets", None) or []
    if sockets:
        port = sockets[0].getsockname()[1]
    shown = host if ":" not in host else f"[{host}]"
    return Listening(runner, port, f"http://{shown}:{port}", f"ws://{shown}:{port}/ws")


def refusal_response(refusal: Refusal) -> web.Response:
    """The plain-text HTTP answer of a refused handshake."""
    return web.Response(
        status=refusal.status,
        text=refusal.text,
        content_type="text/plain",
        headers=refusal.headers,
    )


def websocket_response() -> web.WebSocketResponse:
    """A WebSocket endpoint as the service runs it: frames up to the protocol's limit (beyond:
    close 1009), pongs answered, no server pings, no compression."""
    return web.WebSocketResponse(
        max_msg_size=MAX_FRAME_BYTES, autoping=True, heartbeat=None, compress=False
    )


def client_text(msg: WSMessage) -> str | None:
    """The text of a TEXT or BINARY client frame; ``None`` for bytes that are not UTF-8."""
    if msg.type == WSMsgType.TEXT:
        return str(msg.data)
    try:
        return bytes(msg.data).decode("utf-8")
    except UnicodeDecodeError:
        return None


__all__ = ["Listening", "client_text", "listen", "refusal_response", "websocket_response"]


async def start_listening(server: Any, host: str, port: int) -> bool:
    """Start ``server`` (anything with ``start()`` and ``url``) for a command line.

    On success print its first line, ``listening on URL`` (what scripts and tests wait for) and
    return True; when the address cannot be bound, say why and what to do on stderr and return
    False (the command then exits 1).
    """
    try:
        await server.start()
    except OSError as e:
        print(
            f"infoway-widgets: cannot listen on {host}:{port}: {e}. "
            "Pick another --port (0 chooses a free one).",
            file=sys.stderr,
        )
        return False
    print(f"listening on {server.url}", flush=True)
    return True


async def serve_until_signalled(*servers: Any) -> int:
    """Keep a command line's servers up until SIGINT or SIGTERM, stop them in order, say
    ``stopped``; the command's exit code (0)."""
    try:
        await until_signalled()
    finally:
        for server in servers:
            await server.stop()
    print("stopped", flush=True)
    return 0
