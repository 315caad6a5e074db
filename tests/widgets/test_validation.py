"""A refused setting never lands: the trait, the repr and what the front-end shows keep the old value."""

from __future__ import annotations

import pytest
import traitlets as t

import infoway_widgets as iw
from infoway_widgets.widgets import CandleChart, OrderBook, QuoteBoard, TradeTape

SYM = "600519.SH"


def refused(widget, name: str, value, error: type[Exception] = iw.BadParameterError) -> str:
    """Set ``name`` to ``value``: the error is raised, and nothing changed."""
    before, shown = getattr(widget, name), repr(widget)
    with pytest.raises(error) as info:
        setattr(widget, name, value)
    assert isinstance(info.value, iw.InfowayError) and isinstance(info.value, t.TraitError)
    assert getattr(widget, name) == before, name
    assert repr(widget) == shown
    return str(info.value)


async def test_a_bad_interval_or_symbol_leaves_the_chart_as_it_was(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    n = len(sent.frames(chart))
    msg = refused(chart, "interval", "2m", iw.BadIntervalError)
    assert "2m" in msg and "1m" in msg  # says what would do
    msg = refused(chart, "symbol", "foo", iw.InvalidSymbolError)
    assert "FOO.US" in msg  # the suggestion
    assert len(sent.frames(chart)) == n  # nothing was refetched
    assert chart.interval == "1m" and chart._iv.name == "1m" and chart.symbol == SYM
    # accepted values are normalised before they land
    chart.interval = "5min"
    assert chart.interval == "5m" and sent.frames(chart)[-1][0]["interval"] == "5m"
    chart.symbol = "btc/usdt"
    assert chart.symbol == "BTCUSDT" and sent.frames(chart)[-1][0]["symbol"] == "BTCUSDT"
    chart.close()


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("locale", "fr", "'en' or 'zh'"),
        ("theme", "blue", "'auto', 'light', 'dark'"),
        ("timezone", "Mars/Olympus", "IANA"),
        ("max_fps", 0, "more than 0"),
        ("max_fps", float("nan"), "more than 0"),
        ("height", -5, "at least 1"),
        ("release_after", -1.0, "at least 0"),
        ("ma", [5, 0], "1 to 1000"),
        ("intervals", ["1m", "7m"], "unknown interval"),
        ("history", -1, "at least 0"),
        ("max_bars", 0, "at least 1"),
        ("page_size", 10_000, "at most 5000"),
    ],
)
async def test_every_chart_setting_with_a_domain_is_checked(feed, sent, name, value, words):
    chart = CandleChart(SYM, feed=feed)
    assert words in refused(chart, name, value)
    chart.close()


async def test_the_other_widgets_check_their_settings(feed, sent):
    book = OrderBook(SYM, feed=feed)
    tape = TradeTape(SYM, feed=feed)
    board = QuoteBoard([SYM, "00700.HK"], feed=feed)
    refused(book, "view", "pie")
    refused(book, "levels", 0)
    refused(book, "symbol", "600519.SZ", iw.InvalidSymbolError)
    refused(tape, "max_rows", 0)
    refused(tape, "large_volume", -1.0)
    refused(tape, "symbol", "700.HK", iw.InvalidSymbolError)
    refused(tape, "symbol", "", iw.InvalidSymbolError)
    refused(board, "preset", "fancy")
    refused(board, "columns", ["last", "colour"])
    refused(board, "sort_by", "colour")
    refused(board, "symbols", [SYM, "nope!"], iw.InvalidSymbolError)
    assert board.symbols == [SYM, "00700.HK"] and set(board._insts) == {SYM, "00700.HK"}
    board.sort_by = "volume"
    board.symbols = ["00700.hk", "00700.HK", "aapl.us"]
    assert board.symbols == ["00700.HK", "AAPL.US"]
    for w in (book, tape, board):
        w.close()


async def test_several_settings_at_once_roll_back_together(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    with pytest.raises(iw.BadIntervalError), chart.hold_trait_notifications():
        chart.height = 300
        chart.interval = "2m"
    assert chart.interval == "1m" and chart.height == 420
    chart.close()


async def test_a_bad_setting_from_the_front_end_is_refused_and_the_page_put_back(
    feed, sent, monkeypatch
):
    chart = CandleChart(SYM, feed=feed)
    states: list[list[str]] = []
    monkeypatch.setattr(chart, "send_state", lambda key=None: states.append(list(key or [])))
    chart.set_state({"interval": "2m"})  # a view (or someone's own JS) sent it
    assert chart.interval == "1m" and chart._iv.name == "1m"
    assert states == [["interval"]]  # the front-ends get the kernel's value again
    chart.set_state({"interval": "15m"})
    assert chart.interval == "15m" and sent.frames(chart)[-1][0]["interval"] == "15m"
    chart.close()


def test_the_errors_are_the_librarys_own():
    from infoway_widgets.widgets._validate import rejected

    err = rejected(iw.InvalidSymbolError("bad code", suggestion="00700.HK"))
    assert isinstance(err, iw.InvalidSymbolError) and isinstance(err, t.TraitError)
    assert err.suggestion == "00700.HK" and str(err) == "bad code"
    assert type(err).__name__ == "InvalidSymbolError"
    assert type(err).__module__ == "infoway_widgets.errors"
    assert rejected(err) is err
