"""The client side of the relay: connections that speak the Infoway WebSocket protocol, and the hub
that reference-counts their subscriptions and fans upstream push frames out to them.

A client sees what it would see on the real service: a greeting on ``stock``, the welcome (with
"(relay)" in its ``msg``), acks that echo ``trace``, silence for codes of another channel, error
frames and closes for a blown frame budget or an idle connection. Push frames are forwarded as the
exact text received upstream (encoded to bytes once and shared by every subscriber), in the order
received, to the clients subscribed to that code, kind and interval.

Duplication with :mod:`infoway_widgets.sim.ws` (to unify later): the request parsing and
validation of subscribe/unsubscribe frames, the frame budget (sliding window), the idle close and
the handshake refusals. The sim's ``Conn`` is bound to the simulated market and clock, so it is not
reused; its frame builders (:mod:`infoway_widgets.sim.wire`), constants and messages are.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import WSCloseCode, WSMsgType, web

from ..market import parse_symbol
from ..protocol import encode as wire
from ..protocol.codes import BUSINESSES, ERROR_MESSAGES, IDLE_MS, MAX_FRAME_BYTES

if TYPE_CHECKING:
    from .config import RelayConfig

log = logging.getLogger("infoway_widgets.relay")

#: (business, kind, klineType or 0, code): one upstream subscription; kinds as WsSession names them
Sub = tuple[str, str, int, str]

RELAY_WELCOME = '{"code":200,"msg":"ws connect success (relay)"}'
#: production's plain-text greeting on business=stock, marked as coming through a relay
RELAY_GREETING = (
    "You have permission to subscribe to all market data (via an infoway-widgets relay)"
)
_SUB_CODES = {10000: "trades", 10003: "depth", 10006: "candles"}
_UNSUB_CODES = {11000: "trades", 11001: "depth", 11002: "candles"}
_ACKS = {10000: 10001, 10003: 10004, 10006: 10007}
_PUSH_KIND = {10002: "trades", 10005: "depth", 10008: "candles"}
_conn_ids = itertools.count(1)


def token_ok(given: str | None, token: str | None) -> bool:
    """Constant-time check of a client's token (no timing oracle on a LAN-facing relay)."""
    if not token:
        return True
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def push_route(business: str, frame: str) -> Sub | None:
    """The subscription a push frame belongs to, or ``None`` for anything unroutable.

    orjson parses a 150-byte frame in about a microsecond; a hand-written scanner would save
    little and break on the first frame in another key order.
    """
    try:
        obj = orjson.loads(frame)
        kind = _PUSH_KIND[obj["code"]]
        data = obj["data"]
        code = data["s"]
        kt = data.get("ty", 0) if kind == "candles" else 0
        return business, kind, int(kt), str(code)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


