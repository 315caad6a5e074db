"""Ingest throughput: recorded trade/depth frames through codec + aggregation, no socket.

Ours: ``Feed.ingest`` (msgspec batch decode → numpy columns → bars for 1m/5m/1d + tape + book),
in batches as the live path delivers them. Peer: the official ``infoway-sdk`` (0.4.1) handling the
same frames through its own frame dispatch (``InfowayWebSocket._dispatch``), with ``parse=True`` (its
Decimal numbers and datetimes) and the per-trade 1-minute bar update a user of it would write in the callback.

    .venv/bin/python benchmarks/ingest.py [--frames 300000] [--repeat 3]

The floor: ``orjson.loads`` of each frame and nothing else (no types, no checks, no bars), on the
same frames in the same run. Every path runs once per repeat, interleaved, and the best of the
repeats counts, so a busy machine slows all of them alike and the ratios stay comparable.

Prints a table of trades/s per core and the ratios, and ``--json`` writes them for run_all.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time

import numpy as np
import orjson

SYMBOLS = ["600519.SH", "000001.SZ", "300750.SZ", "688981.SH", "600036.SH", "601318.SH"]
T0 = 1_764_034_200_000  # 09:30 Asia/Shanghai on a trading day


def make_frames(n: int, seed: int = 7) -> list[bytes]:
    """Production-shaped pushes: trades, and one depth snapshot per ten trades."""
    rng = np.random.default_rng(seed)
    frames: list[bytes] = []
    px = {s: 100.0 + 10 * i for i, s in enumerate(SYMBOLS)}
    t = T0
    for i in range(n):
        s = SYMBOLS[i % len(SYMBOLS)]
        px[s] = round(max(1.0, px[s] + rng.choice([-0.01, 0.0, 0.01])), 2)
        t += int(rng.integers(0, 40))
        v = int(rng.integers(1, 50)) * 100
        if i % 10 == 9:
            a = [
                [f"{px[s] + 0.01 * k:.2f}" for k in range(1, 6)],
                [str(int(x)) for x in rng.integers(1, 90, 5) * 100],
            ]
            b = [
                [f"{px[s] - 0.01 * k:.2f}" for k in range(0, 5)],
                [str(int(x)) for x in rng.integers(1, 90, 5) * 100],
            ]
            frames.append(orjson.dumps({"code": 10005, "data": {"a": a, "b": b, "s": s, "t": t}}))
        frames.append(
            orjson.dumps(
                {
                    "code": 10002,
                    "data": {
                        "p": f"{px[s]:.2f}",
                        "s": s,
                        "t": t,
                        "td": int(rng.integers(0, 3)),
                        "v": str(v),
                        "vw": f"{px[s] * v:.2f}",
                    },
                }
            )
        )
    return frames


async def floor(frames: list[bytes]) -> tuple[float, dict]:
    texts = [f.decode() for f in frames]
    loads = orjson.loads
    t0 = time.process_time()
    for fr in texts:
        loads(fr)
    return time.process_time() - t0, {}


async def ours(frames: list[bytes], batch: int) -> tuple[float, dict]:
    from infoway_widgets.feed import Feed

    feed = Feed.detached()
    for s in SYMBOLS:
        feed.watch(s, depth=True, intervals=["1m", "5m", "1d"])
    texts = [f.decode() for f in frames]
    t0 = time.process_time()
    for k in range(0, len(texts), batch):
        feed.ingest(texts[k : k + batch])
    dt = time.process_time() - t0
    bars = {s: len(feed.bar_store(s, "1m")) for s in SYMBOLS}
    await feed.aclose()
    return dt, bars


async def sdk(frames: list[bytes], parse: bool) -> tuple[float, dict]:
    from infoway.ws.client import InfowayWebSocket

    ws = InfowayWebSocket(api_key="benchmark-key-not-real", business="stock", parse=parse)
    bars: dict[tuple[str, int], list[float]] = {}

    async def on_trade(d):  # the 1-minute bar update an SDK user writes
        s, t, p, v = d["s"], d["t"], float(d["p"]), float(d["v"])
        if parse:  # parse=True gives Decimal numbers and a datetime
            t = int(t.timestamp() * 1000)
        key = (s, int(t) // 60_000)
        b = bars.get(key)
        if b is None:
            bars[key] = [p, p, p, p, v]
        else:
            b[1] = max(b[1], p)
            b[2] = min(b[2], p)
            b[3] = p
            b[4] += v

    async def on_depth(d):
        return None

    ws.on_trade = on_trade
    ws.on_depth = on_depth
    texts = [f.decode() for f in frames]
    t0 = time.process_time()
    for fr in texts:
        await ws._dispatch(fr)
    dt = time.process_time() - t0
    return dt, {s: sum(1 for k in bars if k[0] == s) for s in SYMBOLS}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--frames", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--batch", type=int, default=2000, help="frames per ingest batch (live flushes are smaller)"
    )
    ap.add_argument("--json", help="write results here")
    a = ap.parse_args()
    frames = make_frames(a.frames)
    n_trades = sum(1 for f in frames if f.startswith(b'{"code":10002'))
    rows = []

    runs = {
        "floor": (floor,),
        "ours": (ours, a.batch),
        "small": (ours, 50),
        "sdk_raw": (sdk, False),
        "sdk": (sdk, True),
    }
    best: dict[str, float] = {}
    out: dict[str, dict] = {}
    for _ in range(a.repeat):  # interleaved: noise from other processes hits every path alike
        for key, (fn, *args) in runs.items():
            dt, out[key] = asyncio.run(fn(frames, *args))
            best[key] = min(best.get(key, dt), dt)
    bars_ours, bars_sdk = out["ours"], out["sdk_raw"]
    assert bars_ours == bars_sdk, f"bar counts differ: {bars_ours} vs {bars_sdk}"
    dt_ours, dt_small, dt_sdk, dt_sdk_raw = (
        best["ours"],
        best["small"],
        best["sdk"],
        best["sdk_raw"],
    )
    rows = [
        (f"infoway-widgets Feed.ingest (batches of {a.batch})", n_trades / dt_ours),
        ("infoway-widgets Feed.ingest (batches of 50)", n_trades / dt_small),
        ("infoway-sdk 0.4.1 _dispatch, parse=True + bar update", n_trades / dt_sdk),
        ("infoway-sdk 0.4.1 _dispatch, raw dicts + bar update", n_trades / dt_sdk_raw),
        ("floor: orjson.loads of each frame, nothing else", n_trades / best["floor"]),
    ]
    ref = n_trades / dt_sdk
    print(
        f"\n{len(frames):,} frames ({n_trades:,} trades, {len(frames) - n_trades:,} depth), best of {a.repeat}, "
        f"one core, Python {platform.python_version()}\n"
    )
    fl = n_trades / best["floor"]
    print(f"| {'path':58} | {'trades/s':>12} | {'vs SDK parse=True':>17} | {'vs floor':>8} |")
    print(f"|{'-' * 60}|{'-' * 14}|{'-' * 19}|{'-' * 10}|")
    for name, rate in rows:
        print(f"| {name:58} | {rate:12,.0f} | {rate / ref:16.1f}x | {rate / fl:7.2f}x |")
    print(f"\nbatches of 50 at {dt_ours / dt_small:.2f}x the speed of batches of {a.batch}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(
                {
                    "frames": len(frames),
                    "trades": n_trades,
                    "batch": a.batch,
                    "rows": [
                        {"path": n, "trades_per_s": r, "ratio": r / ref, "vs_floor": r / fl}
                        for n, r in rows
                    ],
                    "small_vs_large": dt_ours / dt_small,
                    "python": sys.version.split()[0],
                    "cpus": os.cpu_count(),
                },
                fh,
                indent=2,
            )


if __name__ == "__main__":
    main()
