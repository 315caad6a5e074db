"""The client's side of the Infoway WebSocket protocol, with no I/O: frames and time in, frames and
events out.

:class:`ClientSession` decides everything a robust client decides and nothing about sockets. It
has no clock of its own: every call that depends on time takes ``now``, an integer in ms of the
driver's monotonic clock, and :meth:`~ClientSession.next_deadline` says when to call again. A
driver (:class:`infoway_widgets.client.ws.WsSession`) connects, feeds each received frame to
:meth:`~ClientSession.receive`, sends what :meth:`~ClientSession.frames_to_send` returns, and
reads the outcomes (:attr:`~ClientSession.drop_reason`, :attr:`~ClientSession.terminal`,
:attr:`~ClientSession.synced`).

What it keeps

* subscriptions as **desired state** (:meth:`want` / :meth:`unwant`) against what the current
  connection holds, reconciled by merged frames of at most ``codes_per_frame`` codes, unsubscribes
  first (they free plan room); changes that arrive together linger briefly so they merge;
* the **frame budget**: a sliding window that never lets more than ``budget_frames`` frames
  (heartbeats included) leave within the service's window, each frame held a little longer than
  the window for jitter, and a reserve that subscriptions cannot take from the heartbeat;
* **acks** by trace, else the oldest pending frame of that operation and kind (the socket keeps
  order), with a timeout that is counted, not acted on;
* **error verdicts**: terminal (the session must stop), reconnect, retry the refused codes
  later with backoff on the same socket (516, unclassifiable ``Subscribe fail`` prose), or refuse
  the codes of the refused frame for good (the plan limits 503, 504, 505): a frame of several
  codes is asked again in two halves, so only the codes beyond the limit end up refused, each
  asked at most once per halving; the stream and its other codes go on;
* **per-code outcomes** (:meth:`take_outcomes`): which codes were acked when, which were
  refused and why, for whoever must tell each symbol's widgets (:attr:`refused` holds the
  refusals in force);
* **deadlines**: heartbeat due, budget slot free, deferral over, linger over, ack late, and the
  watchdogs (nothing at all received for ``silence``; no push while subscribed for
  ``data_silence``).

The bookkeeping of wanted against held codes and the frames between them is in :mod:`.reconcile`;
limits and timers in :mod:`.client_config`.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Iterable
from typing import Any

from ..errors import BadParameterError, InfowayError
from .client_config import CODES_PER_FRAME, HEARTBEAT_RESERVE, ClientConfig
from .codes import KINDS
from .decode import decode_frame
from .encode import encode_heartbeat
from .events import (
    Ack,
    Candle,
    CodeOutcome,
    CodesAccepted,
    CodesRefused,
    Depth,
    ErrorFrame,
    Event,
    SubscribeFail,
    Trade,
    Unparsed,
    UnsubscribeAck,
)
from .reconcile import Key, Link, PendingFrame, Wanted, next_frame
from .verdicts import WsAction, ws_error
from .window import SlidingWindow


class Push:
    """The marker :meth:`ClientSession.receive` returns for a push frame, which it does not
    decode: the caller hands the frame on as received (the Feed decodes pushes in batches)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PUSH"


PUSH = Push()


def is_push(frame: str | bytes) -> bool:
    """Cheap check for the production push shape ``{"code":1000[258],...`` without decoding."""
    head = frame[:14] if isinstance(frame, str) else frame[:14].decode("latin-1")
    return (
        head[:12] == '{"code":1000' and head[12:13] in ("2", "5", "8") and head[13:14] in (",", "}")
    )


STAT_NAMES = (
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
    "refused",
    "last_frame_ms",
    "max_frames_in_window",
)


