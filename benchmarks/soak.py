"""Fault soak: a feed against the local server while it misbehaves on a schedule.

The simulated server (127.0.0.1, ``extra_symbols=20``) drops every connection or leaves every socket
half-open once per simulated minute (alternating: drops at odd minutes, from the server's own
``drop=120`` schedule, each followed by ``refuse`` seconds of HTTP 503 at the handshake;
half-open sockets at even minutes, set by this script), sends error frames 500 / 501 / 513 / 516
every ``error_every`` simulated seconds, and delays every outgoing frame for one window of the run
(``delay_ms`` real milliseconds per frame). A feed watches 20 A-shares: trades, depth, and 1m/5m bars
(built from trades and settled/backfilled from REST). After ``await feed.settle()`` every completed
bar is compared with the server's ground truth: target 0 lost, 0 doubled, 0 wrong OHLCV.

Also measured: reconnects, time to recover (from the fault to the first push after the feed's
reconnect), and this process's RSS (psutil) after warm-up and at the end (it holds the simulated
server as well as the feed).

    python benchmarks/soak.py                       # one simulated hour at speed 60 (~1 min)
    python benchmarks/soak.py --minutes 10 --json   # shorter, machine-readable
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import sys
import time
from typing import Any

import numpy as np
import pandas as pd
import psutil

import infoway_widgets as iw
from infoway_widgets.sim import serve


def compare_with_truth(
    feed: Any, server: Any, symbol: str, interval: str, until_ms: int | None = None
) -> dict[str, Any]:
    """Every completed ground-truth bar (ending by ``until_ms`` when given) must be in the feed
    once, with equal OHLCV."""
    gt = server.ground_truth.bars(symbol, interval)
    gt = gt.iloc[:-1]  # the newest bar may still be forming
    if until_ms is not None:
        span = iw.parse_interval(interval).ms
        gt = gt[gt["t"] + span <= until_ms]
    st = feed.bar_store(symbol, interval)
    a = st.arrays()
    t = a["t"]
    doubled = int(len(t) - len(np.unique(t)))
    mine = pd.DataFrame(
        {
            "o": a["open"],
            "h": a["high"],
            "l": a["low"],
            "c": a["close"],
            "v": a["volume"],
            "vw": a["turnover"],
        },
        index=t,
    )
    mine = mine[~mine.index.duplicated()]
    lost, wrong = [], []
    for row in gt.itertuples(index=False):
        if row.t not in mine.index:
            lost.append(int(row.t))
            continue
        got = mine.loc[row.t, ["o", "h", "l", "c", "v", "vw"]].to_numpy(dtype=float)
        exp = np.array([row.o, row.h, row.l, row.c, row.v, row.vw])
        if not np.allclose(got, exp, rtol=1e-9, atol=1e-6):
            i = int(np.flatnonzero(t == row.t)[0])
            wrong.append(
                (int(row.t), got.tolist(), exp.tolist(), "settled" if st.settled[i] else "live")
            )
    return {"compared": len(gt), "lost": lost, "doubled": doubled, "wrong": wrong}


def _pct(xs: list[float], q: float) -> float | None:
    return float(np.percentile(xs, q)) if xs else None


async def run_soak(
    *,
    minutes: float = 60.0,
    speed: float = 60.0,
    n_symbols: int = 20,
    seed: int = 7,
    error_every: float = 45.0,
    refuse: float = 10.0,
    delay_ms: float = 2.0,
    delay_window: tuple[float, float] | None = None,
    quiet: bool = True,
) -> dict[str, Any]:
    """Run the soak for ``minutes`` of simulated time; return the measurements."""
    proc = psutil.Process()
    faults = f"drop=120,refuse={refuse:g},errors=500|501|513|516@{error_every:g}"
    if delay_window is None:  # the delay window: the middle sixth of the run
        delay_window = (minutes * 60 * 5 / 12, minutes * 60 * 7 / 12)
    t_wall0 = time.perf_counter()
    async with serve(
        port=0, seed=seed, speed=speed, faults=faults, extra_symbols=n_symbols
    ) as server:
        insts = server.market.instruments
        syms = [c for c, i in insts.items() if i.code.endswith((".SH", ".SZ"))][:n_symbols]
        feed = iw.connect(base_url=server.url, speed=speed, new=True, history=30)
        events: list[dict[str, Any]] = []  # one per fault: kind, real time, recovered time
        pushes: list[float] = [0.0]  # real time of the latest push
        reconnect_times: list[float] = []
        reports = feed.source.events
        assert reports is not None
        orig_push, orig_reconnect = reports.push, reports.reconnected

        def on_push(business: str, frame: Any, arrival_ms: int) -> None:
            now = time.perf_counter()
            pushes[0] = now
            for ev in events:
                if (
                    ev["recovered"] is None
                    and ev["reconnected"] is not None
                    and now > ev["reconnected"]
                ):
                    ev["recovered"] = now
            orig_push(business, frame, arrival_ms)

        def on_reconnect(business: str, down_ms: int, up_ms: int) -> None:
            now = time.perf_counter()
            reconnect_times.append(now)
            for ev in events:
                if ev["reconnected"] is None and ev["closes"]:
                    ev["reconnected"] = now
            orig_reconnect(business, down_ms, up_ms)

        # before the first subscription opens a session: sessions report through these
        feed.source.bind(dataclasses.replace(reports, push=on_push, reconnected=on_reconnect))
        try:
            await feed.ready()
            watches = [feed.watch(s, trades=True, depth=True, intervals=["1m", "5m"]) for s in syms]
            # warm-up: every symbol has traded and the history is in
            changed = asyncio.Event()
            off = feed.on_change(lambda s: changed.set())
            while feed.stats["trades"] < 200 or len(feed._settlement.loaded) < 2 * len(syms):
                changed.clear()
                await asyncio.wait_for(changed.wait(), 30)
            off()
            gc.collect()
            rss0 = proc.memory_info().rss
            sim0 = server.clock.elapsed_ms()
            sim_start_market = server.market.now_ms(syms[0])
            end_ms = sim0 + int(minutes * 60_000)
            last_faults = dict(server.stats.faults)
            halfopen_k = 0
            delay_on = False
            # the controller: follows the simulated clock on the server's beat (20 ms)
            while server.clock.elapsed_ms() < end_ms:
                await asyncio.sleep(0.02)
                now_ms = server.clock.elapsed_ms()
                t_rel = (now_ms - sim0) / 1000
                real = time.perf_counter()
                f = server.stats.faults
                if f["drop"] > last_faults.get("drop", 0):
                    events.append(
                        {
                            "kind": "drop",
                            "t": real,
                            "sim_s": t_rel,
                            "sim_ms": server.market.now_ms(syms[0]),
                            "closes": True,
                            "reconnected": None,
                            "recovered": None,
                        }
                    )
                if f["error"] > last_faults.get("error", 0):
                    code = server.faults.error_codes[
                        (server._error_i - 1) % len(server.faults.error_codes)
                    ]
                    closes = server.faults.closes_after(code)
                    events.append(
                        {
                            "kind": f"error {code}",
                            "t": real,
                            "sim_s": t_rel,
                            "sim_ms": server.market.now_ms(syms[0]),
                            "closes": closes,
                            "reconnected": None,
                            "recovered": None,
                        }
                    )
                last_faults = dict(f)
                # half-open sockets at 60 + 120k simulated seconds (drops come at 120k)
                k = int(now_ms // 60_000)
                if k % 2 == 1 and k > halfopen_k:
                    halfopen_k = k
                    for c in server.connections():
                        c.halfopen.set()
                    events.append(
                        {
                            "kind": "halfopen",
                            "t": real,
                            "sim_s": t_rel,
                            "sim_ms": server.market.now_ms(syms[0]),
                            "closes": True,
                            "reconnected": None,
                            "recovered": None,
                        }
                    )
                want_delay = delay_window[0] <= t_rel < delay_window[1]
                if want_delay != delay_on:
                    delay_on = want_delay
                    server.faults.delay_ms = delay_ms if delay_on else 0.0
            server.faults.delay_ms = 0.0
            # stop the faults, let the feed catch up, then settle and compare
            server.faults.drop_every = server.faults.error_every = None
            # compare bars that ended by ``cut``, once the feed has had pushes a simulated minute
            # past it (the socket keeps order, so every earlier trade has arrived): the ground truth
            # is otherwise ahead of the feed by the frames still in flight
            cut = max(server.market.now_ms(s) for s in syms)

            def caught_up() -> bool:
                return (
                    feed.status in ("simulated", "live")
                    and max((feed.quote(s)["t"] or 0) for s in syms) >= cut + 60_000
                )

            off = feed.on_change(lambda s: changed.set())
            try:
                while not caught_up():
                    changed.clear()
                    await asyncio.wait_for(changed.wait(), 30)
            finally:
                off()
            # backfills still running (one REST call per watched series, in turn) finish first
            backfills = [t for t in list(feed._tasks.tasks) if ".backfill" in repr(t.get_coro())]
            pending_backfills = len(backfills)
            if backfills:
                await asyncio.wait(backfills, timeout=60)
            await feed.settle()
            gc.collect()
            rss1 = proc.memory_info().rss
            results = {
                s: {iv: compare_with_truth(feed, server, s, iv, cut) for iv in ("1m", "5m")}
                for s in syms
            }
            for w in watches:
                w.close()
        finally:
            await feed.aclose()
        wall = time.perf_counter() - t_wall0
        recov = [
            ev["recovered"] - ev["t"]
            for ev in events
            if ev["closes"] and ev["recovered"] is not None
        ]
        unrecovered = [ev["kind"] for ev in events if ev["closes"] and ev["recovered"] is None]
        compared = sum(r[iv]["compared"] for r in results.values() for iv in r)
        lost = sum(len(r[iv]["lost"]) for r in results.values() for iv in r)
        doubled = sum(r[iv]["doubled"] for r in results.values() for iv in r)
        wrong = sum(len(r[iv]["wrong"]) for r in results.values() for iv in r)
        examples = {
            f"{s} {iv}": {k: r[iv][k][:3] for k in ("lost", "wrong")}
            for s, r in results.items()
            for iv in r
            if r[iv]["lost"] or r[iv]["wrong"]
        }
        kinds: dict[str, int] = {}
        for ev in events:
            kinds[ev["kind"]] = kinds.get(ev["kind"], 0) + 1
        return {
            "simulated_minutes": minutes,
            "speed": speed,
            "symbols": len(syms),
            "seed": seed,
            "faults": faults + f", halfopen at odd minutes, delay={delay_ms:g} ms/frame in "
            f"[{delay_window[0]:.0f}, {delay_window[1]:.0f}) s",
            "wall_s": round(wall, 1),
            "bars_compared": compared,
            "bars_lost": lost,
            "bars_doubled": doubled,
            "bars_wrong": wrong,
            "mismatch_examples": examples,
            "fault_events": kinds,
            "fault_timeline": [
                (
                    ev["kind"],
                    ev["sim_ms"],
                    None if ev["recovered"] is None else round(ev["recovered"] - ev["t"], 3),
                )
                for ev in events
            ],
            "market_ms_at_start": sim_start_market,
            "cut_ms": cut,
            "reconnects": feed.stats["reconnects"],
            "server_connections": server.stats.connections,
            "server_refused": server.stats.refused,
            "server_closes": dict(server.stats.closes),
            "server_faults": dict(server.stats.faults),
            "recover_s_p50": _pct(recov, 50),
            "recover_s_p90": _pct(recov, 90),
            "recover_s_max": max(recov) if recov else None,
            "recoveries": len(recov),
            "unrecovered": unrecovered,
            "recover_sim_s_p50": None if not recov else _pct(recov, 50) * speed,
            "rss_start_mb": round(rss0 / 2**20, 1),
            "rss_end_mb": round(rss1 / 2**20, 1),
            "rss_growth_mb": round((rss1 - rss0) / 2**20, 1),
            "pending_backfills_at_end": pending_backfills,
            "unsettled_completed_bars": sum(
                int((~feed.bar_store(s, iv).settled[:-1]).sum())
                for s in syms
                for iv in ("1m", "5m")
            ),
            "feed_stats": dict(feed.stats),
            "warnings": len(feed.warnings),
            "warning_texts": feed.warnings[-200:],
            "backfilled_bars": feed.stats["backfilled_bars"],
        }


def table(r: dict[str, Any]) -> str:
    def f(x: Any, nd: int = 2) -> str:
        return "—" if x is None else (f"{x:.{nd}f}" if isinstance(x, float) else str(x))

    rows = [
        (
            "simulated time",
            f"{r['simulated_minutes']:g} min at speed {r['speed']:g} ({r['wall_s']} s wall)",
        ),
        ("symbols", f"{r['symbols']} (trades, depth, 1m + 5m bars)"),
        ("faults injected", ", ".join(f"{k}: {v}" for k, v in sorted(r["fault_events"].items()))),
        ("handshakes refused (503)", r["server_refused"]),
        ("reconnects", r["reconnects"]),
        ("bars compared with ground truth", r["bars_compared"]),
        ("lost / doubled / wrong", f"{r['bars_lost']} / {r['bars_doubled']} / {r['bars_wrong']}"),
        (
            "recover p50 / p90 / max (real s)",
            f"{f(r['recover_s_p50'])} / {f(r['recover_s_p90'])} / {f(r['recover_s_max'])} over {r['recoveries']}",
        ),
        ("recover p50 (simulated s)", f(r["recover_sim_s_p50"], 1)),
        (
            "RSS start → end (MB)",
            f"{r['rss_start_mb']} → {r['rss_end_mb']} (growth {r['rss_growth_mb']})",
        ),
        ("bars backfilled from REST", r["backfilled_bars"]),
    ]
    w = max(len(a) for a, _ in rows)
    return "\n".join(f"{a:<{w}}  {b}" for a, b in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=float, default=60.0, help="simulated minutes (default 60)")
    ap.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
    ap.add_argument("--symbols", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--delay-ms", type=float, default=2.0, help="real ms per frame in the delay window"
    )
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON")
    a = ap.parse_args(argv)
    r = asyncio.run(
        run_soak(
            minutes=a.minutes, speed=a.speed, n_symbols=a.symbols, seed=a.seed, delay_ms=a.delay_ms
        )
    )
    print(json.dumps(r, indent=2, default=str) if a.json else table(r))
    ok = (
        r["bars_lost"] == 0
        and r["bars_doubled"] == 0
        and r["bars_wrong"] == 0
        and not r["unrecovered"]
    )
    return 0 if ok and r["rss_growth_mb"] <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
