"""Order-flow counts made in bulk (several symbols in one pass, several batches at once) equal the
per-symbol, per-batch counts, across a new trading day and with a print outside any day."""

import asyncio

import numpy as np

from infoway_widgets.feed import Feed
from infoway_widgets.feed.moneyflow import JOINQUANT, TUSHARE, MoneyFlowDay, add_groups
from infoway_widgets.feed.volume_profile import ProfileDay

T0 = 1_764_034_200_000
DAY_MS = 86_400_000


def _trades(rng, n, t0):
    t = t0 + np.sort(rng.integers(0, 3_600_000, n)).astype(np.int64)
    price = np.round(rng.uniform(9, 11, n), 2)
    volume = rng.integers(1, 6000, n).astype(float) * 100
    return t, price, volume, price * volume, rng.integers(0, 3, n).astype(np.int8)


def _money_state(day):
    return (
        day.turnover.tolist(),
        day.volume.tolist(),
        day.count.tolist(),
        day.neutral.tolist(),
        day.main_net[: day.minutes + 1].round(6).tolist(),
        day.minutes,
        day.since,
        day.day_open,
        day.version,
    )


def test_add_groups_counts_each_symbol_as_add_does():
    rng = np.random.default_rng(3)
    for th in (TUSHARE, JOINQUANT):
        one = [MoneyFlowDay(th) for _ in range(3)]
        bulk = [MoneyFlowDay(th) for _ in range(3)]
        prof_one = [ProfileDay(0.01) for _ in range(3)]
        prof_bulk = [ProfileDay(0.01) for _ in range(3)]
        # day 1, then day 2 for two symbols, the third one's print outside any day (None)
        for step, opens in enumerate([[T0, T0, T0], [T0 + DAY_MS, T0 + DAY_MS, None]]):
            parts = [_trades(rng, int(rng.integers(1, 40)), T0 + step * DAY_MS) for _ in range(3)]
            for g, (t, p, v, vw, d) in enumerate(parts):
                one[g].add(opens[g], t, v, vw, d)
                prof_one[g].add(opens[g], p, v, d)
            group = np.concatenate([np.full(len(x[0]), g) for g, x in enumerate(parts)])
            t, p, v, vw, d = (np.concatenate([x[k] for x in parts]) for k in range(5))
            firsts = [int(x[0].min()) for x in parts]
            lasts = [int(x[0].max()) for x in parts]
            add_groups(bulk, opens, firsts, lasts, group, t, v, vw, d)
            ProfileDay.add_groups(prof_bulk, opens, group, p, v, d)
        for a, b in zip(one, bulk):
            assert _money_state(a) == _money_state(b)
        for a, b in zip(prof_one, prof_bulk):
            fa, fb = a.frame(), b.frame()
            assert fa.index.tolist() == fb.index.tolist()
            assert np.allclose(fa.to_numpy(), fb.to_numpy()) and fa.attrs == fb.attrs


def _frames(n):
    import orjson

    rng = np.random.default_rng(11)
    syms = ["600519.SH", "000001.SZ", "300750.SZ"]
    out = []
    t = T0
    for i in range(n):
        t += int(rng.integers(0, 2000))
        p = round(float(rng.uniform(9, 11)), 2)
        v = int(rng.integers(1, 3000)) * 100
        data = {"s": syms[i % 3], "t": t, "p": f"{p:.2f}", "v": str(v), "vw": f"{p * v:.2f}"}
        data["td"] = int(rng.integers(0, 3))
        out.append(orjson.dumps({"code": 10002, "data": data}).decode())
    return syms, out


async def _ingest(batch):
    syms, frames = _frames(3000)
    feed = Feed.detached()
    for s in syms:
        feed.watch(s, intervals=["1m"])
    for k in range(0, len(frames), batch):
        feed.ingest(frames[k : k + batch])
    got = {
        s: (feed.money_flow(s).to_numpy().tolist(), feed.volume_profile(s).to_numpy().tolist())
        for s in syms
    }
    await feed.aclose()
    return got


def test_small_batches_count_what_one_large_batch_counts():
    one_by_one = asyncio.run(_ingest(1))
    assert one_by_one == asyncio.run(_ingest(3000))
    assert one_by_one == asyncio.run(_ingest(37))
