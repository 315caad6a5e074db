"""The practice rules and accounts, with numbers worked out by hand: lots (STAR included), T+1,
sealed limits, fees to the cent, scoring, and the same market from the same seed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from infoway_widgets.errors import BadParameterError, InfowayError, PracticeRuleError
from infoway_widgets.market import parse_symbol
from infoway_widgets.practice import (
    CN_FEES,
    HK_FEES,
    MarketRules,
    PracticeMarket,
    PracticeRound,
    lot_rule,
    sealed,
    simulate,
)
from infoway_widgets.practice.market import COLUMNS
from infoway_widgets.practice.score import buy_and_hold

D = Decimal


def _market(
    code: str, closes_by_day: list[list[float]], prev: float, *, lows=None
) -> PracticeMarket:
    """One context bar, then a day of bars per list (1-minute bars, opens 09:30 onward)."""
    inst = parse_symbol(code)
    days = [dt.date(2025, 6, 9) + dt.timedelta(days=i) for i in range(len(closes_by_day) + 1)]
    rows, day_idx, prevs = [], [], [prev]
    t0 = int(dt.datetime(2025, 6, 9, 1, 30, tzinfo=dt.timezone.utc).timestamp() * 1000)
    rows.append([t0, prev, prev, prev, prev, 100, prev * 100])
    day_idx.append(0)
    last = prev
    for d, closes in enumerate(closes_by_day, 1):
        prevs.append(last)
        for k, c in enumerate(closes):
            t = t0 + d * 86_400_000 + k * 60_000
            lo = lows[d - 1][k] if lows else min(c, last)
            rows.append([t, last, max(c, last), lo, c, 1000, c * 1000])
            day_idx.append(d)
            last = c
    a = np.array(rows, dtype=np.float64)
    return PracticeMarket(
        inst=inst,
        interval="1m",
        bars={c: a[:, i] for i, c in enumerate(COLUMNS)},
        day=np.array(day_idx),
        days=tuple(days),
        prev_close=tuple(prevs[: len(days)]),
        first=1,
    )


# ---- fees ------------------------------------------------------------------------------------
def test_a_share_fees_to_the_cent():
    # 1000 shares at 11.53 = 11530.00: commission 2.8825 -> minimum 5.00; transfer 0.1153 -> 0.12
    buy = CN_FEES.fee("buy", D("11530.00"))
    assert (buy.commission, buy.transfer, buy.stamp_duty, buy.total) == (
        D("5.00"),
        D("0.12"),
        D("0.00"),
        D("5.12"),
    )
    # a sale of 100000.00: commission 25.00, transfer 1.00, stamp duty 0.05 % = 50.00
    sale = CN_FEES.fee("sell", D("100000.00"))
    assert (sale.commission, sale.transfer, sale.stamp_duty) == (D("25.00"), D("1.00"), D("50.00"))
    # half a cent rounds up: 0.05 % of 12345.00 is 6.1725 -> 6.17; of 12347.00 is 6.1735 -> 6.17
    assert CN_FEES.fee("sell", D("12345.00")).stamp_duty == D("6.17")
    assert CN_FEES.fee("sell", D("12350.00")).stamp_duty == D("6.18")  # 6.175 -> 6.18, half up
    # Hong Kong: stamp duty on both sides
    assert HK_FEES.fee("buy", D("48200.00")).stamp_duty == D("48.20")


def test_a_round_trip_moves_cash_by_the_fees_exactly():
    m = _market("000001.SZ", [[10.00, 10.10], [10.20, 10.30]], 10.00)
    r = PracticeRound(m, cash=100_000)
    r.buy(1000)  # 10000.00 + 5.00 + 0.10
    assert r.account.cash == D("89994.90")
    r.step(2)  # the next day
    fill = r.sell(1000)  # 10200.00 - 5.00 - 0.10 - 5.10
    assert fill.fee.total == D("10.20")
    assert r.account.cash == D("100184.70")
    assert r.score().pnl == D("184.70")


# ---- lots --------------------------------------------------------------------------------------
def test_main_board_lots_of_100_and_odd_lots_sold_at_once():
    rules = MarketRules(parse_symbol("600000.SH"))
    rules.check_buy_size(300)
    with pytest.raises(PracticeRuleError) as e:
        rules.check_buy_size(150)
    assert e.value.rule == "lot" and "multiples of 100" in str(e.value)
    rules.check_sell_size(150, held=150)  # the whole holding
    rules.check_sell_size(50, held=150)  # the odd part in one order
    rules.check_sell_size(100, held=150)
    with pytest.raises(PracticeRuleError):
        rules.check_sell_size(30, held=150)


def test_star_market_at_least_200_then_steps_of_1():
    inst = parse_symbol("688981.SH")
    assert lot_rule(inst).min_buy == 200 and lot_rule(inst).step == 1
    rules = MarketRules(inst)
    rules.check_buy_size(200)
    rules.check_buy_size(201)
    with pytest.raises(PracticeRuleError) as e:
        rules.check_buy_size(100)
    assert e.value.rule == "lot" and "STAR Market" in str(e.value) and "200" in str(e.value)
    rules.check_sell_size(201, held=401)
    rules.check_sell_size(150, held=150)  # less than 200 left: all of it
    with pytest.raises(PracticeRuleError):
        rules.check_sell_size(100, held=250)


def test_other_markets_lots():
    assert lot_rule(parse_symbol("00700.HK")).step == 100  # board lots
    MarketRules(parse_symbol("AAPL.US")).check_buy_size(1)  # single shares
    with pytest.raises(PracticeRuleError):
        MarketRules(parse_symbol("00700.HK")).check_buy_size(50)


# ---- T+1 and T+0 -------------------------------------------------------------------------------
def test_t_plus_1_shares_bought_today_sell_tomorrow():
    m = _market("000001.SZ", [[10.0, 10.1, 10.2], [10.3]], 10.0)
    r = PracticeRound(m)
    r.buy(500)
    r.step()
    with pytest.raises(PracticeRuleError) as e:
        r.sell(500)
    assert e.value.rule == "t+1" and "next trading day" in str(e.value)
    assert r.sellable == 0
    r.step(2)  # the next day
    assert r.sellable == 500
    r.sell(500)
    assert r.account.shares == 0


def test_t_plus_0_in_hong_kong():
    m = _market("00700.HK", [[480.0, 481.0, 482.0], [483.0]], 480.0)
    r = PracticeRound(m)
    r.buy(100)
    r.step()
    r.sell(100)  # the same day
    assert len(r.account.fills) == 2


def test_no_short_selling():
    r = PracticeRound(_market("000001.SZ", [[10.0, 10.1]], 10.0))
    with pytest.raises(PracticeRuleError) as e:
        r.sell(100)
    assert e.value.rule == "position"


def test_cash_is_checked_with_the_fees():
    r = PracticeRound(_market("000001.SZ", [[10.0, 10.1]], 10.0), cash=10_000)
    with pytest.raises(PracticeRuleError) as e:
        r.buy(1000)  # 10000.00 + 5.10 of fees > 10000
    assert e.value.rule == "cash"
    r.buy(900)


# ---- sealed limits -------------------------------------------------------------------------------
def test_sealed_limit_up_refuses_buys_and_allows_sales():
    # prev close 10.00: limit-up 11.00; the third bar trades only at 11.00
    closes = [[10.5, 11.0, 11.0], [11.0]]
    lows = [[10.0, 10.5, 11.0], [11.0]]
    m = _market("000001.SZ", closes, 10.0, lows=lows)
    assert m.limits(1) == (9.0, 11.0)
    r = PracticeRound(m)
    r.buy(200)
    r.step()  # 11.00 reached inside the bar, traded below it too: not sealed
    assert r.sealed is None
    r.buy(100)
    r.step()  # a bar entirely at the limit
    assert r.sealed == "up"
    with pytest.raises(PracticeRuleError) as e:
        r.buy(100)
    assert e.value.rule == "sealed-limit-up" and "no ask" in str(e.value)


def test_sealed_limit_down_refuses_sales():
    m = _market("000001.SZ", [[9.5], [9.0, 9.0]], 10.0, lows=[[9.5], [8.55, 9.0]])
    r = PracticeRound(m)
    r.buy(100)
    r.step(2)  # next day, prev close 9.50: limit-down 8.55... the bar at 9.00 is not at it
    assert r.sealed is None
    assert sealed(8.55, 8.55, 8.55, (8.55, 10.45), daily=False) == "down"
    assert sealed(11.0, 10.5, 11.0, (9.0, 11.0), daily=True) == "up"  # a daily bar closing there


def test_price_outside_the_limits_is_refused():
    rules = MarketRules(parse_symbol("000001.SZ"))
    with pytest.raises(PracticeRuleError) as e:
        rules.check_price("buy", 11.5, None, (9.0, 11.0))
    assert e.value.rule == "price-limit"


def test_errors_are_infoway_errors_naming_the_rule():
    assert issubclass(PracticeRuleError, InfowayError)
    r = PracticeRound(_market("000001.SZ", [[10.0, 10.1]], 10.0))
    r.reveal()
    with pytest.raises(PracticeRuleError) as e:
        r.buy(100)
    assert e.value.rule == "finished"


# ---- the clock and the score --------------------------------------------------------------------
def test_the_clock_only_goes_forward_and_ends_at_the_last_bar():
    r = PracticeRound(_market("000001.SZ", [[10.0, 10.1, 10.2]], 10.0))
    assert r.revealed == 2 and r.progress == (1, 3)
    assert r.seek(0) == 0  # never back
    assert r.step(10) == 2
    assert r.at_end and not r.finished  # the last close can still be traded
    assert r.step() == 0
    assert r.finished and r.revealed == 4


def test_buy_and_hold_uses_whole_lots_and_pays_its_fees():
    # 100000 at 10.00: 9900 shares would cost 99000 + 24.75 + 0.99; 10000 would overspend
    pnl = buy_and_hold(D("100000.00"), D("10.00"), D("11.00"), CN_FEES, 100, 100)
    assert pnl == D(9900 * 1) - D("24.75") - D("0.99")
    r = PracticeRound(_market("000001.SZ", [[10.0, 11.0]], 10.0))
    s = r.reveal()
    assert s.trades == 0 and s.pnl == 0 and s.hold_pnl == D("9874.26")


# ---- simulated rounds ------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_market_and_another_seed_another():
    a = simulate("000001.SZ", days=2, seed=11)
    b = simulate("000001.SZ", days=2, seed=11)
    c = simulate("000001.SZ", days=2, seed=12)
    assert a.days == b.days and all(np.array_equal(a.bars[k], b.bars[k]) for k in COLUMNS)
    assert not np.array_equal(a.bars["c"], c.bars["c"]) or a.days != c.days
    assert len(a) - a.first == 2 * 240  # two A-share days of minutes, after the day before


def test_a_limit_up_day_reaches_the_limit_and_seals():
    m = simulate("000001.SZ", days=2, seed=7, scenario="limit_up", start=dt.date(2025, 3, 3))
    day1 = m.day == int(m.day[m.first])
    up = m.limits(m.first)[1]
    assert m.bars["c"][day1].max() == up
    at = np.flatnonzero(day1 & (m.bars["l"] == up))
    assert len(at) > 30 and np.all(m.bars["c"][at[0] :][day1[at[0] :]] == up)
    # every bar stays inside its day's limits, and day two opens from day one's close
    for i in range(len(m)):
        lo, hi = m.limits(i)
        assert lo <= m.bars["l"][i] <= m.bars["h"][i] <= hi
    assert m.prev_close[int(m.day[-1])] == up


def test_rounds_of_other_intervals_and_markets():
    d = simulate("688981.SH", days=20, interval="1d", seed=1)
    assert d.first == 60 and len(d) == 80
    h = simulate("00700.HK", days=1, interval="5m", seed=1)
    assert len(h) - h.first == 66  # 5.5 hours of five-minute bars
    with pytest.raises(BadParameterError):
        simulate("BTCUSDT", seed=1)
    with pytest.raises(BadParameterError):
        simulate("AAPL.US", seed=1, scenario="limit_up")


def test_a_market_travels_as_json_unchanged():
    m = simulate("000001.SZ", days=1, seed=3)
    back = PracticeMarket.from_json(m.to_json())
    assert back.days == m.days and back.first == m.first and back.inst == m.inst
    assert all(np.array_equal(back.bars[k], m.bars[k]) for k in COLUMNS)
