"""Relay fan-out: push frames per second delivered to N clients, and the relay's CPU.

A synthetic upstream (an aiohttp WebSocket server in this process speaking the Infoway push
protocol) sends production-shaped trade frames at ``--rate`` frames/s; the relay runs as its own
process (``python -m infoway_widgets.relay``, as deployed) so that its CPU can be measured alone
(psutil: process CPU time / wall time); N raw ``websockets`` clients in this process subscribe
every symbol and count what they receive.

    .venv/bin/python benchmarks/fanout.py [--clients 1,10,100] [--rate 1000] [--seconds 5] [--json out.json]

Columns: upstream frames/s sent, pushes/s delivered to all clients together, the fraction of the
expected N x rate delivered, the relay's CPU (% of one core) and its CPU time per delivered push.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import time

import psutil
import websockets
from aiohttp import WSMsgType, web

from infoway_widgets.protocol.codes import (
    ACK_OF,
    ACK_UNSUB,
    PUSH_TRADE,
    SUB_TRADE,
    UNSUBSCRIBE_KINDS,
)
from infoway_widgets.protocol.encode import WELCOME_FRAME, ack, encode_subscribe

SYMBOLS = ["600519.SH", "000001.SZ", "300750.SZ", "688981.SH", "600200.SH", "002594.SZ"]
KEY = "bench-upstream-key-0001"
TRADE_PREFIX = f'{{"code":{PUSH_TRADE}'


def trade_frame(i: int) -> str:
    s = SYMBOLS[i % len(SYMBOLS)]
    p = 100 + (i % 997) / 100
    return (
        f'{{"code":{PUSH_TRADE},"data":{{"p":"{p:.2f}","s":"{s}","t":{1_764_034_200_000 + i},'
        f'"td":{i % 3},"v":"{100 * (1 + i % 9)}","vw":"{p * 100 * (1 + i % 9):.2f}"}}}}'
    )


class Upstream:
    """Acks subscriptions and pushes ``rate`` trade frames per second to every connection."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.sent = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ws", self._ws)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(WELCOME_FRAME)
        pusher: asyncio.Task[None] | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            m = json.loads(msg.data)
            if m.get("code") == SUB_TRADE:
                await ws.send_str(ack(ACK_OF[SUB_TRADE], m.get("trace")))
                if pusher is None:
                    pusher = asyncio.ensure_future(self._push(ws))
            elif m.get("code") in UNSUBSCRIBE_KINDS:
                await ws.send_str(ack(ACK_UNSUB, m.get("trace")))
        if pusher is not None:
            pusher.cancel()
        return ws

    async def _push(self, ws: web.WebSocketResponse) -> None:
        tick = 0.01
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        i = 0
        while not ws.closed:
            due = int((loop.time() - t0) * self.rate)
            while i < due:
                await ws.send_str(trade_frame(i))
                i += 1
                self.sent += 1
            await asyncio.sleep(tick)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def client(url: str, counter: list[int], ready: asyncio.Event) -> None:
    async with websockets.connect(url, max_queue=None, compression=None) as ws:
        await ws.send(encode_subscribe("trades", SYMBOLS, "b"))
        async for msg in ws:
            if msg.startswith(TRADE_PREFIX):
                counter[0] += 1
            elif '"trace":"b"' in msg:
                ready.set()


async def measure(n: int, rate: float, seconds: float) -> dict[str, float]:
    up = Upstream(rate)
    await up.start()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "infoway_widgets.relay",
        "--upstream",
        "infoway",
        "--upstream-url",
        up.url,
        "--port",
        "0",
        "--status-every",
        "0",
        "--client-frames-per-min",
        "600",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "INFOWAY_API_KEY": KEY},
    )
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode()
    relay_ws = line.split()[-1].replace("http://", "ws://") + "/ws?business=stock"
    counter = [0]
    readies = [asyncio.Event() for _ in range(n)]
    tasks = [asyncio.ensure_future(client(relay_ws, counter, r)) for r in readies]
    try:
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
        await asyncio.sleep(1.0)  # warm-up: the upstream subscription is in place and pushing
        ps = psutil.Process(proc.pid)
        me = psutil.Process()
        c0 = sum(ps.cpu_times()[:2])
        m0 = sum(me.cpu_times()[:2])
        n0, s0, t0 = counter[0], up.sent, time.perf_counter()
        await asyncio.sleep(seconds)
        c1 = sum(ps.cpu_times()[:2])
        m1 = sum(me.cpu_times()[:2])
        n1, s1, t1 = counter[0], up.sent, time.perf_counter()
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        await proc.wait()
        await up.stop()
    wall = t1 - t0
    delivered = (n1 - n0) / wall
    sent = (s1 - s0) / wall
    cpu = (c1 - c0) / wall
    return {
        "clients": n,
        "upstream_fps": round(sent, 1),
        "delivered_pps": round(delivered, 1),
        "delivered_ratio": round(delivered / (sent * n), 4) if sent else 0.0,
        "relay_cpu_pct": round(100 * cpu, 1),
        # upstream + clients share this process: near 100 % means they, not the relay, limit
        "bench_cpu_pct": round(100 * (m1 - m0) / wall, 1),
        "relay_cpu_us_per_push": round(1e6 * cpu / delivered, 2) if delivered else 0.0,
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, float]]:
    rows = []
    for n in [int(x) for x in args.clients.split(",")]:
        rows.append(await measure(n, args.rate, args.seconds))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", default="1,10,100")
    p.add_argument("--rate", type=float, default=1000.0, help="upstream frames per second")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--json", default=None, metavar="FILE")
    args = p.parse_args()
    rows = asyncio.run(main_async(args))
    print(
        f"relay fan-out, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, upstream {args.rate:g} frames/s, {args.seconds:g} s per row"
    )
    print(
        f"{'clients':>7} {'upstream/s':>11} {'delivered/s':>12} {'ratio':>6} {'relay CPU':>10} "
        f"{'µs/push':>8} {'bench CPU':>10}"
    )
    for r in rows:
        print(
            f"{r['clients']:>7} {r['upstream_fps']:>11,.0f} {r['delivered_pps']:>12,.0f} "
            f"{r['delivered_ratio']:>6.3f} {r['relay_cpu_pct']:>9.1f}% "
            f"{r['relay_cpu_us_per_push']:>8.2f} {r['bench_cpu_pct']:>9.1f}%"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"benchmark": "fanout", "rate": args.rate, "seconds": args.seconds, "rows": rows},
                f,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
