"""Each code's own problems: the pure parts stepped through integer time, then the feed against
the simulated server on 127.0.0.1 (an unknown code next to valid ones, a quiet market, a plan
limit)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import infoway_widgets as iw
from infoway_widgets.errors import PlanLimitError
from infoway_widgets.feed.silence import SilenceWatch
from infoway_widgets.feed.symbols import (
    SymbolErrors,
    refused_message,
    suggest,
    unknown_message,
)
from infoway_widgets.sim import serve

from .conftest import wait_for

SH = ZoneInfo("Asia/Shanghai")


# ---- pure -------------------------------------------------------------------------------------
def test_silence_asks_once_about_a_code_acked_then_silent() -> None:
    w = SilenceWatch(quick_ms=100, period_ms=1000)
    w.acked("999999.SH", "stock", 0)
    w.acked("600519.SH", "stock", 0)
    w.acked("BTCUSDT", "crypto", 0)
    assert w.next_deadline() == 1000  # nothing streams yet: the long period
    w.pushed({"600519.SH"}, 40)  # a code of the channel streams: the short one for the others
    assert w.next_deadline() == 100
    assert w.due(99) == []
    assert w.due(100) == ["999999.SH"]  # BTCUSDT's channel proved nothing yet
    assert w.next_deadline() == 1000 and w.due(999) == []
    assert w.due(1000) == ["BTCUSDT"]
    assert w.next_deadline() is None and w.waiting == {}
    # asked once per subscription: a re-ack (a reconnect) does not ask again
    w.acked("999999.SH", "stock", 2000)
    assert w.waiting == {} and w.due(10_000) == []
    # a code that streams later is no longer in question; one forgotten starts afresh
    w.pushed({"BTCUSDT"}, 3000)
    w.forget("999999.SH")
    w.acked("999999.SH", "stock", 4000)
    assert w.waiting == {"999999.SH": 4000} and w.next_deadline() == 5000


def test_silence_never_asks_about_a_code_that_streamed() -> None:
    w = SilenceWatch(quick_ms=10, period_ms=100)
    w.acked("600519.SH", "stock", 0)
    w.pushed({"600519.SH"}, 5)
    w.acked("600519.SH", "stock", 50)  # acked again after a reconnect
    assert w.waiting == {} and w.due(10_000) == [] and w.next_deadline() is None
    w.pushed({"NOT-ACKED"}, 60)  # pushes of codes it does not know are ignored
    assert w.waiting == {}


def test_symbol_errors_keep_causes_apart_and_tell_each_change_once() -> None:
    errs = SymbolErrors()
    heard: list[tuple[str, str | None]] = []
    remove = errs.on_change(lambda c, m: heard.append((c, m)))
    errs.set("999999.SH", "unknown", unknown_message("999999.SH"))
    errs.set("999999.SH", "unknown", unknown_message("999999.SH"))  # the same: not told again
    errs.set("600519.SH", "history", "history of 600519.SH could not be loaded: x")
    errs.set("600519.SH", "refused:depth", "600519.SH: order book refused by the service. y")
    assert dict(errs.view) == {
        "999999.SH": "no data for 999999.SH: check the code",
        "600519.SH": "history of 600519.SH could not be loaded: x; "
        "600519.SH: order book refused by the service. y",
    }
    with pytest.raises(TypeError):
        errs.view["x"] = "y"  # type: ignore[index]
    errs.clear("600519.SH", "history")
    errs.clear("600519.SH", "history")  # already gone: nothing to tell
    errs.clear("600519.SH")
    errs.clear("nothing")
    assert dict(errs.view) == {"999999.SH": "no data for 999999.SH: check the code"}
    assert [c for c, _ in heard] == [
        "999999.SH",
        "600519.SH",
        "600519.SH",
        "600519.SH",
        "600519.SH",
    ]
    assert heard[-1] == ("600519.SH", None)
    remove()
    errs.clear("999999.SH")
    assert len(heard) == 5 and dict(errs.view) == {}


def test_messages_say_what_happened_and_what_to_do() -> None:
    assert unknown_message("600518.SH", "600519.SH") == (
        "no data for 600518.SH: check the code (did you mean 600519.SH?)"
    )
    assert suggest("600518.SH", ["600519.SH", "000001.SZ"]) == "600519.SH"
    assert suggest("600518.SZ", ["600519.SH"]) is None  # another market
    assert suggest("999999.SH", ["600519.SH"]) is None  # nothing close
    err = PlanLimitError("Infoway stream error 505: 'limit'. Subscribe fewer.", code=505)
    assert refused_message("600519.SH", "depth", err) == (
        "600519.SH: order book refused by the service. Infoway stream error 505: 'limit'. "
        "Subscribe fewer."
    )


# ---- the feed on the simulated server ------------------------------------------------------------
async def test_an_unknown_code_is_flagged_alone_and_a_quiet_one_is_not() -> None:
    """23:00 in Shanghai: New York trades, Shanghai is closed. An unknown code and a known but
    quiet one are both acked and silent beside a streaming one; REST tells them apart."""
    start = dt.datetime(2026, 11, 24, 23, 0, tzinfo=SH)
    async with serve(port=0, seed=3, speed=60.0, start=start) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True, history=0)
        try:
            await feed.ready()
            heard: list[tuple[str, str | None]] = []
            feed.on_symbol_error(lambda c, m: heard.append((c, m)))
            ws = [feed.watch(c, trades=True) for c in ("AAPL.US", "600519.SH", "999999.SH")]
            await wait_for(lambda: "999999.SH" in feed.symbol_errors, 20, "the unknown code")
            assert feed.symbol_errors["999999.SH"] == "no data for 999999.SH: check the code"
            # the quiet code was asked about too (after the same silence), and is no error
            await wait_for(lambda: not feed._problems.silence.waiting, 20, "both questions")
            await feed.settle()
            assert set(feed.symbol_errors) == {"999999.SH"} and feed.status == "simulated"
            assert feed.tape_store("AAPL.US").total > 0
            assert heard == [("999999.SH", "no data for 999999.SH: check the code")]
            ws[2].close()  # nothing watches it any more: its problem goes
            assert dict(feed.symbol_errors) == {} and heard[-1] == ("999999.SH", None)
        finally:
            await feed.aclose()


async def test_history_and_books_of_unknown_codes_are_their_own_problem() -> None:
    async with serve(port=0, seed=3, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True, history=20)
        try:
            await feed.ready()
            statuses: list[tuple[str, str]] = []
            feed.on_status(lambda s, m: statuses.append((s, m)))
            good = feed.watch("600519.SH", intervals=["1m"])
            bad_chart = feed.watch("999999.SH", intervals=["1m"])
            bad_book = feed.watch("688999.SH", depth=True)
            await wait_for(
                lambda: {"999999.SH", "688999.SH"} <= set(feed.symbol_errors), 20, "both flagged"
            )
            assert set(feed.symbol_errors) == {"999999.SH", "688999.SH"}
            # the feed's status listeners (every widget) heard nothing of either code
            assert (
                feed.status == "simulated"
                and statuses
                and statuses[-1] == ("simulated", "simulated market (the server says so)")
            )
            assert not any("999999" in m or "688999" in m for _, m in statuses)
            assert len(feed.bar_store("600519.SH", "1m")) >= 20
            for w in (good, bad_chart, bad_book):
                w.close()
            assert dict(feed.symbol_errors) == {}
        finally:
            await feed.aclose()


async def test_a_plan_limit_refuses_the_fourth_code_and_the_three_stream_on() -> None:
    async with serve(port=0, seed=5, speed=30.0, max_codes=3) as server:
        feed = iw.connect(base_url=server.url, speed=30.0, new=True, history=0)
        try:
            await feed.ready()
            codes = ["600519.SH", "000001.SZ", "300750.SZ"]
            ws = [feed.watch(c, trades=True) for c in codes]
            await wait_for(lambda: all(feed.tape_store(c).total for c in codes), 20, "three")
            ws.append(feed.watch("600200.SH", trades=True))
            await wait_for(lambda: "600200.SH" in feed.symbol_errors, 20, "the fourth refused")
            msg = feed.symbol_errors["600200.SH"]
            assert msg.startswith("600200.SH: trades refused by the service.")
            assert "505" in msg and "3 codes per connection" in msg and "upgrade the plan" in msg
            before = {c: feed.tape_store(c).total for c in codes}
            await wait_for(
                lambda: all(feed.tape_store(c).total > before[c] for c in codes), 20, "streaming"
            )
            assert feed.status == "simulated" and set(feed.symbol_errors) == {"600200.SH"}
            [conn] = server.connections()
            assert conn.trades == set(codes)
            session = feed.source.sessions["stock"]
            assert session.state == "open" and session.stats["reconnects"] == 0
            assert session.stats["sub_frames"] == 2  # the three together, the fourth once
            ws[0].close()  # room again: a new watch of the fourth is asked afresh
            ws[3].close()
            assert "600200.SH" not in feed.symbol_errors
            ws.append(feed.watch("600200.SH", trades=True))
            await wait_for(lambda: feed.tape_store("600200.SH").total > 0, 20, "fourth streams")
            assert "600200.SH" not in feed.symbol_errors
            for w in ws:
                w.close()
        finally:
            await feed.aclose()
