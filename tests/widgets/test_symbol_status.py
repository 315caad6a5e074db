"""A widget shows the problems of its own symbols, and only those: status "error" with what to
do on a single-symbol widget, the row on a board (its other rows and its status untouched)."""

from __future__ import annotations

import html

import infoway_widgets as iw

from .fake_feed import FakeFeed

BAD = "no data for 600000.SH: check the code"


async def test_only_the_widget_of_the_bad_symbol_says_error(feed: FakeFeed) -> None:
    good = iw.CandleChart("600519.SH", feed=feed)
    bad = iw.CandleChart("600000.SH", feed=feed)
    book = iw.OrderBook("600000.SH", feed=feed)
    tape = iw.TradeTape("000001.SZ", feed=feed)
    try:
        feed.symbol_error("600000.SH", BAD)
        assert (bad.status, bad.status_message) == ("error", BAD)
        assert (book.status, book.status_message) == ("error", BAD)
        assert bad.symbol_errors == {"600000.SH": BAD} == book.symbol_errors
        for w in (good, tape):
            assert (w.status, w.status_message, w.symbol_errors) == ("simulated", "", {})
        # the feed's own news reaches everyone; the bad ones keep saying what is theirs
        feed.set_status("reconnecting", "connection lost; reconnecting")
        assert good.status == "reconnecting" and bad.status == "error"
        feed.set_status("simulated", "")
        feed.symbol_error("600000.SH", None)  # solved
        assert (bad.status, bad.status_message, bad.symbol_errors) == ("simulated", "", {})
        feed.symbol_error("600000.SH", BAD)
        feed.set_status("closed", "feed closed")  # a closed feed says so everywhere
        assert bad.status == "closed" and bad.status_message == "feed closed"
    finally:
        for w in (good, bad, book, tape):
            w.close()


async def test_a_new_symbol_brings_its_own_problems_and_leaves_the_old_ones(feed: FakeFeed) -> None:
    feed.symbol_error("600000.SH", BAD)
    chart = iw.CandleChart("600000.SH", feed=feed)
    book = iw.OrderBook("600000.SH", feed=feed)
    try:
        assert chart.status == "error" and book.status == "error"  # known before they were made
        chart.symbol = "600519.SH"
        book.symbol = "600519.SH"
        for w in (chart, book):
            assert (w.status, w.symbol_errors) == ("simulated", {})
        feed.symbol_error("600000.SH", BAD + "!")  # not theirs any more
        assert chart.status == "simulated" and book.status == "simulated"
        book.symbol = "600000.SH"
        assert book.status == "error" and book.status_message == BAD + "!"
    finally:
        chart.close()
        book.close()


async def test_a_board_shows_problems_on_their_rows_and_keeps_the_feeds_status(
    feed: FakeFeed,
) -> None:
    board = iw.QuoteBoard(["600519.SH", "600000.SH", "000001.SZ"], feed=feed)
    try:
        feed.symbol_error("600000.SH", BAD)
        feed.symbol_error("00700.HK", "not on this board")
        assert board.status == "simulated" and board.status_message == ""
        assert board.symbol_errors == {"600000.SH": BAD}
        board.symbols = ["600519.SH", "000001.SZ"]
        assert board.symbol_errors == {}
    finally:
        board.close()


async def test_the_dashboards_picker_says_what_is_wrong_with_the_symbol_picked(
    feed: FakeFeed,
) -> None:
    dash = iw.Dashboard(["600519.SH", "000001.SZ"], feed=feed)
    try:
        assert dash.message.value == ""
        feed.symbol_error("600000.SH", BAD)
        dash.picker.value = "600000.SH"
        assert dash.symbol == "600000.SH" and dash.message.tooltip == BAD
        assert html.escape(BAD) in dash.message.value  # one row, elided; the whole on hover
        assert dash.chart.status == "error" and dash.board.status == "simulated"
        feed.symbol_error("600000.SH", None)
        assert dash.message.value == ""
        feed.symbol_error("000001.SZ", "other")  # not the one picked
        assert dash.message.value == ""
        dash.picker.value = "60000"  # not a code at all: the parse error, as before
        assert "not a valid Infoway code" in dash.message.value and dash.symbol == "600000.SH"
    finally:
        dash.close()
