"""The relay's fan-out: who wants which upstream subscription, and the push frames sent to them.

Subscriptions are reference-counted across client connections; one without clients lingers for a
grace period so that a reconnecting client or a re-run cell does not churn the upstream. Push
frames are forwarded as the exact text received upstream, in the order received: each is built
into a WebSocket frame once and shared by every subscriber, and each client's frames of one loop
turn are written together (one flush per turn for all clients). The newest depth snapshot and forming candle of each
subscription are kept, so that a new subscriber gets them at once, as the service sends a fresh
subscriber the current book.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import WSCloseCode

from ..protocol.codes import IDLE_MS, PUSH_KINDS
from .wire import text_frame

if TYPE_CHECKING:
    from .clients import RelayClient
    from .config import RelayConfig

log = logging.getLogger("infoway_widgets.relay")

#: (business, kind, klineType or 0, code): one upstream subscription; kinds as WsSession names them
Sub = tuple[str, str, int, str]


def push_route(business: str, frame: str) -> Sub | None:
    """The subscription a push frame belongs to, or ``None`` for anything unroutable.

    orjson parses a 150-byte frame in about a microsecond; a hand-written scanner would save
    little and break on the first frame in another key order.
    """
    try:
        obj = orjson.loads(frame)
        kind = PUSH_KINDS[obj["code"]]
        data = obj["data"]
        code = data["s"]
        kt = data.get("ty", 0) if kind == "candles" else 0
        return business, kind, int(kt), str(code)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


class Fanout:
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
        self.conns: set[RelayClient] = set()
        self.routes: dict[Sub, set[RelayClient]] = {}
        #: subscriptions without clients, kept until their grace ends
        self.lingering: dict[Sub, asyncio.TimerHandle] = {}
        #: the newest depth snapshot / forming candle per subscription, for a new subscriber
        self.last: dict[Sub, bytes] = {}
        #: which upstream connection ("epoch") the frames of each business come from
        self.epochs: dict[str, str] = {}
        #: the protocol's window and idle limit on the relay's clock (ms, scaled)
        self.window_ms = max(1, round(60_000 / cfg.time_scale))
        self.idle_ms = max(1, round(IDLE_MS / cfg.time_scale))
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
        #: clients with frames waiting, flushed once per loop turn
        self._dirty: list[RelayClient] = []
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
            *(c.shutdown(WSCloseCode.GOING_AWAY, message) for c in list(self.conns)),
            return_exceptions=True,
        )
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        t = asyncio.ensure_future(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    def count_close(self, reason: str) -> None:
        self.stats_closes[reason] = self.stats_closes.get(reason, 0) + 1

    async def _police(self) -> None:
        """Close clients that sent nothing for the protocol's 60 (scaled) seconds."""
        period = max(min(1.0, self.idle_ms / 8000), 0.01)
        while True:
            await asyncio.sleep(period)
            now = int(asyncio.get_running_loop().time() * 1000)
            for c in list(self.conns):
                c.poll(now)

    # ---- subscriptions -----------------------------------------------------------------------
    def interest(self) -> set[Sub]:
        """What this relay needs from the upstream: its clients' subscriptions and the lingering."""
        return {s for s, cs in self.routes.items() if cs} | set(self.lingering)

    def add_routes(self, conn: RelayClient, subs: Iterable[Sub]) -> None:
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
                conn.push(last)
        if changed:
            self._interest_changed()

    def remove_routes(self, conn: RelayClient, subs: Iterable[Sub]) -> None:
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
        wire = text_frame(frame.encode())
        if keep:
            self.last[route] = wire
        if conns:
            for c in conns:
                c.push(wire)
            self.stats["pushes_out"] += len(conns)

    def want_flush(self, conn: RelayClient) -> None:
        """``conn`` has its first frame waiting in this loop turn: flush it at the turn's end."""
        if not self._dirty:
            asyncio.get_running_loop().call_soon(self._flush)
        self._dirty.append(conn)

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, []
        for c in dirty:
            try:
                c.flush()
            except Exception:  # one broken connection must not stop the others' writes
                log.exception("relay: writing to client %s failed", c.id)

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
        return [c.status() for c in sorted(self.conns, key=lambda c: c.id)]


__all__ = ["Fanout", "Sub", "push_route"]
