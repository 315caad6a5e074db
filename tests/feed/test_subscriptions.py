"""Reference counting of watches, and what the feed asks its source for because of them."""

from __future__ import annotations

import asyncio

import pytest

from infoway_widgets.errors import FeedClosedError
from infoway_widgets.feed import Feed
from infoway_widgets.feed.instruments import InstrumentRegistry
from infoway_widgets.feed.sources import Source
from infoway_widgets.feed.status import SessionStatus
from infoway_widgets.feed.subscriptions import Subscriptions, Watch, keys_for
from infoway_widgets.market import parse_symbol

from .conftest import wait_for

SYM = "600519.SH"


def test_keys_bars_need_trades():
    assert keys_for(SYM, trades=False, depth=False, intervals=[]) == []
    assert keys_for(SYM, trades=False, depth=True, intervals=["1m", "5m"]) == [
        ("trades", SYM),
        ("depth", SYM),
        ("bars", SYM, "1m"),
        ("bars", SYM, "5m"),
    ]


def test_counts_start_at_the_first_holder_and_end_at_the_last():
    subs = Subscriptions()
    a = keys_for(SYM, trades=True, depth=False, intervals=["1m"])
    b = keys_for(SYM, trades=False, depth=True, intervals=["1m"])
    assert subs.acquire(a) == [(("trades", SYM), True), (("bars", SYM, "1m"), True)]
    assert subs.acquire(b) == [
        (("trades", SYM), False),
        (("depth", SYM), True),
        (("bars", SYM, "1m"), False),
    ]
    assert subs.counts() == {f"trades:{SYM}": 2, f"bars:{SYM}:1m": 2, f"depth:{SYM}": 1}
    assert subs.intervals_of(SYM) == ["1m"] and subs.symbols() == {SYM}
    assert subs.release(a) == []
    assert ("trades", SYM) in subs
    assert sorted(subs.release(b)) == sorted(b)
    assert subs.counts() == {} and ("trades", SYM) not in subs


def test_watch_closes_once_and_cleans_up_first():
    calls: list[str] = []
    w = Watch(
        lambda keys: calls.append(f"release {keys}"),
        [("trades", SYM)],
        lambda: calls.append("cleanup"),
    )
    with w:
        assert not w.closed and repr(w) == f"Watch(trades:{SYM})"
    w.close()
    assert calls == ["cleanup", f"release {[('trades', SYM)]}"] and w.closed
    assert repr(w) == f"Watch(trades:{SYM}, closed)"


class Recorded(Source):
    """A source that reaches a service and writes down what the feed asks of it."""

    kind = "live"
    remote = True

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []
        self.asked = asyncio.Event()

    @property
    def replay(self):
        return None

    async def start(self):
        return None

    def _note(self, *call) -> None:
        self.calls.append(call)
        self.asked.set()

    def subscribe(self, kind, inst):
        self._note("subscribe", kind, inst.code)

    def unsubscribe(self, kind, inst):
        self._note("unsubscribe", kind, inst.code)

    async def history(self, code, interval, count=None, start_ms=None, end_ms=None, progress=None):
        self._note("history", code, str(interval), count)
        return []

    async def depth(self, codes):
        self._note("depth", tuple(codes))
        return []


