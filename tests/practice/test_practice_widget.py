"""iw.Practice without a browser: the chart's feed, frames and snapshot never hold a bar after
the practice clock; the Python API and the buttons trade by the rules; the end reveals all."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.widgets._base import LiveWidget
from infoway_widgets.widgets._wire import decode_frame

SYM = "000001.SZ"


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The bar columns of every frame a chart sends."""
    out: list[dict[str, Any]] = []

    def send(self: Any, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        if content.get("kind") == "bars":
            cols = decode_frame(content, list(buffers or []))
            if "t" not in cols:  # base64 columns travel in the JSON
                cols = {k: np.asarray(v) for k, v in content.get("data", {}).items()}
            out.append({"interval": content.get("interval"), "t": cols.get("t", np.zeros(0))})

    monkeypatch.setattr(LiveWidget, "send", send)
    return out


async def _flushed(p: iw.Practice) -> None:
    # the chart's coalescer sends on the loop: one flush happens within a few loop turns
    for _ in range(20):
        await asyncio.sleep(0)
    p.chart._send_full()


def _latest_everywhere(p: iw.Practice, frames: list[dict[str, Any]]) -> float:
    store = p._round_chart.feed.bar_store(SYM, "1m")
    snap = p.chart.get_state()["_snapshot"]
    sent = max((float(np.max(f["t"])) for f in frames if len(f["t"])), default=0.0)
    return max(float(store.t[-1]), max(snap["cols"]["t"]), sent)


async def test_the_future_is_in_no_store_frame_or_snapshot(frames):
    p = iw.Practice(SYM, days=2, seed=5)
    try:
        clock_ms = p.clock.value // 1_000_000
        await _flushed(p)
        assert frames and _latest_everywhere(p, frames) == clock_ms
        assert len(p.chart.bars) == p.market.first + 1  # the day before, and the first bar
        p.step(45)
        await _flushed(p)
        clock_ms = p.clock.value // 1_000_000
        assert _latest_everywhere(p, frames) == clock_ms
        assert p.chart.bars.index[-1] == p.clock
        assert str(p.clock.tz) == "Asia/Shanghai"
        # the daily bar the chart's limit lines come from is today's, as far as the clock
        day = p._round_chart.feed.bar_store(SYM, "1d")
        today = p.market.day_bar(p.round.cursor)
        assert len(day) == 2 and day.last()["high"] == today["h"]
        p.reveal()
        assert len(p.chart.bars) == len(p.market)
    finally:
        await p.aclose()


async def test_python_api_trades_by_the_rules_and_explains_them():
    p = iw.Practice(SYM, days=2, seed=7, scenario="limit_up", locale="zh")
    try:
        p.step(5)
        fill = p.buy(lots=10)
        assert p.position == 1000 and fill.price == p.round.price
        assert p.cash == Decimal(100_000) - fill.value - fill.fee.total
        with pytest.raises(iw.PracticeRuleError) as e:
            p.sell(lots=10)
        assert e.value.rule == "t+1"
        assert p.message.startswith("T+1规则")
        # run into the seal
        while p.round.sealed != "up":
            p.step()
        with pytest.raises(iw.PracticeRuleError) as e:
            p.buy()
        assert e.value.rule == "sealed-limit-up" and "涨停封板" in p.message
        assert "涨停封板" in p.panel.status.value
        p.step(240)  # the next day
        p.sell(lots=10)
        t = p.trades
        assert list(t.columns) == ["time", "side", "price", "shares", "fee"]
        assert list(t["side"]) == ["buy", "sell"] and list(t["shares"]) == [1000, 1000]
        assert t["time"].iloc[0].tz is not None
        # each trade is a marker on its bar of the chart: a buy's up arrow, a sell's down arrow
        marks = p._round_chart._marks
        assert marks is not None and marks._f["shape"] == ["arrowUp", "arrowDown"]
        assert marks._t.tolist() == [int(x.value // 1_000_000) for x in t["time"]]
        assert marks._f["text"] == ["B 1000", "S 1000"]
        assert p.equity == p.cash
        score = p.reveal()
        assert p.finished and score.trades == 2
        assert "买入持有" in p.message
        with pytest.raises(iw.PracticeRuleError):
            p.buy()
    finally:
        await p.aclose()


async def test_buttons_trade_step_and_explain_without_raising():
    p = iw.Practice(SYM, days=1, seed=2)
    try:
        p.lots_input.value = 3
        p.buy_button.click()
        assert p.position == 300
        p.sell_button.click()  # T+1: explained in the widget, nothing raised
        assert p.position == 300 and "T+1" in p.message
        before = p.round.cursor
        p.step_button.click()
        p.hold_button.click()
        assert p.round.cursor == before + 2
        p.reveal_button.click()
        assert p.finished and p.buy_button.disabled and p.step_button.disabled
        assert "Result" in p.message
    finally:
        await p.aclose()


async def test_play_reveals_bars_until_paused_and_the_same_seed_replays_the_round():
    p = iw.Practice(SYM, days=1, seed=9, interval="30m")
    q = iw.Practice(SYM, days=1, seed=9, interval="30m")
    try:
        assert p.clock == q.clock
        seen = asyncio.get_running_loop().create_future()

        def on_revealed(change: dict[str, Any]) -> None:
            if change["new"] >= p.market.first + 4 and not seen.done():
                p.pause()
                seen.set_result(change["new"])

        p.observe(on_revealed, names="revealed")
        p.speed = 200.0
        p.play()
        assert p.playing
        n = await asyncio.wait_for(seen, 10)
        assert not p.playing and p.revealed == n
        q.step(n - q.revealed)
        assert p.clock == q.clock and p.chart.bars.equals(q.chart.bars)
    finally:
        await p.aclose()
        await q.aclose()


async def test_star_market_sizes_in_shares():
    p = iw.Practice("688981.SH", interval="1d", days=10, seed=1, cash=1_000_000)
    try:
        with pytest.raises(iw.PracticeRuleError) as e:
            p.buy(lots=1)
        assert e.value.rule == "lot" and "200" in str(e.value)
        p.buy(shares=201)
        assert p.position == 201
    finally:
        await p.aclose()
