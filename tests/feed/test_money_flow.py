"""资金流向: the classification by hand, and a simulated session against an independent count of
the same trades (collected with ``feed.on_trade``)."""

import asyncio
import math

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.feed.moneyflow import (
    CLASSES,
    JOINQUANT,
    TUSHARE,
    MoneyFlowDay,
    MoneyFlowError,
    Thresholds,
    thresholds_of,
)
from infoway_widgets.sim import serve

from .conftest import wait_for

PRESET_NAMES = ("tushare", "joinquant", "custom")


def _arr(*xs):
    return np.array(xs, dtype=float)


def test_tushare_classes_by_turnover_at_the_bounds():
    vw = _arr(49_999.99, 50_000, 199_999, 200_000, 999_999, 1_000_000)
    assert TUSHARE.classify(np.ones(6), vw).tolist() == [0, 1, 1, 2, 2, 3]


def test_joinquant_takes_the_larger_of_shares_and_turnover():
    # 60万股 at a low price is 超大 by shares; 3万元 of 1.5万股 is 小
    v = _arr(600_000, 15_000, 20_000, 100, 100)
    vw = _arr(300_000, 30_000, 30_000, 40_000, 1_000_000)
    assert JOINQUANT.classify(v, vw).tolist() == [3, 0, 1, 1, 3]


def test_a_day_counts_sides_apart_from_neutral_and_starts_afresh():
    day = MoneyFlowDay(TUSHARE)
    t0 = 1_000_000_000_000
    t = np.array([t0, t0 + 1, t0 + 60_001, t0 + 60_002], dtype=np.int64)
    day.add(t0, t, _arr(100, 200, 300, 400), _arr(1e6, 3e5, 1e4, 7e4), _arr(1, 2, 0, 2))
    df = day.frame()
    assert df.loc["xlarge", "inflow"] == 1e6 and df.loc["large", "outflow"] == 3e5
    assert df.loc["medium", "outflow_volume"] == 400 and df.loc["medium", "outflow_count"] == 1
    assert df["inflow_count"].sum() + df["outflow_count"].sum() == 3  # the neutral one apart
    assert df.attrs["neutral"] == {"turnover": 1e4, "volume": 300.0, "count": 1}
    assert df.attrs["main_net"] == 1e6 - 3e5
    assert df.attrs["preset"] == "tushare" and df.attrs["estimate"] is True
    tl, line = day.main_net_line()
    assert tl.tolist() == [t0, t0 + 60_000] and line.tolist() == [7e5, 7e5]
    day.add(t0 + 86_400_000, t[:1] + 86_400_000, _arr(1), _arr(10), _arr(1))
    assert day.frame()["inflow"].sum() == 10 and day.main_net_total == 0


def test_bad_thresholds_say_what_to_give():
    with pytest.raises(MoneyFlowError, match="three rising"):
        Thresholds(turnover=(5e4, 1e4, 1e6))
    with pytest.raises(MoneyFlowError, match="tushare"):
        thresholds_of("wind")
    assert thresholds_of({"turnover": (1, 2, 3)}).volume is None
    assert thresholds_of([1, 2, 3]).turnover == (1, 2, 3)


def _independent(trades, by_turnover, by_volume=None):
    """Class and side of each trade with plain comparisons, summed with fsum."""
    sums = {(s, c): [[], [], 0] for s in (1, 2) for c in range(4)}
    neutral = [[], [], 0]

    def cls(bounds, x):
        return sum(x >= b for b in bounds)

    for tr in trades:
        if tr.direction not in (1, 2):
            neutral[0].append(tr.turnover)
            neutral[1].append(tr.volume)
            neutral[2] += 1
            continue
        c = cls(by_turnover, tr.turnover)
        if by_volume is not None:
            c = max(c, cls(by_volume, tr.volume))
        cell = sums[(tr.direction, c)]
        cell[0].append(tr.turnover)
        cell[1].append(tr.volume)
        cell[2] += 1
    return sums, neutral


async def test_a_session_against_an_independent_classification():
    async with serve(port=0, seed=5, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True)
        try:
            sym = "600519.SH"
            seen = []
            ev = asyncio.Event()

            def on_trade(tr):
                seen.append(tr)
                ev.set()

            watch = feed.on_trade(sym, on_trade)
            await wait_for(lambda: len(seen) >= 400, 60, "400 trades", ev)
            # custom thresholds first asked for mid-session: the day's trades from the tape
            custom = {"turnover": (1e5, 3e5, 6e5), "volume": (500, 1000, 2000)}
            feed.money_flow(sym, custom)
            await wait_for(lambda: len(seen) >= 800, 60, "800 trades", ev)
            # read the counts and the trades seen in one go: a batch updates both before any await
            frames = {p: feed.money_flow(sym, custom if p == "custom" else p) for p in PRESET_NAMES}
            seen = list(seen)
            watch.close()
            day = {
                "tushare": (TUSHARE.turnover, None),
                "joinquant": (JOINQUANT.turnover, JOINQUANT.volume),
                "custom": (custom["turnover"], custom["volume"]),
            }
            assert len({tr.t // 86_400_000 for tr in seen}) == 1, "the run crossed a day"
            for preset, (bt, bv) in day.items():
                df = frames[preset]
                sums, neutral = _independent(seen, bt, bv)
                for c, name in enumerate(CLASSES):
                    for side, col in ((1, "inflow"), (2, "outflow")):
                        vw, v, n = sums[(side, c)]
                        assert df.loc[name, f"{col}_count"] == n, (preset, name, col)
                        assert df.loc[name, col] == pytest.approx(math.fsum(vw), rel=1e-12)
                        assert df.loc[name, f"{col}_volume"] == pytest.approx(
                            math.fsum(v), rel=1e-12
                        )
                assert df.attrs["neutral"]["count"] == neutral[2]
                main = sum(math.fsum(sums[(1, c)][0]) - math.fsum(sums[(2, c)][0]) for c in (2, 3))
                assert df.attrs["main_net"] == pytest.approx(main, rel=1e-9, abs=1e-6)
            # every trade counted once, in exactly one class or apart
            df = frames["tushare"]
            total = df["inflow_count"].sum() + df["outflow_count"].sum()
            assert total + df.attrs["neutral"]["count"] == len(seen)
            assert sum(tr.direction in (1, 2) for tr in seen) > 0.5 * len(seen)
        finally:
            await feed.aclose()