async def test_the_feed_subscribes_once_and_unsubscribes_at_the_last_release():
    src = Recorded()
    feed = Feed(api_key=None, base_url=None, simulated=False, source=src)
    feed.start()
    await feed.ready()
    try:

        async def asked(n: int) -> None:
            await wait_for(lambda: len(src.calls) >= n, 5, f"{n} requests", src.asked)

        a = feed.watch(SYM, intervals=["1m"], history=5)
        await asked(2)
        assert sorted(src.calls) == [("history", SYM, "1m", 5), ("subscribe", "trades", SYM)]
        b = feed.watch(SYM, trades=True, intervals=["1m"], history=5)  # nothing new to ask
        c = feed.watch(
            SYM, intervals=["1m"], history=50
        )  # more history: topped up, not resubscribed
        await asked(3)
        assert src.calls[2] == ("history", SYM, "1m", 50)
        assert feed.watched() == {f"trades:{SYM}": 3, f"bars:{SYM}:1m": 3}
        d = feed.watch(SYM, depth=True)
        await asked(5)
        assert src.calls[3:] == [("subscribe", "depth", SYM), ("depth", (SYM,))]
        for w in (a, b):
            w.close()
        assert len(src.calls) == 5  # still held by c
        c.close()
        assert src.calls[5:] == [("unsubscribe", "trades", SYM)]
        d.close()
        assert src.calls[6:] == [("unsubscribe", "depth", SYM)] and feed.watched() == {}
        # a callback watch takes its callback away with it
        seen = []
        w = feed.on_trade(SYM, seen.append)
        feed.ingest(
            [
                '{"code":10002,"data":{"s":"600519.SH","t":1764034200000,"p":"10","v":"1","vw":"10","td":1}}'
            ]
        )
        w.close()
        feed.ingest(
            [
                '{"code":10002,"data":{"s":"600519.SH","t":1764034201000,"p":"10","v":"1","vw":"10","td":1}}'
            ]
        )
        assert len(seen) == 1
    finally:
        await feed.aclose()
    with pytest.raises(FeedClosedError):
        feed.watch(SYM, trades=True)
    with pytest.raises(FeedClosedError):
        feed.on_bar(SYM, "1m", lambda bar: None)
    assert not feed.listeners._bar.get((SYM, "1m"))  # the refused watch left no callback behind


def test_merged_status_failure_wins_then_reconnecting_then_connecting():
    st = SessionStatus(simulated=False)
    err = {"crypto": RuntimeError("Wrong key: check INFOWAY_API_KEY")}
    assert st.update("stock", "connecting", None, err.get) == ("connecting", "connecting")
    assert st.update("stock", "open", None, err.get) == ("live", "connected")
    assert st.update("crypto", "reconnecting", "lost", err.get) == ("reconnecting", "lost")
    assert st.update("crypto", "failed", None, err.get) == (
        "error",
        "Wrong key: check INFOWAY_API_KEY",
    )
    assert st.update("crypto", "closed", None, err.get) == ("live", "connected")
    assert st.update("stock", "closed", None, err.get) is None  # nothing open: keep what was shown
    assert st.welcome("stock", "Welcome to infoway", err.get) is None
    assert st.welcome("stock", "infoway-widgets relay", err.get) is None  # every channel closed
    assert st.via_relay and st.up() == ("relay", "through a relay")
    assert SessionStatus(simulated=True).up() == ("simulated", "simulated market (no API key)")


def test_registry_asks_the_universe_once_and_forgets_on_request():
    asked = []
    named = parse_symbol(SYM).with_name("贵州茅台")

    def universe():
        asked.append(1)
        return {SYM: named}

    reg = InstrumentRegistry(universe)
    assert reg.get("600519.sh").name == "贵州茅台" and reg.get(SYM) is named
    assert len(asked) == 1 and "600519.sh" in reg and set(reg.known()) == {SYM}
    reg.universe()[SYM] = named.with_name("renamed")
    assert reg.get(SYM).name == "贵州茅台"  # looked up before the change
    reg.forget(SYM)
    assert reg.get(SYM).name == "renamed" and len(asked) == 1
    live = InstrumentRegistry()  # no universe: a live feed's instruments carry no names
    assert live.get(SYM).name is None and live.universe() == {}


def test_a_server_that_says_it_is_simulated_is_never_shown_live():
    err: dict = {}
    st = SessionStatus(simulated=False)
    assert st.update("stock", "open", None, err.get) == ("live", "connected")
    # production's welcome changes nothing; the simulated market's server says what it is
    assert st.welcome("stock", "ws connect success", err.get) is None
    got = st.welcome("stock", "ws connect success (simulated)", err.get)
    assert got == ("simulated", "simulated market (the server says so)")
    assert st.welcome("stock", "ws connect success (simulated)", err.get) is None  # said once
