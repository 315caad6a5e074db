"""History and live data agree: pushed trades make the server's candles, bars aggregate, days chain."""

from __future__ import annotations

import asyncio
import itertools
import json
from decimal import Decimal

import httpx
import numpy as np

from infoway_widgets.market import BY_KLINE, bar_opens, parse_symbol

from .conftest import fake_market, heartbeat, running, sh, ws_client


def agg(rows):
    """{open: (o, h, l, c, v, vw)} from [(open, p, v, vw)] in order."""
    out = {}
    for k, p, v, vw in rows:
        if k not in out:
            out[k] = [p, p, p, p, Decimal(0), Decimal(0)]
        b = out[k]
        b[1] = max(b[1], p)
        b[2] = min(b[2], p)
        b[3] = p
        b[4] += v
        b[5] += vw
    return out


async def test_candles_equal_the_aggregation_of_pushed_trades():
    codes = ["600519.SH", "000001.SZ"]
    # speed 120: the idle limit is 0.5 s real, heartbeats go every 0.05 s even on a busy machine
    async with running(speed=120, start=sh(9, 31)) as srv, ws_client(srv, "stock") as ws:
        await ws.send(json.dumps({"code": 10000, "trace": "t", "data": {"codes": ",".join(codes)}}))
        hb = asyncio.ensure_future(heartbeat(ws, 0.05))
        trades = []
        t_end = None
        try:
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if msg.get("code") != 10002:
                    continue
                trades.append(msg["data"])
                if t_end is None:
                    t_end = msg["data"]["t"] // 60000 * 60000 + 4 * 60000
                if msg["data"]["t"] >= t_end + 60000:
                    break
        finally:
            hb.cancel()
        first_minute = trades[0]["t"] // 60000 * 60000 + 60000  # the first may be partial
        async with httpx.AsyncClient(base_url=srv.url) as c:
            for code in codes:
                inst = parse_symbol(code)
                mine = [d for d in trades if d["s"] == code]
                keys = bar_opens(inst, "1m", np.array([d["t"] for d in mine]))
                got = agg(
                    [
                        (int(k), Decimal(d["p"]), Decimal(d["v"]), Decimal(d["vw"]))
                        for k, d in zip(keys, mine)
                    ]
                )
                r = await c.post(
                    "/stock/v2/batch_kline", json={"klineType": 1, "klineNum": 30, "codes": code}
                )
                server = {int(b["t"]) * 1000: b for b in r.json()["data"][0]["respList"]}
                compared = 0
                for k in range(first_minute, t_end, 60000):
                    if k not in got:
                        continue
                    o, h, lo, cl, v, vw = got[k]
                    b = server[k]
                    assert (Decimal(b["o"]), Decimal(b["h"]), Decimal(b["l"]), Decimal(b["c"])) == (
                        o,
                        h,
                        lo,
                        cl,
                    )
                    assert (Decimal(b["v"]), Decimal(b["vw"])) == (v, vw)
                    compared += 1
                assert compared >= 3
        # the in-memory ground truth says the same (read after the candles: time moves on)
        async with httpx.AsyncClient(base_url=srv.url) as c:
            r = await c.post(
                "/stock/v2/batch_kline", json={"klineType": 1, "klineNum": 10, "codes": "600519.SH"}
            )
        gt = srv.ground_truth.bars("600519.SH", "1m").set_index("t")
        for bar in r.json()["data"][0]["respList"][1:]:
            t = int(bar["t"]) * 1000
            if t in gt.index and t >= first_minute:
                assert abs(gt.loc[t, "c"] - float(bar["c"])) < 1e-9
                assert abs(gt.loc[t, "v"] - float(bar["v"])) < 1e-9


