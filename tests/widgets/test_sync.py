"""Coalescing, frames, snapshot and resync of the live widgets (no browser)."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pandas as pd

from infoway_widgets.widgets import CandleChart, OrderBook, QuoteBoard, TradeTape
from infoway_widgets.widgets._wire import SCHEMA_VERSION, column_names

SYM = "600519.SH"


async def settle(widget, rounds: int = 3) -> None:
    """Let pending flushes run (a flush is at most 1/max_fps s away)."""
    for _ in range(rounds):
        await asyncio.sleep(1.05 / widget.max_fps)


def mirror(frames) -> dict[int, tuple[float, ...]]:
    """Bars as a front-end holding every frame would have them."""
    bars: dict[int, tuple[float, ...]] = {}
    for header, cols in frames:
        if header["kind"] != "bars":
            continue
        if header.get("reset"):
            bars = {}
        for i, t in enumerate(cols["t"]):
            bars[int(t)] = tuple(
                float(cols[k][i]) for k in ("open", "high", "low", "close", "volume", "turnover")
            )
    return bars


async def test_coalescing_10k_ticks_per_second(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    tape = TradeTape(SYM, feed=feed)
    book = OrderBook(SYM, feed=feed)
    await settle(chart)
    loop = asyncio.get_running_loop()
    start = loop.time()
    n_ticks = 0
    # 10 000 trades per second for 1.5 s, in ~5 ms batches (each batch notifies the widgets);
    # a late wake-up is caught up, so the rate holds on a busy machine too
    while (el := loop.time() - start) < 1.5:
        due = int(10_000 * el) - n_ticks
        if due > 0:
            feed.trade(SYM, due, dt_ms=1)
            n_ticks += due
        await asyncio.sleep(0.005)
    elapsed = loop.time() - start
    await settle(chart)
    assert n_ticks / elapsed > 5000  # the producer really ran at several thousand ticks/s

    for w in (chart, tape, book):
        times = [t for c, _, t in sent.of(w) if c.get("kind") != "control" and t >= start]
        # at most max_fps frames in any 1-second window (one extra for the window's edge)
        for i, t0 in enumerate(times):
            in_window = sum(1 for t in times[i:] if t < t0 + 1.0)
            assert in_window <= w.max_fps + 1, (type(w).__name__, in_window)
        assert len(times) >= 10  # and it did keep sending while data flowed

    # final state exact, nothing dropped from the bars
    store = feed.bar_store(SYM, "1m")
    got = mirror(sent.frames(chart))
    a = store.arrays()
    want = {
        int(t): tuple(
            float(a[k][i]) for k in ("open", "high", "low", "close", "volume", "turnover")
        )
        for i, t in enumerate(a["t"])
    }
    assert got == want

    # seq rises by one per frame
    seqs = [c["seq"] for c, _ in sent.frames(chart)]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))

    # the tape view ends with the newest max_rows trades, in order
    rows: list[float] = []
    for header, cols in sent.frames(tape):
        if header.get("reset"):
            rows = []
        rows.extend(cols["t"].tolist())
    assert (
        rows[-tape.max_rows :]
        == feed.tape_store(SYM).since(0)["t"][-tape.max_rows :].astype(float).tolist()
    )
    for w in (chart, tape, book):
        w.close()


async def test_frame_schema_and_float64(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    feed.trade(SYM, 3)
    await settle(chart)
    header, buffers, _ = [m for m in sent.of(chart) if m[0].get("kind") == "bars"][-1]
    assert header["v"] == SCHEMA_VERSION and header["kind"] == "bars"
    # the usual columns travel as "*": most of a delta's header otherwise
    assert header["cols"] == ["*"]
    assert column_names(header) == ["t", "open", "high", "low", "close", "volume", "turnover"]
    assert len(buffers) == len(column_names(header))
    for b in buffers:
        assert len(b) == 8 * header["n"]  # float64, not float32/int32
    t = np.frombuffer(buffers[0], "<f8")
    assert t[-1] == feed.bar_store(SYM, "1m").t[-1]  # epoch ms survive exactly
    json.dumps(header)  # the header is plain JSON
    chart.close()


async def test_snapshot_trait_is_bounded_json_and_matches_seq(feed, sent):
    chart = CandleChart(SYM, feed=feed, history=800)
    chart.snapshot_interval = 0.0
    feed.trade(SYM, 5)
    await settle(chart)
    snap = chart._snapshot
    json.dumps(snap, allow_nan=False)
    assert snap["header"]["seq"] == chart._seq
    assert len(snap["cols"]["t"]) == chart.snapshot_bars == 500
    assert snap["cols"]["t"][-1] == float(feed.bar_store(SYM, "1m").t[-1])
    chart.close()


async def test_resync_request_sends_full_frame(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    n_before = len(sent.frames(chart))
    chart._on_front_msg(chart, {"type": "resync"}, [])
    frames = sent.frames(chart)
    assert len(frames) == n_before + 1
    header, cols = frames[-1]
    assert header["reset"] is True
    assert len(cols["t"]) == len(feed.bar_store(SYM, "1m"))
    assert header["seq"] == frames[-2][0]["seq"] + 1
    # deltas continue after the full frame
    feed.trade(SYM, 2)
    await settle(chart)
    assert sent.frames(chart)[-1][0]["seq"] == header["seq"] + 1
    assert not sent.frames(chart)[-1][0].get("reset")
    chart.close()


async def test_store_trim_sends_full_frame(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    feed.bar_store(SYM, "1m").clear()
    feed.trade(SYM, 2)
    await settle(chart)
    header, cols = sent.frames(chart)[-1]
    assert header["reset"] and len(cols["t"]) == len(feed.bar_store(SYM, "1m"))
    chart.close()


async def test_load_more_pages_older_bars(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    store = feed.bar_store(SYM, "1m")
    first = int(store.t[0])
    chart._on_front_msg(chart, {"type": "load_more", "before": first, "count": 300}, [])
    await settle(chart)
    assert len(store) == 800 and store.t[0] < first
    controls = [c for c, _, _ in sent.of(chart) if c.get("kind") == "control"]
    assert controls[-1] == {"kind": "control", "what": "loaded", "count": 300, "before": first}
    assert len(mirror(sent.frames(chart))) == 800
    chart.close()


async def test_interval_switch_refetches(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    chart.interval = "5m"
    await settle(chart)
    header, cols = sent.frames(chart)[-1]
    assert header["reset"] and header["interval"] == "5m"
    assert np.all(np.diff(cols["t"]) == 300_000)
    assert chart._interval_ms == 300_000
    assert any(c[1]["intervals"] == ("5m",) for c in feed.watch_calls)
    assert feed.refs[SYM] >= 1
    chart.close()


async def test_close_unsubscribes_and_stops(feed, sent):
    widgets = [
        CandleChart(SYM, feed=feed),
        OrderBook(SYM, feed=feed),
        TradeTape(SYM, feed=feed),
        QuoteBoard([SYM, "00700.HK"], feed=feed),
    ]
    assert feed.refs[SYM] > 0
    for w in widgets:
        w.close()
    assert all(n == 0 for n in feed.refs.values())
    assert not feed._change_cbs and not feed._status_cbs
    n = len(sent.items)
    feed.trade(SYM, 5)
    await asyncio.sleep(0.2)
    assert len(sent.items) == n
    assert "closed" in repr(widgets[0])


async def test_status_mirrors_feed(feed, sent):
    book = OrderBook(SYM, feed=feed)
    assert book.status == "simulated" and book.simulated
    feed.set_status("reconnecting", "socket dropped; retry in 2 s")
    assert book.status == "reconnecting" and "retry" in book.status_message
    book.close()


async def test_pandas_accessors(feed, sent):
    chart, book, tape = (
        CandleChart(SYM, feed=feed),
        OrderBook(SYM, feed=feed),
        TradeTape(SYM, feed=feed),
    )
    feed.trade(SYM, 20)
    bars = chart.bars
    assert isinstance(bars, pd.DataFrame) and list(bars.columns)[:6] == [
        "open",
        "high",
        "low",
        "close",
        "volume",
        "turnover",
    ]
    assert str(bars.index.tz) == "Asia/Shanghai" and len(bars) >= 500
    snap = book.snapshot
    assert list(snap.columns) == ["bid_px", "bid_vol", "ask_px", "ask_vol"] and len(snap) == 5
    trades = tape.trades
    assert len(trades) == 20 and trades.index[0] >= trades.index[-1]  # newest first
    assert set(trades["direction"].unique()) <= {0, 1, 2}
    for w in (chart, book, tape):
        w.close()


async def test_board_select_and_partial_rows(feed, sent):
    board = QuoteBoard([SYM, "00700.HK", "AAPL.US"], feed=feed, sort_by="change_pct")
    got: list[str] = []
    board.on_select(got.append)
    board._on_front_msg(board, {"type": "select", "symbol": "00700.HK"}, [])
    assert got == ["00700.HK"] and board.selected == "00700.HK"
    board._on_front_msg(board, {"type": "select", "symbol": "NOPE"}, [])
    assert got == ["00700.HK"]
    await settle(board)
    feed.trade(SYM, 3)
    await settle(board)
    header, cols = sent.frames(board)[-1]
    assert header["symbols"] == [SYM] and cols["last"][0] == feed.quote(SYM)["last"]
    assert int(cols["spark_len"][0]) == len(cols["spark"])
    assert isinstance(board.quotes, pd.DataFrame) and list(board.quotes.index) == [
        SYM,
        "00700.HK",
        "AAPL.US",
    ]
    board.close()


async def test_no_key_in_traits_or_messages(feed, sent):
    secret = "sk-live-SECRET-0123456789abcdef"
    feed.api_key = secret  # the real Feed holds one; nothing may leak it
    feed.status_message = ""
    ws = [
        CandleChart(SYM, feed=feed),
        OrderBook(SYM, feed=feed),
        TradeTape(SYM, feed=feed),
        QuoteBoard([SYM], feed=feed),
    ]
    feed.trade(SYM, 10)
    await settle(ws[0])
    for w in ws:
        state = json.dumps(w.get_state(), default=str)
        assert secret not in state
        assert secret not in repr(w)
    for _, content, buffers, _ in sent.items:
        assert secret not in json.dumps(content, default=str)
        assert all(secret.encode() not in b for b in buffers)
    for w in ws:
        w.close()


def test_esm_is_a_string_and_bundles_exist():
    from infoway_widgets.widgets._esm import STATIC

    for cls, kind in (
        (CandleChart, "candle"),
        (OrderBook, "book"),
        (TradeTape, "tape"),
        (QuoteBoard, "board"),
    ):
        assert (STATIC / f"{kind}.js").exists(), "run `npm run build` in js/"
        assert isinstance(cls._esm, str) and "export" in cls._esm
    assert "Lightweight Charts" in (STATIC / "candle.js").read_text()
    assert "TradingView" in (STATIC / "NOTICE.txt").read_text()


async def test_dashboard_links_by_symbol(feed, sent):
    from infoway_widgets.widgets import Dashboard

    dash = Dashboard([SYM, "00700.HK", "AAPL.US"], feed=feed)
    assert dash.chart.symbol == dash.book.symbol == dash.tape.symbol == SYM
    dash.board.select("00700.HK")
    assert dash.chart.symbol == dash.book.symbol == dash.tape.symbol == "00700.HK"
    assert dash.picker.value == "00700.HK"
    dash.picker.value = "600519"  # invalid: a message with the suggestion, nothing changes
    assert "600519.SH" in dash.message.value and dash.chart.symbol == "00700.HK"
    dash.interval_toggle.value = "15m"
    assert dash.chart.interval == "15m"
    await settle(dash.chart)
    assert sent.frames(dash.chart)[-1][0]["interval"] == "15m"
    assert "Dashboard('00700.HK'" in repr(dash)
    dash.close()
    assert all(n == 0 for n in feed.refs.values())


async def test_get_state_carries_a_fresh_snapshot_without_pushing_it(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    chart.snapshot_interval = 3600.0  # the trait is not pushed again during this test
    pushed = chart._snapshot
    feed.trade(SYM, 30, dt_ms=5_000)  # crosses into new bars
    await settle(chart)
    assert chart._snapshot is pushed
    state = chart.get_state()
    snap = state["_snapshot"]
    assert snap["header"]["seq"] == chart._seq
    assert (
        snap["cols"]["t"][-1] == float(feed.bar_store(SYM, "1m").t[-1]) != pushed["cols"]["t"][-1]
    )
    assert "_esm" in state and state["_view_name"] == "AnyView"  # nothing dropped for embeds
    chart.close()
