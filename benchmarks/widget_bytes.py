"""Bytes and messages sent to the front-end per live update of a candlestick chart.

Every widget library here talks to the browser through ipywidgets comms. This script replaces
``comm.create_comm`` with a comm that records every message it would publish (JSON body as
``jupyter_client``'s packer encodes it + binary buffers), so the numbers are the real wire
payloads, without a browser or kernel.

For a chart holding 1 000 / 10 000 / 100 000 one-minute bars, one *update* is one live change of
the newest bar (a trade moves its close/high/volume), and every ``--new-bar-every``-th update a new
bar opens. Each library is updated the way its documentation recommends:

* **infoway-widgets** ``CandleChart`` on a detached feed: trades go in through ``feed.ingest``;
  the widget coalesces at ``max_fps`` (20 Hz) and sends one custom message with the changed
  bars. Its ``_snapshot`` trait (the last 500 bars, for saved notebooks and HTML export) is
  refreshed at most once a second while data flows: counted too, amortised over the updates.
* **infoway-widgets** ``CandleChart`` with four studies (MACD, KDJ, RSI, BOLL) and two lines of
  the user's, each line getting a point per update: the studies' values ride in the same frame
  (one packed column) and so do the lines' points (``line_points``). Budget: 200 B + 40 B per
  changed series.
* **bqplot 0.13** ``OHLC`` mark: reassign ``y`` (and ``x`` when a bar opens) under ``hold_sync``.
* **plotly** ``FigureWidget`` candlestick: assign ``open/high/low/close`` (and ``x``) inside
  ``fig.batch_update()``.

    python benchmarks/widget_bytes.py            # table
    python benchmarks/widget_bytes.py --json     # for run_all.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import defaultdict
from typing import Any

import comm
import numpy as np
import orjson
from comm.base_comm import BaseComm
from jupyter_client.session import json_packer

SIZES = (1_000, 10_000, 100_000)
T_END = 1_795_570_200_000  # a minute boundary (UTC ms)


class Recorder:
    def __init__(self) -> None:
        self.msgs: list[tuple[str, int, int]] = []  # (msg_type, json bytes, buffer bytes)
        self.on_msg: Any = None

    def record(self, msg_type: str, data: Any, buffers: Any) -> None:
        body = len(json_packer(data if data is not None else {}))
        buf = sum(memoryview(b).nbytes for b in (buffers or []))
        self.msgs.append((msg_type, body, buf))
        if self.on_msg is not None:
            self.on_msg(data)

    def mark(self) -> int:
        return len(self.msgs)

    def since(self, i: int) -> tuple[int, int, int]:
        m = self.msgs[i:]
        return len(m), sum(x[1] for x in m), sum(x[2] for x in m)


REC = Recorder()


class RecordingComm(BaseComm):
    """A comm that records instead of publishing (ipywidgets' wire format, no kernel)."""

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        REC.record(msg_type, data, buffers)


def _install() -> None:
    comm.create_comm = lambda *a, **k: RecordingComm(*a, **k)  # type: ignore[assignment]


def synthetic_bars(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = T_END - (np.arange(n)[::-1] + 1) * 60_000
    c = 100 + np.cumsum(rng.normal(0, 0.1, n))
    o = np.r_[c[0], c[:-1]]
    h = np.maximum(o, c) + rng.uniform(0, 0.05, n)
    lo = np.minimum(o, c) - rng.uniform(0, 0.05, n)
    v = rng.uniform(1, 100, n).round(3)
    return {
        "t": t.astype(np.int64),
        "open": o,
        "high": h,
        "low": lo,
        "close": c,
        "volume": v,
        "turnover": v * c,
    }


def _result(
    name: str,
    n: int,
    updates: int,
    initial: tuple[int, int, int],
    live: tuple[int, int, int],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    msgs, body, buf = live
    r = {
        "lib": name,
        "bars": n,
        "updates": updates,
        "initial_bytes": initial[1] + initial[2],
        "initial_msgs": initial[0],
        "msgs": msgs,
        "bytes": body + buf,
        "json_bytes": body,
        "buffer_bytes": buf,
        "bytes_per_update": (body + buf) / updates,
        "msgs_per_update": msgs / updates,
    }
    r.update(extra or {})
    return r


# ---- infoway-widgets ------------------------------------------------------------------------------
#: the analysis row: four studies and two lines of the user's, each line getting a point per update
STUDIES = ("macd", "kdj", "rsi", "boll")
LINES = 2
#: the issue's budget for that row: 200 B + 40 B per changed series (the studies and the lines)
ANALYSIS_BUDGET = 200 + 40 * (len(STUDIES) + LINES)


async def measure_ours(
    n: int, updates: int, new_bar_every: int, analysis: bool = False
) -> dict[str, Any]:
    import infoway_widgets as iw
    from infoway_widgets.feed.feed import Feed

    feed = Feed.detached()
    sym = "BTCUSDT"
    st = feed.bar_store(sym, "1m")
    b = synthetic_bars(n)
    arr = np.column_stack(
        [b["t"], b["open"], b["high"], b["low"], b["close"], b["volume"], b["turnover"]]
    )
    flags = np.ones(n, dtype=bool)
    flags[-1] = False
    feed.apply_bar_rows(st, arr, flags)
    i0 = REC.mark()
    studies = list(STUDIES) if analysis else []
    chart = iw.CandleChart(sym, "1m", feed=feed, history=n, studies=studies)
    lines = []
    if analysis:
        close = chart.bars.close.iloc[-500:]
        lines = [chart.add_line(close, name=f"line{k}", pane="new") for k in range(LINES)]
    initial = REC.since(i0)
    got = asyncio.Event()
    custom = [0]
    resets = [0]

    def on_msg(data: Any) -> None:
        if isinstance(data, dict) and data.get("method") == "custom":
            custom[0] += 1
            if (data.get("content") or {}).get("reset"):
                resets[0] += 1
            got.set()

    REC.on_msg = on_msg
    # let the widget's first coalesced flush and snapshot pass before measuring
    await asyncio.sleep(1.1)
    i1 = REC.mark()
    resets[0] = 0
    bar_t = int(b["t"][-1])
    price = float(b["close"][-1])
    rng = np.random.default_rng(5)
    t0 = time.perf_counter()
    for k in range(updates):
        if k and k % new_bar_every == 0:
            bar_t += 60_000
        price = round(price + float(rng.normal(0, 0.05)), 2)
        frame = orjson.dumps(
            {
                "code": 10002,
                "data": {"s": sym, "t": bar_t + 1000 + k, "p": f"{price:.2f}", "v": "1.5", "td": 1},
            }
        )
        got.clear()
        before = custom[0]
        feed.ingest([frame])
        for k2, line in enumerate(lines):
            line.append(float(bar_t), price * (1 + k2))
        while custom[0] == before:  # the coalesced frame for this change (≤ 1/max_fps later)
            await asyncio.wait_for(got.wait(), 5)
    wall = time.perf_counter() - t0
    live = REC.since(i1)
    REC.on_msg = None
    snapshot_msgs = sum(1 for m in REC.msgs[i1:] if m[0] == "comm_msg") - custom[0]
    # the ``_snapshot`` trait push (state for saved notebooks / export) happens at most every
    # ``snapshot_interval`` s while data flows: its size, amortised over the updates at max_fps
    interval = float(getattr(chart, "snapshot_interval", 1.0))
    snap_value = chart._snapshot_value() if hasattr(chart, "_snapshot_value") else chart._snapshot
    snap_bytes = len(
        json_packer({"method": "update", "state": {"_snapshot": snap_value}, "buffer_paths": []})
    )
    per_update_snap = snap_bytes / max(1.0, interval * float(chart.max_fps))
    chart.close()
    await feed.aclose()
    name = "infoway-widgets CandleChart"
    if analysis:
        name += f" + {len(STUDIES)} studies + {LINES} lines"
    return _result(
        name,
        n,
        updates,
        initial,
        live,
        {
            "custom_frames": custom[0],
            "full_resends": resets[0],
            "state_msgs": snapshot_msgs,
            "snapshot_bytes": snap_bytes,
            "snapshot_interval_s": interval,
            "snapshot_bytes_per_update_amortised": per_update_snap,
            "store_capacity": st.capacity,
            "view_max_bars": chart.max_bars,
            "wall_s": wall,
            "update_rate_hz": updates / wall,
        },
    )


# ---- bqplot -----------------------------------------------------------------------------------------
def measure_bqplot(n: int, updates: int, new_bar_every: int) -> dict[str, Any]:
    import bqplot as bq

    b = synthetic_bars(n)
    x = b["t"].astype("datetime64[ms]")
    y = np.column_stack([b["open"], b["high"], b["low"], b["close"]])
    i0 = REC.mark()
    sx, sy = bq.DateScale(), bq.LinearScale()
    mark = bq.OHLC(x=x, y=y, scales={"x": sx, "y": sy}, marker="candle")
    fig = bq.Figure(
        marks=[mark], axes=[bq.Axis(scale=sx), bq.Axis(scale=sy, orientation="vertical")]
    )
    initial = REC.since(i0)
    i1 = REC.mark()
    rng = np.random.default_rng(5)
    for k in range(updates):
        y = y.copy()
        if k and k % new_bar_every == 0:
            x = np.r_[x, x[-1] + np.timedelta64(60_000, "ms")]
            c = y[-1, 3]
            y = np.vstack([y, [c, c, c, c]])
            with mark.hold_sync():
                mark.x, mark.y = x, y
        else:
            c = y[-1, 3] + float(rng.normal(0, 0.05))
            y[-1, 3] = c
            y[-1, 1] = max(y[-1, 1], c)
            y[-1, 2] = min(y[-1, 2], c)
            mark.y = y
    live = REC.since(i1)
    fig.close()
    return _result("bqplot 0.13 OHLC (reassign x/y)", n, updates, initial, live)


# ---- plotly -------------------------------------------------------------------------------------------
def measure_plotly(n: int, updates: int, new_bar_every: int) -> dict[str, Any]:
    import plotly.graph_objects as go

    b = synthetic_bars(n)
    x = b["t"].astype("datetime64[ms]")
    o, h, lo, c = (b[k].copy() for k in ("open", "high", "low", "close"))
    i0 = REC.mark()
    fig = go.FigureWidget(data=[go.Candlestick(x=x, open=o, high=h, low=lo, close=c)])
    initial = REC.since(i0)
    i1 = REC.mark()
    rng = np.random.default_rng(5)
    tr = fig.data[0]
    for k in range(updates):
        if k and k % new_bar_every == 0:
            x = np.r_[x, x[-1] + np.timedelta64(60_000, "ms")]
            last = c[-1]
            o, h, lo, c = (np.r_[a, last] for a in (o, h, lo, c))
            with fig.batch_update():
                tr.x, tr.open, tr.high, tr.low, tr.close = x, o, h, lo, c
        else:
            c = c.copy()
            h = h.copy()
            lo = lo.copy()
            c[-1] += float(rng.normal(0, 0.05))
            h[-1] = max(h[-1], c[-1])
            lo[-1] = min(lo[-1], c[-1])
            with fig.batch_update():
                tr.high, tr.low, tr.close = h, lo, c
    live = REC.since(i1)
    fig.close()
    return _result(
        f"plotly {_ver('plotly')} FigureWidget (batch_update)", n, updates, initial, live
    )


def _ver(dist: str) -> str:
    from importlib.metadata import version

    try:
        return version(dist)
    except Exception:
        return "?"


async def run(
    sizes: tuple[int, ...] = SIZES, updates: int = 40, new_bar_every: int = 20, peers: bool = True
) -> list[dict[str, Any]]:
    _install()
    out: list[dict[str, Any]] = []
    for n in sizes:
        out.append(await measure_ours(n, updates, new_bar_every))
        out.append(await measure_ours(n, updates, new_bar_every, analysis=True))
        if peers:
            out.append(measure_bqplot(n, updates, new_bar_every))
            out.append(measure_plotly(n, updates, new_bar_every))
    return out


def _kb(x: float) -> str:
    return f"{x / 1024:,.1f} KB" if x >= 1024 else f"{x:,.0f} B"


def table(rows: list[dict[str, Any]]) -> str:
    by_n: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        by_n[r["bars"]][r["lib"]] = r
    lines = [
        "| bars | library | bytes / update | messages / update | first display (incl. JS bundle in state) |",
        "|---:|---|---:|---:|---:|",
    ]
    for n, libs in sorted(by_n.items()):
        for lib, r in libs.items():
            note = f" ({r['full_resends']} full resends)" if r.get("full_resends") else ""
            lines.append(
                f"| {n:,} | {lib}{note} | {_kb(r['bytes_per_update'])} | {r['msgs_per_update']:.2f} | "
                f"{_kb(r['initial_bytes'])} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--updates", type=int, default=40, help="live updates per chart (default 40: 2 s at 20 Hz)"
    )
    ap.add_argument("--new-bar-every", type=int, default=20, help="a new bar opens every N updates")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--no-peers", action="store_true", help="ours only")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    sizes = tuple(int(s) for s in a.sizes.split(","))
    rows = asyncio.run(run(sizes, a.updates, a.new_bar_every, not a.no_peers))
    if a.json:
        print(json.dumps(rows, indent=2))
    else:
        print(table(rows))
    ours = [r for r in rows if r["lib"].startswith("infoway")]
    analysis = [r for r in ours if "studies" in r["lib"]]
    ok = all(r["bytes_per_update"] <= 1024 for r in ours)
    return 0 if ok and all(r["bytes_per_update"] <= ANALYSIS_BUDGET for r in analysis) else 1


if __name__ == "__main__":
    sys.exit(main())
