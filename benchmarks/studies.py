"""What a live chart's studies cost per coalesced frame, in Python: ``peek`` of the forming bar for
four studies (MACD, KDJ, RSI, BOLL), against recomputing them over the whole history.

The target is <= 100 µs per frame for the four, flat in the length of the history: ``peek`` reads
only each study's small state (EMA values, the last n bars of a window), never the history. The
recompute column is what a chart would pay if it ran the frame functions on every frame. Also
shown: ``extend`` of one completed bar (a chart does it once per bar, not per frame).

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

STUDIES = ("macd", "kdj", "rsi", "boll")
SIZES = (1_000, 10_000, 100_000)


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
        "extend_us": extend * 1e6,
        "recompute_us": recompute * 1e6,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--frames", type=int, default=4000, help="peeks timed per size")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = [measure(int(n), a.frames, 40 if int(n) <= 10_000 else 20) for n in a.sizes.split(",")]
    if a.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"four studies ({', '.join(STUDIES)}), cn, per coalesced frame (median; best)")
    print(
        f"{'history':>10} {'peek':>12} {'best':>9} {'extend 1 bar':>14} {'recompute all':>15} "
        f"{'ratio':>8}"
    )
    for r in rows:
        print(
            f"{r['bars']:>10,} {r['peek_us']:>9.1f} µs {r['peek_best_us']:>6.1f} µs "
            f"{r['extend_us']:>11.1f} µs "
            f"{r['recompute_us'] / 1000:>12.2f} ms {r['recompute_us'] / r['peek_us']:>7,.0f}×"
        )


if __name__ == "__main__":
    main()
