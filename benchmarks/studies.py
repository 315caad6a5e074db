"""What a live chart's studies cost per coalesced frame, in Python: ``peek`` of the forming bar for
four studies (MACD, KDJ, RSI, DMI), a ``CandleChart``'s whole frame with those four studies, and
recomputing them over the whole history.

The target is <= 100 µs per frame for the four, flat in the length of the history: ``peek`` reads
only each study's small state (EMA values, the last n bars of a window), never the history. The
chart frame column is everything the kernel does per coalesced frame of a live chart: a few
trades go into the forming bar (``feed.ingest``, not timed), then the coalescer's call is timed
(``CandleChart._flush``: the store's changes, the bar columns, the four studies' values, the
header, the lines' points, and the encode to header JSON + binary buffers as ``jupyter_client``
packs a comm message); the plain chart (no studies) is the same frame measured in the same run,
for the ratio. The recompute column is what a chart would pay if it ran the frame functions on
every frame. Also shown: ``extend`` of one completed bar (a chart does it once per bar, not per
frame).

    python benchmarks/studies.py                 # 1k, 10k, 100k bars of history
    python benchmarks/studies.py --json          # for run_all.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from infoway_widgets.studies import REGISTRY

STUDIES = ("macd", "kdj", "rsi", "dmi")
SIZES = (1_000, 10_000, 100_000)
#: trades folded into the forming bar before each timed chart frame
TRADES_PER_FRAME = 3
T_END = 1_795_570_200_000  # a minute boundary (UTC ms)


def history(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = np.round(20 * np.exp(np.cumsum(rng.normal(0, 0.01, n))), 2)
    h = np.round(c * (1 + abs(rng.normal(0, 0.004, n))), 2)
    lo = np.round(c * (1 - abs(rng.normal(0, 0.004, n))), 2)
    return pd.DataFrame(
        {"open": c, "high": h, "low": lo, "close": c, "volume": rng.integers(1, 500, n) * 100.0}
    )


def per_call(fn, repeat: int) -> tuple[float, float]:
    """(median, best) seconds per call over 20 timed batches of ``repeat / 20`` calls: the median
    is what a loaded machine gives, the best what the code costs."""
    batch = max(1, repeat // 20)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        times.append((time.perf_counter() - t0) / batch)
    return statistics.median(times), min(times)


def _batched(ns: list[int]) -> tuple[float, float]:
    """(median, best) seconds per frame over 20 batches of the frames' times (``per_call``'s way,
    with untimed work between the frames)."""
    batch = max(1, len(ns) // 20)
    means = [sum(ns[i : i + batch]) / batch / 1e9 for i in range(0, batch * 20, batch)]
    return statistics.median(means), min(means)


class _PackingComm:
    """What ``comm.create_comm`` makes while the chart frames are timed: a comm that packs each
    message as ``jupyter_client`` does (``json_packer`` of the JSON part) and drops it."""

    @staticmethod
    def install() -> None:
        import comm
        from comm.base_comm import BaseComm
        from jupyter_client.session import json_packer

        class PackingComm(BaseComm):
            def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
                json_packer(data if data is not None else {})

        comm.create_comm = lambda *a, **k: PackingComm(*a, **k)


def _bar_rows(n: int, seed: int = 1) -> np.ndarray:
    """``n`` one-minute bars ``[t, o, h, l, c, v, turnover]`` ending at :data:`T_END`."""
    df = history(n, seed)
    t = T_END - (np.arange(n)[::-1] + 1) * 60_000
    o = np.r_[df["close"].iloc[0], df["close"].to_numpy()[:-1]]
    c = df["close"].to_numpy()
    h = np.maximum(df["high"].to_numpy(), np.maximum(o, c))
    lo = np.minimum(df["low"].to_numpy(), np.minimum(o, c))
    v = df["volume"].to_numpy()
    return np.column_stack([t, o, h, lo, c, v, v * c])


async def _chart_frames(n: int, studies: tuple[str, ...], frames: int) -> tuple[float, float]:
    """(median, best) seconds of a live chart's whole Python frame on ``n`` bars of history."""
    import orjson

    import infoway_widgets as iw
    from infoway_widgets.feed.feed import Feed

    feed = Feed.detached()
    code = "BTCUSDT"
    rows = _bar_rows(n)
    settled = np.ones(n, dtype=bool)
    settled[-1] = False  # the newest bar is forming
    feed.apply_bar_rows(feed.bar_store(code, "1m"), rows, settled)
    chart = iw.CandleChart(code, "1m", feed=feed, history=n, studies=list(studies))
    chart._on_views({"id": "benchmark", "n": 1})  # a view: frames go out, no snapshot pushes
    chart._flush()
    bar_t, price = int(rows[-1, 0]), float(rows[-1, 4])
    rng = np.random.default_rng(3)
    trades = [
        [
            orjson.dumps(
                {
                    "code": 10002,
                    "data": {
                        "s": code,
                        "t": bar_t + 1 + k * TRADES_PER_FRAME + j,
                        "p": f"{price * (1 + 0.002 * float(rng.normal())):.2f}",
                        "v": "1.5",
                        "td": 1,
                    },
                }
            )
            for j in range(TRADES_PER_FRAME)
        ]
        for k in range(frames)
    ]
    sent = chart.frames_sent
    ns = []
    clock = time.perf_counter_ns
    for batch in trades:
        feed.ingest(batch)  # the trades of one display period, into the forming bar
        t0 = clock()
        chart._flush()  # what the coalescer runs once per period
        ns.append(clock() - t0)
    if chart.frames_sent - sent != frames:
        raise RuntimeError(f"expected {frames} chart frames, {chart.frames_sent - sent} sent")
    chart.close()
    await feed.aclose()
    return _batched(ns)


