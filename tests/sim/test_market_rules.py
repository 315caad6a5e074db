"""Exchange rules and microstructure of the simulated market (no server, a hand-moved clock)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from infoway_widgets.market import bar_opens, is_trading, parse_symbol
from infoway_widgets.sim import SimDepth, SimTrade
from infoway_widgets.sim.units import units_for

from .conftest import DAY, fake_market, ms, run_to, sh

CN = ["600519.SH", "000001.SZ", "300750.SZ", "688981.SH", "600200.SH"]


@pytest.fixture(scope="module")
def day_events():
    """An A-share day from before the auction to after the close (plus crypto, HK, FX)."""
    market, mono = fake_market(sh(9, 20), codes=[*CN, "00700.HK", "BTCUSDT"])
    events = run_to(market, mono, sh(13, 5), step_s=120)
    return market, events


def trades_of(events, code):
    return [e for e in events if isinstance(e, SimTrade) and e.code == code]


def test_opening_auction_is_one_trade_at_0925(day_events):
    market, events = day_events
    for code in CN:
        tr = trades_of(events, code)
        before_open = [e for e in tr if e.t < ms(sh(9, 30))]
        assert len(before_open) == 1, code
        assert before_open[0].t == ms(sh(9, 25))
        assert before_open[0].td == 0
        # bar_opens puts the auction print into the 09:30 bar
        inst = market.sim(code).inst
        assert bar_opens(inst, "1m", np.array([before_open[0].t]))[0] == ms(sh(9, 30))


def test_no_trades_at_lunch_or_outside_sessions(day_events):
    market, events = day_events
    for code in [*CN, "00700.HK"]:
        inst = market.sim(code).inst
        for e in trades_of(events, code):
            if e.td == 0 and e.t in (ms(sh(9, 25)), ms(sh(9, 20))):
                continue  # opening auctions (Shanghai 09:25, Hong Kong 09:20)
            assert is_trading(inst, e.t), (code, e)
        lunch = sh(12, 0) if code.endswith(".HK") else sh(11, 30)
        assert not [e for e in trades_of(events, code) if ms(lunch) <= e.t < ms(sh(13, 0))]
    assert trades_of(events, "600519.SH")[-1].t >= ms(sh(13, 0))


def test_prices_on_tick_lots_and_turnover(day_events):
    market, events = day_events
    for code in [*CN, "00700.HK", "BTCUSDT"]:
        s = market.sim(code)
        u = s.units
        inst = s.inst
        tr = trades_of(events, code)
        assert tr, code
        for e in tr:
            price = e.p / 10**u.pd
            tick = inst.tick_size(price)
            assert abs(round(price / tick) * tick - price) < 1e-9, (code, price, tick)
            assert e.v > 0
            if inst.market == "CN":
                assert e.v % 100 == 0, (code, e.v)  # lots of 100 shares
            assert e.td in (0, 1, 2)


def test_turnover_is_price_times_volume_on_the_wire():
    from infoway_widgets.sim import wire

    u = units_for(parse_symbol("600519.SH"))
    frame = wire.trade_rest(u, SimTrade(1, "600519.SH", 32688, 1410, 1))
    assert frame["vw"] == "460900.80" and frame["p"] == "326.88" and frame["v"] == "1410"
    ub = units_for(parse_symbol("BTCUSDT"))
    t = wire.trade_rest(ub, SimTrade(1, "BTCUSDT", 6303900, 7933, 1))
    assert (t["p"], t["v"], t["vw"]) == ("63039", "0.07933", "5000.88387")


def test_books_are_sorted_with_bid_below_ask(day_events):
    _market, events = day_events
    books = [e for e in events if isinstance(e, SimDepth)]
    assert len(books) > 100
    for d in books:
        assert list(d.ap) == sorted(d.ap) and len(set(d.ap)) == len(d.ap)
        assert list(d.bp) == sorted(d.bp, reverse=True) and len(set(d.bp)) == len(d.bp)
        if d.ap and d.bp:
            assert d.bp[0] < d.ap[0], d
        assert all(v > 0 for v in d.av + d.bv)


def test_trades_print_at_the_touch_with_aggressor_side(monkeypatch):
    """Every marketable order's first print is at the best opposite price; sweeps walk outward."""
    from infoway_widgets.sim import engine as eng

    checked = []
    original = eng.Engine._execute

    def spy(self, s, t, buy, qty, out):
        best = (s.ap[0] if s.ap else None) if buy else (s.bp[0] if s.bp else None)
        n = len(out)
        original(self, s, t, buy, qty, out)
        prints = out[n:]
        if prints and best is not None:
            assert prints[0].p == best
            assert all(e.td == (1 if buy else 2) for e in prints)
            ps = [e.p for e in prints]
            assert ps == (sorted(ps) if buy else sorted(ps, reverse=True))
            checked.append(len(prints))

    monkeypatch.setattr(eng.Engine, "_execute", spy)
    market, mono = fake_market(sh(9, 30), codes=["600519.SH", "BTCUSDT", "00700.HK"])
    run_to(market, mono, sh(9, 45))
    assert len(checked) > 100 and max(checked) > 1


def test_prices_stay_within_limits(day_events):
    market, events = day_events
    for code in CN:
        s = market.sim(code)
        lo, hi = s.inst.price_limits(market.prev_close(code) / 100)
        ps = [e.p / 100 for e in trades_of(events, code)]
        assert lo <= min(ps) and max(ps) <= hi


