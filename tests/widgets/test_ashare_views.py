"""A-share trader views: the OrderBook's 盘口 panel and the QuoteBoard's brokerage
columns carry the feed's ``ashare`` numbers; the front-end computes none of them."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest
import traitlets

import infoway_widgets as iw
from infoway_widgets.sim import serve
from infoway_widgets.widgets import OrderBook, QuoteBoard
from infoway_widgets.widgets.board import BOARD_COLUMNS
from infoway_widgets.widgets.book import STATS_KEYS, json_stats

from ..feed.conftest import wait_for
from .fake_feed import T0, FakeFeed

SYM = "600519.SH"


@pytest.fixture
def feed() -> FakeFeed:
    # Tuesday 11:00 in Shanghai: the fake's daily bars end on Monday, a trading day, so 量比 exists
    return FakeFeed(now_ms=T0 + 86_400_000 + 3 * 3600_000)


async def settle(widget, rounds: int = 3) -> None:
    for _ in range(rounds):
        await asyncio.sleep(1.05 / widget.max_fps)


def same(a, b) -> bool:
    """Equal, NaN and None counting as the same missing value."""
    miss = lambda x: x is None or (isinstance(x, float) and math.isnan(x))  # noqa: E731
    if miss(a) or miss(b):
        return miss(a) and miss(b)
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)


# ---- OrderBook ------------------------------------------------------------------------------------
async def test_book_header_carries_the_feeds_ashare_numbers(feed, sent):
    feed.trade(SYM, 40)
    book = OrderBook(SYM, feed=feed)
    # the book watches trades (外盘/内盘) and ≥ 10 daily bars (量比 needs six)
    calls = [c for code, c in feed.watch_calls if code == SYM]
    assert any(c["trades"] and c["depth"] for c in calls)
    assert any("1d" in c["intervals"] and c["history"] >= 10 for c in calls)
    head, _ = sent.frames(book)[-1]
    assert head["kind"] == "book" and set(head["stats"]) == set(STATS_KEYS)
    want = feed.ashare(SYM)
    for k in STATS_KEYS:
        assert same(head["stats"][k], want[k]), (k, head["stats"][k], want[k])
    # the fields a brokerage panel shows are really there
    st = head["stats"]
    assert st["buy_volume"] > 0 and st["sell_volume"] > 0
    assert same(st["buy_sell_ratio"], st["buy_volume"] / st["sell_volume"])
    assert st["volume_ratio"] is not None and st["volume_ratio"] > 0
    assert st["limit_up"] > st["prev_close"] > st["limit_down"]
    assert same(st["volume_lots"], st["volume"] / 100)
    snap = feed.book_store(SYM).snapshot
    b, a = snap.bid_vol.sum(), snap.ask_vol.sum()
    assert same(st["bid_ask_ratio"], (b - a) / (b + a) * 100) and same(st["bid_ask_diff"], b - a)
    assert st["at_limit"] is None
    # the snapshot trait (saved notebooks, exports) has them too
    assert book._snapshot["header"]["stats"]["limit_up"] == st["limit_up"]
    assert book.stats_values == json_stats(feed.ashare(SYM))
    book.close()


async def test_book_sends_a_frame_when_only_trades_moved_the_panel(feed, sent):
    book = OrderBook(SYM, feed=feed)
    await settle(book)
    n0 = len(sent.frames(book))
    # trades without a book change: 外盘 / 内盘 and 最新 move, so a frame goes out
    ver = feed.book_store(SYM).version
    feed._book = lambda code, mid: None  # keep the book still
    feed.trade(SYM, 20)
    assert feed.book_store(SYM).version == ver
    await settle(book)
    frames = sent.frames(book)
    assert len(frames) > n0
    head, _ = frames[-1]
    assert same(head["stats"]["buy_volume"], feed.ashare(SYM)["buy_volume"])
    # nothing changed: nothing sent
    n1 = len(frames)
    feed.notify({SYM})
    await settle(book)
    assert len(sent.frames(book)) == n1
    book.close()


async def test_book_at_limit_up_empties_asks_and_says_so(feed, sent):
    book = OrderBook(SYM, feed=feed)
    feed.drive_to_limit(SYM, "up")
    await settle(book)
    head, cols = sent.frames(book)[-1]
    assert head["stats"]["at_limit"] == "up"
    assert head["stats"]["last"] == head["stats"]["limit_up"]
    assert np.isnan(cols["ask_px"]).all() and np.isfinite(cols["bid_px"]).all()
    assert head["stats"]["bid_ask_ratio"] == 100.0
    feed.drive_to_limit(SYM, "down")
    await settle(book)
    head, cols = sent.frames(book)[-1]
    assert head["stats"]["at_limit"] == "down" and head["stats"]["bid_ask_ratio"] == -100.0
    book.close()


async def test_book_on_other_markets_and_feeds_without_ashare(feed, sent):
    hk = OrderBook("00700.HK", feed=feed)
    st = sent.frames(hk)[-1][0]["stats"]
    assert st["limit_up"] is None and st["limit_down"] is None and st["at_limit"] is None
    assert st["bid_ask_ratio"] is not None  # 委比 means something on any book
    hk.close()

    class Plain:  # a feed without ashare(): the ladder still works, the panel is empty
        def __getattr__(self, name):
            if name == "ashare":
                raise AttributeError(name)
            return getattr(feed, name)

    w = OrderBook(SYM, feed=Plain())
    head, cols = sent.frames(w)[-1]
    assert all(v is None for v in head["stats"].values()) and len(cols["bid_px"]) == 5
    w.close()


def test_json_stats_is_json_safe():
    out = json_stats(
        {
            "last": np.float64(1.5),
            "amplitude": float("nan"),
            "volume_ratio": float("inf"),
            "at_limit": "up",
            "bid_ask_diff": "x",
        }
    )
    assert out["last"] == 1.5 and type(out["last"]) is float
    assert out["amplitude"] is None and out["volume_ratio"] is None and out["bid_ask_diff"] is None
    assert out["at_limit"] == "up" and json_stats({"at_limit": "sideways"})["at_limit"] is None


# ---- QuoteBoard -----------------------------------------------------------------------------------
async def test_board_frame_carries_the_brokerage_columns(feed, sent):
    syms = [SYM, "000001.SZ", "00700.HK"]
    for s in syms:
        feed.trade(s, 10)
    board = QuoteBoard(syms, feed=feed, locale="zh")
    head, cols = sent.frames(board)[-1]
    assert head["kind"] == "quotes" and head["symbols"] == syms
    for i, s in enumerate(syms):
        a, q = feed.ashare(s), feed.quote(s)
        for k in ("amplitude", "volume_ratio", "limit_up", "limit_down"):
            assert same(float(cols[k][i]), a[k]), (s, k)
        for k in (
            "change",
            "change_pct",
            "volume",
            "turnover",
            "high",
            "low",
            "open",
            "prev_close",
        ):
            assert same(float(cols[k][i]), q[k]), (s, k)
        assert cols["at_limit"][i] == 0
    # 手 for A-shares (100 shares), shares elsewhere (NaN lots: the view shows the volume)
    assert same(float(cols["volume_lots"][0]), feed.quote(SYM)["volume"] / 100)
    assert math.isnan(cols["volume_lots"][2])
    assert math.isnan(cols["limit_up"][2])
    # the limit badge's number: +1 at limit up, -1 at limit down
    feed.drive_to_limit(SYM, "up")
    feed.drive_to_limit("000001.SZ", "down")
    await settle(board)
    last: dict[str, float] = {}
    for h, c in sent.frames(board):
        for i, s in enumerate(h["symbols"]):
            last[s] = float(c["at_limit"][i])
    assert last == {SYM: 1.0, "000001.SZ": -1.0, "00700.HK": 0.0}
    board.close()


async def test_board_presets_and_columns(feed, sent):
    b = QuoteBoard([SYM], feed=feed)
    assert b.preset == "auto" and b.columns == []
    b.preset = "cn"
    b.columns = ["symbol", "change_pct", "volume_lots", "amplitude"]
    with pytest.raises(traitlets.TraitError, match="unknown QuoteBoard column"):
        b.columns = ["symbol", "pe_ratio"]
    with pytest.raises(traitlets.TraitError):
        b.preset = "wide"
    assert QuoteBoard([SYM], feed=feed, columns=["symbol", "last"]).columns == ["symbol", "last"]
    assert "change_pct" in BOARD_COLUMNS and "volume_lots" in BOARD_COLUMNS


# ---- the real feed on the simulated market --------------------------------------------------------
async def test_real_feed_book_and_board_at_limit_up(sent):
    async with serve(port=0, seed=41, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True)
        try:
            book = OrderBook(SYM, feed=feed, locale="zh")
            board = QuoteBoard([SYM, "000001.SZ"], feed=feed, locale="zh")
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())

            def header_stats():
                fr = sent.frames(book)
                return fr[-1][0]["stats"] if fr else {}

            await wait_for(
                lambda: (
                    header_stats().get("volume_ratio") is not None
                    and header_stats().get("buy_volume", 0) > 0
                ),
                30,
                "a full 盘口 panel",
                ev,
            )
            # a frame built now equals the feed's numbers now (no await in between)
            _kind, _cols, extra = book._full()
            want = feed.ashare(SYM)
            for k in STATS_KEYS:
                assert same(extra["stats"][k], want[k]), k
            server.market.drive_to_limit(SYM, "up")

            def at_limit() -> bool:
                fr = sent.frames(book)
                if not fr or fr[-1][0]["stats"]["at_limit"] != "up":
                    return False
                return bool(np.isnan(fr[-1][1]["ask_px"]).all())

            await wait_for(at_limit, 30, "the book at limit up with an empty ask side", ev)
            st = sent.frames(book)[-1][0]["stats"]
            assert st["last"] == st["limit_up"] and st["bid_ask_ratio"] == 100.0

            def board_limit() -> bool:
                for h, c in reversed(sent.frames(board)):
                    if SYM in h["symbols"]:
                        return c["at_limit"][h["symbols"].index(SYM)] == 1.0
                return False

            await wait_for(board_limit, 30, "the board row at limit up", ev)
            book.close()
            board.close()
            assert feed.watched() == {}
        finally:
            await feed.aclose()
