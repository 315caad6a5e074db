"""The relay's client connections: an aiohttp adapter of the protocol's server session.

A client sees what it would see on the real service: a greeting on ``stock``, the welcome (with
"(relay)" in its ``msg``), acks that echo ``trace``, silence for codes of another channel, error
frames and closes for a blown frame budget or an idle connection, and 505 beyond the relay's
per-client code limit. All of that is :class:`~infoway_widgets.protocol.server.ServerSession`'s;
this module keeps what a relay adds: the routes in the :class:`~.fanout.Fanout`, the frames
waiting for a client's next write, and closing a client too slow to read them.

Sending costs a list append: a client's frames of one loop turn (built once, shared by every
client, :mod:`.wire`) go out in one ``transport.write`` when the fan-out flushes. The transport's
buffer is the backlog; a client whose buffer holds more than ``max_backlog`` frames is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

from .._web import client_text, refusal_response, websocket_response
from ..market import parse_symbol
from ..protocol import encode
from ..protocol import server as proto
from ..protocol.handshake import refuse_business, refuse_key
from .fanout import Sub
from .wire import text_frame

if TYPE_CHECKING:
    from .fanout import Fanout

RELAY_WELCOME = encode.welcome("relay")
#: production's plain-text greeting on business=stock, marked as coming through a relay
RELAY_GREETING = (
    "You have permission to subscribe to all market data (via an infoway-widgets relay)"
)
_conn_ids = itertools.count(1)


class RelayClient:
    """One client WebSocket: its protocol session, outgoing queue and counters."""

    def __init__(
        self,
        fanout: Fanout,
        ws: web.WebSocketResponse,
        business: str,
        peer: str,
        transport: asyncio.Transport | None = None,
    ) -> None:
        self.fanout = fanout
        self.ws = ws
        #: where the frames are written (the request's; None: not connected, nothing is written)
        self.transport = transport
        self.business = business
        self.peer = peer
        self.id = next(_conn_ids)
        cfg = fanout.cfg
        self.session = proto.ServerSession(
            business,
            self._carries,
            self._now(),
            budget=cfg.client_frames_per_min,
            window_ms=fanout.window_ms,
            idle_ms=fanout.idle_ms,
            max_codes=cfg.max_codes_per_client,
            per=" per relay client",
            greeting=RELAY_GREETING,
            welcome=RELAY_WELCOME,
        )
        #: frames (whole WebSocket frames) waiting for the next flush
        self.out: list[bytes] = []
        #: a close to send once the frames before it are written: (ws code, message)
        self._close_after: tuple[int, str] | None = None
        self.gone = asyncio.Event()
        self.frames_in = 0
        self.frames_out = 0
        self.bytes_out = 0
        self.close_reason: str | None = None

    @staticmethod
    def _now() -> int:
        return int(asyncio.get_running_loop().time() * 1000)

    def _carries(self, code: str) -> str | None:
        """The canonical code, if this channel carries it (the upstream session would refuse
        the others; production acks them and stays silent)."""
        try:
            inst = parse_symbol(code)
        except Exception:
            return None
        return inst.code if inst.business == self.business else None

    @property
    def subs(self) -> set[Sub]:
        """The upstream subscriptions this client holds."""
        b = self.business
        return {(b, kind, kt, code) for kind, kt, code in self.session.held}

    def _subs(self, held: list[proto.Subscription]) -> list[Sub]:
        return [(self.business, kind, kt, code) for kind, kt, code in held]

    def status(self) -> dict[str, Any]:
        held = self.session.held
        return {
            "id": self.id,
            "peer": self.peer,
            "business": self.business,
            "subscriptions": len(held),
            "codes": len({s[2] for s in held}),
            "frames_in": self.frames_in,
            "frames_out": self.frames_out,
            "backlog": self.backlog(),
        }

    # ---- sending ---------------------------------------------------------------------------
    def backlog(self) -> int:
        """Frames not yet handed to the kernel: waiting here, or in the transport's buffer
        (estimated from this client's mean frame size)."""
        tr = self.transport
        buffered = tr.get_write_buffer_size() if tr is not None and not tr.is_closing() else 0
        mean = self.bytes_out / self.frames_out if self.frames_out else 100.0
        return len(self.out) + int(buffered / max(mean, 1.0))

    def push(self, frame: bytes) -> None:
        """Queue one whole WebSocket frame (from :func:`~.wire.text_frame`) for the next flush."""
        if self.session.closing:
            return
        out = self.out
        if not out:
            self.fanout.want_flush(self)
        out.append(frame)

    def send(self, data: bytes) -> None:
        """Queue one text frame (its UTF-8 payload)."""
        self.push(text_frame(data))

    def send_text(self, text: str) -> None:
        self.send(text.encode())

    def flush(self) -> None:
        """Write what is waiting in one go; then a pending close, or the slow-consumer close."""
        out, self.out = self.out, []
        tr = self.transport
        if tr is None or tr.is_closing() or self.ws.closed:
            return
        if out:
            data = b"".join(out)
            tr.write(data)
            self.frames_out += len(out)
            self.bytes_out += len(data)
        if self._close_after is not None:
            code, msg = self._close_after
            self._close_after = None
            self.fanout.spawn(self._close(code, msg))
        elif self.backlog() > self.fanout.cfg.max_backlog and not self.session.closing:
            self.session.closing = True
            self.fanout.spawn(self.abort_slow())

    async def _close(self, code: int, message: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=code, message=message.encode()[:120]), 2.0)

    def close_after_pending(
        self, code: int, msg: str, reason: str, close_code: int = WSCloseCode.OK
    ) -> None:
        """Send an error frame after what is queued, then close (no push is cut in half)."""
        if self.session.closing:
            return
        self.session.closing = True
        self._close_after_pending(
            proto.Close(encode.error_frame(code, msg), msg, reason, close_code)
        )

    def _close_after_pending(self, close: proto.Close) -> None:
        self.close_reason = close.reason
        self.fanout.count_close(close.reason)
        frame = text_frame(close.frame.encode())
        if not self.out:
            self.fanout.want_flush(self)
        self.out.append(frame)
        self._close_after = (int(close.ws_code), close.message)

    async def abort_slow(self) -> None:
        """Close a client whose backlog is full, skipping the backlog (it could not read it)."""
        self.close_reason = "slow_consumer"
        self.fanout.count_close("slow_consumer")
        self.out.clear()
        self._close_after = None
        with contextlib.suppress(Exception):
            await self.ws.send_str(
                encode.error_frame(
                    500,
                    f"Server error: the client reads too slowly ({self.fanout.cfg.max_backlog} "
                    "frames waiting); reconnect",
                )
            )
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=WSCloseCode.TRY_AGAIN_LATER), 2.0)

    async def shutdown(self, code: int, message: str) -> None:
        """Close at once (the relay stops): the queue is not drained."""
        self.session.closing = True
        self.out.clear()
        self._close_after = None
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=code, message=message.encode()), 2.0)

    # ---- receiving -------------------------------------------------------------------------
    def on_frame(self, text: str | None) -> None:
        """Handle one client frame (``None``: a binary frame that is not UTF-8)."""
        self.frames_in += 1
        self.fanout.stats["client_frames"] += 1
        for action in self.session.receive(text, self._now()):
            self.act(action)

    def poll(self, now: int) -> None:
        """The protocol's idle close, on the relay's beat."""
        for action in self.session.poll(now):
            self.act(action)

    def act(self, action: proto.Action) -> None:
        """Run one action of the protocol session."""
        if isinstance(action, proto.Send):
            self.send_text(action.text)
        elif isinstance(action, proto.Subscribe):
            self.fanout.add_routes(self, self._subs(action.new))
        elif isinstance(action, proto.Unsubscribe):
            self.fanout.remove_routes(self, self._subs(action.dropped))
        elif isinstance(action, proto.Refuse):
            self.fanout.stats["refused_subscriptions"] += 1
            self.send_text(action.text)
        elif isinstance(action, proto.Close):
            self._close_after_pending(action)


async def serve_client(fanout: Fanout, request: web.Request) -> web.StreamResponse:
    """``GET /ws?business=...&apikey=<relay token>``: one client connection."""
    cfg = fanout.cfg
    q = request.query
    refused = refuse_key(
        q,
        cfg.relay_token if cfg.token_required() else None,
        realm="relay",
        what="relay token (apikey)",
    ) or refuse_business(q)
    if refused is not None:
        fanout.stats["refused"] += 1
        return refusal_response(refused)
    ws = websocket_response()
    await ws.prepare(request)
    fanout.stats["connections"] += 1
    conn = RelayClient(fanout, ws, q["business"], str(request.remote or "?"), request.transport)
    fanout.conns.add(conn)
    for frame in conn.session.hello():
        conn.send_text(frame)
    try:
        async for msg in ws:
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                break
            conn.on_frame(client_text(msg))
    finally:
        held = conn.subs
        conn.session.closing = True
        conn.gone.set()
        fanout.conns.discard(conn)
        fanout.remove_routes(conn, held)
        conn.out.clear()
        if not ws.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 1.0)
    return ws


__all__ = ["RELAY_GREETING", "RELAY_WELCOME", "RelayClient", "serve_client"]
