"""The relay's write path: frames built once (any payload size a client must read back), a
client's frames of one loop turn in one write and in order, a close after the frames before it,
and the slow-consumer close once the transport's buffer holds more than ``max_backlog`` frames."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from aiohttp import web

from infoway_widgets.relay.clients import RelayClient
from infoway_widgets.relay.config import RelayConfig
from infoway_widgets.relay.fanout import Fanout
from infoway_widgets.relay.wire import text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65_535, 65_536, 200_000])
async def test_text_frames_read_back_by_a_websocket_client(size: int) -> None:
    payloads = [("é" * size).encode()[:size].decode(errors="ignore"), "after"]

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        assert request.transport is not None
        # raw frames and aiohttp's own writes share the transport, in the order written
        request.transport.write(b"".join(text_frame(p.encode()) for p in payloads))
        await ws.send_str("aiohttp's own")
        await ws.receive()
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/", max_size=None, compression=None
        ) as c:
            got = [await c.recv() for _ in range(3)]
        assert got == [*payloads, "aiohttp's own"]
    finally:
        await runner.cleanup()


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return False


class FakeWs:
    closed = False

    def __init__(self) -> None:
        self.closes: list[int] = []
        self.texts: list[str] = []

    async def close(self, code: int = 1000, message: bytes = b"") -> None:
        self.closes.append(code)
        self.closed = True

    async def send_str(self, text: str) -> None:
        self.texts.append(text)


def _client(max_backlog: int = 20_000) -> tuple[Fanout, RelayClient, FakeTransport, FakeWs]:
    fan = Fanout(RelayConfig(max_backlog=max_backlog), lambda: None)
    tr, ws = FakeTransport(), FakeWs()
    conn = RelayClient(fan, ws, "stock", "test", tr)  # type: ignore[arg-type]
    return fan, conn, tr, ws


async def test_frames_of_one_turn_go_out_in_one_write_in_order() -> None:
    _fan, conn, tr, _ws = _client()
    frames = [text_frame(f"push {i}".encode()) for i in range(50)]
    for f in frames:
        conn.push(f)
    assert tr.writes == []  # nothing written before the turn ends
    await asyncio.sleep(0)
    assert tr.writes == [b"".join(frames)]
    assert conn.frames_out == 50 and conn.backlog() == 0


async def test_close_after_pending_keeps_order_and_drops_later_pushes() -> None:
    fan, conn, tr, ws = _client()
    conn.push(text_frame(b"before"))
    conn.close_after_pending(500, "Server error: reconnect", "upstream_gap", 1012)
    conn.push(text_frame(b"after the error"))  # the client is closing: not sent
    await asyncio.sleep(0)
    for _ in range(3):
        await asyncio.sleep(0)
    written = b"".join(tr.writes)
    assert written.startswith(text_frame(b"before"))
    assert b"Server error: reconnect" in written and b"after the error" not in written
    assert ws.closes == [1012]
    assert fan.stats_closes == {"upstream_gap": 1}


async def test_a_client_whose_buffer_outgrows_the_backlog_is_closed() -> None:
    _fan, conn, tr, ws = _client(max_backlog=100)
    frame = text_frame(b"x" * 98)  # 100 bytes a frame
    for _ in range(10):
        conn.push(frame)
    await asyncio.sleep(0)
    assert ws.closes == [] and conn.close_reason is None
    tr.buffered = 101 * len(frame)  # the kernel took none of it: 101 frames wait
    conn.push(frame)
    await asyncio.sleep(0)
    for _ in range(3):
        await asyncio.sleep(0)
    assert conn.close_reason == "slow_consumer" and ws.closes
    assert "reads too slowly" in ws.texts[0]
    n = len(tr.writes)
    conn.push(frame)  # closed: nothing more is written
    await asyncio.sleep(0)
    assert len(tr.writes) == n
