"""The ingest path: a batch of push frames decoded together, applied to the state, announced.

Trades go through the :class:`~.aggregate.Aggregator` into tapes, day flow and bars; depth
snapshots replace books; service candles are upserted into the bars they belong to. Each watched
symbol's listeners hear of its bars and trades as it is applied, the change listeners once per
batch. Live pushes, replay and the benchmark all come through here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..protocol.decode import TradeColumns, decode_batch
from ..protocol.events import Candle, Depth, Unparsed
from .aggregate import Aggregator
from .instruments import InstrumentRegistry
from .listeners import Listeners
from .state import MarketState


class Ingest:
    """Batches a feed's pushes, applies them to its state and tells its listeners."""

    def __init__(
        self,
        *,
        state: MarketState,
        listeners: Listeners,
        instruments: InstrumentRegistry,
        rolled_over: Callable[[str, str], None],
        record: Callable[[list[str | bytes]], None],
        stats: dict[str, int],
        warn: Callable[[str], None],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._state = state
        self._listeners = listeners
        self._instruments = instruments
        self._rolled_over = rolled_over
        self._record = record
        self._stats = stats
        self._warn = warn
        self._loop = loop
        self._aggregator = Aggregator()
        self._pending: list[str | bytes] = []
        self._flush_handle: asyncio.Handle | None = None

    def push(self, business: str, frame: str | bytes, arrival_ms: int) -> None:
        """A live push frame: kept until the loop is idle, then decoded with the others that came
        meanwhile (one numpy pass per batch instead of one per frame)."""
        self._pending.append(frame)
        if self._flush_handle is None:
            self._flush_handle = self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        frames, self._pending = self._pending, []
        if frames:
            self._record(frames)
            self.frames(frames)

    def cancel(self) -> None:
        """Drop a batch not yet applied (the feed is closing)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()

    def frames(self, frames: list[str | bytes]) -> set[str]:
        """Decode and apply a batch of push frames; returns the symbols that changed."""
        self._stats["frames"] += len(frames)
        self._stats["flushes"] += 1
        # with nobody listening to each depth update, only a batch's latest book per symbol counts
        cols, events = decode_batch(
            frames, latest_depth_only=not self._listeners.wants_every_depth()
        )
        changed: set[str] = set()
        if len(cols):
            self._trades(cols, changed)
        for ev in events:
            if isinstance(ev, Depth):
                if ev.symbol in self._state.books or ev.symbol in self._instruments:
                    self.depth(ev)
                    changed.add(ev.symbol)
            elif isinstance(ev, Candle):
                self._candle(ev, changed)
            elif isinstance(ev, Unparsed):
                self._stats["unparsed"] += 1
                self._warn(f"unparsed push: {ev.reason}")
        if changed:
            self._listeners.changed(changed)
        return changed

    def _trades(self, cols: TradeColumns, changed: set[str]) -> None:
        state, listeners = self._state, self._listeners
        batch = self._aggregator.fold(cols, state.watched)
        self._stats["trades"] += batch.trades
        state.market_ms = max(state.market_ms, batch.t_max)
        state.apply_batch(batch)
        if listeners.wants_bars_or_trades():
            for run in batch.runs:
                for st in state.series(run.symbol):
                    listeners.bar(run.symbol, st.interval.name, st)
                listeners.trades(
                    run.symbol, run.t, run.price, run.volume, run.turnover, run.direction
                )
        changed.update([run.symbol for run in batch.runs])
        for symbol, interval in batch.rollovers:
            self._rolled_over(symbol, interval)

    def depth(self, ev: Depth) -> None:
        """A depth snapshot (pushed, or from REST) into its symbol's book."""
        self._stats["depth"] += 1
        book = self._state.book(self._instruments.get(ev.symbol))
        book.update(ev.t, ev.bid_px, ev.bid_vol, ev.ask_px, ev.ask_vol)
        self._listeners.depth(ev.symbol, book.snapshot)

    def _candle(self, ev: Candle, changed: set[str]) -> None:
        self._stats["candles"] += 1
        if ev.interval is None:
            return
        key = (ev.symbol, ev.interval.name)
        st = self._state.bars.get(key)
        if st is None:
            return  # a series nobody watches (any more)
        st.upsert(ev.t, ev.open, ev.high, ev.low, ev.close, ev.volume, ev.turnover, settled=False)
        if self._aggregator.advance(key, ev.t):
            self._rolled_over(*key)
        self._listeners.bar(ev.symbol, ev.interval.name, st)
        changed.add(ev.symbol)
