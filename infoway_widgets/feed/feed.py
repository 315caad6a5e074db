"""The Feed: one per kernel, shared by every widget.

It owns one WebSocket session per Infoway business channel and a REST client, keeps reference
counts of what widgets and users watch, decodes pushes in batches (numpy), folds trades into bars
for every watched interval, keeps books and tapes, settles completed bars against the service, and
backfills after a reconnect so that no bar is lost or doubled.

Everything runs on the asyncio loop the feed was created on (in Jupyter: the kernel's loop). No
threads touch feed state.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._secrets import install_log_filter, register_key
from ..errors import FeedClosedError, InfowayError
from ..market import (
    Instrument,
    Interval,
    bar_open,
    bar_opens,
    bar_span,
    parse_interval,
    parse_symbol,
)
from ..protocol.decode import decode_batch
from ..protocol.events import (
    Candle,
    Depth,
    ErrorFrame,
    Event,
    SubscribeFail,
    Trade,
    Unparsed,
    Welcome,
)
from .record import Recorder
from .stores import BarStore, BookStore, TapeStore

log = logging.getLogger("infoway_widgets.feed")

DEFAULT_BASE_URL = "https://data.infoway.io"
Callback = Callable[..., None]


@dataclass(frozen=True)
class Bar:
    """A bar as delivered to callbacks and async iterators."""

    symbol: str
    interval: str
    t: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    turnover: float

    @property
    def vwap(self) -> float:
        return self.turnover / self.volume if self.volume else math.nan


class Watch:
    """A reference-counted interest in a symbol. ``close()`` releases it (idempotent)."""

    def __init__(self, feed: Feed, keys: list[tuple[str, ...]]):
        self._feed = feed
        self._keys = keys
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._feed._release(self._keys)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Watch({', '.join(':'.join(k) for k in self._keys)}{', closed' if self.closed else ''})"


class Feed:
    """Live market state for a kernel. Create it with :func:`infoway_widgets.connect`."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        simulated: bool,
        time_scale: float = 1.0,
        history_count: int = 500,
        sim_options: dict[str, Any] | None = None,
        replay: Any = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ):
        install_log_filter()
        register_key(api_key)
        self._api_key = api_key
        self.base_url = base_url
        self.simulated = simulated
        self.time_scale = float(time_scale)
        self.history_count = int(history_count)
        self._sim_options = dict(sim_options or {})
        self._loop = loop or asyncio.get_running_loop()
        self.server: Any = None  # the embedded simulated server, when simulated
        self.rest: Any = None
        self._sessions: dict[str, Any] = {}
        self._ready = self._loop.create_future()
        self._closed = False
        self.status = "connecting"
        self.status_message = (
            "starting the simulated market" if simulated else "connecting to Infoway"
        )
        self._session_states: dict[str, str] = {}
        # state
        self._instruments: dict[str, Instrument] = {}
        self._bars: dict[tuple[str, str], BarStore] = {}
        self._stores_by_symbol: dict[str, list[BarStore]] = {}
        self._books: dict[str, BookStore] = {}
        self._tapes: dict[str, TapeStore] = {}
        self._day_flow: dict[str, list[float]] = defaultdict(
            lambda: [0.0, 0.0, 0.0]
        )  # buy, sell, neutral volume
        self._flow_span: dict[str, tuple[int, int]] = {}  # the trading day _day_flow counts
        self._refs: dict[tuple[str, ...], int] = defaultdict(int)
        self._loaded: dict[
            tuple[str, str], int
        ] = {}  # (symbol, interval) → bars of history asked for
        self._market_ms = 0  # latest exchange time seen in any push
        # incoming frames are batched and decoded together
        self._pending: list[str | bytes] = []
        self._flush_handle: asyncio.Handle | None = None
        # listeners
        self._change_cbs: list[Callable[[set[str]], None]] = []
        self._status_cbs: list[Callable[[str, str], None]] = []
        self._trade_cbs: dict[str, list[Callable[[Trade], None]]] = defaultdict(list)
        self._bar_cbs: dict[tuple[str, str], list[Callable[[Bar], None]]] = defaultdict(list)
        self._depth_cbs: dict[str, list[Callable[[Any], None]]] = defaultdict(list)
        self.warnings: list[str] = []
        self.stats = {
            "frames": 0,
            "trades": 0,
            "depth": 0,
            "candles": 0,
            "unparsed": 0,
            "reconnects": 0,
            "backfilled_bars": 0,
            "settled_bars": 0,
            "flushes": 0,
        }
        # settlement of completed bars and backfill
        self._forming: dict[tuple[str, str], int] = {}
        self._to_settle: dict[str, set[str]] = defaultdict(set)
        self._settle_handle: dict[str, asyncio.Handle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._recorder: Recorder | None = None
        self.replay = replay
        self.sim: Any = None  # the simulated market's lesson knobs, when simulated
        #: True once a server said it is a relay (its welcome message)
        self.via_relay = False

    @classmethod
    def detached(cls, *, history: int = 0) -> Feed:
        """A feed with no connection: push frames in yourself with :meth:`ingest` (custom sources,
        tests, benchmarks). Must be created on a running loop."""
        feed = cls(
            api_key=None, base_url=None, simulated=False, history_count=history, replay=_Detached()
        )
        feed._ready.set_result(True)
        feed.status, feed.status_message = (
            "detached",
            "no connection: frames are supplied by ingest()",
        )
        return feed

    # ---- lifecycle ---------------------------------------------------------------------------
    async def _start(self) -> None:
        try:
            if self.replay is not None:
                self._set_status("replay", "replaying a recording")
                self._ready.set_result(True)
                return
            if self.simulated and self.base_url is None:
                from ..sim import SimServer

                opts = dict(self._sim_options)
                opts.setdefault("speed", self.time_scale)
                server = SimServer(host="127.0.0.1", port=0, **opts)
                await server.start()
                # published only once started: widgets built meanwhile must not see a half server
                self.server = server
                self.base_url = server.url
                self.sim = server.market
            from ..client.rest import RestClient

            self.rest = RestClient(self.base_url or DEFAULT_BASE_URL, api_key=self._api_key)
            self._ready.set_result(True)
            self._set_status(
                "simulated" if self.simulated else "live",
                "simulated market (no API key)" if self.simulated else "connected",
            )
        except Exception as e:  # surface on the widgets, never kill the kernel
            log.exception("feed start failed")
            self._set_status("error", str(e))
            if not self._ready.done():
                self._ready.set_exception(e)

    async def ready(self, timeout: float | None = 30.0) -> Feed:
        """Wait until the feed can serve requests (the embedded server is up)."""
        await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        return self

    @property
    def market_ms(self) -> int:
        """The latest exchange time seen in any push (UTC epoch ms; 0 before the first trade)."""
        return self._market_ms

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` has run: a closed feed serves no new watches."""
        return self._closed

    @property
    def ws_base(self) -> str:
        base = self.base_url or DEFAULT_BASE_URL
        return base.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/ws"

    def _session(self, business: str) -> Any:
        s = self._sessions.get(business)
        if s is None:
            from ..client.ws import WsSession

            s = WsSession(
                self.ws_base,
                business,
                self._api_key,
                on_push=functools.partial(self._on_push, business),
                on_state=functools.partial(self._on_session_state, business),
                on_event=functools.partial(self._on_control_event, business),
                on_reconnect=functools.partial(self._on_reconnect, business),
                time_scale=self.time_scale,
            )
            self._sessions[business] = s
            self._spawn(s.start())
        return s

    async def aclose(self) -> None:
        """Unsubscribe everything, close sockets and the embedded server."""
        if self._closed:
            return
        self._closed = True
        for h in list(self._settle_handle.values()):
            h.cancel()
        if self._flush_handle:
            self._flush_handle.cancel()
        for s in list(self._sessions.values()):
            with contextlib.suppress(Exception):
                await s.close()
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(BaseException):
                await t
        if self.replay is not None:
            with contextlib.suppress(Exception):
                await self.replay.aclose()
        if self.rest is not None:
            with contextlib.suppress(Exception):
                await self.rest.aclose()
        if self.server is not None:
            with contextlib.suppress(Exception):
                await self.server.stop()
        if self._recorder:
            self._recorder.close()
        self._set_status("closed", "feed closed")
        from .connect import _forget

        _forget(self)

    def close(self) -> None:
        """Close from synchronous code: schedules :meth:`aclose` on the feed's loop."""
        if self._loop.is_running():
            self._spawn(self.aclose())
        else:
            self._loop.run_until_complete(self.aclose())

    async def __aenter__(self) -> Feed:
        return await self.ready()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        t = self._loop.create_task(coro)
        self._tasks.add(t)
        t.add_done_callback(self._task_done)
        return t

    def _task_done(self, t: asyncio.Task[Any]) -> None:
        self._tasks.discard(t)
        if t.cancelled():
            return
        e = t.exception()
        if e is not None and not isinstance(e, asyncio.CancelledError):
            log.warning("background task failed: %s", e)
            self._warn(f"{type(e).__name__}: {e}")

    # ---- status ------------------------------------------------------------------------------
    def _set_status(self, status: str, message: str = "") -> None:
        if (status, message) == (self.status, self.status_message):
            return
        self.status, self.status_message = status, message
        for cb in list(self._status_cbs):
            try:
                cb(status, message)
            except Exception:
                log.exception("status callback failed")

    def _on_session_state(self, business: str, state: str, message: str | None) -> None:
        self._session_states[business] = state
        states = set(self._session_states.values())
        ok = "relay" if self.via_relay else "simulated" if self.simulated else "live"
        if "failed" in states:
            failed = next(b for b, s in self._session_states.items() if s == "failed")
            sess = self._sessions.get(failed)
            err = getattr(sess, "error", None)
            self._set_status("error", str(err or message or f"{failed} connection failed"))
        elif "reconnecting" in states:
            self._set_status("reconnecting", message or "connection lost; reconnecting")
        elif "connecting" in states:
            self._set_status("connecting", message or "connecting")
        elif states <= {"open", "closed"} and "open" in states:
            self._set_status(
                ok,
                "through a relay"
                if self.via_relay
                else "simulated market (no API key)"
                if self.simulated
                else "connected",
            )

    def _warn(self, text: str) -> None:
        self.warnings.append(text)
        if len(self.warnings) > 200:
            del self.warnings[:100]

    def _on_control_event(self, business: str, ev: Event) -> None:
        if isinstance(ev, Welcome) and "relay" in ev.msg.lower() and not self.via_relay:
            # a relay (infoway-widgets serve --upstream ...) marks its welcome; say so on the widgets
            self.via_relay = True
            self._on_session_state(business, self._session_states.get(business, "open"), None)
        elif isinstance(ev, Unparsed):
            self.stats["unparsed"] += 1
            self._warn(f"unparsed frame on {business}: {ev.reason}")
        elif isinstance(ev, (ErrorFrame, SubscribeFail)):
            self._warn(f"{business}: {ev}")

    # ---- public registry -----------------------------------------------------------------------
    def instrument(self, symbol: str) -> Instrument:
        """The validated :class:`Instrument` for ``symbol`` (raises InvalidSymbolError with a hint)."""
        inst = self._instruments.get(symbol)
        if inst is None:
            inst = parse_symbol(symbol)
            if (self.simulated and self.base_url is None) or self.server is not None:
                # the simulated market's universe names its instruments (and marks ST names),
                # known even while the embedded server is still starting
                inst = self._sim_universe().get(inst.code, inst)
            self._instruments[symbol] = inst
            self._instruments[inst.code] = inst
        return inst

    def _sim_universe(self) -> dict[str, Instrument]:
        u = getattr(self, "_sim_insts", None)
        if u is None:
            if self.server is not None:
                u = dict(self.server.market.instruments)
            else:
                from ..sim.universe import default_profiles, extra_profiles

                profiles = default_profiles()
                extra = int(self._sim_options.get("extra_symbols", 0) or 0)
                if extra:
                    profiles += extra_profiles(extra, {p.inst.code for p in profiles})
                u = {p.inst.code: p.inst for p in profiles}
            self._sim_insts = u
        return u

    def bar_store(self, symbol: str, interval: Interval | str) -> BarStore:
        inst = self.instrument(symbol)
        iv = parse_interval(interval)
        key = (inst.code, iv.name)
        st = self._bars.get(key)
        if st is None:
            st = self._bars[key] = BarStore(inst, iv)
            self._stores_by_symbol.setdefault(inst.code, []).append(st)
        return st

    def book_store(self, symbol: str) -> BookStore:
        inst = self.instrument(symbol)
        st = self._books.get(inst.code)
        if st is None:
            st = self._books[inst.code] = BookStore(inst)
        return st

    def tape_store(self, symbol: str) -> TapeStore:
        inst = self.instrument(symbol)
        st = self._tapes.get(inst.code)
        if st is None:
            st = self._tapes[inst.code] = TapeStore(inst)
        return st

    # ---- subscriptions ---------------------------------------------------------------------------
    def watch(
        self,
        symbol: str,
        *,
        trades: bool = False,
        depth: bool = False,
        intervals: Iterable[Interval | str] = (),
        history: int | None = None,
    ) -> Watch:
        """Declare interest in ``symbol``: subscribes what is needed (trades for bars and tape,
        depth for the book) and loads ``history`` bars per interval in the background.
        Returns a :class:`Watch`; close it to release (the last release unsubscribes)."""
        if self._closed:
            raise FeedClosedError("this feed is closed; call iw.connect() for a new one")
        inst = self.instrument(symbol)
        ivs = [parse_interval(i) for i in intervals]
        keys: list[tuple[str, ...]] = []
        if trades or ivs:
            keys.append(("trades", inst.code))
        if depth:
            keys.append(("depth", inst.code))
        for iv in ivs:
            keys.append(("bars", inst.code, iv.name))
            self.bar_store(inst.code, iv)
        if trades or ivs:
            self.tape_store(inst.code)
        if depth:
            self.book_store(inst.code)
        want = history if history is not None else self.history_count
        for k in keys:
            self._refs[k] += 1
            if self._refs[k] == 1:
                self._activate(k, inst, want)
            elif k[0] == "bars" and want > self._loaded.get((k[1], k[2]), 0):
                # a later watcher wants more history than the first one loaded: top it up
                self._activate(k, inst, want, history_only=True)
        if self._recorder:
            self._recorder.watch(
                int(time.time() * 1000),
                inst.code,
                bool(trades or ivs),
                depth,
                [i.name for i in ivs],
            )
        return Watch(self, keys)

    def _activate(
        self, key: tuple[str, ...], inst: Instrument, history: int, *, history_only: bool = False
    ) -> None:
        async def go() -> None:
            await self.ready()
            if self.replay is not None:
                return
            kind = key[0]
            if history_only:
                kind = "bars" if kind == "bars" else ""
            if kind == "trades":
                self._session(inst.business).subscribe("trades", [inst.code])
            elif kind == "depth":
                self._session(inst.business).subscribe("depth", [inst.code])
                await self._initial_depth(inst)
            elif kind == "bars":
                iv = parse_interval(key[2])
                await self._load_history(inst, iv, history)

        self._spawn(go())

    def _release(self, keys: list[tuple[str, ...]]) -> None:
        for k in keys:
            self._refs[k] -= 1
            if self._refs[k] > 0:
                continue
            del self._refs[k]
            if self.replay is not None or self._closed:
                continue
            inst = self.instrument(k[1])
            sess = self._sessions.get(inst.business)
            if sess is None:
                continue
            if k[0] in ("trades", "depth"):
                sess.unsubscribe(k[0], [inst.code])

    def watched(self) -> dict[str, int]:
        """What is subscribed now, with reference counts (``"trades:600519.SH"`` → 2)."""
        return {":".join(k): n for k, n in self._refs.items()}

    # ---- history, backfill and settlement ----------------------------------------------------------
    async def _load_history(self, inst: Instrument, iv: Interval, count: int) -> None:
        key = (inst.code, iv.name)
        had = self._loaded.get(key, 0)
        if count <= had:
            return
        self._loaded[key] = count
        try:
            candles = await self.rest.history(inst.code, iv, count=count)
        except InfowayError as e:
            self._loaded[key] = had
            self._warn(f"history for {inst.code} {iv.name}: {e}")
            self._set_symbol_error(inst.code, str(e))
            return
        self._merge_candles(inst.code, iv.name, candles)

    def _merge_candles(
        self, symbol: str, interval: str, candles: list[Candle], *, all_settled: bool = False
    ) -> int:
        if not candles:
            return 0
        st = self.bar_store(symbol, interval)
        rows = sorted(candles, key=lambda c: c.t)
        arr = np.array(
            [[c.t, c.open, c.high, c.low, c.close, c.volume, c.turnover] for c in rows],
            dtype=np.float64,
        )
        t = arr[:, 0].astype(np.int64)
        # the newest bar may still be forming: merge it unsettled so live trades keep adding to it
        flags = np.ones(len(t), dtype=bool)
        if not all_settled:
            flags[-1] = False
        if self._recorder:
            self._recorder.bars(
                int(time.time() * 1000), symbol, interval, arr.tolist(), flags.tolist()
            )
        return self.apply_bar_rows(st, arr, flags)

    def apply_bar_rows(self, st: BarStore, arr: np.ndarray, settled: np.ndarray) -> int:
        """Merge rows ``[t, o, h, l, c, v, vw]`` into ``st``: settled rows replace their bar, unsettled
        ones are upserted so live trades keep adding to a forming bar. Shared by live and replay."""
        if len(arr) == 0:
            return 0
        t = arr[:, 0].astype(np.int64)
        s = np.asarray(settled, dtype=bool)
        n = 0
        if s.any():
            a = arr[s]
            n += st.merge(t[s], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5], a[:, 6], settled=True)
        for row in arr[~s]:
            st.upsert(int(row[0]), *row[1:].tolist(), settled=False)
            n += 1
        self._notify({st.instrument.code})
        return n

    async def _initial_depth(self, inst: Instrument) -> None:
        try:
            books = await self.rest.depth([inst.code])
        except InfowayError as e:
            self._warn(f"depth for {inst.code}: {e}")
            return
        for d in books:
            self._apply_depth(d)
        self._notify({inst.code})

    def _schedule_settle(self, symbol: str, interval: str) -> None:
        self._to_settle[interval].add(symbol)
        if interval in self._settle_handle or self.replay is not None:
            return
        # a short pause lets the service finish the bar; scaled like every other timer
        delay = max(0.05, 1.5 / self.time_scale)
        self._settle_handle[interval] = self._loop.call_later(
            delay, lambda: self._spawn(self._settle(interval))
        )

    async def _settle(self, interval: str) -> None:
        self._settle_handle.pop(interval, None)
        symbols = sorted(self._to_settle.pop(interval, set()))
        if not symbols or self.rest is None:
            return
        try:
            # several codes → the service returns the latest 2 bars each: the forming one and the
            # one that just completed, which is exactly what settlement needs
            got = await self.rest.klines(symbols, interval, count=2)
        except InfowayError as e:
            self._warn(f"settling {interval} bars: {e}")
            return
        for sym, candles in got.items():
            if not candles:
                continue
            n = self._merge_candles(sym, interval, candles)
            self.stats["settled_bars"] += max(0, n - 1)

    async def settle(self) -> None:
        """Confirm every completed bar against the service now (tests and exports call this).

        The periodic settlement asks for the latest two bars only; a completed bar that is still
        unsettled further back (its rollover settle came late, or a backfill was still running)
        is fetched here with enough bars to reach it.
        """
        for interval in list(self._settle_handle):
            self._settle_handle.pop(interval).cancel()
        deep: list[tuple[str, str, int]] = []
        for (sym, iv), st in list(self._bars.items()):
            if not any(k[0] == "bars" and k[1] == sym and k[2] == iv for k in self._refs):
                continue
            if len(st) > 1:
                uns = np.flatnonzero(~st.settled[:-1])
                if len(uns):
                    span = parse_interval(iv).ms or 86_400_000
                    latest = max(int(st.t[-1]), self._market_ms)
                    count = int(min(500, (latest - int(st.t[int(uns[0])])) // span + 2))
                    if count > 2:
                        deep.append((sym, iv, count))
                        continue
            self._to_settle[iv].add(sym)
        await asyncio.gather(
            *(self._settle(iv) for iv in list(self._to_settle)),
            *(self._settle_back(sym, iv, n) for sym, iv, n in deep),
        )

    async def _settle_back(self, symbol: str, interval: str, count: int) -> None:
        try:
            got = await self.rest.klines([symbol], interval, count=count)
        except InfowayError as e:
            self._warn(f"settling {symbol} {interval}: {e}")
            return
        n = self._merge_candles(symbol, interval, got.get(symbol, []))
        self.stats["settled_bars"] += max(0, n - 1)

    def _on_reconnect(self, business: str, down_ms: int, up_ms: int) -> None:
        self.stats["reconnects"] += 1
        self._spawn(self._backfill(business, down_ms, up_ms))

    async def _backfill(self, business: str, down_ms: int, up_ms: int) -> None:
        """Fetch the bars missed while the socket was down and merge them as settled."""
        gap_market_s = max(0.0, (up_ms - down_ms) / 1000 * self.time_scale)
        for sym, ivname in list(self._bars):
            inst = self.instrument(sym)
            if inst.business != business or ("bars", sym, ivname) not in self._refs:
                continue
            iv = parse_interval(ivname)
            span = iv.seconds or 86_400
            count = int(min(500, math.ceil(gap_market_s / span) + 3))
            try:
                got = await self.rest.klines([sym], iv, count=count)
            except InfowayError as e:
                self._warn(f"backfill {sym} {ivname}: {e}")
                continue
            candles = got.get(sym, [])
            self.stats["backfilled_bars"] += self._merge_candles(sym, ivname, candles)

    # ---- incoming pushes -------------------------------------------------------------------------
    def _on_push(self, business: str, frame: str | bytes, arrival_ms: int) -> None:
        self._pending.append(frame)
        if self._flush_handle is None:
            self._flush_handle = self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        frames, self._pending = self._pending, []
        if frames:
            if self._recorder:
                self._recorder.batch(int(time.time() * 1000), frames)
            self.ingest(frames)

    def ingest(self, frames: list[str | bytes]) -> set[str]:
        """Decode and apply a batch of push frames; returns the symbols that changed.

        This is the whole ingest path (codec + aggregation) that live, replay and the benchmark share.
        """
        self.stats["frames"] += len(frames)
        self.stats["flushes"] += 1
        cols, events = decode_batch(frames, latest_depth_only=not self._depth_cbs_any())
        changed: set[str] = set()
        if len(cols):
            self._apply_trades(cols, changed)
        for ev in events:
            if isinstance(ev, Depth):
                if ev.symbol in self._books or ev.symbol in self._instruments:
                    self._apply_depth(ev)
                    changed.add(ev.symbol)
            elif isinstance(ev, Candle):
                self._apply_candle(ev, changed)
            elif isinstance(ev, Unparsed):
                self.stats["unparsed"] += 1
                self._warn(f"unparsed push: {ev.reason}")
        if changed:
            self._notify(changed)
        return changed

    def _depth_cbs_any(self) -> bool:
        return any(self._depth_cbs.values())

    def _apply_trades(self, cols: Any, changed: set[str]) -> None:
        """Fold a batch of trades into tapes and every watched bar store.

        The batch is grouped by symbol once (a few ``reduceat`` calls for all symbols); a symbol
        whose trades all fall inside the bar a store is building is folded in as scalars, so the
        cost per batch hardly depends on how many intervals are watched.
        """
        n = len(cols)
        self.stats["trades"] += n
        self._market_ms = max(self._market_ms, int(cols.t.max()))
        codes = cols.symbol_codes
        if cols.n_symbols == 1:
            order = None
            starts = np.array([0])
        else:
            order = np.argsort(codes, kind="stable")
            cs = codes[order]
            starts = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
        t, p, v, vw, d = cols.t, cols.price, cols.volume, cols.turnover, cols.direction
        if order is not None:
            t, p, v, vw, d = t[order], p[order], v[order], vw[order], d[order]
            group_syms = [cols.symbols[int(codes[order[i]])] for i in starts.tolist()]
        else:
            group_syms = [cols.symbols[0]]
        ends = np.r_[starts[1:], n]
        tmin = np.minimum.reduceat(t, starts).tolist()
        tmax = np.maximum.reduceat(t, starts).tolist()
        hi = np.maximum.reduceat(p, starts).tolist()
        lo = np.minimum.reduceat(p, starts).tolist()
        vol = np.add.reduceat(v, starts).tolist()
        turn = np.add.reduceat(vw, starts).tolist()
        buy = np.add.reduceat(np.where(d == 1, v, 0.0), starts).tolist()
        sell = np.add.reduceat(np.where(d == 2, v, 0.0), starts).tolist()
        # time order inside each symbol's run: then first/last print are the run's ends
        mono = bool((np.diff(t) >= 0).all()) if n > 1 else True
        starts_l, ends_l = starts.tolist(), ends.tolist()
        stores_of = self._stores_by_symbol
        for k, sym in enumerate(group_syms):
            tape = self._tapes.get(sym)
            stores = stores_of.get(sym)
            if tape is None and not stores:
                continue  # not watched: an unsubscribe still in flight
            a, b = starts_l[k], ends_l[k]
            if tape is not None:
                tape.append(t[a:b], p[a:b], v[a:b], vw[a:b], d[a:b])
            flow = self._flow_for(sym, tmax[k])
            flow[0] += buy[k]
            flow[1] += sell[k]
            flow[2] += vol[k] - buy[k] - sell[k]
            if stores:
                run_mono = mono or bool((np.diff(t[a:b]) >= 0).all())
                for st in stores:
                    lo_s, hi_s, op = st.span
                    if run_mono and lo_s <= tmin[k] and tmax[k] < hi_s:
                        st.fold(
                            op, float(p[a]), hi[k], lo[k], float(p[b - 1]), vol[k], turn[k], tmax[k]
                        )
                    else:
                        self._fold_general(st, t[a:b], p[a:b], v[a:b], vw[a:b])
                    self._emit_bars(sym, st.interval.name, st)
            cbs = self._trade_cbs.get(sym)
            if cbs:
                for tr in _trades_of(sym, t[a:b], p[a:b], v[a:b], vw[a:b], d[a:b]):
                    for cb in list(cbs):
                        _safe(cb, tr)
            changed.add(sym)

    def _flow_for(self, sym: str, t_ms: int) -> list[float]:
        """The day's buy/sell/neutral volume of ``sym``, started afresh when trading moves into a new
        trading day (外盘/内盘 are per day)."""
        lo, hi = self._flow_span.get(sym, (0, 0))
        if not lo <= t_ms < hi:
            inst = self._instruments.get(sym) or self.instrument(sym)
            day_open = bar_open(inst, "1d", t_ms)
            if day_open is not None:
                span = bar_span(inst, "1d", day_open)
                if span != (lo, hi):
                    self._day_flow[sym] = [0.0, 0.0, 0.0]
                self._flow_span[sym] = span
        return self._day_flow[sym]

    def _fold_general(
        self, st: BarStore, t: np.ndarray, p: np.ndarray, v: np.ndarray, vw: np.ndarray
    ) -> None:
        """Trades that may span several bars (or leave a session): align each with the calendar."""
        inst = st.instrument
        opens = self._opens(inst, st, t)
        ok = opens >= 0
        if not ok.all():
            opens, t, p, v, vw = opens[ok], t[ok], p[ok], v[ok], vw[ok]
        if len(opens) == 0:
            return
        st.apply_trades(opens, t, p, v, vw)
        newest = int(opens.max())
        key = (inst.code, st.interval.name)
        prev = self._forming.get(key)
        if prev is not None and newest > prev:
            self._schedule_settle(inst.code, st.interval.name)
        if prev is None or newest > prev:
            self._forming[key] = newest

    def _opens(self, inst: Instrument, st: BarStore, t: np.ndarray) -> np.ndarray:
        """Bar open of each trade time; trades inside the bar already known skip the calendar."""
        lo, hi, op = st.span
        tmin, tmax = int(t.min()), int(t.max())
        if lo <= tmin and tmax < hi:
            return np.full(len(t), op, dtype=np.int64)
        opens = bar_opens(inst, st.interval, t)
        newest = int(opens[int(np.argmax(t))])
        if newest >= 0:
            a, b = bar_span(inst, st.interval, newest)
            st.span = (a, b, newest)
        return opens

    def _apply_depth(self, ev: Depth) -> None:
        self.stats["depth"] += 1
        self.book_store(ev.symbol).update(ev.t, ev.bid_px, ev.bid_vol, ev.ask_px, ev.ask_vol)
        for cb in list(self._depth_cbs.get(ev.symbol, ())):
            _safe(cb, self._books[ev.symbol].snapshot)

    def _apply_candle(self, ev: Candle, changed: set[str]) -> None:
        self.stats["candles"] += 1
        if ev.interval is None:
            return
        key = (ev.symbol, ev.interval.name)
        st = self._bars.get(key)
        if st is None:
            return
        st.upsert(ev.t, ev.open, ev.high, ev.low, ev.close, ev.volume, ev.turnover, settled=False)
        prev = self._forming.get(key)
        if prev is not None and ev.t > prev:
            self._schedule_settle(ev.symbol, ev.interval.name)
        if prev is None or ev.t > prev:
            self._forming[key] = ev.t
        self._emit_bars(ev.symbol, ev.interval.name, st)
        changed.add(ev.symbol)

    # ---- listeners ---------------------------------------------------------------------------------
    def _notify(self, changed: set[str]) -> None:
        for cb in list(self._change_cbs):
            try:
                cb(changed)
            except Exception:
                log.exception("change callback failed")

    def on_change(self, cb: Callable[[set[str]], None]) -> Callable[[], None]:
        """Call ``cb(symbols)`` after each batch that changed something. Returns an unsubscribe."""
        self._change_cbs.append(cb)
        return lambda: self._change_cbs.remove(cb) if cb in self._change_cbs else None

    def on_status(self, cb: Callable[[str, str], None]) -> Callable[[], None]:
        """Call ``cb(status, message)`` when the feed's status changes. Returns an unsubscribe."""
        self._status_cbs.append(cb)
        return lambda: self._status_cbs.remove(cb) if cb in self._status_cbs else None

    def on_trade(self, symbol: str, cb: Callable[[Trade], None]) -> Watch:
        """Call ``cb(trade)`` for every trade of ``symbol``; close the returned Watch to stop."""
        inst = self.instrument(symbol)
        return self._callback_watch(
            self._trade_cbs[inst.code], cb, self.watch(inst.code, trades=True)
        )

    def on_bar(self, symbol: str, interval: str, cb: Callable[[Bar], None]) -> Watch:
        """Call ``cb(bar)`` whenever a bar of ``symbol``/``interval`` changes."""
        inst = self.instrument(symbol)
        iv = parse_interval(interval)
        return self._callback_watch(
            self._bar_cbs[(inst.code, iv.name)], cb, self.watch(inst.code, intervals=[iv])
        )

    def on_depth(self, symbol: str, cb: Callable[[Any], None]) -> Watch:
        """Call ``cb(book_snapshot)`` on every order-book update of ``symbol``."""
        inst = self.instrument(symbol)
        return self._callback_watch(
            self._depth_cbs[inst.code], cb, self.watch(inst.code, depth=True)
        )

    @staticmethod
    def _callback_watch(registry: list[Any], cb: Callable[..., None], w: Watch) -> Watch:
        """Register ``cb`` in ``registry`` for as long as ``w`` is open."""
        registry.append(cb)
        orig = w.close

        def close() -> None:
            if cb in registry:
                registry.remove(cb)
            orig()

        w.close = close  # type: ignore[method-assign]
        return w

    def _emit_bars(self, sym: str, ivname: str, st: BarStore) -> None:
        cbs = self._bar_cbs.get((sym, ivname))
        if not cbs:
            return
        last = st.last()
        if last is None:
            return
        bar = Bar(
            sym,
            ivname,
            int(last["t"]),
            last["open"],
            last["high"],
            last["low"],
            last["close"],
            last["volume"],
            last["turnover"],
        )
        for cb in list(cbs):
            _safe(cb, bar)

    async def bars(
        self, symbol: str, interval: str = "1m", *, closed_only: bool = False, maxsize: int = 10_000
    ) -> AsyncIterator[Bar]:
        """``async for bar in feed.bars("600519.SH", "1m")``: each change of the forming bar (or,
        with ``closed_only``, each bar once it completes)."""
        q: asyncio.Queue[Bar] = asyncio.Queue(maxsize=maxsize)
        pending: list[Bar | None] = [None]

        def put(b: Bar) -> None:
            if closed_only:
                if pending[0] is not None and b.t > pending[0].t:
                    _put_drop_oldest(q, pending[0])
                pending[0] = b
                return
            _put_drop_oldest(q, b)

        w = self.on_bar(symbol, interval, put)
        try:
            while True:
                yield await q.get()
        finally:
            w.close()

    async def trades(self, symbol: str, *, maxsize: int = 100_000) -> AsyncIterator[Trade]:
        """``async for trade in feed.trades("600519.SH")``."""
        q: asyncio.Queue[Trade] = asyncio.Queue(maxsize=maxsize)
        w = self.on_trade(symbol, lambda tr: _put_drop_oldest(q, tr))
        try:
            while True:
                yield await q.get()
        finally:
            w.close()

    # ---- derived views ------------------------------------------------------------------------------
    def quote(self, symbol: str) -> dict[str, Any]:
        """Latest quote of ``symbol`` from its daily bars, tape and book (see keys in the docs)."""
        inst = self.instrument(symbol)
        day = self._bars.get((inst.code, "1d"))
        out: dict[str, Any] = {
            "symbol": inst.code,
            "name": inst.name,
            "last": None,
            "prev_close": None,
            "open": None,
            "high": None,
            "low": None,
            "volume": None,
            "turnover": None,
            "change": None,
            "change_pct": None,
            "limit_up": None,
            "limit_down": None,
            "t": None,
        }
        if day is not None and len(day):
            last = day.last()
            assert last is not None
            out.update(
                open=last["open"],
                high=last["high"],
                low=last["low"],
                last=last["close"],
                volume=last["volume"],
                turnover=last["turnover"],
                t=last["t"],
            )
            if len(day) >= 2:
                pc = float(day.column("close")[-2])
                out["prev_close"] = pc
                out["change"] = last["close"] - pc
                out["change_pct"] = (last["close"] / pc - 1) * 100 if pc else None
                lim = inst.price_limits(pc)
                if lim:
                    out["limit_down"], out["limit_up"] = lim
        tape = self._tapes.get(inst.code)
        if tape is not None and tape.total:
            i = (tape.total - 1) % tape.capacity
            out["last"] = float(tape._x[i, 0])
            out["t"] = int(tape._t[i])
        flow = self._day_flow.get(inst.code)
        out["buy_volume"], out["sell_volume"] = (flow[0], flow[1]) if flow else (0.0, 0.0)
        m1 = self._bars.get((inst.code, "1m"))
        out["spark"] = m1.column("close")[-60:].tolist() if m1 is not None and len(m1) else []
        return out

    def ashare(self, symbol: str) -> dict[str, Any]:
        """五档盘口 and quote-board extras: 委比, 委差, 外盘/内盘, 量比, 振幅, 涨停/跌停 (see feed.ashare)."""
        from .ashare import ashare_stats

        return ashare_stats(self, symbol)

    def intraday(self, symbol: str) -> dict[str, Any]:
        """The 分时图's data for today: fixed session axis, closes, 均价, volume (see feed.ashare)."""
        from .ashare import intraday

        return intraday(self, symbol)

    def _set_symbol_error(self, symbol: str, message: str) -> None:
        for cb in list(self._status_cbs):
            with contextlib.suppress(Exception):
                cb(self.status, f"{symbol}: {message}")

    async def load_more(self, symbol: str, interval: str, before_ms: int, count: int = 500) -> int:
        """Page ``count`` bars older than ``before_ms`` into the store (scrolling back on a chart)."""
        await self.ready()
        if self.replay is not None:
            return 0
        inst = self.instrument(symbol)
        iv = parse_interval(interval)
        candles = await self.rest.history(inst.code, iv, count=count, end_ms=int(before_ms) - 1)
        candles = [c for c in candles if c.t < before_ms]
        return self._merge_candles(inst.code, iv.name, candles, all_settled=True)

    async def history(
        self,
        symbol: str,
        interval: str = "1d",
        count: int | None = 250,
        *,
        start: Any = None,
        end: Any = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Bars from the service as a DataFrame (see :func:`infoway_widgets.history`)."""
        await self.ready()
        from .history import fetch_history

        return await fetch_history(
            self.rest,
            symbol,
            interval,
            count=count,
            start=start,
            end=end,
            progress=progress,
            instrument=self.instrument(symbol),
        )

    # ---- record -------------------------------------------------------------------------------------
    def record(self, path: str | os.PathLike[str]) -> Recorder:
        """Record every frame received and every REST merge to ``path`` (``.jsonl`` or ``.jsonl.gz``)
        until :meth:`stop_recording` or close. Replay with ``iw.connect(replay=path)``."""
        if self._recorder:
            self._recorder.close()
        self._recorder = Recorder(path, simulated=self.simulated, base_url=None)
        now = int(time.time() * 1000)
        syms = sorted({k[1] for k in self._refs})
        for sym in syms:
            ivs = sorted({k[2] for k in self._refs if k[0] == "bars" and k[1] == sym})
            self._recorder.watch(
                now, sym, ("trades", sym) in self._refs, ("depth", sym) in self._refs, ivs
            )
        # the state so far, so a replay starts where the recording did
        for (sym, iv), st in self._bars.items():
            if len(st):
                a = st.arrays()
                rows = np.column_stack(
                    [a["t"], a["open"], a["high"], a["low"], a["close"], a["volume"], a["turnover"]]
                )
                self._recorder.bars(
                    int(time.time() * 1000), sym, iv, rows.tolist(), st.settled.tolist()
                )
        return self._recorder

    def stop_recording(self) -> None:
        if self._recorder:
            self._recorder.close()
            self._recorder = None

    # ---- display ------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        src = (
            "simulated"
            if self.simulated
            else (
                "detached"
                if isinstance(self.replay, _Detached)
                else "replay"
                if self.replay is not None
                else "live"
            )
        )
        where = self.base_url or DEFAULT_BASE_URL
        subs = len({k[1] for k in self._refs})
        return f"<Feed {src} {where} status={self.status} symbols={subs}>"

    def _repr_html_(self) -> str:
        import html

        return f"<code>{html.escape(repr(self))}</code>" + (
            "<br><small>Simulated market: prices are generated, not real. Set "
            "INFOWAY_API_KEY for live data.</small>"
            if self.simulated
            else ""
        )


class _Detached:
    """Stands in for a replay source: the feed makes no network requests."""

    async def aclose(self) -> None:
        return None


def _put_drop_oldest(q: asyncio.Queue[Any], item: Any) -> None:
    if q.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            q.get_nowait()
    q.put_nowait(item)


def _safe(cb: Callable[..., None], *args: Any) -> None:
    try:
        cb(*args)
    except Exception:
        log.exception("callback failed")


def _trades_of(
    sym: str, t: np.ndarray, p: np.ndarray, v: np.ndarray, vw: np.ndarray, d: np.ndarray
) -> list[Trade]:
    return [
        Trade(sym, int(a), float(b), float(c), float(e), int(f))
        for a, b, c, e, f in zip(t, p, v, vw, d)
    ]
