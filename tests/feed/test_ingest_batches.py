"""The ingest hot path's shortcuts change nothing: a garbled frame in a batch costs only itself,
superseded depth snapshots are still checked, every bound of the one-comparison trade check sits
where the validating decoder puts it, and a feed fed in small batches ends in the state it reaches
in large ones."""

from __future__ import annotations

import asyncio

import numpy as np
import orjson
import pytest

from infoway_widgets.feed import Feed
from infoway_widgets.protocol.decode import decode_batch, decode_frame
from infoway_widgets.protocol.events import Depth, Trade, Unparsed

T0 = 1_764_034_200_000  # 09:30 Asia/Shanghai on a trading day
SYMBOLS = ["600519.SH", "000001.SZ", "300750.SZ"]
LEVELS = [["10.01", "10.02"], ["100", "200"]]


def _trade(**over: object) -> str:
    d: dict[str, object] = {"p": "10.5", "s": "600519.SH", "t": T0, "td": 1, "v": "100"}
    d["vw"] = "1050"
    d.update(over)
    return orjson.dumps({"code": 10002, "data": d}).decode()


def _depth(s: str = "600519.SH", t: int = T0, a: object = LEVELS, b: object = LEVELS) -> str:
    return orjson.dumps({"code": 10005, "data": {"s": s, "t": t, "a": a, "b": b}}).decode()


@pytest.mark.parametrize("latest_only", [False, True])
def test_one_garbled_frame_among_good_ones_costs_only_itself(latest_only: bool) -> None:
    good = [_trade(t=T0 + i, p=f"10.{i:02d}") for i in range(20)]
    frames: list[str | bytes] = [*good[:10], '{"code":10002,"data":{"p":"1', *good[10:]]
    frames.append(_depth(t=T0 + 50))
    cols, events = decode_batch(frames, latest_depth_only=latest_only)
    assert cols.rows() == [decode_frame(f) for f in good]
    assert [type(e) for e in events] == [Depth, Unparsed]
    assert events[1] == decode_frame(frames[10])


def test_a_superseded_snapshot_with_malformed_levels_is_still_named() -> None:
    bad = _depth(t=T0, a=[[None], ["100"]])  # a price that is null
    bad_values = _depth(t=T0 + 1, a="levels")
    newest = _depth(t=T0 + 2)
    _, events = decode_batch([bad, bad_values, newest], latest_depth_only=True)
    depths = [e for e in events if isinstance(e, Depth)]
    unparsed = [e for e in events if isinstance(e, Unparsed)]
    assert depths == [decode_frame(newest)]
    assert unparsed == [decode_frame(bad), decode_frame(bad_values)]
    assert all(isinstance(decode_frame(f), Unparsed) for f in (bad, bad_values))


def test_a_newest_snapshot_with_malformed_levels_does_not_hide_the_good_one() -> None:
    older = _depth(t=T0)
    newer_bad = _depth(t=T0 + 1, b=[["10.0"], [None]])
    _, events = decode_batch([older, newer_bad], latest_depth_only=True)
    assert events == [decode_frame(older), decode_frame(newer_bad)]
    assert isinstance(events[1], Unparsed)


@pytest.mark.parametrize(
    "over",
    [
        {"t": 10**11},
        {"t": 10**11 + 1},
        {"t": 10**14},
        {"t": 10**14 + 1},
        {"p": "0"},
        {"p": "-0"},
        {"p": "5e-324"},
        {"p": "999999999999999.9"},
        {"v": "0"},
        {"v": "-0"},
        {"v": "-5e-324"},
        {"v": "999999999999999999"},
        {"vw": "0"},
        {"vw": "-0.0"},
        {"td": 0},
        {"td": 2},
        {"td": 3},
        {"td": -1},
    ],
)
def test_the_one_comparison_bounds_agree_with_the_frame_decoder(over: dict[str, object]) -> None:
    frame = _trade(**over)
    single = decode_frame(frame)
    cols, others = decode_batch([frame, _trade()])
    if isinstance(single, Trade):
        # (a frame the fast path leaves to the validating decoder comes after the others)
        assert len(cols) == 2 and single in cols.rows() and others == []
    else:
        assert len(cols) == 1 and others == [single]