def chart_frame(n: int, frames: int) -> dict[str, float]:
    """The chart frame columns at ``n`` bars: four studies, and none."""
    import asyncio

    with_studies = asyncio.run(_chart_frames(n, STUDIES, frames))
    plain = asyncio.run(_chart_frames(n, (), frames))
    return {
        "frame_us": with_studies[0] * 1e6,
        "frame_best_us": with_studies[1] * 1e6,
        "plain_frame_us": plain[0] * 1e6,
        "frame_vs_plain": with_studies[0] / plain[0],
    }


def measure(n: int, frames: int, recompute_frames: int) -> dict[str, float]:
    df = history(n + 1)
    cols = [df[f].to_numpy() for f in ("open", "high", "low", "close", "volume")]
    runs = [REGISTRY[s].start("cn") for s in STUDIES]
    for run in runs:
        run.extend(*(x[:-1] for x in cols))
    o, h, lo, c, v = (float(x[-1]) for x in cols)
    ticks = c * (1 + np.random.default_rng(2).normal(0, 0.001, 997))
    i = [0]

    def peek_four() -> None:
        p = float(ticks[i[0] % 997])
        i[0] += 1
        for run in runs:
            run.peek(o, max(h, p), min(lo, p), p, v)

    def recompute_four() -> None:
        for s in STUDIES:
            REGISTRY[s].compute(df, "cn")

    last = [x[-1:] for x in cols]

    def extend_four() -> None:
        for run in runs:
            run.extend(*last)

    peek, peek_best = per_call(peek_four, frames)
    extend, _ = per_call(extend_four, frames // 4)
    recompute, _ = per_call(recompute_four, recompute_frames)
    return {
        "bars": n,
        "peek_us": peek * 1e6,
        "peek_best_us": peek_best * 1e6,
        **chart_frame(n, frames),
        "extend_us": extend * 1e6,
        "recompute_us": recompute * 1e6,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument(
        "--frames", type=int, default=4000, help="peeks and chart frames timed per size"
    )
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    _PackingComm.install()
    rows = [measure(int(n), a.frames, 40 if int(n) <= 10_000 else 20) for n in a.sizes.split(",")]
    if a.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"four studies ({', '.join(STUDIES)}), cn, per coalesced frame (median; best)")
    print(
        f"{'history':>10} {'peek':>12} {'best':>9} {'chart frame':>14} {'best':>9} "
        f"{'plain chart':>14} {'extend 1 bar':>14} {'recompute all':>15} {'ratio':>8}"
    )
    for r in rows:
        print(
            f"{r['bars']:>10,} {r['peek_us']:>9.1f} µs {r['peek_best_us']:>6.1f} µs "
            f"{r['frame_us']:>11.1f} µs {r['frame_best_us']:>6.1f} µs "
            f"{r['plain_frame_us']:>11.1f} µs {r['extend_us']:>11.1f} µs "
            f"{r['recompute_us'] / 1000:>12.2f} ms {r['recompute_us'] / r['peek_us']:>7,.0f}×"
        )


if __name__ == "__main__":
    main()
