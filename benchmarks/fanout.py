"""Relay fan-out: delivery and relay-added latency to N viewers, and the relay's CPU.

A synthetic upstream (an aiohttp WebSocket server in this process speaking the Infoway push
protocol) sends production-shaped trade frames at ``--rate`` frames/s, each stamped with its send
time (``"bt"``, µs of the wall clock) and a sequence number (``"t"``). The relay runs as its own
process (``python -m infoway_widgets.relay``, as deployed); with ``--relays 2`` two relays share
the upstream through a private ``redis-server`` (one leader holds the upstream connection, the
follower serves from Redis) and the viewers are split between them. The viewers run in
``--viewer-procs`` separate processes, each a minimal WebSocket client (asyncio protocol, frame
headers parsed by hand) so that reading 200 000 frames/s does not saturate the benchmark before
the relay; each viewer checks its sequence numbers (a gap is a lost frame) and computes arrival −
send on the same clock for every frame.

A baseline row (``direct``) connects one viewer straight to the upstream: the latency the path
has without a relay (upstream send, loopback TCP, the viewer's own reading).

    .venv/bin/python benchmarks/fanout.py [--clients 1,10,100,200] [--relays 1] [--rate 1000]
        [--seconds 5] [--viewer-procs 4] [--json out.json]
    .venv/bin/python benchmarks/fanout.py --clients 400 --relays 2

Columns: upstream frames/s sent, pushes/s delivered, delivered ÷ (delivered + lost), frames lost
(sequence gaps), viewers closed by the relay, latency p50/p99/max (arrival − send, ms), the relays' CPU (% of one core,
summed) and CPU time per delivered push.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import platform
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from aiohttp import WSMsgType, web

from infoway_widgets.protocol.codes import (
    ACK_OF,
    ACK_UNSUB,
    PUSH_TRADE,
    SUB_TRADE,
    UNSUBSCRIBE_KINDS,
)
from infoway_widgets.protocol.encode import WELCOME_FRAME, ack, encode_subscribe

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.relay.redis_proc import redis_server

SYMBOLS = ["600519.SH", "000001.SZ", "300750.SZ", "688981.SH", "600200.SH", "002594.SZ"]
KEY = "bench-upstream-key-0001"
T_BASE = 1_764_034_200_000
#: latency histogram resolution (µs)
BIN_US = 20


def trade_frame(i: int) -> str:
    s = SYMBOLS[i % len(SYMBOLS)]
    p = 100 + (i % 997) / 100
    return (
        f'{{"code":{PUSH_TRADE},"data":{{"p":"{p:.2f}","s":"{s}","t":{T_BASE + i},'
        f'"td":{i % 3},"v":"{100 * (1 + i % 9)}","vw":"{p * 100 * (1 + i % 9):.2f}",'
        f'"bt":{time.time_ns() // 1000}}}}}'
    )


class Upstream:
    """Acks subscriptions and pushes ``rate`` stamped trade frames per second to each connection."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.sent = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

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
        ws = web.WebSocketResponse(autoping=True, compress=False)
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
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        i = 0
        while not ws.closed:
            due = int((loop.time() - t0) * self.rate)
            while i < due:
                await ws.send_str(trade_frame(i))
                i += 1
                self.sent += 1
            await asyncio.sleep(0.002)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


# ---- the viewers (run in their own processes) ------------------------------------------------------
class Totals:
    def __init__(self) -> None:
        self.frames = 0
        self.lost = 0
        self.closed = 0
        self.hist: dict[int, int] = {}
        self.measuring = False

    def reset(self) -> None:
        self.frames = self.lost = 0
        self.hist = {}


def _masked_text(payload: bytes) -> bytes:
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0xFE]) + n.to_bytes(2, "big")
    body = bytes(b ^ mask[k % 4] for k, b in enumerate(payload))
    return head + mask + body


class Viewer(asyncio.Protocol):
    """One WebSocket viewer: handshake, subscribe every symbol, read frames, check and time them."""

    def __init__(self, host: str, path: str, totals: Totals, ready: asyncio.Future[None]) -> None:
        self.host, self.path, self.totals, self.ready = host, path, totals, ready
        self.buf = bytearray()
        self.upgraded = False
        self.next_t: int | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.totals.closed += 1

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buf[:end]:
                raise RuntimeError(bytes(buf[:end]).decode(errors="replace"))
            del buf[: end + 4]
            self.upgraded = True
            assert self.transport is not None
            self.transport.write(_masked_text(encode_subscribe("trades", SYMBOLS, "b").encode()))
        now = time.time_ns() // 1000
        tot = self.totals
        hist = tot.hist
        pos, size = 0, len(buf)
        while size - pos >= 2:
            n = buf[pos + 1] & 0x7F
            off = pos + 2
            if n == 126:
                if size - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                off = pos + 4
            elif n == 127:
                if size - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                off = pos + 10
            if off + n > size:
                break
            payload = bytes(buf[off : off + n])
            pos = off + n
            if payload.startswith(b'{"code":10002'):
                ti = payload.index(b'"t":') + 4
                t = int(payload[ti : payload.index(b",", ti)])
                if self.next_t is not None and t != self.next_t and tot.measuring:
                    tot.lost += max(0, t - self.next_t)
                self.next_t = t + 1
                if tot.measuring:
                    bi = payload.rindex(b'"bt":') + 5
                    lat = (now - int(payload[bi : payload.index(b"}", bi)])) // BIN_US
                    hist[lat] = hist.get(lat, 0) + 1
                    tot.frames += 1
            elif b'"trace":"b"' in payload and not self.ready.done():
                self.ready.set_result(None)
        del buf[:pos]


