"""The Feed: one per kernel, shared by every widget. It routes; its parts do the work.

* A source (:mod:`.sources`: live, simulated, replay, detached) brings pushes and answers requests.
* Each batch of pushes is decoded together; :mod:`.aggregate` turns its trades into bar rows for
  every watched interval, and they land in the :class:`~.state.MarketState` (bars, books, tapes,
  the day's order flow, the market clock).
* :mod:`.subscriptions` counts who watches what; :mod:`.settlement` loads history, settles
  completed bars against the service and backfills after a reconnect, so no bar is lost or doubled.
* :mod:`.listeners` calls back and feeds the async iterators; :mod:`.status` merges the
  connections' states into one; :mod:`.quote` and :mod:`.ashare` compute views from the stores.
* :mod:`.symbols` keeps each code's own problems (unknown, refused by the plan, history failed)
  for the widgets of that code alone; :mod:`.silence` notices codes acked and then silent (how
  the service answers an unknown code), which one REST request per code then confirms.

Everything runs on the asyncio loop the feed was created on (in Jupyter: the kernel's loop). No
threads touch feed state.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._secrets import install_log_filter, register_key
from ..errors import FeedClosedError, InfowayError, InfowayTimeoutError, UnknownSymbolError
from ..market import Instrument, Interval, parse_interval
from ..protocol.events import Candle, Trade
from .ashare import ashare_of, intraday_view
from .frames import fetch_history
from .ingest import Ingest
from .instruments import InstrumentRegistry
from .listeners import Bar, Listeners, bar_stream, trade_stream
from .moneyflow import MoneyFlowDay, Thresholds, thresholds_of
from .orderflow import money_flow_day, volume_profile
from .problems import SymbolProblems
from .quote import quote_of
from .record import Recorder
from .settlement import Settlement, candle_rows
from .sources import DEFAULT_BASE_URL, Source, SourceEvents, source_for, ws_url
from .state import MarketState
from .status import FeedStatus
from .stores import BarStore, BookSnapshot, BookStore, TapeStore
from .subscriptions import SubKey, Subscriptions, Watch, keys_for
from .symbols import SymbolListener
from .tasks import Background

__all__ = ["Bar", "Feed", "Watch"]

log = logging.getLogger("infoway_widgets.feed")


#: what ``Feed.stats`` counts
STATS = "frames trades depth candles unparsed reconnects backfilled_bars settled_bars flushes"


def _now_ms() -> int:
    return int(time.time() * 1000)


class Feed:
    """Live market state for a kernel. Create it with :func:`infoway_widgets.connect`.

    Its parts are attributes: ``source`` (where data comes from), ``state`` (the stores, the day's
    order flow and the market clock), ``listeners`` and ``instruments``. Read them freely; change
    the feed through its methods.
    """

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
        source: Source | None = None,
    ):
        install_log_filter()
        register_key(api_key)
        self.simulated = simulated
        self.time_scale = float(time_scale)
        self.history_count = int(history_count)
        self._loop = loop or asyncio.get_running_loop()
        if source is None:
            source = source_for(api_key, base_url, simulated, self.time_scale, sim_options, replay)
        self.source = source
        self.state = MarketState()
        self.listeners = Listeners()
        # the simulated market (or a recording of it) names its instruments and marks ST names
        self.instruments = InstrumentRegistry(
            source.universe if simulated and base_url is None else None
        )
        self.stats = dict.fromkeys(STATS.split(), 0)
        self._status = FeedStatus(
            simulated, self.listeners.status, source.session_error, self.stats
        )
        self._warn = self._status.warn
        self._tasks = Background(self._loop, lambda e: self._warn(f"{type(e).__name__}: {e}"))
        self._subscriptions = Subscriptions()
        self._problems = SymbolProblems(
            source=source,
            subscriptions=self._subscriptions,
            instruments=self.instruments,
            run=self._tasks.run,
            warn=self._warn,
            time_scale=self.time_scale,
            loop=self._loop,
        )
        self.listeners.on_change(self._problems.data)
        self._settlement = Settlement(
            source=source,
            state=self.state,
            subscriptions=self._subscriptions,
            instrument=self.instrument,
            merge=self._merge_candles,
            run=self._tasks.run,
            warn=self._warn,
            symbol_error=self._problems.history,
            stats=self.stats,
            time_scale=self.time_scale,
            loop=self._loop,
        )
        self._ingest = Ingest(
            state=self.state,
            listeners=self.listeners,
            instruments=self.instruments,
            rolled_over=self._settlement.rolled_over,
            record=self._record_batch,
            stats=self.stats,
            warn=self._warn,
            loop=self._loop,
        )
        self._ready = self._loop.create_future()
        self._start_task: asyncio.Task[None] | None = None
        self._closed = False
        self._close_cbs: list[Callable[[], None]] = []
        self._recorder: Recorder | None = None
        source.bind(
            SourceEvents(
                push=self._ingest.push,
                session_state=self._status.session_state,
                control=self._status.control,
                reconnected=self._on_reconnect,
                run=self._tasks.run,
                outcome=self._problems.outcome,
            )
        )

    @classmethod
    def detached(cls, *, history: int = 0) -> Feed:
        """A feed with no connection: push frames in yourself with :meth:`ingest` (custom sources,
        tests, benchmarks). Must be created on a running loop."""
        feed = cls(
            api_key=None, base_url=None, simulated=False, history_count=history, source=Source()
        )
        feed._ready.set_result(True)
        feed._set_status("detached", "no connection: frames are supplied by ingest()")
        return feed

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the source in the background (:func:`~infoway_widgets.connect` does this);
        :meth:`ready` waits for it. Calling it again does nothing."""
        if self._start_task is None:
            self._start_task = self._loop.create_task(self._start())

    async def _start(self) -> None:
        try:
            status = await self.source.start()
            self._ready.set_result(True)
            self._set_status(*(status or self._status.connections.up()))
        except Exception as e:  # surface on the widgets, never kill the kernel
            log.exception("feed start failed")
            self._set_status("error", str(e))
            if not self._ready.done():
                self._ready.set_exception(e)

    async def ready(self, timeout: float | None = 30.0) -> Feed:
        """Wait until the feed can serve requests (the embedded server is up).

        Raises
        ------
        InfowayTimeoutError
            Not ready after ``timeout`` seconds (a :class:`TimeoutError`).
        Exception
            Whatever stopped the source from starting (the embedded server's port, say); the
            feed's status shows it too.
        """
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        except asyncio.TimeoutError:
            raise InfowayTimeoutError(
                f"the feed is not ready after {timeout} s (status {self.status}: "
                f"{self.status_message}); check the network and base_url, or wait longer"
            ) from None
        return self

    @property
    def market_ms(self) -> int:
        """The latest exchange time seen in any push (UTC epoch ms; 0 before the first trade)."""
        return self.state.market_ms

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` has run: a closed feed serves no new watches."""
        return self._closed

    @property
    def base_url(self) -> str | None:
        """The server this feed talks to (None: the Infoway service, or none at all)."""
        return self.source.base_url

    @property
    def ws_base(self) -> str:
        """The WebSocket endpoint the feed's sessions connect to."""
        return ws_url(self.base_url)

    @property
    def server(self) -> Any:
        """The embedded simulated server once started (None otherwise)."""
        return self.source.server

    @property
    def sim(self) -> Any:
        """The simulated market's lesson knobs, when the feed runs the embedded simulator."""
        return self.source.market

    @property
    def rest(self) -> Any:
        """The REST client once started (None for a replaying or detached feed)."""
        return self.source.rest

    @property
    def replay(self) -> Any:
        """The :class:`~infoway_widgets.feed.Replay` of a replaying feed; a stand-in (not None)
        for a detached one; None for a feed with a connection."""
        return self.source.replay

    @property
    def via_relay(self) -> bool:
        """True once a server said it is a relay (its welcome message)."""
        return self._status.connections.via_relay

    @property
    def status(self) -> str:
        """connecting, live, simulated, relay, replay, detached, reconnecting, error or closed."""
        return self._status.status

    @property
    def status_message(self) -> str:
        """What the status means now, in words for the widgets' badge."""
        return self._status.message

    @property
    def warnings(self) -> list[str]:
        """What went wrong in the background (history, settlement, a failed task), newest last."""
        return self._status.warnings

    async def aclose(self) -> None:
        """Unsubscribe everything, close sockets and the embedded server."""
        if self._closed:
            return
        self._closed = True
        self._settlement.cancel()
        self._problems.close()
        self._ingest.cancel()
        await self.source.disconnect()
        await self._tasks.cancel_all()
        await self.source.aclose()
        if self._recorder:
            self._recorder.close()
        self._set_status("closed", "feed closed")
        for cb in list(self._close_cbs):
            cb()

    def close(self) -> None:
        """Close from synchronous code: schedules :meth:`aclose` on the feed's loop."""
        if self._loop.is_running():
            self._tasks.run(self.aclose())
        else:
            self._loop.run_until_complete(self.aclose())

    def on_close(self, cb: Callable[[], None]) -> Callable[[], None]:
        """Call ``cb()`` once the feed has closed. Returns an unsubscribe."""
        self._close_cbs.append(cb)
        return lambda: self._close_cbs.remove(cb) if cb in self._close_cbs else None

    async def __aenter__(self) -> Feed:
        return await self.ready()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- status ------------------------------------------------------------------------------
    def _set_status(self, status: str, message: str = "") -> None:
        self._status.set(status, message)

    # ---- each symbol's own problems -------------------------------------------------------------
    @property
    def symbol_errors(self) -> Mapping[str, str]:
        """What is wrong with each watched code that has a problem, read-only: code → message
        (what happened, what to do). An unknown code ("no data for 999999.SH: check the code"),
        a stream the plan refused (which limit), a history that failed to load. A code leaves
        the mapping when its problem is solved or nothing watches it any more."""
        return self._problems.errors.view

    def on_symbol_error(self, cb: SymbolListener) -> Callable[[], None]:
        """Call ``cb(code, message)`` when a code's problem appears, changes or goes (``message``
        is then ``None``). Returns an unsubscribe."""
        return self._problems.errors.on_change(cb)

    # ---- instruments and stores --------------------------------------------------------------
    def instrument(self, symbol: str) -> Instrument:
        """The validated :class:`Instrument` for ``symbol`` (raises InvalidSymbolError with a hint)."""
        return self.instruments.get(symbol)

    def bar_store(self, symbol: str, interval: Interval | str) -> BarStore:
        """The bars of ``symbol`` at ``interval`` (made empty on first use; watch to fill them)."""
        return self.state.bar_store(self.instrument(symbol), parse_interval(interval))

    def book_store(self, symbol: str) -> BookStore:
        """The order book of ``symbol`` (made empty on first use)."""
        return self.state.book(self.instrument(symbol))

    def tape_store(self, symbol: str) -> TapeStore:
        """The latest trades of ``symbol`` (made empty on first use)."""
        return self.state.tape(self.instrument(symbol))

    # ---- subscriptions -----------------------------------------------------------------------
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
        return self._watch(symbol, trades=trades, depth=depth, intervals=intervals, history=history)

    def _watch(
        self,
        symbol: str,
        *,
        trades: bool = False,
        depth: bool = False,
        intervals: Iterable[Interval | str] = (),
        history: int | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> Watch:
        if self._closed:
            if cleanup is not None:
                cleanup()
            raise FeedClosedError("this feed is closed; call iw.connect() for a new one")
        inst = self.instrument(symbol)
        ivs = [parse_interval(i) for i in intervals]
        keys = keys_for(inst.code, trades=trades, depth=depth, intervals=[i.name for i in ivs])
        for iv in ivs:
            self.state.bar_store(inst, iv)
        if trades or ivs:
            self.state.tape(inst)
        if depth:
            self.state.book(inst)
        want = history if history is not None else self.history_count
        for k, first in self._subscriptions.acquire(keys):
            # a later watcher may want more history than the first one loaded: top it up
            if first or (k[0] == "bars" and self._settlement.wants_more(k[1], k[2], want)):
                self._activate(k, inst, want)
        if self._recorder:
            self._recorder.watch(
                _now_ms(), inst.code, bool(trades or ivs), depth, [i.name for i in ivs]
            )
        return Watch(self._release, keys, cleanup)

    def _activate(self, key: SubKey, inst: Instrument, history: int) -> None:
        """Ask the source, once ready, for what ``key`` needs: a stream, a book, history."""

        async def go() -> None:
            await self.ready()
            if not self.source.remote:
                return
            if key[0] == "bars":
                await self._settlement.load(inst, parse_interval(key[2]), history)
                return
            self.source.subscribe(key[0], inst)
            if key[0] == "depth":
                await self._initial_depth(inst)

        self._tasks.run(go())

    def _release(self, keys: list[SubKey]) -> None:
        for k in self._subscriptions.release(keys):
            if not self._closed and k[0] in ("trades", "depth"):
                self.source.unsubscribe(k[0], self.instrument(k[1]))
        held = self._subscriptions.symbols()
        for code in {k[1] for k in keys} - held:
            self._problems.released(code)

    def watched(self) -> dict[str, int]:
        """What is subscribed now, with reference counts (``"trades:600519.SH"`` → 2)."""
        return self._subscriptions.counts()

    # ---- bars from the service ---------------------------------------------------------------
    def _merge_candles(
        self, symbol: str, interval: str, candles: list[Candle], all_settled: bool = False
    ) -> int:
        if not candles:
            return 0
        st = self.bar_store(symbol, interval)
        rows, flags = candle_rows(candles, all_settled=all_settled)
        if self._recorder:
            self._recorder.bars(_now_ms(), symbol, interval, rows.tolist(), flags.tolist())
        return self.apply_bar_rows(st, rows, flags)

    def apply_bar_rows(self, st: BarStore, arr: np.ndarray, settled: np.ndarray) -> int:
        """Merge rows ``[t, o, h, l, c, v, vw]`` into ``st``: settled rows replace their bar, unsettled
        ones are upserted so live trades keep adding to a forming bar. Shared by live and replay."""
        if len(arr) == 0:
            return 0
        n = self.state.merge_rows(st, arr, settled)
        self.listeners.changed({st.instrument.code})
        return n

    async def _initial_depth(self, inst: Instrument) -> None:
        try:
            books = await self.source.depth([inst.code])
        except InfowayError as e:
            self._warn(f"depth for {inst.code}: {e}")
            if isinstance(e, UnknownSymbolError):
                self._problems.unknown(inst.code)
            return
        for d in books:
            self._ingest.depth(d)
        self.listeners.changed({inst.code})

    async def settle(self) -> None:
        """Confirm every completed bar against the service now (tests and exports call this).

        The periodic settlement asks for the latest two bars only; a completed bar that is still
        unsettled further back (its rollover settle came late, or a backfill was still running)
        is fetched here with enough bars to reach it.
        """
        await self._settlement.settle_all()

    def _on_reconnect(self, business: str, down_ms: int, up_ms: int) -> None:
        self.stats["reconnects"] += 1
        # bars are backfilled exactly from REST; the trades of the gap (their direction, the
        # tape) are lost: the day's 外盘/内盘 say they are incomplete since the drop
        self.state.missed_trades(
            {c for c, inst in self.state.watched.items() if inst.instrument.business == business}
        )
        self._tasks.run(self._settlement.backfill(business, down_ms, up_ms))

    async def load_more(self, symbol: str, interval: str, before_ms: int, count: int = 500) -> int:
        """Page ``count`` bars older than ``before_ms`` into the store (scrolling back on a chart)."""
        await self.ready()
        if not self.source.remote:
            return 0
        inst = self.instrument(symbol)
        return await self._settlement.page_back(inst, parse_interval(interval), before_ms, count)

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
        return await fetch_history(
            self.source,
            symbol,
            interval,
            count=count,
            start=start,
            end=end,
            progress=progress,
            instrument=self.instrument(symbol),
        )

    # ---- incoming pushes -----------------------------------------------------------------------
    def ingest(self, frames: list[str | bytes]) -> set[str]:
        """Decode and apply a batch of push frames; returns the symbols that changed.

        This is the whole ingest path (codec + aggregation) that live, replay and the benchmark share.
        """
        return self._ingest.frames(frames)

    # ---- listeners -----------------------------------------------------------------------------
    def on_change(self, cb: Callable[[set[str]], None]) -> Callable[[], None]:
        """Call ``cb(symbols)`` after each batch that changed something. Returns an unsubscribe."""
        return self.listeners.on_change(cb)

    def on_status(self, cb: Callable[[str, str], None]) -> Callable[[], None]:
        """Call ``cb(status, message)`` when the feed's status changes. Returns an unsubscribe."""
        return self.listeners.on_status(cb)

    def on_trade(self, symbol: str, cb: Callable[[Trade], None]) -> Watch:
        """Call ``cb(trade)`` for every trade of ``symbol``; close the returned Watch to stop."""
        inst = self.instrument(symbol)
        remove = self.listeners.on_trade(inst.code, cb)
        return self._watch(inst.code, trades=True, cleanup=remove)

    def on_bar(self, symbol: str, interval: str, cb: Callable[[Bar], None]) -> Watch:
        """Call ``cb(bar)`` whenever a bar of ``symbol``/``interval`` changes."""
        inst = self.instrument(symbol)
        iv = parse_interval(interval)
        remove = self.listeners.on_bar(inst.code, iv.name, cb)
        return self._watch(inst.code, intervals=[iv], cleanup=remove)

    def on_depth(self, symbol: str, cb: Callable[[BookSnapshot | None], None]) -> Watch:
        """Call ``cb(book_snapshot)`` on every order-book update of ``symbol``."""
        inst = self.instrument(symbol)
        remove = self.listeners.on_depth(inst.code, cb)
        return self._watch(inst.code, depth=True, cleanup=remove)

    def bars(
        self, symbol: str, interval: str = "1m", *, closed_only: bool = False, maxsize: int = 10_000
    ) -> AsyncIterator[Bar]:
        """``async for bar in feed.bars("600519.SH", "1m")``: each change of the forming bar (or,
        with ``closed_only``, each bar once it completes)."""
        return bar_stream(
            lambda cb: self.on_bar(symbol, interval, cb), closed_only=closed_only, maxsize=maxsize
        )

    def trades(self, symbol: str, *, maxsize: int = 100_000) -> AsyncIterator[Trade]:
        """``async for trade in feed.trades("600519.SH")``."""
        return trade_stream(lambda cb: self.on_trade(symbol, cb), maxsize=maxsize)

    # ---- derived views -------------------------------------------------------------------------
    def quote(self, symbol: str) -> dict[str, Any]:
        """Latest quote of ``symbol`` from its daily bars, tape and book (see keys in the docs)."""
        return quote_of(self.state, self.instrument(symbol))

    def ashare(self, symbol: str) -> dict[str, Any]:
        """五档盘口 and quote-board extras: 委比, 委差, 外盘/内盘, 量比, 振幅, 涨停/跌停 (see feed.ashare);
        ``flow_incomplete_since`` says since when 外盘/内盘 miss the trades of a disconnect."""
        inst = self.instrument(symbol)
        return ashare_of(self.state, inst, self.quote(symbol))

    def intraday(self, symbol: str) -> dict[str, Any]:
        """The 分时图's data for today: fixed session axis, closes, 均价, volume (see feed.ashare)."""
        inst = self.instrument(symbol)
        m1 = self.bar_store(symbol, "1m")
        return intraday_view(inst, m1, self.quote(symbol), self.market_ms)

    def money_flow(
        self, symbol: str, preset: str | Thresholds | Mapping[str, Any] = "tushare"
    ) -> pd.DataFrame:
        """资金流向 of ``symbol`` today: turnover, volume and trade counts by size class and side.

        Parameters
        ----------
        symbol
            A code whose trades the feed watches (a tape, a chart, a :class:`~infoway_widgets.MoneyFlow`).
        preset
            ``"tushare"`` (by turnover: 小单 < 5万, 中单 5–20万, 大单 20–100万, 特大单 ≥ 100万),
            ``"joinquant"`` (超大 ≥ 50万股 or 100万元, 大 ≥ 10万股 or 20万元, 中 ≥ 2万股 or 4万元),
            or your own :class:`~infoway_widgets.feed.moneyflow.Thresholds` (or a mapping
            ``{"turnover": (a, b, c), "volume": (x, y, z)}``).

        Returns
        -------
        DataFrame
            Indexed by ``small``, ``medium``, ``large``, ``xlarge`` (小单 / 中单 / 大单 / 特大单)
            with ``inflow`` (turnover of buyer-initiated trades, ``td`` = 1), ``outflow``
            (``td`` = 2), ``net``, the same in volume (``*_volume``) and trade counts
            (``*_count``). ``attrs`` holds ``main_net`` (主力净流入: net of large + xlarge),
            ``neutral`` (``td`` = 0, never in a class), ``preset``, ``thresholds``, ``since``
            (the first trade counted) and ``gap_since`` (trades missed in a disconnect). It is
            an estimate (估算): trades are classified, not orders.
        """
        return self.money_flow_day(symbol, preset).frame()

    def money_flow_day(
        self, symbol: str, preset: str | Thresholds | Mapping[str, Any] = "tushare"
    ) -> MoneyFlowDay:
        """The live accumulator behind :meth:`money_flow` (widgets read its version and line)."""
        return money_flow_day(self.state, self.instrument(symbol), thresholds_of(preset))

    def volume_profile(
        self, symbol: str, *, start: Any = None, end: Any = None, share: float = 0.7
    ) -> pd.DataFrame:
        """Traded volume at each price of ``symbol``: the trading day so far, or the trades the
        tape holds between ``start`` and ``end`` (times or UTC ms; the tape keeps the latest
        trades only).

        Returns
        -------
        DataFrame
            One row per price (ascending; a tick apart): ``buy`` (``td`` = 1), ``sell`` (2),
            ``neutral`` and ``volume``; ``attrs`` holds ``poc`` (the price that traded most),
            ``value_low`` / ``value_high`` (the value area around it holding ``share`` of the
            volume) and ``total``.
        """
        return volume_profile(self.state, self.instrument(symbol), start, end, share)

    # ---- record --------------------------------------------------------------------------------
    def record(self, path: str | os.PathLike[str]) -> Recorder:
        """Record every frame received and every REST merge to ``path`` (``.jsonl`` or ``.jsonl.gz``)
        until :meth:`stop_recording` or close. Replay with ``iw.connect(replay=path)``."""
        if self._recorder:
            self._recorder.close()
        self._recorder = Recorder(path, simulated=self.simulated, base_url=None)
        # the state so far, so a replay starts where the recording did
        self._recorder.state(self._subscriptions, self.state.bars)
        return self._recorder

    def _record_batch(self, frames: list[str | bytes]) -> None:
        if self._recorder:
            self._recorder.batch(_now_ms(), frames)

    def stop_recording(self) -> None:
        """Close the recording :meth:`record` started (nothing if none)."""
        if self._recorder:
            self._recorder.close()
            self._recorder = None

    # ---- display -------------------------------------------------------------------------------
    def __repr__(self) -> str:
        src = "simulated" if self.simulated else self.source.kind
        where = self.base_url or DEFAULT_BASE_URL
        subs = len(self._subscriptions.symbols())
        return f"<Feed {src} {where} status={self.status} symbols={subs}>"

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(repr(self))}</code>" + (
            "<br><small>Simulated market: prices are generated, not real. Set "
            "INFOWAY_API_KEY for live data.</small>"
            if self.simulated
            else ""
        )
