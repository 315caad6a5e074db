"""Exact number formatting on the wire (integer units, no float noise)."""

from __future__ import annotations

from infoway_widgets.market import parse_symbol
from infoway_widgets.sim.units import fmt, fmt_trim, pct, units_for


def test_fmt_exact():
    assert fmt(46090080, 2) == "460900.80"
    assert fmt(-900, 5, 2) == "-9.00000"
    assert fmt(5, 2) == "0.05" and fmt(-5, 2) == "-0.05"
    assert fmt(305990, 3) == "305.990"
    assert fmt(12345, 2, 3) == "12.35"  # half away from zero when dropping decimals
    assert fmt_trim(6303900, 2) == "63039" and fmt_trim(7933, 5) == "0.07933"


def test_pct_like_production():
    assert pct(90, 305840) == "0.03%"
    assert pct(-9, 3366) == "-0.27%"
    assert pct(0, 100) == "0.00%"


def test_units_per_market():
    assert units_for(parse_symbol("600519.SH")).pd == 2
    us = units_for(parse_symbol("AAPL.US"))
    assert (us.pd, us.vd) == (3, 0)
    btc = units_for(parse_symbol("BTCUSDT"))
    assert (btc.pd, btc.vd, btc.depth_pd, btc.candle_pd, btc.vw_d) == (2, 5, 8, 5, 7)
    hk = parse_symbol("00700.HK")
    u = units_for(hk)
    assert u.tick_units(hk, 499_800) == 200 and u.tick_units(hk, 500_000) == 500