def _random_frames(n: int, seed: int) -> list[str | bytes]:
    """Trades of three symbols over several minutes, bytes and text, depth snapshots, a symbol
    nobody watches and the odd garbled frame."""
    rng = np.random.default_rng(seed)
    frames: list[str | bytes] = []
    t = T0
    for i in range(n):
        t += int(rng.integers(0, 400))
        s = SYMBOLS[int(rng.integers(0, 3))]
        p = f"{10 + rng.integers(-50, 50) / 100:.2f}"
        v = int(rng.integers(1, 50)) * 100
        # (in time order: a bar built trade by trade opens at its first arrival, one built
        # from a whole batch at its earliest print)
        frames.append(_trade(s=s, t=t, p=p, v=str(v), vw=f"{float(p) * v:.2f}"))
        frames[-1] = frames[-1].encode() if i % 5 == 0 else frames[-1]
        r = rng.random()
        if r < 0.1:
            frames.append(_depth(s=s, t=t, a=[[p], [str(v)]]))
        elif r < 0.12:
            frames.append(_trade(s="601318.SH", t=t))
        elif r < 0.13:
            frames.append('{"code":10002,"data":')
    return frames


async def _state_after(frames: list[str | bytes], batch: int) -> dict[str, object]:
    feed = Feed.detached()
    for s in SYMBOLS:
        feed.watch(s, depth=True, intervals=["1m", "5m", "1d"])
    changed: set[str] = set()
    for k in range(0, len(frames), batch):
        changed |= feed.ingest(frames[k : k + batch])
    out: dict[str, object] = {"changed": changed, "stats": dict(feed._ingest._stats)}
    for s in SYMBOLS:
        for iv in ("1m", "5m", "1d"):
            out[f"{s} {iv}"] = feed.bar_store(s, iv).arrays()
        out[f"{s} tape"] = feed.state.tapes[s].since(0)
        snap = feed.state.books[s].snapshot
        out[f"{s} book"] = None if snap is None else (snap.t, snap.bid_px.tolist())
        flow = feed.state.flows[s]
        out[f"{s} flow"] = (flow.buy, flow.sell, flow.neutral, flow.day_open)
        money = feed.state.money[s]
        out[f"{s} money"] = {
            th: (d.volume.tolist(), d.turnover.tolist()) for th, d in money.days.items()
        }
        prof = feed.state.profiles[s]
        out[f"{s} profile"] = (prof.day_open, prof._vol)
    await feed.aclose()
    return out


def _same(a: object, b: object, where: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, np.ndarray):
        # sums of a different number of trades at a time may round differently in the last bit
        np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=where)
    elif isinstance(a, float):
        assert isinstance(b, float) and b == pytest.approx(a, rel=1e-12), where
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, type(a)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


@pytest.mark.parametrize("seed", [1, 2])
def test_small_and_large_batches_make_the_same_state(seed: int) -> None:
    frames = _random_frames(3000, seed)

    async def run() -> list[dict[str, object]]:
        return [await _state_after(frames, b) for b in (1, 7, 50, 2000, len(frames))]

    states = asyncio.run(run())
    ref = states[-1]
    assert ref["stats"]["unparsed"] > 0 and ref["stats"]["trades"] > 2500  # type: ignore[index]
    for got in states[:-1]:
        stats_ref = dict(ref["stats"])  # type: ignore[call-overload]
        stats_got = dict(got["stats"])  # type: ignore[call-overload]
        # flushes count the batches, and a batch skips the depth snapshots it supersedes
        for k in ("flushes", "depth"):
            stats_ref.pop(k), stats_got.pop(k)
        assert stats_got == stats_ref
        _same(
            {k: v for k, v in got.items() if k != "stats"},
            {k: v for k, v in ref.items() if k != "stats"},
            "state",
        )