def test_longer_bars_are_aggregates_of_minute_bars():
    market, mono = fake_market(sh(9, 30), codes=["600519.SH", "BTCUSDT"])
    from .conftest import run_to

    run_to(market, mono, sh(10, 45))
    for code in ("600519.SH", "BTCUSDT"):
        inst = market.sim(code).inst
        minutes = market.candles(code, 1, 500)[::-1]
        t = np.array([m[0] for m in minutes])
        for kt in (2, 3, 5):
            iv = BY_KLINE[kt]
            keys = bar_opens(inst, iv, t)
            longer = {c[0]: c for c in market.candles(code, kt, 20)}
            # compare bars whose every minute is inside the 500-minute window
            for k in sorted(set(keys.tolist()))[1:]:
                if k not in longer:
                    continue
                sel = [m for m, kk in zip(minutes, keys) if kk == k]
                bar = longer[k]
                assert bar[1] == sel[0][1] and bar[4] == sel[-1][4]
                assert bar[2] == max(m[2] for m in sel) and bar[3] == min(m[3] for m in sel)
                assert bar[5] == sum(m[5] for m in sel) and bar[6] == sum(m[6] for m in sel)
        # today's daily bar is the aggregate of today's minutes
        day = market.candles(code, 8, 2)
        today = [m for m in minutes if m[0] >= day[0][0]]
        assert day[0][4] == today[-1][4] and day[0][5] == sum(m[5] for m in today)


def test_history_depth_and_daily_chaining():
    market, mono = fake_market(sh(9, 30), codes=["600519.SH", "600200.SH", "BTCUSDT"])
    from .conftest import run_to

    run_to(market, mono, sh(9, 40))
    for code in ("600519.SH", "600200.SH", "BTCUSDT"):
        daily = market.candles(code, 8, 500)[::-1]
        assert len(daily) >= 125  # at least six months of trading days
        for prev, cur in itertools.pairwise(daily):
            assert cur[7] == prev[4]  # previous close is the previous bar's close
        inst = market.sim(code).inst
        if inst.price_limit:
            # previous close of today = close of the last complete daily bar
            assert market.prev_close(code) == daily[-2][4]
            for prev, cur in zip(daily[-60:], daily[-59:]):
                lo, hi = inst.price_limits(prev[4] / 100)
                assert lo - 1e-9 <= cur[3] / 100 and cur[2] / 100 <= hi + 1e-9
        minutes = market.candles(code, 1, 500)
        oldest = minutes[-1][0]
        for _ in range(20):
            page = market.candles(code, 1, 500, oldest - 1)
            if not page:
                break
            oldest = page[-1][0]
        days = (minutes[0][0] - oldest) / 86_400_000
        assert days >= 5


def test_daily_bar_of_a_day_started_mid_session_merges_history_and_live():
    market, mono = fake_market(sh(10, 47), codes=["600519.SH"])
    from .conftest import run_to

    run_to(market, mono, sh(11, 10))
    minutes = market.candles("600519.SH", 1, 500)[::-1]
    day = market.candles("600519.SH", 8, 2)[0]
    today = [m for m in minutes if m[0] >= day[0]]
    assert today[0][0] == sh(9, 30).timestamp() * 1000  # history minutes before 10:47 ...
    assert any(m[0] >= sh(10, 47).timestamp() * 1000 for m in today)  # ... and live after
    assert day[1] == today[0][1] and day[4] == today[-1][4]
    assert day[2] == max(m[2] for m in today) and day[3] == min(m[3] for m in today)
    assert day[5] == sum(m[5] for m in today) and day[6] == sum(m[6] for m in today)


def test_weekly_and_monthly_bars_aggregate_daily_bars():
    market, _mono = fake_market(sh(9, 30), codes=["600519.SH"])
    daily = market.candles("600519.SH", 8, 60)[::-1]
    weekly = {b[0]: b for b in market.candles("600519.SH", 9, 10)}
    import datetime as dt

    from .conftest import SH

    groups: dict[int, list] = {}
    for d in daily:
        local = dt.datetime.fromtimestamp(d[0] / 1000, SH).date()
        monday = local - dt.timedelta(days=local.weekday())
        key = int(dt.datetime.combine(monday, dt.time(), tzinfo=SH).timestamp() * 1000)
        groups.setdefault(key, []).append(d)
    compared = 0
    for key, days in list(groups.items())[1:]:
        if key not in weekly:
            continue
        w = weekly[key]
        compared += 1
        assert (w[1], w[4]) == (days[0][1], days[-1][4])
        assert w[5] == sum(d[5] for d in days)
    assert compared >= 8
    assert len(market.candles("600519.SH", 10, 6)) == 6