class ClientConn:
    """One client WebSocket: its subscriptions, frame budget, idle clock and outgoing queue."""

    def __init__(self, hub: Hub, ws: web.WebSocketResponse, business: str, peer: str) -> None:
        self.hub = hub
        self.ws = ws
        self.business = business
        self.peer = peer
        self.id = next(_conn_ids)
        self.subs: set[Sub] = set()
        self.frame_times: deque[float] = deque()
        loop = asyncio.get_running_loop()
        self.opened = loop.time()
        self.last_frame = loop.time()
        self.queue: asyncio.Queue[bytes | tuple[int, str] | None] = asyncio.Queue()
        self.gone = asyncio.Event()
        self.closing = False
        self.frames_in = 0
        self.frames_out = 0
        self.close_reason: str | None = None

    # ---- sending ---------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        """Queue one text frame (already UTF-8); a client too slow to keep up is closed."""
        if self.closing:
            return
        if self.queue.qsize() >= self.hub.cfg.max_backlog:
            self.closing = True
            self.hub.spawn(self.abort_slow())
            return
        self.queue.put_nowait(data)

    def send_text(self, text: str) -> None:
        self.send(text.encode())

    async def sender(self) -> None:
        """Write queued frames in order; ``None`` stops, ``(code, msg)`` closes after what came
        before (so an error frame never overtakes the pushes queued ahead of it)."""
        ws = self.ws
        q = self.queue
        while True:
            item = await q.get()
            if item is None or ws.closed:
                return
            if isinstance(item, tuple):
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(
                        ws.close(code=item[0], message=item[1].encode()[:120]), 2.0
                    )
                return
            try:
                await ws.send_frame(item, WSMsgType.TEXT)
            except (ConnectionError, RuntimeError):
                return
            self.frames_out += 1

    def close_after_pending(
        self, code: int, msg: str, reason: str, close_code: int = WSCloseCode.OK
    ) -> None:
        """Send an error frame after what is queued, then close (no push is cut in half)."""
        if self.closing:
            return
        self.closing = True
        self.close_reason = reason
        self.hub.stats_closes[reason] = self.hub.stats_closes.get(reason, 0) + 1
        self.queue.put_nowait(wire.error_frame(code, msg).encode())
        self.queue.put_nowait((int(close_code), msg))

    async def abort_slow(self) -> None:
        """Close a client whose backlog is full, skipping the backlog (it could not read it)."""
        self.close_reason = "slow_consumer"
        self.hub.stats_closes["slow_consumer"] = self.hub.stats_closes.get("slow_consumer", 0) + 1
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await self.ws.send_str(
                wire.error_frame(
                    500,
                    f"Server error: the client reads too slowly ({self.hub.cfg.max_backlog} "
                    "frames waiting); reconnect",
                )
            )
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=WSCloseCode.TRY_AGAIN_LATER), 2.0)

    # ---- receiving -------------------------------------------------------------------------
    def on_frame(self, text: str | None) -> None:
        """Handle one client frame (``None``: a binary frame that is not UTF-8)."""
        hub = self.hub
        cfg = hub.cfg
        now = asyncio.get_running_loop().time()
        self.frames_in += 1
        hub.stats["client_frames"] += 1
        self.last_frame = now
        ft = self.frame_times
        ft.append(now)
        while ft and ft[0] <= now - hub.window_s:
            ft.popleft()
        if len(ft) > cfg.client_frames_per_min:
            self.close_after_pending(
                501,
                ERROR_MESSAGES[501] + f" ({cfg.client_frames_per_min} frames per minute per "
                "relay client)",
                "frame_budget",
                WSCloseCode.POLICY_VIOLATION,
            )
            return
        try:
            msg = orjson.loads(text) if text is not None else None
        except orjson.JSONDecodeError:
            msg = None
        if not isinstance(msg, dict):
            self.send_text(
                wire.error_frame(
                    515,
                    'Param not json：every frame is a JSON object like {"code":10010,"trace":"id"}',
                )
            )
            return
        trace = msg.get("trace")
        code = msg.get("code")
        if code is None:
            self.send_text(wire.error_frame(507, "Param lost：code", trace))
            return
        if code == 10010:
            return  # heartbeats are never answered (as production)
        if (
            isinstance(code, bool)
            or not isinstance(code, int)
            or (code not in _SUB_CODES and code not in _UNSUB_CODES)
        ):
            self.send_text(wire.error_frame(506, "Param error：The code is out of range", trace))
            return
        data = msg.get("data")
        if not isinstance(data, dict):
            self.send_text(wire.error_frame(507, "Param lost：data", trace))
            return
        if code in _SUB_CODES:
            self._subscribe(code, data, trace)
        else:
            self._unsubscribe(_UNSUB_CODES[code], data, trace)

    @staticmethod
    def _codes(item: dict[str, Any]) -> list[str] | None:
        raw = item.get("codes")
        if isinstance(raw, list):
            raw = ",".join(str(c) for c in raw)
        if not isinstance(raw, str) or not raw.strip():
            return None
        return [c.strip() for c in raw.split(",") if c.strip()]

    def _ours(self, codes: list[str]) -> list[str]:
        """Canonical codes of this channel; others are acked and then stay silent (production
        does the same, and the upstream session would refuse them)."""
        out = []
        for c in codes:
            try:
                inst = parse_symbol(c)
            except Exception:
                continue
            if inst.business == self.business:
                out.append(inst.code)
        return out

    def _subscribe(self, code: int, data: dict[str, Any], trace: Any) -> None:
        kind = _SUB_CODES[code]
        adds: list[Sub] = []
        if kind == "candles":
            arr = data.get("arr")
            if not isinstance(arr, list) or not arr:
                self.send_text(wire.error_frame(507, "Param lost：arr", trace))
                return
            for item in arr:
                codes = self._codes(item) if isinstance(item, dict) else None
                if codes is None:
                    self.send_text(wire.error_frame(507, "Param lost：codes", trace))
                    return
                ty = item.get("type")
                if isinstance(ty, str) and ty.isdigit():
                    ty = int(ty)
                if not isinstance(ty, int) or isinstance(ty, bool) or not 1 <= ty <= 12:
                    self.send_text(wire.error_frame(506, "Param error：type must be 1..12", trace))
                    return
                adds.extend((self.business, kind, ty, c) for c in self._ours(codes))
        else:
            codes = self._codes(data)
            if codes is None:
                self.send_text(wire.error_frame(507, "Param lost：codes", trace))
                return
            adds = [(self.business, kind, 0, c) for c in self._ours(codes)]
        limit = self.hub.cfg.max_codes_per_client
        distinct = {s[3] for s in self.subs} | {s[3] for s in adds}
        if len(distinct) > limit:
            self.hub.stats["refused_subscriptions"] += 1
            self.send_text(
                wire.error_frame(
                    505,
                    f"Products quantity exceeds the limit：{limit} codes per relay client",
                    trace,
                )
            )
            return
        self.send_text(wire.ack(_ACKS[code], trace))
        new = [s for s in adds if s not in self.subs]
        self.subs.update(new)
        self.hub.add_routes(self, new)

    def _unsubscribe(self, kind: str, data: dict[str, Any], trace: Any) -> None:
        codes = self._codes(data)
        if codes is None:
            self.send_text(wire.error_frame(507, "Param lost：codes", trace))
            return
        mine = set(self._ours(codes)) | set(codes)
        drop: list[Sub]
        if kind == "candles":
            kt = data.get("klineTypes")
            types = (
                None
                if kt in (None, "")
                else {int(x) for x in str(kt).split(",") if x.strip().isdigit()}
            )
            drop = [
                s
                for s in self.subs
                if s[1] == "candles" and s[3] in mine and (types is None or s[2] in types)
            ]
        else:
            drop = [s for s in self.subs if s[1] == kind and s[3] in mine]
        self.subs.difference_update(drop)
        self.hub.remove_routes(self, drop)
        self.send_text(wire.ack(11010, trace))


