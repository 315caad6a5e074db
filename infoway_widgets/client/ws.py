"""One Infoway WebSocket connection per business channel, kept alive and in sync.

:class:`WsSession` runs as tasks on the current asyncio loop (in Jupyter: the kernel's loop); it
uses no threads and calls every callback on that loop. It

* connects to ``{ws_base}?business=...&apikey=...`` (the URL is never logged or shown unredacted),
* treats subscriptions as **desired state**: :meth:`WsSession.subscribe` and
  :meth:`WsSession.unsubscribe` only change what is wanted; a writer task reconciles that with
  what the connection has been sent, merging many codes per frame,
* sends through a client-side **frame budget** (sliding window, heartbeats included) that never
  exceeds the service's 60 frames per minute per connection, queueing the rest,
* sends a heartbeat (10010) every 30 s and WebSocket pings in between; a watchdog closes a link
  on which nothing at all (no frame, no pong) arrived for ``silence_s`` — a silent or half-open
  socket — and the session reconnects with exponential backoff and jitter (1 s doubling to 30 s),
  resubscribes everything wanted, and reports the gap through ``on_reconnect`` for backfill,
* stops for good on terminal errors (bad key, plan limits, our own protocol bugs) with the
  exception in :attr:`WsSession.error` and state ``"failed"``; retries a 516 (account-wide
  product limit, often transient) for the affected codes on the same socket.

Every timer is divided by ``time_scale`` so that tests against a time-compressed local server
never sleep for real minutes.

States (``on_state(state, message)`` and :attr:`WsSession.state`)
    ``"idle"`` (before :meth:`start`), ``"connecting"`` (first connection, incl. its retries),
    ``"open"``, ``"reconnecting"`` (after a drop: backing off or handshaking),
    ``"failed"`` (terminal; see :attr:`error`), ``"closed"`` (after :meth:`close`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import math
import random
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
)

from .._aio import wait_event
from .._secrets import install_log_filter, mask_key, redact, register_key
from ..errors import (
    AuthError,
    BadParameterError,
    ConnectionLostError,
    InfowayError,
    ProtocolError,
)
from ..market import Interval, parse_interval, parse_symbols
from ..protocol.decode import decode_frame
from ..protocol.encode import (
    encode_heartbeat,
    encode_subscribe,
    encode_subscribe_candles,
    encode_unsubscribe,
)
from ..protocol.events import (
    Ack,
    Candle,
    Depth,
    ErrorFrame,
    Event,
    SubscribeFail,
    Trade,
    Unparsed,
    UnsubscribeAck,
)
from ..protocol.verdicts import WsAction, ws_error

log = logging.getLogger("infoway_widgets.client.ws")
# websockets logs the request line (with the key in the query) at DEBUG; its records go to a
# logger of ours, which the redacting record factory of _secrets masks at creation.
_wire_log = logging.getLogger("infoway_widgets.client.ws.wire")

DEFAULT_WS_BASE = "wss://data.infoway.io/ws"
Kind = Literal["trades", "depth", "candles"]
KINDS: tuple[str, ...] = ("trades", "depth", "candles")
State = Literal["idle", "connecting", "open", "reconnecting", "failed", "closed"]
#: Push frames handed raw to ``on_push``: 10002 trade, 10005 depth, 10008 candle.
PUSH_CODES = (10002, 10005, 10008)

# The service documents no per-frame symbol cap on the socket. 100 codes per frame matches its
# REST cap, keeps a frame around 1-2 KB (far below gateway frame limits), and bounds what one
# refused frame (505/516) takes down; 500 codes still need only 5 frames of the 60 per minute.
CODES_PER_FRAME = 100
# Frames of the budget kept free for heartbeats (2 per minute) with room to spare, so that a
# burst of subscriptions can never starve the keepalive.
HEARTBEAT_RESERVE = 4
# The server measures the window on its own clock from frame arrival; network jitter and a busy
# server can make two frames look closer than we sent them. Count a sent frame for 10 % longer
# than the window plus a fixed slack of real time (jitter does not shrink with time_scale; in
# production the slack is negligible next to 60 s, under a 100x compressed test it matters).
WINDOW_MARGIN = 1.10
WINDOW_SLACK_S = 0.25
# Wait this long (real seconds) after a subscribe() before building frames, so that a burst of
# calls (a notebook cell subscribing symbol by symbol) is merged into few frames.
LINGER_S = 0.02

Key = tuple[str, int]  # (kind, klineType or 0)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _retrieve(fut: asyncio.Future[Any]) -> None:
    """Mark a background future's exception as seen (no "never retrieved" noise)."""
    if not fut.cancelled():
        fut.exception()


