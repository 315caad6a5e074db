"""One Infoway WebSocket connection per business channel, kept alive and in sync.

:class:`WsSession` drives the protocol's pure client session
(:class:`~infoway_widgets.protocol.client.ClientSession`, which decides what to send and when)
over a ``websockets`` connection. It runs as tasks on the current asyncio loop (in Jupyter: the
kernel's loop); it uses no threads and calls every callback on that loop. It

* connects to ``{ws_base}?business=...&apikey=...`` (the URL is never logged or shown unredacted),
* treats subscriptions as **desired state**: :meth:`WsSession.subscribe` and
  :meth:`WsSession.unsubscribe` only change what is wanted; a writer task sends the merged frames
  the session builds, within the service's 60 frames per minute per connection (heartbeats
  included), queueing the rest,
* sends a heartbeat (10010) every 30 s and WebSocket pings in between; a link on which nothing at
  all (no frame, no pong) arrived for ``silence_s`` (a silent or half-open socket) is dropped,
  and the session reconnects with exponential backoff and jitter (1 s doubling to 30 s),
  resubscribes everything wanted, and reports the gap through ``on_reconnect`` for backfill,
* stops for good on terminal errors (bad key, too many connections, our own protocol bugs) with
  the exception in :attr:`WsSession.error` and state ``"failed"``; retries a 516 (account-wide
  product limit, often transient) for the affected codes on the same socket; a plan limit on
  codes (503, 504, 505) refuses only the codes beyond it (:attr:`WsSession.refused`,
  ``on_outcome``) while the stream and its other codes go on.

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
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from .._aio import cancel_and_wait
from .._secrets import install_log_filter, mask_key, redact, register_key
from ..errors import (
    BadParameterError,
    ConnectionLostError,
    InfowayError,
    InfowayTimeoutError,
)
from ..market import Interval, parse_interval, parse_symbols
from ..protocol.client import CODES_PER_FRAME, ClientConfig, ClientSession
from ..protocol.codes import KINDS, PUSH_CODES
from ..protocol.events import CodeOutcome, Event
from .connection import Connection, clock_ms, now_ms
from .dial import dial, hang_up

log = logging.getLogger("infoway_widgets.client.ws")

DEFAULT_WS_BASE = "wss://data.infoway.io/ws"
State = Literal["idle", "connecting", "open", "reconnecting", "failed", "closed"]


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
        and decodes (:func:`~infoway_widgets.protocol.decode.decode_batch`). Must be quick.
    on_state : callable(state, message), optional
        Every state change (see the module docstring); ``message`` says why, or is ``None``.
    on_event : callable(event), optional
        Every non-push frame, decoded: :class:`Ack`, :class:`UnsubscribeAck`, :class:`Welcome`,
        :class:`Greeting`, :class:`ErrorFrame`, :class:`SubscribeFail`, :class:`Unparsed`
        (an unparsable frame never ends the stream).
    on_outcome : callable(outcome), optional
        What the session concluded about codes, as it happens:
        :class:`~infoway_widgets.protocol.events.CodesAccepted` (acked, which is not a promise
        of data: an unknown code is acked, then silent) and
        :class:`~infoway_widgets.protocol.events.CodesRefused` (refused for good by a plan
        limit, with the error that says which and what to do).
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
        on_outcome: Callable[[CodeOutcome], None] | None = None,
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
        key = api_key if api_key is not None else os.environ.get("INFOWAY_API_KEY")
        key = key.strip() if key else None
        register_key(key)
        config = ClientConfig.scaled(
            time_scale,
            heartbeat_s=heartbeat_s,
            budget_frames=budget_frames,
            budget_window_s=budget_window_s,
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
            silence_s=silence_s,
            data_silence_s=data_silence_s,
            ack_timeout_s=ack_timeout_s,
            codes_per_frame=codes_per_frame,
        )
        self.business = business
        self.ws_base = ws_base
        self.time_scale = float(time_scale)
        self._key = key
        self._key_info = mask_key(key)
        self._on_push = on_push
        self._on_state = on_state
        self._on_event = on_event
        self._on_reconnect = on_reconnect
        self._on_outcome = on_outcome
        self._protocol = ClientSession(config, name=business, logger=log)
        # the handshake is a round trip of real time: do not compress it below 1 s
        self._open_timeout = max(open_timeout_s / time_scale, 1.0)
        self._max_retries = max_retries
        self._state: str = "idle"
        self._state_msg: str | None = None
        self._main_task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None
        self._wake = asyncio.Event()
        self._open_evt = asyncio.Event()
        self._done_evt = asyncio.Event()
        self._sync_waiters: list[asyncio.Future[None]] = []
        #: The terminal exception when :attr:`state` is ``"failed"``, else ``None``.
        self.error: InfowayError | None = None
        #: Counters: frames_sent, frames_received, pushes, heartbeats, sub_frames, unsub_frames,
        #: acks, errors, unparsed, connects, reconnects, ack_timeouts, deferred, refused,
        #: last_frame_ms, max_frames_in_window (most frames sent within one budget window, on
        #: any connection).
        self.stats: dict[str, int] = self._protocol.stats

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
        return self._protocol.subscriptions

    @property
    def refused(self) -> dict[str, InfowayError]:
        """Codes the service refused for a plan limit, each with its error; not sent again until
        subscribed again."""
        return self._protocol.refused

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
        InfowayTimeoutError
            Not in sync after ``timeout`` seconds (a :class:`TimeoutError`).
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
                raise InfowayTimeoutError(
                    f"subscriptions not in sync after {timeout} s (state {self._state}, "
                    f"{self._protocol.describe_sync()}): check the connection and the codes, "
                    "or wait longer."
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
        cs, kts = self._request(kind, codes, kline_types)
        self._protocol.want(kind, cs, kts)
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
            self._protocol.unwant("candles", self._codes(codes), None)
        else:
            cs, kts = self._request(kind, codes, kline_types)
            self._protocol.unwant(kind, cs, kts)
        self._kick()

    async def close(self) -> None:
        """Cancel every task and close the socket. Idempotent; state becomes ``"closed"``
        (a failed session keeps ``"failed"`` and its :attr:`error`)."""
        task, self._main_task = self._main_task, None
        if task is not None and not task.done() and await cancel_and_wait([task]):
            log.warning("%s session task ignored cancellation; closing anyway", self.business)
        if task is not None and task.done() and not task.cancelled():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                task.result()
        ws, self._ws = self._ws, None
        if ws is not None:
            await hang_up(ws, min(2.0, self._open_timeout))
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

    # ---- requests -----------------------------------------------------------------------------
    def _codes(self, codes: str | Iterable[str]) -> set[str]:
        insts = parse_symbols(codes if isinstance(codes, str) else list(codes))
        wrong = [i.code for i in insts if i.business != self.business]
        if wrong:
            raise BadParameterError(
                f"{', '.join(wrong[:5])} belong(s) to another channel than {self.business!r} "
                "(the service would ack and then stay silent): use the session of its channel."
            )
        return {i.code for i in insts}

    def _request(
        self,
        kind: str,
        codes: str | Iterable[str],
        kline_types: Sequence[int | str | Interval] | None,
    ) -> tuple[set[str], list[int]]:
        """Canonical codes and klineTypes of a (un)subscribe call, checked in the order the
        caller reads its arguments: kind, codes, intervals."""
        if kind not in KINDS:
            raise BadParameterError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}.")
        cs = self._codes(codes)
        if kind != "candles":
            return cs, []
        if not kline_types:
            raise BadParameterError(
                "candles need kline_types, e.g. kline_types=[1] or ['1m', '1d']."
            )
        return cs, sorted({parse_interval(k).kline_type for k in kline_types})

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
        return self._state == "open" and self._protocol.synced

    def _check_synced(self) -> None:
        if self._sync_waiters and self._is_synced():
            self._resolve_sync_waiters()

    # ---- connection loop ----------------------------------------------------------------------
    async def _main(self) -> None:
        proto = self._protocol
        attempt = 0
        ever_open = False
        down_ms: int | None = None
        reason: str | None = None
        self._set_state("connecting", None)
        while True:
            try:
                ws = await dial(self.ws_base, self.business, self._key, self._open_timeout)
            except InfowayError as e:
                self._fail(e)
                return
            except (OSError, asyncio.TimeoutError, InvalidHandshake, ConnectionClosed) as e:
                reason = f"connection attempt failed: {type(e).__name__}: {redact(e)}"
            else:
                self._ws = ws
                self.stats["connects"] += 1
                opened = clock_ms()
                up_ms = now_ms()
                proto.connection_made(opened)
                self._open_evt.set()
                self._set_state("open", None)
                if ever_open:
                    self.stats["reconnects"] += 1
                    if self._on_reconnect is not None:
                        self._call(self._on_reconnect, down_ms or up_ms, up_ms)
                ever_open = True
                self._kick()
                self._check_synced()
                ended: str | None = None
                try:
                    ended = await Connection(
                        ws,
                        proto,
                        name=self.business,
                        on_push=self._on_push,
                        on_control=self._control,
                        after_write=self._check_synced,
                        wake=self._wake,
                    ).run()
                finally:
                    silent = proto.silent
                    reason = proto.connection_lost(clock_ms(), ended)
                    self._open_evt.clear()
                    self._ws = None
                    await hang_up(ws, min(2.0, self._open_timeout), abort=silent)
                down_ms = self.stats["last_frame_ms"] or now_ms()
                if proto.terminal is not None:
                    self._fail(proto.terminal)
                    return
                if clock_ms() - opened >= proto.config.heartbeat_ms:
                    attempt = 0  # the link was healthy for a while: start the backoff afresh
            if self._max_retries is not None and attempt >= self._max_retries:
                self._fail(
                    ConnectionLostError(
                        f"The {self.business} stream could not be re-established after {attempt} "
                        f"attempts ({reason}): check the network, then create a new session."
                    )
                )
                return
            delay = proto.backoff_ms(attempt) / 1000
            attempt += 1
            self._set_state(
                "reconnecting" if ever_open else "connecting",
                f"{reason}; retrying in {delay:.2f} s",
            )
            await asyncio.sleep(delay)

    def _control(self, ev: Event) -> None:
        self._check_synced()
        if self._on_event is not None:
            self._call(self._on_event, ev)
        outcomes = self._protocol.take_outcomes()
        if self._on_outcome is not None:
            for outcome in outcomes:
                self._call(self._on_outcome, outcome)


__all__ = ["DEFAULT_WS_BASE", "KINDS", "PUSH_CODES", "State", "WsSession"]