def test_st_name_has_five_percent_limit(day_events):
    market, _ = day_events
    inst = market.sim("600200.SH").inst
    assert inst.st and inst.price_limit == 0.05
    assert market.sim("300750.SZ").inst.price_limit == 0.20


def test_drive_to_limit_up_empties_the_ask_side():
    market, mono = fake_market(sh(9, 30), codes=["000001.SZ"])
    run_to(market, mono, sh(9, 40))
    market.drive_to_limit("000001.SZ", "up")
    events = run_to(market, mono, sh(11, 0))
    s = market.sim("000001.SZ")
    up = s.inst.price_limits(s.history.prev_close / 100)[1]
    up_units = round(up * 100)
    tr = trades_of(events, "000001.SZ")
    assert max(e.p for e in tr) == up_units
    late = [e for e in tr if e.t > ms(sh(10, 45))]
    assert late and all(e.p == up_units for e in late)  # trades print at the limit
    book = market.depth("000001.SZ")
    assert book.ap == () and book.bp[0] == up_units


def test_halt_stops_trading_and_resume_restarts():
    market, mono = fake_market(sh(9, 30), codes=["BTCUSDT"])
    run_to(market, mono, sh(9, 35))
    t_halt = market.halt("BTCUSDT")
    events = run_to(market, mono, sh(9, 45))
    assert not [e for e in trades_of(events, "BTCUSDT") if e.t >= t_halt]
    market.resume("BTCUSDT")
    events = run_to(market, mono, sh(9, 55))
    assert trades_of(events, "BTCUSDT")


def test_large_order_walks_several_levels():
    market, mono = fake_market(sh(9, 30), codes=["BTCUSDT"])
    run_to(market, mono, sh(9, 35))
    t = market.inject("BTCUSDT", "large_buy", size=50.0)
    events = run_to(market, mono, sh(9, 36))
    sweep = [e for e in trades_of(events, "BTCUSDT") if e.t == t]
    assert len({e.p for e in sweep}) >= 3 and all(e.td == 1 for e in sweep)
    assert sum(e.v for e in sweep) == 50 * 10**5


def test_knob_leaves_earlier_events_unchanged():
    few = ["600519.SH", "000001.SZ", "BTCUSDT", "00700.HK"]
    a, ma = fake_market(sh(9, 30), seed=3, codes=few)
    b, mb = fake_market(sh(9, 30), seed=3, codes=few)
    ea = run_to(a, ma, sh(9, 40, 30))
    eb = run_to(b, mb, sh(9, 40, 30))
    t = b.set_volatility(None, 5.0)[0]
    ea += run_to(a, ma, sh(9, 50))
    eb += run_to(b, mb, sh(9, 50))
    before_a = [e for e in ea if e.t < t]
    before_b = [e for e in eb if e.t < t]
    assert before_a == before_b
    assert [e for e in ea if e.t >= t] != [e for e in eb if e.t >= t]


def test_same_seed_same_trades_different_seed_different():
    runs = []
    for seed in (7, 7, 8):
        m, mono = fake_market(sh(9, 30), seed=seed, codes=["600519.SH", "BTCUSDT", "00700.HK"])
        # different step sizes: the stream must not depend on how often the clock is read
        ev = run_to(m, mono, sh(9, 45), step_s=13.0 if len(runs) == 1 else 30.0)
        runs.append(sorted((e for e in ev if isinstance(e, SimTrade)), key=lambda e: (e.code, e.t)))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_correlated_moves_across_names():
    market, mono = fake_market(sh(9, 30), seed=2, codes=CN)
    run_to(market, mono, sh(11, 30), step_s=120)
    rets = []
    codes = [c for c in market.profiles if market.sim(c).inst.market == "CN"]
    for c in codes:
        closes = np.array([b[4] for b in market.sim(c).live], dtype=float)
        rets.append(np.diff(np.log(closes[:118])))
    corr = np.corrcoef(np.array(rets))
    off = corr[~np.eye(len(codes), dtype=bool)]
    assert off.mean() > 0.1  # a common factor moves the names together


def test_extra_symbols_are_valid_a_shares():
    market, _ = fake_market(sh(9, 30), extra=20)
    extra = [c for c in market.profiles if market.profiles[c].name_en.startswith("Sim")]
    assert len(extra) == 20
    for c in extra:
        assert parse_symbol(c).market == "CN"


def test_next_trading_day_opens_with_an_auction_from_the_last_close():
    market, mono = fake_market(sh(14, 50), codes=["600519.SH", "00700.HK"])
    events = run_to(market, mono, sh(9, 31, day=DAY + dt.timedelta(days=1)), step_s=600)
    tr = trades_of(events, "600519.SH")
    day1 = [e for e in tr if e.t < ms(sh(15, 0))]
    day2 = [e for e in tr if e.t > ms(sh(15, 0))]
    assert day1 and day2
    assert day2[0].t == ms(sh(9, 25, day=DAY + dt.timedelta(days=1))) and day2[0].td == 0
    assert market.prev_close("600519.SH") == day1[-1].p  # today's limits rest on that close
    daily = market.candles("600519.SH", 8, 3)
    assert daily[0][7] == daily[1][4] == day1[-1].p