async def viewers_main(url: str, n: int) -> None:
    """A viewer process: ``n`` viewers of ``url``; ``go``/``stop`` on stdin bound the window."""
    u = urlsplit(url)
    loop = asyncio.get_running_loop()
    totals = Totals()
    readies = []
    transports = []
    for _ in range(n):
        fut: asyncio.Future[None] = loop.create_future()
        tr, _p = await loop.create_connection(
            lambda f=fut: Viewer(u.netloc, f"{u.path}?{u.query}", totals, f),
            u.hostname,
            u.port,
        )
        transports.append(tr)
        readies.append(fut)
    await asyncio.wait_for(asyncio.gather(*readies), 60)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print("ready", flush=True)
    while True:
        line = (await reader.readline()).decode().strip()
        if line == "go":
            totals.reset()
            totals.measuring = True
        elif line == "stop" or not line:
            totals.measuring = False
            print(
                json.dumps(
                    {
                        "frames": totals.frames,
                        "lost": totals.lost,
                        "closed": totals.closed,
                        "hist": totals.hist,
                    }
                ),
                flush=True,
            )
            break
    for tr in transports:
        tr.close()


# ---- the run -------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_relay(
    upstream_url: str, redis: str | None
) -> tuple[asyncio.subprocess.Process, str]:
    args = [sys.executable, "-m", "infoway_widgets.relay", "--upstream", "infoway"]
    args += ["--upstream-url", upstream_url, "--port", "0", "--status-every", "0"]
    args += ["--client-frames-per-min", "600"]
    if redis:
        args += ["--redis", redis]
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=open(os.environ["FANOUT_RELAY_LOG"], "ab")  # noqa: SIM115
        if os.environ.get("FANOUT_RELAY_LOG")
        else asyncio.subprocess.DEVNULL,
        env={**os.environ, "INFOWAY_API_KEY": KEY},
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    return proc, line.split()[-1].replace("http://", "ws://") + "/ws?business=stock"


async def start_viewers(url: str, n: int) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        os.path.abspath(__file__),
        "--as-viewers",
        url,
        str(n),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        limit=2**26,  # the latency histogram comes back as one line
    )
    return proc


def _percentile(hist: dict[int, int], q: float) -> float:
    total = sum(hist.values())
    if not total:
        return float("nan")
    want = q * total
    acc = 0
    for b in sorted(hist):
        acc += hist[b]
        if acc >= want:
            return (b + 0.5) * BIN_US / 1000
    return max(hist) * BIN_US / 1000


