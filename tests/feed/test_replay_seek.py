"""Replay seeks backwards through the state's public reset: the stores it rebuilds equal a fresh
feed's given the same records, and the market clock goes back with them."""

from __future__ import annotations

import datetime as dt

import numpy as np

import infoway_widgets as iw
from infoway_widgets.feed import Feed
from infoway_widgets.feed.aggregate import DayFlow
from infoway_widgets.feed.record import Recorder
from infoway_widgets.feed.state import MarketState
from infoway_widgets.market import parse_interval, parse_symbol

SYM = "600519.SH"
T0 = int(
    dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp() * 1000
)


def trade(t: int, p: float, v: int, td: int) -> str:
    return (
        f'{{"code":10002,"data":{{"s":"{SYM}","t":{t},"p":"{p:.2f}","v":"{v}",'
        f'"vw":"{p * v:.2f}","td":{td}}}}}'
    )


def depth(t: int, p: float) -> str:
    a = [[f"{p + 0.01 * k:.2f}" for k in range(1, 6)], ["100"] * 5]
    b = [[f"{p - 0.01 * k:.2f}" for k in range(5)], ["200"] * 5]
    return f'{{"code":10005,"data":{{"a":{a},"b":{b},"s":"{SYM}","t":{t}}}}}'.replace("'", '"')


def batches(n: int) -> list[list[str]]:
    rng = np.random.default_rng(5)
    out = []
    for k in range(n):
        t = T0 + k * 20_000  # a batch every 20 exchange seconds: minute bars roll over
        out.append(
            [trade(t + i, 10 + 0.01 * int(rng.integers(0, 30)), 100, i % 3) for i in range(5)]
            + ([depth(t + 9, 10.1)] if k % 4 == 3 else [])
        )
    return out


def snapshot(feed) -> dict:
    st = feed.state
    return {
        "bars": {k: s.to_pandas().to_dict("list") for k, s in st.bars.items()},
        "tape": feed.tape_store(SYM).since(0)["t"].tolist(),
        "flow": (st.flows[SYM].buy, st.flows[SYM].sell) if SYM in st.flows else None,
        "book": None if feed.book_store(SYM).snapshot is None else feed.book_store(SYM).snapshot.t,
        "market_ms": feed.market_ms,
    }


def test_reset_empties_the_state_and_keeps_the_bar_stores():
    st = MarketState()
    inst = parse_symbol(SYM)
    bars = st.bar_store(inst, parse_interval("1m"))
    bars.upsert(T0, 1, 2, 0.5, 1.5, 10, 15)
    tape = st.tape(inst)
    tape.append(np.array([T0]), np.array([1.0]), np.ones(1), np.ones(1), np.ones(1))
    st.book(inst).update(T0, np.array([1.0]), np.array([1.0]), np.array([2.0]), np.array([1.0]))
    st.market_ms = T0
    st.flows[SYM] = DayFlow(buy=100.0)
    epoch = bars.epoch
    assert st.reset() == {SYM}
    assert st.bars[(SYM, "1m")] is bars and len(bars) == 0 and bars.epoch == epoch + 1
    assert st.tapes[SYM] is not tape and st.tapes[SYM].total == 0
    assert st.books[SYM].snapshot is None and st.flows == {} and st.market_ms == 0
    assert st.watched[SYM].intervals == (parse_interval("1m"),)  # still watched after a reset


async def test_seeking_back_rebuilds_what_a_fresh_feed_would_hold(tmp_path):
    path = tmp_path / "r.jsonl"
    rec = Recorder(path, simulated=False)
    wall = 1_800_000_000_000
    rec.watch(wall, SYM, True, True, ["1m", "5m"])
    recorded = batches(40)
    for k, frames in enumerate(recorded):
        rec.batch(wall + 1000 * (k + 1), frames)
    rec.close()

    def fresh(upto: int) -> Feed:
        f = Feed.detached()
        f.watch(SYM, depth=True, intervals=["1m", "5m"])
        for frames in recorded[:upto]:
            f.ingest(frames)
        return f

    rp = iw.connect(replay=path, speed=1.0)
    try:
        r = rp.replay
        r.pause()
        r.seek(r.end_ms)
        end = snapshot(rp)
        assert end["market_ms"] > T0 + 10 * 60_000 and len(end["bars"][(SYM, "1m")]["open"]) > 10
        changed = []
        rp.on_change(changed.append)
        r.seek(wall + 1000 * 15)  # back: 15 batches in
        assert changed and SYM in changed[-1]
        mid = snapshot(rp)
        ref = fresh(15)
        assert mid == snapshot(ref)
        assert mid["market_ms"] < end["market_ms"]  # the clock went back with the stores
        r.seek(r.start_ms - 1)  # before the first batch: nothing but the watch
        first = snapshot(rp)
        assert first["tape"] == [] and first["book"] is None and first["market_ms"] == 0
        r.seek(r.end_ms)
        assert snapshot(rp) == end  # deterministic
        await ref.aclose()
    finally:
        await rp.aclose()
