"""One volume unit per market, and the decimals of a size, from the instrument."""

from __future__ import annotations

import pytest

from infoway_widgets.i18n import format_size, format_volume, unit_label
from infoway_widgets.market import base_asset, parse_symbol, size_decimals, volume_unit
from infoway_widgets.market.units import decimals_of


@pytest.mark.parametrize(
    ("code", "key", "per", "decimals"),
    [
        ("600519.SH", "lots", 100.0, 2),  # 手: an odd lot of one share is 0.01 手
        ("000001.SZ", "lots", 100.0, 2),
        ("510300.SH", "lots", 100.0, 2),  # ETFs trade in lots too
        ("00700.HK", "shares", 1.0, 0),
        ("AAPL.US", "shares", 1.0, 0),
        ("BTCUSDT", "BTC", 1.0, 5),  # a crypto pair counts in its base asset
        ("ETHBTC", "ETH", 1.0, 5),
        ("USDCNY", "units", 1.0, 0),
    ],
)
def test_each_market_has_one_volume_unit(code, key, per, decimals):
    u = volume_unit(parse_symbol(code))
    assert (u.key, u.per, u.decimals) == (key, per, decimals)


def test_size_decimals_come_from_the_smallest_size_that_trades():
    assert size_decimals(parse_symbol("BTCUSDT")) == 5
    assert size_decimals(parse_symbol("600519.SH")) == 0
    assert decimals_of(0.01) == 2 and decimals_of(100) == 0 and decimals_of(0.00001) == 5
    assert base_asset(parse_symbol("BTCUSDT")) == "BTC"
    assert base_asset(parse_symbol("AAPL.US")) == "AAPL.US"
    assert volume_unit(parse_symbol("600519.SH")).shown(34_300) == 343


def test_sizes_read_in_their_unit_never_rounded_to_zero():
    btc = volume_unit(parse_symbol("BTCUSDT"))
    lots = volume_unit(parse_symbol("600519.SH"))
    shares = volume_unit(parse_symbol("00700.HK"))
    assert format_size(0.00002, btc) == "0.00002 BTC"
    assert format_size(1.23456, btc, "zh") == "1.23456 BTC"
    assert format_size(34_300, lots, "zh") == "343手"
    assert format_size(34_300, lots) == "343 lots"
    assert format_size(150, lots, "zh") == "1.5手"  # an odd lot
    assert format_size(1_400, shares, "zh") == "1400股"
    assert format_size(12_345_678, shares) == "12.35M shares"
    assert format_size(None, lots) == "—"
    # the plain formatter keeps its two decimals unless told otherwise
    assert format_volume(0.00002) == "0"
    assert format_volume(0.00002, small_decimals=5) == "0.00002"
    assert unit_label("lots", "zh") == "手" and unit_label("BTC", "zh") == "BTC"