class ClientSession:
    """One client's protocol state across its connections, driven by (frame, now).

    Parameters
    ----------
    config : ClientConfig, optional
        Limits and timers (default: the service's, unscaled).
    name : str
        What log lines call this session (the business channel).
    rng : random.Random, optional
        Source of the backoff jitter and the trace prefix (seed it for deterministic tests).
    logger : logging.Logger, optional
        Where warnings about errors and late acks go.

    Notes
    -----
    :attr:`stats` is one dict for the session and its driver: the driver writes the counters that
    are a matter of I/O (``connects``, ``reconnects``, ``last_frame_ms``).
    """

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        name: str = "",
        rng: random.Random | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.config = config or ClientConfig()
        self.name = name
        self._rng = rng or random.Random()
        self._log = logger or logging.getLogger("infoway_widgets.protocol.client")
        self._wanted = Wanted()
        self._traces = itertools.count(1)
        self._trace_prefix = f"iw{self._rng.getrandbits(24):06x}-"
        self._link: Link | None = None
        self._terminal: InfowayError | None = None
        self._last_push = 0
        self._now = 0
        self._changed = False
        self._linger_until: int | None = None
        self._outcomes: list[CodeOutcome] = []
        #: Counters (see :data:`STAT_NAMES`); ``max_frames_in_window`` is the most frames sent
        #: within one budget window on any connection.
        self.stats: dict[str, int] = dict.fromkeys(STAT_NAMES, 0)

    # ---- desired state ------------------------------------------------------------------------
    def want(self, kind: str, codes: Iterable[str], kline_types: Iterable[int] = ()) -> None:
        """Want ``kind`` for ``codes`` (candles: for each klineType given). An explicit request
        retries codes held back after a refusal at once."""
        self._wanted.add(self._keys(kind, kline_types), set(codes))
        self._changed = True

    def unwant(
        self, kind: str, codes: Iterable[str], kline_types: Iterable[int] | None = None
    ) -> None:
        """Stop wanting ``kind`` for ``codes``; for candles ``kline_types=None`` means every
        interval of those codes."""
        if kind == "candles" and kline_types is None:
            keys = self._wanted.candle_keys()
        else:
            keys = self._keys(kind, kline_types or ())
        self._wanted.remove(keys, set(codes))
        self._changed = True

    @staticmethod
    def _keys(kind: str, kline_types: Iterable[int]) -> list[Key]:
        if kind not in KINDS:
            raise BadParameterError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}.")
        if kind != "candles":
            return [(kind, 0)]
        kts = sorted({int(k) for k in kline_types})
        if not kts:
            raise BadParameterError(
                "candles need kline_types, e.g. kline_types=[1] or ['1m', '1d']."
            )
        return [("candles", kt) for kt in kts]

    @property
    def subscriptions(self) -> dict[str, Any]:
        """What is wanted: ``{"trades": [...], "depth": [...], "candles": {klineType: [...]}}``."""
        return self._wanted.view()

    @property
    def held_back(self) -> dict[Key, dict[str, int | None]]:
        """Codes refused for now: per stream, the time each may be sent again."""
        return {k: dict(v) for k, v in self._wanted.held_back.items() if v}

    @property
    def refused(self) -> dict[str, InfowayError]:
        """Codes refused for good (a plan limit), each with the error that refused it; they are
        not sent again until wanted again (:meth:`want`)."""
        return {c: e for v in self._wanted.refused.values() for c, e in sorted(v.items())}

    def take_outcomes(self) -> list[CodeOutcome]:
        """What was concluded about codes since the last call, oldest first:
        :class:`~.events.CodesAccepted` (acked; not a promise of data) and
        :class:`~.events.CodesRefused` (refused for good, with the error)."""
        out, self._outcomes = self._outcomes, []
        return out

    # ---- connection ---------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._link is not None

    def connection_made(self, now: int) -> None:
        """A new connection is open: it holds nothing; everything wanted is sent again."""
        cfg = self.config
        self._link = Link(
            opened=now,
            window=SlidingWindow(cfg.hold_ms),
            last_rx=now,
            next_heartbeat=now + cfg.heartbeat_ms,
        )
        self._now = now
        self._last_push = now
        self._changed = True
        self._linger_until = None
        self._wanted.probes.clear()  # a new connection is sent everything wanted, merged

    def connection_lost(self, now: int, reason: str | None = None) -> str:
        """The connection ended; returns why: the session's own reason (a verdict, a watchdog)
        if it had one, else the driver's ``reason``."""
        link, self._link = self._link, None
        self._now = now
        self._linger_until = None
        own = link.drop_reason if link is not None else None
        return own or reason or "connection closed"

    @property
    def drop_reason(self) -> str | None:
        """Why the current connection must be closed (the driver reconnects), or ``None``."""
        return self._link.drop_reason if self._link is not None else None

    @property
    def silent(self) -> bool:
        """The link was dropped for silence (no frame at all, or no market data): abort it
        rather than wait for a close handshake."""
        return self._link is not None and self._link.silent

    @property
    def terminal(self) -> InfowayError | None:
        """The error that ends the session for good (bad key, too many connections, our bug), or
        ``None``. A plan limit on codes refuses those codes only (:attr:`refused`)."""
        return self._terminal

    @property
    def synced(self) -> bool:
        """The connection holds, acknowledged, exactly what is wanted (nothing queued, held back
        or unacknowledged), the codes refused for good (:attr:`refused`) aside."""
        return self._link is not None and self._wanted.synced(self._link)

    def describe_sync(self) -> str:
        return "no connection" if self._link is None else self._wanted.describe(self._link)

    def backoff_ms(self, attempt: int) -> int:
        """Delay before retry ``attempt`` (0, 1, ...): doubling to the cap, with jitter so that
        reconnecting clients do not stampede."""
        cfg = self.config
        d = min(cfg.backoff_max_ms, cfg.backoff_initial_ms << min(attempt, 30))
        return max(1, round(d * self._rng.uniform(0.5, 1.0)))

    # ---- receiving ----------------------------------------------------------------------------
    def receive(self, frame: str | bytes, now: int) -> Event | Push:
        """Take one received frame. Returns :data:`PUSH` for a push (not decoded), else the
        decoded control event after acting on it."""
        stats = self.stats
        stats["frames_received"] += 1
        link = self._link
        if link is not None:
            link.last_rx = now
        if is_push(frame):
            stats["pushes"] += 1
            self._last_push = now
            return PUSH
        ev = decode_frame(frame)
        if isinstance(ev, (Trade, Depth, Candle)):  # a push in another key order
            stats["pushes"] += 1
            self._last_push = now
            return PUSH
        if link is not None:
            self._control(link, ev, now)
        return ev

    def activity(self, now: int) -> None:
        """Something other than a frame proved the link alive (a pong)."""
        if self._link is not None:
            self._link.last_rx = now

    def _control(self, link: Link, ev: Event, now: int) -> None:
        stats = self.stats
        if isinstance(ev, Ack):
            stats["acks"] += 1
            frame = link.acked(ev.trace, "sub", ev.kind, now)
            if frame is not None:
                for key, codes in frame.groups:
                    self._wanted.attempts.pop(key, None)
                    self._outcomes.append(CodesAccepted(key[0], key[1], tuple(codes), now))
        elif isinstance(ev, UnsubscribeAck):
            stats["acks"] += 1
            link.acked(ev.trace, "unsub", None, now)
        elif isinstance(ev, ErrorFrame):
            stats["errors"] += 1
            self._refused(link, ev.code, ev.msg, ev.trace, now)
        elif isinstance(ev, SubscribeFail):
            stats["errors"] += 1
            detail = ev.detail or {}
            trace = detail.get("trace", detail.get("traceId"))
            msg = detail.get("msg", ev.text)
            self._refused(
                link,
                ev.code,
                msg,
                trace if isinstance(trace, str) else None,
                now,
                subscribe_fail=True,
            )
        elif isinstance(ev, Unparsed):
            stats["unparsed"] += 1
            self._log.debug("Infoway %s stream: unparsed frame (%s)", self.name, ev.reason)

    def _refused(
        self,
        link: Link,
        code: int | None,
        msg: Any,
        trace: str | None,
        now: int,
        subscribe_fail: bool = False,
    ) -> None:
        verdict = ws_error(code, msg)
        action: WsAction = verdict.action
        if subscribe_fail and code is None and action == "reconnect":
            action = "retry_subscription"  # prose we cannot classify: retry those codes later
        self._log.warning("Infoway %s stream: %s", self.name, verdict.error)
        if action == "terminal":
            if self._terminal is None:
                self._terminal = verdict.error
        elif action == "reconnect":
            link.drop_reason = str(verdict.error)
        elif action == "refuse_codes":
            frame = link.blamed(trace)
            if frame is None:  # a plan limit that names no request of ours ends the session
                if self._terminal is None:
                    self._terminal = verdict.error
            else:
                self._refuse(link, frame, verdict.error, now)
        else:
            frame = link.blamed(trace)
            if frame is not None:
                self._retry_later(link, frame, now)

    def _refuse(self, link: Link, frame: PendingFrame, error: InfowayError, now: int) -> None:
        """A plan limit refused ``frame``: ask again for each half of several codes (the limit
        may leave room for some), refuse a single code for good."""
        pairs = [(key, c) for key, codes in frame.groups for c in codes]
        for key, codes in frame.groups:
            link.forget(key, codes)
        if len(pairs) > 1:
            half = len(pairs) // 2
            for part in (pairs[:half], pairs[half:]):
                groups: dict[Key, list[str]] = {}
                for key, c in part:
                    groups.setdefault(key, []).append(c)
                self._wanted.probe(list(groups.items()))
        else:
            [(key, code)] = pairs
            refused = self._wanted.refuse(key, [code], error)
            if refused:
                self.stats["refused"] += 1
                self._outcomes.append(CodesRefused(key[0], key[1], (code,), error, now))
        self._changed = True

    def _retry_later(self, link: Link, frame: PendingFrame, now: int) -> None:
        """Take the codes of a refused subscription back, to be resent after a backoff."""
        attempts = self._wanted.attempts
        for key, codes in frame.groups:
            n = attempts.get(key, 0)
            attempts[key] = n + 1
            link.forget(key, codes)
            self._wanted.hold_back(key, codes, now + self.backoff_ms(n))
            self.stats["deferred"] += len(codes)
        self._changed = True

    # ---- sending ------------------------------------------------------------------------------
    def frames_to_send(self, now: int) -> list[str]:
        """The frames to send at ``now``, within the budget: a heartbeat when due, then the
        (un)subscriptions that bring the connection closer to what is wanted. Also runs the
        watchdogs and the ack timeouts; read :attr:`drop_reason` afterwards."""
        link = self._link
        if link is None or self._terminal is not None or link.drop_reason is not None:
            return []
        self._now = now
        if self.watchdog(now) is not None:
            return []
        self._check_ack_timeouts(link, now)
        cfg = self.config
        out: list[str] = []
        if now >= link.next_heartbeat and link.window.count(now) < cfg.budget_frames:
            out.append(encode_heartbeat(self._trace()))
            self._count_sent(link, now)
            self.stats["heartbeats"] += 1
            link.next_heartbeat = max(
                link.next_heartbeat + cfg.heartbeat_ms, now + cfg.heartbeat_ms // 2
            )
        self._wanted.expire(now)
        # changes that come while a linger runs wait with it, so that a burst merges
        if self._linger_until is not None and now >= self._linger_until:
            self._linger_until = None
        if self._changed:
            self._changed = False
            if self._linger_until is None and cfg.linger_ms > 0:
                self._linger_until = now + cfg.linger_ms
        if self._linger_until is None:
            while link.window.count(now) < cfg.budget_frames - cfg.heartbeat_reserve:
                built = next_frame(self._wanted, link, now, cfg.codes_per_frame, self._trace)
                if built is None:
                    break
                trace, text, frame = built
                link.pending[trace] = frame
                out.append(text)
                self._count_sent(link, now)
                self.stats["sub_frames" if frame.op == "sub" else "unsub_frames"] += 1
        link.last_batch = len(out)
        return out

    def sent(self, now: int) -> None:
        """The frames of the last :meth:`frames_to_send` left at ``now`` (a socket may take a
        while): they count against the budget from then on."""
        link = self._link
        if link is None or not link.last_batch:
            return
        link.window.restamp_last(link.last_batch, now)
        link.last_batch = 0
        self._update_max(link, now)

    def _count_sent(self, link: Link, now: int) -> None:
        link.window.add(now)
        self.stats["frames_sent"] += 1
        self._update_max(link, now)

    def _update_max(self, link: Link, now: int) -> None:
        # exact count over the unmargined window, for tests and diagnostics
        exact = link.window.count_within(now, self.config.budget_window_ms)
        if exact > self.stats["max_frames_in_window"]:
            self.stats["max_frames_in_window"] = exact

    def _trace(self) -> str:
        return f"{self._trace_prefix}{next(self._traces)}"

    def _check_ack_timeouts(self, link: Link, now: int) -> None:
        # An ack that never comes changes nothing we can fix by resending (the socket is
        # ordered); count it, and let the watchdog judge the link.
        for frame in link.pending.values():
            if not frame.late and now - frame.at > self.config.ack_timeout_ms:
                frame.late = True  # still pending: synced stays False until the real ack
                self.stats["ack_timeouts"] += 1
                self._log.warning(
                    "Infoway %s stream: no ack for a %s frame after %.1f s",
                    self.name,
                    frame.op,
                    self.config.service_s(now - frame.at),
                )

    def watchdog(self, now: int) -> str | None:
        """Drop a link on which nothing at all arrived for ``silence`` (a silent server or a
        half-open socket), or no push while subscribed for ``data_silence``; returns
        :attr:`drop_reason`. :meth:`frames_to_send` runs it too; a driver whose writer may be
        stuck on a dead socket also calls it on its own beat."""
        link = self._link
        if link is None or link.drop_reason is not None:
            return self.drop_reason
        cfg = self.config
        if now - link.last_rx >= cfg.silence_ms:
            link.drop_reason = (
                f"nothing received for {cfg.service_s(cfg.silence_ms):.0f} s "
                "(silent or half-open connection)"
            )
            link.silent = True
        elif (
            cfg.data_silence_ms is not None
            and self._wanted.any()
            and now - self._last_push >= cfg.data_silence_ms
        ):
            link.drop_reason = (
                f"no market data for {cfg.service_s(cfg.data_silence_ms):.0f} s while subscribed"
            )
            link.silent = True
        return link.drop_reason

    # ---- time -------------------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        """When :meth:`frames_to_send` has something new to do (always later than the ``now``
        of the last call), or ``None`` without a live connection."""
        link = self._link
        if link is None or self._terminal is not None or link.drop_reason is not None:
            return None
        cfg = self.config
        now = self._now
        used = link.window.count(now)
        oldest = link.window.oldest()
        slot_free = (oldest + cfg.hold_ms) if oldest is not None else now + 1
        times = [link.last_rx + cfg.silence_ms]
        times.append(link.next_heartbeat if link.next_heartbeat > now else slot_free)
        if self._changed:
            times.append(now + 1)
        elif self._wanted.has_work(link, now):
            if self._linger_until is not None:
                times.append(self._linger_until)
            if used >= cfg.budget_frames - cfg.heartbeat_reserve:
                times.append(slot_free)
        release = self._wanted.next_release()
        if release is not None:
            times.append(release)
        times.extend(f.at + cfg.ack_timeout_ms + 1 for f in link.pending.values() if not f.late)
        if cfg.data_silence_ms is not None and self._wanted.any():
            times.append(self._last_push + cfg.data_silence_ms)
        return min(times)


__all__ = [
    "CODES_PER_FRAME",
    "HEARTBEAT_RESERVE",
    "PUSH",
    "STAT_NAMES",
    "ClientConfig",
    "ClientSession",
    "CodeOutcome",
    "CodesAccepted",
    "CodesRefused",
    "Key",
    "Push",
    "is_push",
]
