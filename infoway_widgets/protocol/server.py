"""The server's side of one Infoway WebSocket connection, with no I/O: client frames and time in,
actions out.

:class:`ServerSession` is what the simulated server and the relay share: parsing and validating
requests (answers byte for byte as production: acks that echo ``trace``, ``Param lost：…`` and
``Param error：…`` error frames), the frame budget (501, then close), the idle close (513), an
optional per-client code limit (505), and which codes the channel carries (others are acked and
then stay silent, as production does). The adapter owns the socket and what subscriptions mean
to it (the simulated market's pushes, the relay's routes); it runs the actions in order.

Times are integers (ms) of the adapter's clock: the simulated server passes simulated time and
the service's limits; the relay passes its loop's time and limits divided by its time scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

import orjson

from .codes import (
    ACK_OF,
    ACK_UNSUB,
    BUDGET_WINDOW_MS,
    ERROR_MESSAGES,
    FRAME_BUDGET,
    HEARTBEAT,
    IDLE_MS,
    SUBSCRIBE_KINDS,
    UNSUBSCRIBE_KINDS,
    Kind,
)
from .encode import WELCOME_FRAME, ack, error_frame
from .window import SlidingWindow

#: (kind, klineType or 0, code): one subscription of one connection
Subscription = tuple[Kind, int, str]

#: WebSocket close codes (RFC 6455) the sessions ask for
CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008

NOT_JSON = 'Param not json：every frame is a JSON object like {"code":10010,"trace":"id"}'


@dataclass(frozen=True, slots=True)
class Send:
    """Send this text frame to the client (after what was queued before it)."""

    text: str


@dataclass(frozen=True, slots=True)
class Refuse:
    """A subscription refused for the per-client code limit: send ``text`` (an error frame)."""

    text: str


@dataclass(frozen=True, slots=True)
class Subscribe:
    """The connection now holds ``new``; ``requested`` is every carried subscription of the
    request in its order (already held ones too: a depth subscriber gets the book again)."""

    requested: list[Subscription]
    new: list[Subscription]


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """The connection no longer holds ``dropped``."""

    dropped: list[Subscription]


@dataclass(frozen=True, slots=True)
class Close:
    """Send the error frame ``frame``, then close with ``ws_code`` and ``message``; ``reason``
    names the cause for statistics (``frame_budget``, ``idle``)."""

    frame: str
    message: str
    reason: str
    ws_code: int


Action = Union[Send, Refuse, Subscribe, Unsubscribe, Close]


class ServerSession:
    """One client connection's protocol state, driven by (frame, now).

    Parameters
    ----------
    business : str
        The channel of this connection (``stock``, ``crypto``, ...).
    carries : callable(code) -> str or None
        The canonical code if this channel carries ``code``, else ``None`` (acked, then silent).
    now : int
        The time the connection opened (the idle clock starts then).
    budget, window_ms : int
        At most ``budget`` client frames in any ``window_ms``; one more closes with 501.
    idle_ms : int
        Without any client frame for longer than this, close with 513.
    max_codes : int, optional
        Distinct codes one connection may hold (beyond: 505, the request is refused).
    per : str
        Whom the limits apply to, for the messages (e.g. ``" per relay client"``).
    greeting, welcome : str
        The plain-text greeting on ``business=stock`` (``None``: none) and the welcome frame.
    """

    def __init__(
        self,
        business: str,
        carries: Callable[[str], str | None],
        now: int,
        *,
        budget: int = FRAME_BUDGET,
        window_ms: int = BUDGET_WINDOW_MS,
        idle_ms: int = IDLE_MS,
        max_codes: int | None = None,
        per: str = "",
        greeting: str | None = None,
        welcome: str = WELCOME_FRAME,
    ) -> None:
        self.business = business
        self._carries = carries
        self.budget = budget
        self.idle_ms = idle_ms
        self.max_codes = max_codes
        self._per = per
        self._greeting = greeting
        self._welcome = welcome
        self._window = SlidingWindow(window_ms)
        #: the time of the last client frame
        self.last_frame = now
        #: what the connection holds
        self.held: set[Subscription] = set()
        #: set once a close is decided (here or by the adapter): no frame is answered after it
        self.closing = False

    def hello(self) -> list[str]:
        """The frames a new connection gets first: the greeting on ``stock``, then the welcome."""
        first = [self._greeting] if self._greeting and self.business == "stock" else []
        return [*first, self._welcome]

    # ---- time -------------------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        """When :meth:`poll` closes an idle connection, unless a frame arrives first."""
        return None if self.closing else self.last_frame + self.idle_ms + 1

    def poll(self, now: int) -> list[Action]:
        """The idle close, when no client frame came for longer than ``idle_ms``."""
        if self.closing or now - self.last_frame <= self.idle_ms:
            return []
        self.closing = True
        return [
            self._close(
                513,
                ERROR_MESSAGES[513] + ' (no frame for 60 s: send a heartbeat {"code":10010} '
                "every 30 s)",
                "idle",
                CLOSE_NORMAL,
            )
        ]

    # ---- frames -----------------------------------------------------------------------------
    def receive(self, text: str | None, now: int) -> list[Action]:
        """Answer one client frame (``None``: a binary frame that is not UTF-8)."""
        if self.closing:
            return []
        self.last_frame = now
        self._window.add(now)
        if self._window.count(now) > self.budget:
            self.closing = True
            return [
                self._close(
                    501,
                    ERROR_MESSAGES[501] + f" ({self.budget} frames per minute{self._per})",
                    "frame_budget",
                    CLOSE_POLICY,
                )
            ]
        try:
            msg = orjson.loads(text) if text is not None else None
        except orjson.JSONDecodeError:
            msg = None
        if not isinstance(msg, dict):
            return [Send(error_frame(515, NOT_JSON))]
        trace = msg.get("trace")
        code = msg.get("code")
        if code is None:
            return [Send(error_frame(507, "Param lost：code", trace))]
        if code == HEARTBEAT:
            return []  # heartbeats are never answered
        if (
            isinstance(code, bool)
            or not isinstance(code, int)
            or (code not in SUBSCRIBE_KINDS and code not in UNSUBSCRIBE_KINDS)
        ):
            return [Send(error_frame(506, "Param error：The code is out of range", trace))]
        data = msg.get("data")
        if not isinstance(data, dict):
            return [Send(error_frame(507, "Param lost：data", trace))]
        if code in SUBSCRIBE_KINDS:
            return self._subscribe(code, data, trace)
        return self._unsubscribe(UNSUBSCRIBE_KINDS[code], data, trace)

    @staticmethod
    def _codes(item: dict[str, Any]) -> list[str] | None:
        raw = item.get("codes")
        if isinstance(raw, list):
            raw = ",".join(str(c) for c in raw)
        if not isinstance(raw, str) or not raw.strip():
            return None
        return [c.strip() for c in raw.split(",") if c.strip()]

    def _ours(self, codes: list[str]) -> list[str]:
        out = []
        for c in codes:
            canonical = self._carries(c)
            if canonical is not None:
                out.append(canonical)
        return out

    def _subscribe(self, code: int, data: dict[str, Any], trace: Any) -> list[Action]:
        kind = SUBSCRIBE_KINDS[code]
        adds: list[Subscription] = []
        if kind == "candles":
            arr = data.get("arr")
            if not isinstance(arr, list) or not arr:
                return [Send(error_frame(507, "Param lost：arr", trace))]
            for item in arr:
                codes = self._codes(item) if isinstance(item, dict) else None
                if codes is None:
                    return [Send(error_frame(507, "Param lost：codes", trace))]
                ty = item.get("type")
                if isinstance(ty, str) and ty.isdigit():
                    ty = int(ty)
                if not isinstance(ty, int) or isinstance(ty, bool) or not 1 <= ty <= 12:
                    return [Send(error_frame(506, "Param error：type must be 1..12", trace))]
                adds.extend((kind, ty, c) for c in self._ours(codes))
        else:
            codes = self._codes(data)
            if codes is None:
                return [Send(error_frame(507, "Param lost：codes", trace))]
            adds = [(kind, 0, c) for c in self._ours(codes)]
        if self.max_codes is not None:
            distinct = {s[2] for s in self.held} | {s[2] for s in adds}
            if len(distinct) > self.max_codes:
                return [
                    Refuse(
                        error_frame(
                            505,
                            f"Products quantity exceeds the limit：{self.max_codes} codes"
                            f"{self._per}",
                            trace,
                        )
                    )
                ]
        new = [s for s in adds if s not in self.held]
        self.held.update(adds)
        return [Send(ack(ACK_OF[code], trace)), Subscribe(adds, new)]

    def _unsubscribe(self, kind: str, data: dict[str, Any], trace: Any) -> list[Action]:
        codes = self._codes(data)
        if codes is None:
            return [Send(error_frame(507, "Param lost：codes", trace))]
        mine = set(self._ours(codes)) | set(codes)
        if kind == "candles":
            kt = data.get("klineTypes")
            types = (
                None
                if kt in (None, "")
                else {int(x) for x in str(kt).split(",") if x.strip().isdigit()}
            )
            drop = [
                s
                for s in self.held
                if s[0] == "candles" and s[2] in mine and (types is None or s[1] in types)
            ]
        else:
            drop = [s for s in self.held if s[0] == kind and s[2] in mine]
        self.held.difference_update(drop)
        return [Unsubscribe(drop), Send(ack(ACK_UNSUB, trace))]

    def _close(self, code: int, message: str, reason: str, ws_code: int) -> Close:
        return Close(error_frame(code, message), message, reason, ws_code)


__all__ = [
    "CLOSE_NORMAL",
    "CLOSE_POLICY",
    "Action",
    "Close",
    "Refuse",
    "Send",
    "ServerSession",
    "Subscribe",
    "Subscription",
    "Unsubscribe",
]
