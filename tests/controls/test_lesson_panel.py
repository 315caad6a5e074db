"""LessonPanel buttons make the simulated market do what they say, seen through the feed."""

from __future__ import annotations

import numpy as np

import infoway_widgets as iw
from infoway_widgets.widgets.controls import LessonPanel, wait_until

from .conftest import until

SYM = "000001.SZ"  # 11.50 yuan, one-tick spreads: a sweep shows clearly


async def _book(feed, symbol=SYM):
    await until(feed, lambda: feed.book_store(symbol).snapshot is not None, 20, "a book")
    return feed.book_store(symbol).snapshot


async def test_large_buy_walks_the_asks_and_large_sell_the_bids():
    feed = iw.connect(new=True, speed=5.0)
    try:
        await feed.ready()
        feed.watch(SYM, depth=True, intervals=["1m"])
        books = []
        feed.on_depth(SYM, books.append)
        snap = await _book(feed)
        size = float(snap.ask_vol.sum()) * 3  # more than all five visible ask levels
        panel = LessonPanel(feed, SYM, size=size)
        n_before = len(panel.actions)
        panel.buy_button.click()
        assert len(panel.actions) == n_before + 1
        t_buy = panel.last_ms
        await until(
            feed, lambda: any(b.t >= t_buy for b in books), 20, "the book after the large buy"
        )
        before = [b for b in books if b.t < t_buy][-1]
        after = next(b for b in books if b.t >= t_buy)
        sweep = _prints_at(feed, t_buy)
        assert len(sweep) >= 5 and (sweep["direction"] == 1).all()
        assert np.all(np.diff(sweep["price"]) > 0)  # each print one level higher
        assert sweep["volume"].sum() == size
        # the best ask moved up: past the best ask the order met (its first print) and past the
        # book's best ask just before it arrived
        assert after.best_ask > sweep["price"][0] and after.best_ask > before.best_ask

        await wait_until(feed, SYM, t_buy + 5_000, timeout=30)
        panel.sell_button.click()
        t_sell = panel.last_ms
        await until(
            feed, lambda: any(b.t >= t_sell for b in books), 20, "the book after the large sell"
        )
        before = [b for b in books if b.t < t_sell][-1]
        after = next(b for b in books if b.t >= t_sell)
        sweep = _prints_at(feed, t_sell)
        assert (sweep["direction"] == 2).all() and np.all(np.diff(sweep["price"]) < 0)
        assert after.best_bid < sweep["price"][0] and after.best_bid < before.best_bid
    finally:
        await feed.aclose()


def _prints_at(feed, t_ms: int) -> dict:
    d = feed.tape_store(SYM).since(0)
    m = d["t"] == t_ms
    return {k: v[m] for k, v in d.items()}


async def test_halt_stops_trades_resume_restarts_them_and_volatility_is_set():
    feed = iw.connect(new=True, speed=20.0)
    try:
        await feed.ready()
        feed.watch(SYM, depth=True, intervals=["1m"])
        await _book(feed)
        panel = LessonPanel(feed, SYM, locale="zh")
        t_halt = panel.halt()
        assert panel.halted and "复牌" in panel.halt_button.description
        await wait_until(feed, SYM, t_halt + 30_000, timeout=30)  # 30 simulated seconds
        tape = feed.tape_store(SYM)
        assert not (tape.since(0)["t"] > t_halt).any(), "a trade printed while halted"

        panel.halt_button.click()  # resume
        assert not panel.halted
        t_resume = panel.last_ms
        await until(
            feed, lambda: (tape.since(0)["t"] >= t_resume).any(), 30, "a trade after resume"
        )

        t_vol = panel.set_volatility(3.0)
        assert (
            t_vol is not None and panel.volatility == 3.0 and panel.volatility_slider.value == 3.0
        )
        await wait_until(feed, SYM, t_vol + 2_000, timeout=30)
        assert feed.sim.sim(SYM).engine.state.vol_mult == 3.0
    finally:
        await feed.aclose()


async def test_limit_up_button_seals_the_book_at_the_limit():
    feed = iw.connect(new=True, speed=30.0)
    try:
        await feed.ready()
        feed.watch(SYM, depth=True, intervals=["1m"])
        await _book(feed)
        panel = LessonPanel(feed, SYM)
        assert not panel.limit_buttons.disabled
        panel.limit_buttons.value = "up"  # the "Drive to limit up" button
        assert panel.limit == "up"
        limit_up = feed.sim.limits(SYM)[1] / 100
        book = feed.book_store(SYM)
        await until(
            feed,
            lambda: book.snapshot.best_bid == limit_up and not len(book.snapshot.ask_px),
            60,
            "the book sealed at limit up",
        )
        panel.release_limit()
        assert panel.limit == "off" and panel.limit_buttons.value == "off"
    finally:
        await feed.aclose()


async def test_panel_without_a_simulated_market_says_so():
    feed = iw.Feed.detached()
    panel = LessonPanel(feed, "600519.SH", locale="zh")
    assert panel.large_buy() is None
    assert "模拟市场" in panel.message.value
    hk = LessonPanel(feed, "00700.HK")
    assert hk.limit_buttons.disabled  # no daily limit in Hong Kong
    await feed.aclose()