async def measure(
    n: int, rate: float, seconds: float, procs: int, relays: int, redis: str | None, direct: bool
) -> dict[str, float]:
    up = Upstream(rate)
    await up.start()
    relay_procs: list[asyncio.subprocess.Process] = []
    viewer_procs: list[asyncio.subprocess.Process] = []
    try:
        if direct:
            urls = [up.url.replace("http://", "ws://") + "/ws?business=stock&apikey=" + KEY]
        else:
            urls = []
            for k in range(relays):
                proc, url = await start_relay(up.url, redis)
                relay_procs.append(proc)
                urls.append(url)
                if k == 0 and relays > 1:
                    await asyncio.sleep(1.0)  # the first one takes the lead
        procs = max(1, min(procs, n))
        for k in range(procs):
            share = n // procs + (1 if k < n % procs else 0)
            viewer_procs.append(await start_viewers(urls[k % len(urls)], share))
        for vp in viewer_procs:
            assert vp.stdout is not None
            line = (await asyncio.wait_for(vp.stdout.readline(), 120)).decode().strip()
            if line != "ready":
                raise RuntimeError(f"viewer process did not start: {line!r}")
        await asyncio.sleep(1.5)  # warm-up: the upstream subscription is in place and pushing
        rps = [psutil.Process(p.pid) for p in relay_procs]
        vps = [psutil.Process(p.pid) for p in viewer_procs]
        me = psutil.Process()
        c0 = [sum(p.cpu_times()[:2]) for p in rps]
        v0 = sum(sum(p.cpu_times()[:2]) for p in vps) + sum(me.cpu_times()[:2])
        for vp in viewer_procs:
            assert vp.stdin is not None
            vp.stdin.write(b"go\n")
        s0, t0 = up.sent, time.perf_counter()
        await asyncio.sleep(seconds)
        s1, t1 = up.sent, time.perf_counter()
        c1 = [sum(p.cpu_times()[:2]) for p in rps]
        v1 = sum(sum(p.cpu_times()[:2]) for p in vps) + sum(me.cpu_times()[:2])
        results = []
        for vp in viewer_procs:
            assert vp.stdin is not None and vp.stdout is not None
            vp.stdin.write(b"stop\n")
            results.append(json.loads(await asyncio.wait_for(vp.stdout.readline(), 60)))
    finally:
        for p in viewer_procs + relay_procs:
            with contextlib.suppress(ProcessLookupError):
                p.terminate()
        for p in viewer_procs + relay_procs:
            await p.wait()
        await up.stop()
    wall = t1 - t0
    # a direct viewer has the upstream's pusher to itself: sent counts its frames alone
    sent = (s1 - s0) / wall / (n if direct else 1)
    hist: dict[int, int] = {}
    for r in results:
        for b, c in r["hist"].items():
            hist[int(b)] = hist.get(int(b), 0) + c
    frames = sum(r["frames"] for r in results)
    lost = sum(r["lost"] for r in results)
    delivered = frames / wall
    cpu = [(b - a) / wall for a, b in zip(c0, c1)]
    return {
        "clients": n,
        "relays": 0 if direct else relays,
        "viewer_procs": procs,
        "upstream_fps": round(sent, 1),
        "delivered_pps": round(delivered, 1),
        # of the frames each viewer should have had in the window, the share it got (a lost
        # frame is a gap in its sequence numbers; a viewer the relay closed is counted apart)
        "delivered_ratio": round(frames / (frames + lost), 5) if frames else 0.0,
        "throughput_ratio": round(delivered / (sent * n), 4) if sent else 0.0,
        "lost": lost,
        "closed": sum(r["closed"] for r in results),
        "latency_p50_ms": round(_percentile(hist, 0.50), 2),
        "latency_p99_ms": round(_percentile(hist, 0.99), 2),
        "latency_p999_ms": round(_percentile(hist, 0.999), 2),
        "latency_max_ms": round(max(hist) * BIN_US / 1000, 2) if hist else float("nan"),
        "relay_cpu_pct": round(100 * sum(cpu), 1),
        "relay_cpu_pct_each": [round(100 * c, 1) for c in cpu],
        # upstream (this process) + viewer processes
        "bench_cpu_pct": round(100 * (v1 - v0) / wall, 1),
        "relay_cpu_us_per_push": round(1e6 * sum(cpu) / delivered, 2) if delivered else 0.0,
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, float]]:
    rows = []
    if args.direct:
        rows.append(await measure(1, args.rate, args.seconds, 1, 0, None, True))
    for n in [int(x) for x in args.clients.split(",") if x]:
        if args.relays > 1:
            with redis_server() as url:
                rows.append(
                    await measure(
                        n, args.rate, args.seconds, args.viewer_procs, args.relays, url, False
                    )
                )
        else:
            rows.append(
                await measure(n, args.rate, args.seconds, args.viewer_procs, 1, None, False)
            )
    return rows


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--as-viewers":
        asyncio.run(viewers_main(sys.argv[2], int(sys.argv[3])))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", default="1,10,100,200")
    p.add_argument("--relays", type=int, default=1, help="relay processes (2+: behind Redis)")
    p.add_argument("--rate", type=float, default=1000.0, help="upstream frames per second")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--viewer-procs", type=int, default=4)
    p.add_argument("--no-direct", dest="direct", action="store_false", help="skip the baseline")
    p.add_argument("--json", default=None, metavar="FILE")
    args = p.parse_args()
    rows = asyncio.run(main_async(args))
    print(
        f"relay fan-out, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, upstream {args.rate:g} frames/s, {args.seconds:g} s per row"
    )
    print(
        f"{'clients':>7} {'relays':>6} {'upstream/s':>11} {'delivered/s':>12} {'ratio':>7} {'lost':>6} {'closed':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'relay CPU':>10} {'µs/push':>8} {'bench CPU':>10}"
    )
    for r in rows:
        print(
            f"{r['clients']:>7} {r['relays'] or 'direct':>6} {r['upstream_fps']:>11,.0f} "
            f"{r['delivered_pps']:>12,.0f} {r['delivered_ratio']:>7.4f} {r['lost']:>6} {r['closed']:>6} "
            f"{r['latency_p50_ms']:>7.2f} {r['latency_p99_ms']:>7.2f} {r['latency_max_ms']:>7.1f} "
            f"{r['relay_cpu_pct']:>9.1f}% {r['relay_cpu_us_per_push']:>8.2f} {r['bench_cpu_pct']:>9.1f}%"
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
