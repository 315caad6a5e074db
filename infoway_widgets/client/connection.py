"""One open WebSocket driving the protocol's client session: a reader that feeds it what
arrives, a writer that sends what it builds when it is due, and a pinger whose pongs prove a
quiet link alive. The first of the three to end ends the connection."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .._aio import wait_event
from .._secrets import redact
from ..protocol.client import ClientSession, Push
from ..protocol.events import Event

log = logging.getLogger("infoway_widgets.client.ws")


def now_ms() -> int:
    """UTC epoch ms (arrival times for the caller; the session runs on the loop's clock)."""
    return int(time.time() * 1000)


def clock_ms() -> int:
    """The session's time: ms of the running loop's monotonic clock."""
    return int(asyncio.get_running_loop().time() * 1000)


def closed_reason(ws: ClientConnection) -> str:
    """Why the socket ended, as far as it tells."""
    code, why = ws.close_code, ws.close_reason
    if code in (None, 1006):
        return "connection lost (no close frame)"
    return f"closed by the server (code {code}{', ' + redact(why) if why else ''})"


def _retrieve(fut: asyncio.Future[Any]) -> None:
    """Mark a background future's exception as seen (no "never retrieved" noise)."""
    if not fut.cancelled():
        fut.exception()


@dataclass(eq=False)
class Connection:
    """The tasks of one open WebSocket.

    Attributes
    ----------
    ws : ClientConnection
    protocol : ClientSession
        The session, already told :meth:`~ClientSession.connection_made`.
    name : str
        The business channel, for log lines.
    on_push : callable(frame, arrival_ms)
        Every push frame as received; an exception is logged and ignored.
    on_control : callable(event)
        Every other frame, decoded, after the session acted on it.
    after_write : callable()
        Called when the writer has sent all that is due (the caller checks whether in sync).
    wake : asyncio.Event
        Set by the caller when what is wanted changed: the writer looks again at once.
    """

    ws: ClientConnection
    protocol: ClientSession
    name: str
    on_push: Callable[[str | bytes, int], None]
    on_control: Callable[[Event], None]
    after_write: Callable[[], None]
    wake: asyncio.Event
    _open: bool = field(default=True, init=False)

    async def run(self) -> str | None:
        """Run reader, writer and pinger until one ends; return why the connection ended, as
        far as the socket tells (the protocol session may know better)."""
        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(self._reader(), name="infoway-ws-reader"),
            loop.create_task(self._writer(), name="infoway-ws-writer"),
            loop.create_task(self._pinger(), name="infoway-ws-pinger"),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._open = False
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        reason: str | None = None
        for t in done:
            if t.cancelled():
                continue
            exc = t.exception()
            if exc is None:
                reason = reason or t.result()
            elif isinstance(exc, ConnectionClosed):
                reason = reason or closed_reason(self.ws)
            else:
                log.error(
                    "Infoway %s stream: internal error in %s: %s",
                    self.name,
                    t.get_name(),
                    redact(repr(exc)),
                )
                reason = reason or f"internal error {type(exc).__name__}"
        return reason

    async def _reader(self) -> str | None:
        loop = asyncio.get_running_loop()
        proto = self.protocol
        receive = proto.receive
        on_push = self.on_push
        stats = proto.stats
        try:
            async for msg in self.ws:
                arrival = now_ms()
                stats["last_frame_ms"] = arrival
                out = receive(msg, int(loop.time() * 1000))
                if isinstance(out, Push):
                    try:
                        on_push(msg, arrival)
                    except Exception:
                        log.exception("Infoway %s stream: on_push raised (ignored)", self.name)
                    continue
                self.on_control(out)
                if proto.terminal is not None or proto.drop_reason is not None:
                    return None
                self.wake.set()  # an ack or a refusal may change what the writer sends next
        except ConnectionClosed:
            pass  # an abnormal close; a normal one just ends the loop
        return closed_reason(self.ws)

    async def _writer(self) -> None:
        proto = self.protocol
        ws = self.ws
        while True:
            frames = proto.frames_to_send(clock_ms())
            if frames:
                for frame in frames:
                    await ws.send(frame)
                proto.sent(clock_ms())
                continue
            if proto.drop_reason is not None or proto.terminal is not None:
                return
            self.after_write()
            deadline = proto.next_deadline()
            timeout = None if deadline is None else max(0.0, (deadline - clock_ms()) / 1000)
            self.wake.clear()
            # not asyncio.wait_for: on 3.10/3.11 it can swallow the cancel that ends this writer
            await wait_event(self.wake, timeout)

    async def _pinger(self) -> None:
        """Ping between heartbeats and run the watchdog on this beat too, so that a writer
        stuck on a dead socket cannot hide it."""
        proto = self.protocol
        period = proto.config.ping_every_ms / 1000
        while True:
            await asyncio.sleep(period)
            if proto.watchdog(clock_ms()) is not None:
                return
            # Sending a ping can block on a stuck socket: bound it, and use asyncio.wait (not
            # wait_for, which can swallow the cancellation that ends this task on 3.10/3.11).
            sending = asyncio.ensure_future(self.ws.ping())
            sending.add_done_callback(_retrieve)
            try:
                await asyncio.wait({sending}, timeout=period)
            finally:
                if not sending.done():
                    sending.cancel()
            if sending.done() and not sending.cancelled() and sending.exception() is None:
                asyncio.ensure_future(sending.result()).add_done_callback(self._on_pong)

    def _on_pong(self, fut: asyncio.Future[Any]) -> None:
        if self._open and not fut.cancelled() and fut.exception() is None:
            self.protocol.activity(clock_ms())


__all__ = ["Connection", "clock_ms", "closed_reason", "now_ms"]