def _is_push(msg: str | bytes) -> bool:
    """Cheap check for the production push shape ``{"code":1000[258],...`` without decoding."""
    head = msg[:14] if isinstance(msg, str) else msg[:14].decode("latin-1")
    return (
        head[:12] == '{"code":1000' and head[12:13] in ("2", "5", "8") and head[13:14] in (",", "}")
    )


@dataclass
class _Sent:
    """A subscription or unsubscription frame waiting for its ack."""

    op: Literal["sub", "unsub"]
    groups: list[tuple[Key, list[str]]]
    at: float
    late: bool = False


@dataclass
class _Conn:
    """Per-connection state: what this socket has been sent; reset on every (re)connect."""

    ws: ClientConnection
    have: dict[Key, set[str]] = field(default_factory=dict)
    pending: dict[str, _Sent] = field(default_factory=dict)
    sent_times: deque[float] = field(default_factory=deque)
    last_rx: float = 0.0
    drop_reason: str | None = None
    terminal: InfowayError | None = None


class WsSession:
    """A self-healing WebSocket session on one Infoway business channel.

    Parameters
    ----------
    ws_base : str
        ``wss://data.infoway.io/ws`` or a local server's ``server.ws_url``.
    business : str
        ``"stock"``, ``"crypto"`` or ``"common"`` (also ``japan``, ``india``, ``korea``,
        ``taiwan``). Codes of another channel are refused by :meth:`subscribe`.
    api_key : str, optional
        Defaults to ``INFOWAY_API_KEY``; with neither, no key is sent (the local server's
        open mode).
    on_push : callable(frame, arrival_ms)
        Called with every push frame (10002 trade, 10005 depth, 10008 candle) exactly as
        received (``str``), and the arrival time in UTC epoch ms. Not decoded: the Feed batches
        and decodes (:func:`~infoway_widgets.client.codec.decode_batch`). Must be quick.
    on_state : callable(state, message), optional
        Every state change (see the module docstring); ``message`` says why, or is ``None``.
    on_event : callable(event), optional
        Every non-push frame, decoded: :class:`Ack`, :class:`UnsubscribeAck`, :class:`Welcome`,
        :class:`Greeting`, :class:`ErrorFrame`, :class:`SubscribeFail`, :class:`Unparsed`
        (an unparsable frame never ends the stream).
    on_reconnect : callable(down_ms, up_ms), optional
        After a reconnect: ``down_ms`` is the UTC epoch ms of the last frame received on the
        lost connection (data is complete up to then), ``up_ms`` when the new one opened.
        Subscriptions are being resent when it is called; backfill ``down_ms..up_ms`` from REST.
    time_scale : float
        Divides every timer (heartbeat, budget window, watchdog, backoff, ack timeout).
    heartbeat_s, budget_frames, budget_window_s : float, int, float
        Heartbeat period and the frame budget (60 frames per 60 s, heartbeats included).
    backoff_initial_s, backoff_max_s : float
        Reconnect backoff: doubles from the first to the cap, with jitter.
    silence_s : float
        Close and reconnect when nothing at all (frame or pong) arrived for this long.
    data_silence_s : float, optional
        Also reconnect when subscriptions are acked but no push arrived for this long. Off by
        default: a subscribed market may legitimately be closed.
    max_retries : int, optional
        Give up (state ``"failed"``, :class:`ConnectionLostError`) after this many consecutive
        failed connection attempts; default: never give up.
    codes_per_frame : int
        Codes merged into one subscription frame at most.

    Notes
    -----
    All public methods must be called on the loop the session runs on. Callbacks are called on
    that loop; an exception in a callback is logged and does not disturb the session.
    """

    def __init__(
        self,
        ws_base: str = DEFAULT_WS_BASE,
        business: str = "stock",
        api_key: str | None = None,
        *,
        on_push: Callable[[str | bytes, int], None],
        on_state: Callable[[str, str | None], None] | None = None,
        on_event: Callable[[Event], None] | None = None,
        on_reconnect: Callable[[int, int], None] | None = None,
        time_scale: float = 1.0,
        heartbeat_s: float = 30.0,
        budget_frames: int = 60,
        budget_window_s: float = 60.0,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 30.0,
        silence_s: float = 60.0,
        data_silence_s: float | None = None,
        ack_timeout_s: float = 10.0,
        open_timeout_s: float = 10.0,
        max_retries: int | None = None,
        codes_per_frame: int = CODES_PER_FRAME,
    ) -> None:
        install_log_filter()
        import os

        key = api_key if api_key is not None else os.environ.get("INFOWAY_API_KEY")
        key = key.strip() if key else None
        register_key(key)
        if not (time_scale > 0 and math.isfinite(time_scale)):
            raise BadParameterError(f"time_scale must be a positive number, not {time_scale!r}.")
        if budget_frames <= HEARTBEAT_RESERVE + 1:
            raise BadParameterError(f"budget_frames must exceed {HEARTBEAT_RESERVE + 1}.")
        self.business = business
        self.ws_base = ws_base
        self._key = key
        self._key_info = mask_key(key)
        self._on_push = on_push
        self._on_state = on_state
        self._on_event = on_event
        self._on_reconnect = on_reconnect
        s = 1.0 / time_scale
        self.time_scale = float(time_scale)
        self._hb = heartbeat_s * s
        self._budget = int(budget_frames)
        self._window = budget_window_s * s
        self._hold = self._window * WINDOW_MARGIN + WINDOW_SLACK_S  # how long a sent frame counts
        self._backoff0 = backoff_initial_s * s
        self._backoff_max = backoff_max_s * s
        self._silence = silence_s * s
        self._data_silence = None if data_silence_s is None else data_silence_s * s
        # acks are a round trip of real time: do not compress the ack timeout below 1 s
        self._ack_timeout = max(ack_timeout_s * s, 1.0)
        self._open_timeout = max(open_timeout_s * s, 1.0)
        self._max_retries = max_retries
        self._per_frame = max(1, int(codes_per_frame))

        self._want: dict[Key, set[str]] = {}
        # codes refused with a transient error: not resent before the time given
        self._deferred: dict[Key, dict[str, float]] = {}
        self._defer_attempts: dict[Key, int] = {}
        self._traces = itertools.count(1)
        self._trace_prefix = f"iw{random.getrandbits(24):06x}-"
        self._state: str = "idle"
        self._state_msg: str | None = None
        self._conn: _Conn | None = None
        self._main_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._open_evt = asyncio.Event()
        self._done_evt = asyncio.Event()
        self._sync_waiters: list[asyncio.Future[None]] = []
        self._last_push = 0.0
        #: The terminal exception when :attr:`state` is ``"failed"``, else ``None``.
        self.error: InfowayError | None = None
        #: Counters: frames_sent, frames_received, pushes, heartbeats, sub_frames, unsub_frames,
        #: acks, errors, unparsed, connects, reconnects, ack_timeouts, deferred, last_frame_ms,
        #: max_frames_in_window (most frames sent within one budget window, on any connection).
        self.stats: dict[str, int] = dict.fromkeys(
            (
                "frames_sent",
                "frames_received",
                "pushes",
                "heartbeats",
                "sub_frames",
                "unsub_frames",
                "acks",
                "errors",
                "unparsed",
                "connects",
                "reconnects",
                "ack_timeouts",
                "deferred",
                "last_frame_ms",
                "max_frames_in_window",
            ),
            0,
        )

    # ---- public API -----------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"WsSession(business={self.business!r}, state={self._state!r}, "
            f"key={self._key_info}, base={redact(self.ws_base)!r})"
        )

    @property
    def state(self) -> str:
        """The current state: idle, connecting, open, reconnecting, failed or closed."""
        return self._state

    @property
    def subscriptions(self) -> dict[str, dict[int, list[str]] | list[str]]:
        """What is wanted: ``{"trades": [...], "depth": [...], "candles": {klineType: [...]}}``."""
        out: dict[str, Any] = {"trades": [], "depth": [], "candles": {}}
        for (kind, kt), codes in sorted(self._want.items()):
            if not codes:
                continue
            if kind == "candles":
                out["candles"][kt] = sorted(codes)
            else:
                out[kind] = sorted(codes)
        return out

    async def start(self) -> None:
        """Start connecting in the background (returns at once; see :meth:`wait_open`)."""
        if self._main_task is not None:
            return
        if self._state in ("closed", "failed"):
            raise ConnectionLostError("This session is closed or failed: create a new WsSession.")
        self._main_task = asyncio.get_running_loop().create_task(
            self._main(), name=f"infoway-ws-{self.business}"
        )

    async def wait_open(self, timeout: float | None = None) -> None:
        """Wait until the session is open.

        Raises
        ------
        InfowayError
            The terminal error if the session failed (e.g. :class:`AuthError`).
        ConnectionLostError
            The session was closed, or is not open after ``timeout`` seconds.
        """
        if self._state == "open":
            return
        self._raise_if_done()
        waiters = [
            asyncio.ensure_future(self._open_evt.wait()),
            asyncio.ensure_future(self._done_evt.wait()),
        ]
        try:
            done, _ = await asyncio.wait(
                waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for w in waiters:
                w.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        self._raise_if_done()
        if not done or self._state != "open":
            raise ConnectionLostError(
                f"The {self.business} stream is not open after {timeout} s (state {self._state}): "
                "check the network and ws_base."
            )

    async def wait_synced(self, timeout: float | None = None) -> None:
        """Wait until the open connection has been sent, and has acknowledged, exactly what is
        wanted (nothing queued, deferred or unacknowledged).

        Raises
        ------
        InfowayError
            The terminal error if the session failed meanwhile.
        TimeoutError
            Not in sync after ``timeout`` seconds.
        """
        self._raise_if_done()
        if self._is_synced():
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sync_waiters.append(fut)
        try:
            # asyncio.wait, not wait_for: never swallows a cancellation on 3.10/3.11 (gh-86296)
            done, _ = await asyncio.wait({fut}, timeout=timeout)
            if fut not in done:
                raise TimeoutError(
                    f"subscriptions not in sync after {timeout} s (state {self._state}, "
                    f"{self._describe_sync()})"
                )
        finally:
            if fut in self._sync_waiters:
                self._sync_waiters.remove(fut)
            if not fut.done():
                fut.cancel()
        self._raise_if_done()

    def subscribe(
        self,
        kind: str,
        codes: str | Iterable[str],
        kline_types: Sequence[int | str | Interval] | None = None,
    ) -> None:
        """Want ``kind`` (``"trades"``, ``"depth"`` or ``"candles"``) for ``codes``.

        For candles pass ``kline_types`` (klineType numbers or names like ``"1m"``, ``"1d"``).
        Returns at once; the frames go out through the budget, merged with other changes.

        Raises
        ------
        BadParameterError
            Unknown kind, missing intervals, or a code of another business channel.
        InvalidSymbolError
            A malformed code.
        """
        for key, cs in self._keys(kind, codes, kline_types, need_types=True):
            want = self._want.setdefault(key, set())
            want |= cs
            dfr = self._deferred.get(key)
            if dfr:  # an explicit new request retries deferred codes right away
                for c in cs:
                    dfr.pop(c, None)
        self._kick()

    def unsubscribe(
        self,
        kind: str,
        codes: str | Iterable[str],
        kline_types: Sequence[int | str | Interval] | None = None,
    ) -> None:
        """Stop wanting ``kind`` for ``codes``. For candles, ``kline_types=None`` drops every
        interval of those codes; otherwise only the intervals named."""
        if kind == "candles" and kline_types is None:
            insts = self._codes(codes)
            kts = [kt for (k, kt) in self._want if k == "candles"]
            keys = [(("candles", kt), insts) for kt in kts]
        else:
            keys = self._keys(kind, codes, kline_types, need_types=True)
        for key, cs in keys:
            self._want.get(key, set()).difference_update(cs)
            dfr = self._deferred.get(key)
            if dfr:
                for c in cs:
                    dfr.pop(c, None)
        self._kick()

    async def close(self) -> None:
        """Cancel every task and close the socket. Idempotent; state becomes ``"closed"``
        (a failed session keeps ``"failed"`` and its :attr:`error`)."""
        task, self._main_task = self._main_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        elif task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                task.result()
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._close_ws(conn.ws)
        if self._state != "failed":
            self._set_state("closed", None)
        self._done_evt.set()
        self._open_evt.clear()
        self._resolve_sync_waiters(ConnectionLostError("The session was closed."))

    async def __aenter__(self) -> WsSession:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- desired state helpers ----------------------------------------------------------------
    def _codes(self, codes: str | Iterable[str]) -> set[str]:
        insts = parse_symbols(codes if isinstance(codes, str) else list(codes))
        wrong = [i.code for i in insts if i.business != self.business]
        if wrong:
            raise BadParameterError(
                f"{', '.join(wrong[:5])} belong(s) to another channel than {self.business!r} "
                "(the service would ack and then stay silent): use the session of its channel."
            )
        return {i.code for i in insts}

    def _keys(
        self,
        kind: str,
        codes: str | Iterable[str],
        kline_types: Sequence[int | str | Interval] | None,
        need_types: bool,
    ) -> list[tuple[Key, set[str]]]:
        if kind not in KINDS:
            raise BadParameterError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}.")
        cs = self._codes(codes)
        if kind != "candles":
            return [((kind, 0), cs)]
        if not kline_types:
            raise BadParameterError(
                "candles need kline_types, e.g. kline_types=[1] or ['1m', '1d']."
            )
        kts = sorted({parse_interval(k).kline_type for k in kline_types})
        return [(("candles", kt), cs) for kt in kts]

    def _kick(self) -> None:
        self._wake.set()

    # ---- state ------------------------------------------------------------------------------
    def _set_state(self, state: str, message: str | None) -> None:
        msg = redact(message) if message else None
        if state == self._state and msg == self._state_msg:
            return
        self._state = state
        self._state_msg = msg
        log.info("Infoway %s stream: %s%s", self.business, state, f" ({msg})" if msg else "")
        if self._on_state is not None:
            self._call(self._on_state, state, msg)

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("Infoway %s stream: a callback raised (ignored)", self.business)

    def _raise_if_done(self) -> None:
        if self._state == "failed" and self.error is not None:
            raise self.error
        if self._state == "closed":
            raise ConnectionLostError(
                f"The {self.business} stream is closed: create a new session."
            )

    def _fail(self, err: InfowayError) -> None:
        self.error = err
        self._set_state("failed", str(err))
        self._open_evt.clear()
        self._done_evt.set()
        self._resolve_sync_waiters(err)

    def _resolve_sync_waiters(self, err: BaseException | None = None) -> None:
        waiters, self._sync_waiters = self._sync_waiters, []
        for f in waiters:
            if not f.done():
                if err is None:
                    f.set_result(None)
                else:
                    f.set_exception(err)
                    f.exception()  # mark retrieved: the waiter may be gone already

    def _is_synced(self) -> bool:
        c = self._conn
        if c is None or self._state != "open" or c.pending:
            return False
        keys = {k for k, v in self._want.items() if v} | {k for k, v in c.have.items() if v}
        return all(self._want.get(k, set()) == c.have.get(k, set()) for k in keys)

    def _describe_sync(self) -> str:
        c = self._conn
        if c is None:
            return "no connection"
        missing = sum(len(v - c.have.get(k, set())) for k, v in self._want.items())
        extra = sum(len(v - self._want.get(k, set())) for k, v in c.have.items())
        return f"{missing} codes to subscribe, {extra} to drop, {len(c.pending)} frames unacked"

    def _check_synced(self) -> None:
        if self._sync_waiters and self._is_synced():
            self._resolve_sync_waiters()

    # ---- connection loop ----------------------------------------------------------------------
    def _url(self) -> str:
        q = {"business": self.business}
        if self._key:
            q["apikey"] = self._key
        sep = "&" if "?" in self.ws_base else "?"
        return f"{self.ws_base}{sep}{urllib.parse.urlencode(q)}"

    def _backoff(self, attempt: int) -> float:
        d = min(self._backoff_max, self._backoff0 * (2 ** min(attempt, 30)))
        return d * random.uniform(0.5, 1.0)  # jitter: reconnecting clients do not stampede

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        ever_open = False
        down_ms: int | None = None
        reason: str | None = None
        self._set_state("connecting", None)
        while True:
            try:
                ws = await self._connect()
            except InfowayError as e:
                self._fail(e)
                return
            except (OSError, asyncio.TimeoutError, InvalidHandshake, ConnectionClosed) as e:
                reason = f"connection attempt failed: {type(e).__name__}: {redact(e)}"
            else:
                conn = _Conn(ws=ws, last_rx=loop.time())
                self._conn = conn
                self.stats["connects"] += 1
                opened = loop.time()
                up_ms = _now_ms()
                self._last_push = loop.time()
                self._open_evt.set()
                self._set_state("open", None)
                if ever_open:
                    self.stats["reconnects"] += 1
                    if self._on_reconnect is not None:
                        self._call(self._on_reconnect, down_ms or up_ms, up_ms)
                ever_open = True
                self._kick()
                self._check_synced()
                try:
                    reason = await self._serve(conn)
                finally:
                    self._open_evt.clear()
                    self._conn = None
                    await self._close_ws(ws)
                down_ms = self.stats["last_frame_ms"] or _now_ms()
                if conn.terminal is not None:
                    self._fail(conn.terminal)
                    return
                if loop.time() - opened >= self._hb:
                    attempt = 0  # the link was healthy for a while: start the backoff afresh
            if self._max_retries is not None and attempt >= self._max_retries:
                self._fail(
                    ConnectionLostError(
                        f"The {self.business} stream could not be re-established after {attempt} "
                        f"attempts ({reason}): check the network, then create a new session."
                    )
                )
                return
            delay = self._backoff(attempt)
            attempt += 1
            self._set_state(
                "reconnecting" if ever_open else "connecting",
                f"{reason}; retrying in {delay:.2f} s",
            )
            await asyncio.sleep(delay)

    async def _connect(self) -> ClientConnection:
        url = self._url()
        host = urllib.parse.urlsplit(url).hostname or ""
        try:
            return await connect(
                url,
                open_timeout=self._open_timeout,
                ping_interval=None,
                ping_timeout=None,
                close_timeout=min(2.0, self._open_timeout),
                max_queue=256,
                logger=_wire_log,
                compression=None,
                proxy=None if host in ("127.0.0.1", "localhost", "::1") else True,
                user_agent_header="infoway-widgets",
            )
        except InvalidStatus as e:
            status = e.response.status_code
            if status in (401, 403):
                raise AuthError(
                    f"The {self.business} stream refused the API key (HTTP {status}): check "
                    "INFOWAY_API_KEY or the api_key argument. Not retried: repeated refusals "
                    "risk an IP ban.",
                    code=status,
                ) from None
            if status == 404:
                raise ProtocolError(
                    f"No WebSocket endpoint at {redact(self.ws_base)!r} (HTTP 404): check ws_base.",
                    code=404,
                ) from None
            raise
        except InvalidURI:
            raise BadParameterError(
                f"{redact(self.ws_base)!r} is not a WebSocket URL: use wss://host/ws."
            ) from None

    async def _close_ws(self, ws: ClientConnection) -> None:
        try:
            await asyncio.wait_for(ws.close(), timeout=min(2.0, self._open_timeout))
        except Exception:  # a half-open socket: do not wait for a close handshake
            with contextlib.suppress(Exception):
                ws.transport.abort()

    async def _serve(self, conn: _Conn) -> str:
        """Run reader, writer and watchdog for one connection; return why it ended."""
        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(self._reader(conn), name="infoway-ws-reader"),
            loop.create_task(self._writer(conn), name="infoway-ws-writer"),
            loop.create_task(self._watch(conn), name="infoway-ws-watchdog"),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for t in done:
            if not t.cancelled() and t.exception() is not None:
                exc = t.exception()
                if not isinstance(exc, ConnectionClosed):
                    log.error(
                        "Infoway %s stream: internal error in %s: %s",
                        self.business,
                        t.get_name(),
                        redact(repr(exc)),
                    )
                    conn.drop_reason = conn.drop_reason or f"internal error {type(exc).__name__}"
        return conn.drop_reason or "connection closed"

    # ---- reading ------------------------------------------------------------------------------
    async def _reader(self, conn: _Conn) -> None:
        loop = asyncio.get_running_loop()
        on_push = self._on_push
        stats = self.stats
        try:
            async for msg in conn.ws:
                now = loop.time()
                conn.last_rx = now
                arrival = _now_ms()
                stats["frames_received"] += 1
                stats["last_frame_ms"] = arrival
                if _is_push(msg):
                    stats["pushes"] += 1
                    self._last_push = now
                    try:
                        on_push(msg, arrival)
                    except Exception:
                        log.exception("Infoway %s stream: on_push raised (ignored)", self.business)
                    continue
                ev = decode_frame(msg)
                if isinstance(ev, (Trade, Depth, Candle)):  # a push in another key order
                    stats["pushes"] += 1
                    self._last_push = now
                    self._call(on_push, msg, arrival)
                    continue
                self._control(conn, ev)
                if conn.terminal is not None or conn.drop_reason is not None:
                    return
        except ConnectionClosed:
            pass  # an abnormal close; a normal one just ends the loop
        if conn.drop_reason is None:
            code, why = conn.ws.close_code, conn.ws.close_reason
            conn.drop_reason = (
                "connection lost (no close frame)"
                if code in (None, 1006)
                else f"closed by the server (code {code}{', ' + redact(why) if why else ''})"
            )

    def _control(self, conn: _Conn, ev: Event) -> None:
        """Act on a non-push frame, then hand it to ``on_event``."""
        if isinstance(ev, Ack):
            self.stats["acks"] += 1
            sent = self._acked(conn, ev.trace, "sub", ev.kind)
            if sent is not None:
                for key, _ in sent.groups:
                    self._defer_attempts.pop(key, None)
            self._check_synced()
        elif isinstance(ev, UnsubscribeAck):
            self.stats["acks"] += 1
            self._acked(conn, ev.trace, "unsub", None)
            self._check_synced()
        elif isinstance(ev, ErrorFrame):
            self.stats["errors"] += 1
            self._handle_error(conn, ev.code, ev.msg, ev.trace)
        elif isinstance(ev, SubscribeFail):
            self.stats["errors"] += 1
            detail = ev.detail or {}
            trace = detail.get("trace", detail.get("traceId"))
            msg = detail.get("msg", ev.text)
            self._handle_error(
                conn, ev.code, msg, trace if isinstance(trace, str) else None, subscribe_fail=True
            )
        elif isinstance(ev, Unparsed):
            self.stats["unparsed"] += 1
            log.debug("Infoway %s stream: unparsed frame (%s)", self.business, ev.reason)
        if self._on_event is not None:
            self._call(self._on_event, ev)

    @staticmethod
    def _acked(conn: _Conn, trace: str | None, op: str, kind: str | None) -> _Sent | None:
        """The pending frame an ack answers: by its trace, or (an ack without a trace of ours)
        the oldest pending frame of that operation and kind — the socket keeps order."""
        sent = conn.pending.pop(trace, None) if trace else None
        if sent is None:
            for t, p in sorted(conn.pending.items(), key=lambda tp: tp[1].at):
                if p.op == op and (kind is None or p.groups[0][0][0] == kind):
                    return conn.pending.pop(t)
        return sent

    def _handle_error(
        self,
        conn: _Conn,
        code: int | None,
        msg: Any,
        trace: str | None,
        subscribe_fail: bool = False,
    ) -> None:
        verdict = ws_error(code, msg)
        action: WsAction = verdict.action
        if subscribe_fail and code is None and action == "reconnect":
            action = "retry_subscription"  # prose we cannot classify: retry those codes later
        log.warning("Infoway %s stream: %s", self.business, verdict.error)
        if action == "terminal":
            conn.terminal = verdict.error
        elif action == "reconnect":
            conn.drop_reason = str(verdict.error)
        else:
            self._defer(conn, trace)

    def _defer(self, conn: _Conn, trace: str | None) -> None:
        """Take the codes of the refused subscription back, to be resent after a backoff."""
        sent = conn.pending.pop(trace, None) if trace else None
        if sent is None:  # the error names no trace of ours: blame the oldest pending subscription
            subs = [(t, s) for t, s in conn.pending.items() if s.op == "sub"]
            if subs:
                t0, sent = min(subs, key=lambda ts: ts[1].at)
                conn.pending.pop(t0, None)
        if sent is None or sent.op != "sub":
            return
        now = asyncio.get_running_loop().time()
        for key, codes in sent.groups:
            n = self._defer_attempts.get(key, 0)
            self._defer_attempts[key] = n + 1
            at = now + self._backoff(n)
            have = conn.have.get(key, set())
            dfr = self._deferred.setdefault(key, {})
            for c in codes:
                have.discard(c)
                if c in self._want.get(key, ()):
                    dfr[c] = at
            self.stats["deferred"] += len(codes)
        self._kick()

    # ---- writing ------------------------------------------------------------------------------
    def _in_window(self, conn: _Conn, now: float) -> int:
        horizon = now - self._hold
        st = conn.sent_times
        while st and st[0] <= horizon:
            st.popleft()
        return len(st)

    async def _send(self, conn: _Conn, frame: str) -> None:
        loop = asyncio.get_running_loop()
        await conn.ws.send(frame)
        now = loop.time()
        conn.sent_times.append(now)
        self.stats["frames_sent"] += 1
        # exact count over the unmargined window, for tests and diagnostics
        exact = sum(1 for t in conn.sent_times if t > now - self._window)
        if exact > self.stats["max_frames_in_window"]:
            self.stats["max_frames_in_window"] = exact

    def _trace(self) -> str:
        return f"{self._trace_prefix}{next(self._traces)}"

    def _next_frame(self, conn: _Conn, now: float) -> tuple[str, str, _Sent] | None:
        """The next frame that brings the connection closer to the wanted state, or None.

        Unsubscriptions go first: they free plan room for what follows.
        """
        per = self._per_frame
        for kind in ("trades", "depth"):
            key = (kind, 0)
            extra = sorted(conn.have.get(key, set()) - self._want.get(key, set()))
            if extra:
                codes = extra[:per]
                conn.have[key].difference_update(codes)
                t = self._trace()
                return t, encode_unsubscribe(kind, codes, t), _Sent("unsub", [(key, codes)], now)
        for key in sorted(k for k in conn.have if k[0] == "candles"):
            extra = sorted(conn.have[key] - self._want.get(key, set()))
            if extra:
                codes = extra[:per]
                conn.have[key].difference_update(codes)
                t = self._trace()
                return (
                    t,
                    encode_unsubscribe("candles", codes, t, [key[1]]),
                    _Sent("unsub", [(key, codes)], now),
                )
        for kind in ("trades", "depth"):
            key = (kind, 0)
            missing = self._missing(conn, key, now)
            if missing:
                codes = missing[:per]
                conn.have.setdefault(key, set()).update(codes)
                t = self._trace()
                return t, encode_subscribe(kind, codes, t), _Sent("sub", [(key, codes)], now)
        groups: list[tuple[Key, list[str]]] = []
        room = per
        for key in sorted(k for k in self._want if k[0] == "candles"):
            if room <= 0:
                break
            missing = self._missing(conn, key, now)[:room]
            if missing:
                groups.append((key, missing))
                room -= len(missing)
                conn.have.setdefault(key, set()).update(missing)
        if groups:
            t = self._trace()
            frame = encode_subscribe_candles([(k[1], cs) for k, cs in groups], t)
            return t, frame, _Sent("sub", groups, now)
        return None

    def _missing(self, conn: _Conn, key: Key, now: float) -> list[str]:
        want = self._want.get(key)
        if not want:
            return []
        dfr = self._deferred.get(key, {})
        have = conn.have.get(key, set())
        return sorted(c for c in want if c not in have and dfr.get(c, 0.0) <= now)

    def _next_deferred(self) -> float | None:
        times = [t for d in self._deferred.values() for t in d.values()]
        return min(times) if times else None

    async def _writer(self, conn: _Conn) -> None:
        loop = asyncio.get_running_loop()
        next_hb = loop.time() + self._hb
        linger = min(LINGER_S, self._window / 100)
        while True:
            now = loop.time()
            wait_until = next_hb
            if now >= next_hb:
                if self._in_window(conn, now) < self._budget:
                    await self._send(conn, encode_heartbeat(self._trace()))
                    self.stats["heartbeats"] += 1
                    next_hb = max(next_hb + self._hb, loop.time() + self._hb / 2)
                    continue
                # cannot happen with the reserve, but never spin: wait for a free slot
                wait_until = conn.sent_times[0] + self._hold + 1e-3
            # drop deferrals that are due so that _missing sees them
            for dfr in self._deferred.values():
                for c in [c for c, t in dfr.items() if t <= now]:
                    del dfr[c]
            if self._in_window(conn, now) < self._budget - HEARTBEAT_RESERVE:
                built = self._next_frame(conn, now)
                if built is not None:
                    trace, frame, sent = built
                    conn.pending[trace] = sent
                    await self._send(conn, frame)
                    self.stats["sub_frames" if sent.op == "sub" else "unsub_frames"] += 1
                    continue
            elif self._has_work(conn, now):
                # budget exhausted: wake when the oldest frame leaves the window
                wait_until = min(wait_until, conn.sent_times[0] + self._hold + 1e-3)
            nd = self._next_deferred()
            if nd is not None:
                wait_until = min(wait_until, nd)
            self._check_synced()
            self._check_ack_timeouts(conn, now)
            timeout = max(0.0, wait_until - loop.time())
            self._wake.clear()
            # not asyncio.wait_for: on 3.10/3.11 it can swallow the cancel that ends this writer
            await wait_event(self._wake, timeout)
            if self._wake.is_set():
                await asyncio.sleep(linger)  # merge a burst of subscribe() calls

    def _has_work(self, conn: _Conn, now: float) -> bool:
        keys = set(self._want) | set(conn.have)
        return any(
            self._missing(conn, k, now) or (conn.have.get(k, set()) - self._want.get(k, set()))
            for k in keys
        )

    def _check_ack_timeouts(self, conn: _Conn, now: float) -> None:
        # An ack that never comes changes nothing we can fix by resending (the socket is
        # ordered); count it, and let the watchdog judge the link.
        for sent in conn.pending.values():
            if not sent.late and now - sent.at > self._ack_timeout:
                sent.late = True  # still pending: wait_synced() keeps waiting for the real ack
                self.stats["ack_timeouts"] += 1
                log.warning(
                    "Infoway %s stream: no ack for a %s frame after %.1f s",
                    self.business,
                    sent.op,
                    (now - sent.at) * self.time_scale,
                )

    # ---- watchdog -----------------------------------------------------------------------------
    async def _watch(self, conn: _Conn) -> None:
        """Ping between heartbeats; close the link when nothing at all arrives for ``silence_s``
        (a silent server or a half-open socket), or no push while subscribed for
        ``data_silence_s``."""
        loop = asyncio.get_running_loop()
        period = max(min(self._hb / 2, self._silence / 4), 0.005)
        while True:
            await asyncio.sleep(period)
            now = loop.time()
            if now - conn.last_rx >= self._silence:
                conn.drop_reason = (
                    f"nothing received for {self._silence * self.time_scale:.0f} s "
                    "(silent or half-open connection)"
                )
                break
            if (
                self._data_silence is not None
                and any(self._want.values())
                and now - self._last_push >= self._data_silence
                and now - conn.last_rx < self._silence
            ):
                conn.drop_reason = (
                    f"no market data for {self._data_silence * self.time_scale:.0f} s "
                    "while subscribed"
                )
                break
            # a pong proves the link works even when the market is quiet; count it as a frame.
            # Sending a ping can block on a stuck socket: bound it, and use asyncio.wait (not
            # wait_for, which can swallow the cancellation that ends this task on 3.10/3.11).
            sending = asyncio.ensure_future(conn.ws.ping())
            sending.add_done_callback(_retrieve)
            try:
                await asyncio.wait({sending}, timeout=period)
            finally:
                if not sending.done():
                    sending.cancel()
            if sending.done() and not sending.cancelled() and sending.exception() is None:
                asyncio.ensure_future(sending.result()).add_done_callback(
                    functools.partial(self._on_pong, conn)
                )
        with contextlib.suppress(Exception):
            conn.ws.transport.abort()  # no close handshake on a link that does not answer

    def _on_pong(self, conn: _Conn, fut: asyncio.Future[Any]) -> None:
        if not fut.cancelled() and fut.exception() is None:
            conn.last_rx = asyncio.get_running_loop().time()


__all__ = ["DEFAULT_WS_BASE", "KINDS", "PUSH_CODES", "State", "WsSession"]
