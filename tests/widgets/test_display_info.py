"""What the widgets tell their front-ends about an instrument so that every number shows in its
market's unit and at its instrument's decimals, and the Dashboard's layout lives in the stylesheet
(classes a container query can restack, not inline sizes)."""

from __future__ import annotations

import html

import pytest

from infoway_widgets.market import parse_symbol
from infoway_widgets.widgets import CandleChart, Dashboard, OrderBook, QuoteBoard, TradeTape
from infoway_widgets.widgets._base import market_info
from infoway_widgets.widgets._esm import STYLESHEET


@pytest.mark.parametrize(
    ("code", "unit", "per", "vol_dec", "size_dec", "tick", "price_dec"),
    [
        ("600519.SH", "lots", 100.0, 2, 0, 0.01, 2),
        ("510300.SH", "lots", 100.0, 2, 0, 0.001, 3),
        ("00700.HK", "shares", 1.0, 0, 0, None, 3),  # the HK tick depends on the price
        ("AAPL.US", "shares", 1.0, 0, 0, 0.01, 2),
        ("BTCUSDT", "BTC", 1.0, 5, 5, 0.01, 2),
    ],
)
def test_market_info_carries_units_and_decimals(
    code, unit, per, vol_dec, size_dec, tick, price_dec
):
    m = market_info(parse_symbol(code))
    assert m["volume_unit"] == unit and m["volume_per_unit"] == per
    assert m["volume_decimals"] == vol_dec and m["size_decimals"] == size_dec
    assert m["tick"] == tick and m["price_decimals"] == price_dec
    # the fields the front-end already read are still there
    assert {"code", "name", "market", "tz", "red_up", "lot_size", "currency"} <= set(m)


async def test_every_single_symbol_widget_sends_them(feed, sent):
    for cls in (CandleChart, TradeTape, OrderBook):
        w = cls("BTCUSDT", feed=feed)
        assert w._market["volume_unit"] == "BTC" and w._market["size_decimals"] == 5
        w.symbol = "600519.SH"
        assert w._market["volume_unit"] == "lots" and w._market["volume_per_unit"] == 100
        w.close()


async def test_the_board_sends_each_rows_instrument(feed, sent):
    board = QuoteBoard(["600519.SH", "00700.HK", "BTCUSDT"], feed=feed)
    assert {k: v["volume_unit"] for k, v in board._markets.items()} == {
        "600519.SH": "lots",
        "00700.HK": "shares",
        "BTCUSDT": "BTC",
    }
    board.symbols = ["AAPL.US"]
    assert list(board._markets) == ["AAPL.US"]
    assert "_markets" in board.get_state()  # saved notebooks and exports keep the units
    board.close()


async def test_dashboard_sizes_come_from_classes_and_the_message_elides(feed, sent):
    dash = Dashboard(["600519.SH", "00700.HK"], feed=feed)
    main = dash.children[1]
    assert "iw-dashboard" in dash._dom_classes and "iw-dash-main" in main._dom_classes
    assert "iw-dash-chart" in dash.chart._dom_classes
    assert "iw-dash-side" in main.children[1]._dom_classes
    # no inline sizes: they would win over the stylesheet's narrow layout
    assert dash.chart.layout.min_width is None and main.children[1].layout.min_width is None
    css = STYLESHEET.read_text(encoding="utf-8")
    assert "@container" in css and ".iw-dash-main" in css and "container-type:inline-size" in css
    dash.picker.value = "600519"  # invalid: the message, whole, on hover too
    assert "600519.SH" in dash.message.value and "600519.SH" in dash.message.tooltip
    assert f'title="{html.escape(dash.message.tooltip)}"' in dash.message.value
    dash.picker.value = "<img src=x onerror=alert(1)>"  # text, never markup
    assert "<img" not in dash.message.value and "&lt;img" in dash.message.value
    assert "iw-dash-message" in dash.message._dom_classes
    dash.picker.value = "00700.HK"
    assert dash.message.value == dash.message.tooltip == ""
    dash.close()