class Hub:
    """Client connections, their reference-counted subscriptions and the push fan-out.

    Parameters
    ----------
    cfg : RelayConfig
    on_interest : callable()
        Called (soon, once per burst) when :meth:`interest` changed: the coordinator then
        brings the upstream subscriptions (or the group's Redis record) in line.
    """

    def __init__(self, cfg: RelayConfig, on_interest: Callable[[], None]) -> None:
        self.cfg = cfg
        self._on_interest = on_interest
        self.conns: set[ClientConn] = set()
        self.routes: dict[Sub, set[ClientConn]] = {}
        #: subscriptions without clients, kept until their grace ends (a reconnecting client
        #: or a re-run cell does not churn the upstream)
        self.lingering: dict[Sub, asyncio.TimerHandle] = {}
        #: the newest depth snapshot / forming candle per subscription: a new subscriber gets it
        #: at once, as the service sends a fresh subscriber the current book
        self.last: dict[Sub, bytes] = {}
        #: which upstream connection ("epoch") the frames of each business come from
        self.epochs: dict[str, str] = {}
        self.window_s = 60.0 / cfg.time_scale
        self.idle_s = IDLE_MS / 1000 / cfg.time_scale
        self.taps: list[Callable[[str, str], None]] = []
        self.stats = {
            "upstream_frames": 0,
            "pushes_out": 0,
            "unroutable": 0,
            "client_frames": 0,
            "connections": 0,
            "refused": 0,
            "refused_subscriptions": 0,
            "epoch_drops": 0,
        }
        self.stats_closes: dict[str, int] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._interest_pending = False
        self._police_task: asyncio.Task[None] | None = None

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._police_task = asyncio.ensure_future(self._police())

    async def stop(self, message: str = "relay shutting down") -> None:
        if self._police_task is not None:
            self._police_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._police_task
        for h in self.lingering.values():
            h.cancel()
        self.lingering.clear()
        await asyncio.gather(
            *(self._shutdown(c, message) for c in list(self.conns)), return_exceptions=True
        )
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @staticmethod
    async def _shutdown(c: ClientConn, message: str) -> None:
        c.closing = True
        c.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                c.ws.close(code=WSCloseCode.GOING_AWAY, message=message.encode()), 2.0
            )

    def spawn(self, coro: Any) -> None:
        t = asyncio.ensure_future(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    async def _police(self) -> None:
        """Close clients that sent nothing for the protocol's 60 (scaled) seconds."""
        period = max(min(1.0, self.idle_s / 8), 0.01)
        while True:
            await asyncio.sleep(period)
            now = asyncio.get_running_loop().time()
            for c in list(self.conns):
                if not c.closing and now - c.last_frame > self.idle_s:
                    c.close_after_pending(
                        513,
                        ERROR_MESSAGES[513] + " (no frame for 60 s: send "
                        'a heartbeat {"code":10010} every 30 s)',
                        "idle",
                    )

    # ---- subscriptions -----------------------------------------------------------------------
    def interest(self) -> set[Sub]:
        """What this relay needs from the upstream: its clients' subscriptions and the lingering."""
        return {s for s, cs in self.routes.items() if cs} | set(self.lingering)

    def add_routes(self, conn: ClientConn, subs: list[Sub]) -> None:
        changed = False
        for s in subs:
            cs = self.routes.get(s)
            if cs is None:
                cs = self.routes[s] = set()
                handle = self.lingering.pop(s, None)
                if handle is not None:
                    handle.cancel()
                else:
                    changed = True
            cs.add(conn)
            last = self.last.get(s)
            if last is not None:
                conn.send(last)
        if changed:
            self._interest_changed()

    def remove_routes(self, conn: ClientConn, subs: list[Sub] | set[Sub]) -> None:
        loop = asyncio.get_running_loop()
        grace = self.cfg.unsubscribe_grace_s / self.cfg.time_scale
        changed = False
        for s in subs:
            cs = self.routes.get(s)
            if cs is None:
                continue
            cs.discard(conn)
            if cs:
                continue
            del self.routes[s]
            if grace > 0:
                self.lingering[s] = loop.call_later(grace, self._expire, s)
            else:
                self.last.pop(s, None)
                changed = True
        if changed:
            self._interest_changed()

    def _expire(self, s: Sub) -> None:
        if self.lingering.pop(s, None) is not None:
            self.last.pop(s, None)
            self._interest_changed()

    def _interest_changed(self) -> None:
        # one notification per burst: thirty clients subscribing in one loop turn cost one
        # reconciliation (the upstream session merges the frames anyway)
        if not self._interest_pending:
            self._interest_pending = True
            asyncio.get_running_loop().call_soon(self._notify_interest)

    def _notify_interest(self) -> None:
        self._interest_pending = False
        try:
            self._on_interest()
        except Exception:
            log.exception("relay: interest callback failed")

    # ---- fan-out -----------------------------------------------------------------------------
    def dispatch(self, business: str, frame: str) -> None:
        """Forward one upstream push frame, unchanged, to every client subscribed to it."""
        self.stats["upstream_frames"] += 1
        for tap in self.taps:
            tap(business, frame)
        route = push_route(business, frame)
        if route is None:
            self.stats["unroutable"] += 1
            return
        conns = self.routes.get(route)
        keep = route[1] != "trades" and (conns or route in self.lingering)
        if not conns and not keep:
            return
        data = frame.encode()
        if keep:
            self.last[route] = data
        if conns:
            for c in conns:
                c.send(data)
            self.stats["pushes_out"] += len(conns)

    def set_epoch(self, business: str, epoch: str) -> bool:
        """Record which upstream connection now feeds ``business``.

        When it changed (the upstream reconnected, or another relay took over), the frames in
        between are lost for every client of that business; the protocol has no way to say so
        except a close. Those clients are closed with error 500, reconnect (their session does
        it) and backfill the gap from REST, as they would after losing the service itself.
        Returns True when clients were dropped.
        """
        prev = self.epochs.get(business)
        self.epochs[business] = epoch
        if prev is None or prev == epoch:
            return False
        self.last = {s: f for s, f in self.last.items() if s[0] != business}
        victims = [c for c in self.conns if c.business == business]
        for c in victims:
            c.close_after_pending(
                500,
                "Server error: the relay's upstream connection was "
                "re-established; reconnect to backfill the gap",
                "upstream_changed",
                WSCloseCode.SERVICE_RESTART,
            )
        self.stats["epoch_drops"] += len(victims)
        return bool(victims)

    def drop_all(self, why: str) -> None:
        """A gap in the group's stream of unknown extent: every client reconnects and backfills."""
        self.last.clear()
        for c in list(self.conns):
            c.close_after_pending(
                500,
                f"Server error: {why}; reconnect to backfill the gap",
                "upstream_gap",
                WSCloseCode.SERVICE_RESTART,
            )

    # ---- status ------------------------------------------------------------------------------
    def subscriptions(self) -> dict[str, dict[str, Any]]:
        """``{business: {"trades": [...], "depth": [...], "candles": {kt: [...]}}}`` with counts."""
        out: dict[str, dict[str, Any]] = {}
        for (b, kind, kt, code), cs in sorted(self.routes.items()):
            d = out.setdefault(b, {"trades": {}, "depth": {}, "candles": {}})
            if kind == "candles":
                d["candles"].setdefault(str(kt), {})[code] = len(cs)
            else:
                d[kind][code] = len(cs)
        return out

    def clients(self) -> list[dict[str, Any]]:
        return [
            {
                "id": c.id,
                "peer": c.peer,
                "business": c.business,
                "subscriptions": len(c.subs),
                "codes": len({s[3] for s in c.subs}),
                "frames_in": c.frames_in,
                "frames_out": c.frames_out,
                "backlog": c.queue.qsize(),
            }
            for c in sorted(self.conns, key=lambda c: c.id)
        ]


async def handle(hub: Hub, request: web.Request) -> web.StreamResponse:
    """``GET /ws?business=...&apikey=<relay token>``: one client connection."""
    cfg = hub.cfg
    q = request.query
    if cfg.token_required() and not token_ok(q.get("apikey") or q.get("apiKey"), cfg.relay_token):
        hub.stats["refused"] += 1
        return web.Response(
            status=401,
            text="Unauthorized: the relay token (apikey) is missing or invalid",
            content_type="text/plain",
            headers={"www-authenticate": 'apikey realm="relay"'},
        )
    business = q.get("business", "")
    if business not in BUSINESSES:
        hub.stats["refused"] += 1
        return web.Response(
            status=400,
            content_type="text/plain",
            text=f"business must be one of {', '.join(BUSINESSES)}, e.g. /ws?business=stock",
        )
    ws = web.WebSocketResponse(
        max_msg_size=MAX_FRAME_BYTES, autoping=True, heartbeat=None, compress=False
    )
    await ws.prepare(request)
    hub.stats["connections"] += 1
    conn = ClientConn(hub, ws, business, str(request.remote or "?"))
    hub.conns.add(conn)
    sender = asyncio.ensure_future(conn.sender())
    if business == "stock":
        conn.send_text(RELAY_GREETING)
    conn.send_text(RELAY_WELCOME)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                conn.on_frame(msg.data)
            elif msg.type == WSMsgType.BINARY:
                try:
                    text: str | None = msg.data.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
                conn.on_frame(text)
            else:
                break
    finally:
        conn.closing = True
        conn.gone.set()
        hub.conns.discard(conn)
        hub.remove_routes(conn, conn.subs)
        conn.queue.put_nowait(None)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
        if not ws.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 1.0)
    return ws
