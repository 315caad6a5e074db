"""Settlement and backfill, stepped by hand against a source that answers when told to."""

from __future__ import annotations

import asyncio

from infoway_widgets.feed.settlement import Settlement
from infoway_widgets.feed.sources import Source
from infoway_widgets.feed.state import MarketState
from infoway_widgets.feed.subscriptions import Subscriptions, keys_for
from infoway_widgets.market import parse_interval, parse_symbol
from infoway_widgets.protocol.events import Candle

SYM = "600519.SH"
MIN = 60_000
T0 = 1_786_000_000_000 - 1_786_000_000_000 % MIN


class SlowService(Source):
    """Holds its first ``klines`` answer (the backfill's) until ``release`` is set; answers every
    later one at once, so a settle() that does not wait would finish first."""

    kind = "live"
    remote = True

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.asked = asyncio.Event()
        self.calls = 0

    @property
    def replay(self):
        return None

    #: the service's bars: its newest one is forming
    bars = 3

    def candles(self, interval):
        iv = parse_interval(interval)
        return [
            Candle(SYM, T0 + k * MIN, iv, 10.0, 10.5, 9.5, 10.2, 100.0, 1020.0)
            for k in range(self.bars)
        ]

    async def klines(self, codes, interval, count=2):
        self.calls += 1
        if self.calls == 1:
            self.asked.set()
            await self.release.wait()
        return {SYM: self.candles(interval)[-count:]}

    async def history(self, code, interval, *, start_ms=None, **options):
        self.calls += 1
        return [c for c in self.candles(interval) if start_ms is None or c.t >= start_ms]


def _settlement(source, loop):
    inst = parse_symbol(SYM)
    state, subs = MarketState(), Subscriptions()
    subs.acquire(keys_for(SYM, trades=False, depth=False, intervals=["1m"]))
    state.bar_store(inst, parse_interval("1m"))
    merged: list[int] = []

    def merge(symbol, interval, candles, all_settled):
        st = state.bar_store(inst, parse_interval(interval))
        for c in candles:
            st.upsert(c.t, c.open, c.high, c.low, c.close, c.volume, c.turnover, settled=True)
        merged.append(len(candles))
        return len(candles)

    tasks: set[asyncio.Task] = set()
    return (
        state,
        merged,
        Settlement(
            source=source,
            state=state,
            subscriptions=subs,
            instrument=lambda s: inst,
            merge=merge,
            run=lambda coro: tasks.add(loop.create_task(coro)),
            warn=lambda text: None,
            symbol_error=lambda s, m: None,
            stats={"settled_bars": 0, "backfilled_bars": 0},
            time_scale=60.0,
            loop=loop,
        ),
    )


async def test_settle_all_waits_for_a_backfill_under_way() -> None:
    """A bar the socket missed entirely has no row that settle() could find unsettled; only the
    backfill brings it. settle() must not return before a backfill under way has merged."""
    loop = asyncio.get_running_loop()
    inst = parse_symbol(SYM)
    source = SlowService()
    state, merged, settlement = _settlement(source, loop)
    backfill = loop.create_task(settlement.backfill("stock", 0, 120_000))
    await source.asked.wait()
    settling = loop.create_task(settlement.settle_all())
    for _ in range(50):  # loop turns, not time: ample for a settle() that does not wait to finish
        await asyncio.sleep(0)
    assert not settling.done() and merged == []
    source.release.set()
    await settling
    assert backfill.done() and merged and merged[0] == 3
    assert len(state.bar_store(inst, parse_interval("1m"))) == 3


async def test_settle_all_confirms_the_newest_bar_after_the_market_moved_on() -> None:
    """After a reconnect the market can move two bars on before a trade reaches the feed: the
    store's newest bar looks forming but is complete. settle() fetches from the oldest
    unconfirmed bar, the newest one included, so it is confirmed however far the service is."""
    loop = asyncio.get_running_loop()
    inst = parse_symbol(SYM)
    source = SlowService()
    source.release.set()
    state, _merged, settlement = _settlement(source, loop)
    st = state.bar_store(inst, parse_interval("1m"))
    st.upsert(T0, 10.0, 10.5, 9.5, 10.2, 100.0, 1020.0, settled=True)
    st.upsert(T0 + MIN, 10.0, 10.1, 9.9, 10.0, 40.0, 400.0, settled=False)  # trades cut short
    source.bars = 4  # the service is two bars past the store's newest
    await settlement.settle_all()
    bar = st.to_pandas().iloc[1]
    assert bar["volume"] == 100.0 and bool(st.settled[1])
    assert len(st) == 4
