"""Typed events decoded from Infoway frames (client side), and the per-code outcomes the client
session draws from them. Frozen, slotted dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from ..errors import InfowayError
from ..market.intervals import Interval


@dataclass(frozen=True, slots=True)
class Trade:
    """One trade (10002). ``t`` is UTC epoch ms; ``turnover`` = price × volume (Infoway's ``vw``);
    ``direction``: 0 unknown, 1 buyer-initiated, 2 seller-initiated."""

    symbol: str
    t: int
    price: float
    volume: float
    turnover: float
    direction: int
    exact: tuple[str, str, str] | None = None  # (p, v, vw) as sent, when decoded with exact=True


@dataclass(frozen=True, slots=True)
class Depth:
    """A full order-book snapshot (10005), best level first on each side."""

    symbol: str
    t: int
    bid_px: np.ndarray
    bid_vol: np.ndarray
    ask_px: np.ndarray
    ask_vol: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Depth):
            return NotImplemented
        return (self.symbol, self.t) == (other.symbol, other.t) and all(
            np.array_equal(a, b)
            for a, b in zip(
                (self.bid_px, self.bid_vol, self.ask_px, self.ask_vol),
                (other.bid_px, other.bid_vol, other.ask_px, other.ask_vol),
            )
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Candle:
    """A bar (10008 push or REST). ``t`` is the bar's open time in UTC epoch ms."""

    symbol: str
    t: int
    interval: Interval | None
    open: float
    high: float
    low: float
    close: float
    volume: float
    turnover: float
    change: float | None = None  # pca: against the previous candle's close
    change_pct: float | None = None  # pfr / pc, in percent
    exact: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Ack:
    """A subscription accepted (10001 / 10004 / 10007). Acceptance is not delivery: unknown codes
    are acked and then silent."""

    code: int
    kind: str
    trace: str | None
    msg: str


@dataclass(frozen=True, slots=True)
class UnsubscribeAck:
    trace: str | None
    msg: str


@dataclass(frozen=True, slots=True)
class Welcome:
    msg: str


@dataclass(frozen=True, slots=True)
class ErrorFrame:
    """An error frame ``{"code": 5xx, "msg": ..., "traceId"|"trace": ...}``."""

    code: int
    msg: str
    trace: str | None


@dataclass(frozen=True, slots=True)
class Greeting:
    """Plain text that is not JSON and not a rejection (e.g. the permission greeting on stock)."""

    text: str


@dataclass(frozen=True, slots=True)
class SubscribeFail:
    """Text starting ``Subscribe fail:``, followed by JSON (``detail``) or prose (``text``)."""

    text: str
    detail: dict[str, Any] | None = None
    code: int | None = None


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A frame we could not understand; ``reason`` says why. Never raised, always returned."""

    text: str
    reason: str


Event = Union[
    Trade,
    Depth,
    Candle,
    Ack,
    UnsubscribeAck,
    Welcome,
    ErrorFrame,
    Greeting,
    SubscribeFail,
    Unparsed,
]


# ---- what the client session concluded about codes (not frames: outcomes of frames) ------------
@dataclass(frozen=True, slots=True)
class CodesAccepted:
    """The service acked a subscription of ``codes`` at ``at`` (the session's clock). Acceptance
    is not delivery: an unknown code is acked too, then stays silent."""

    kind: str
    kline_type: int
    codes: tuple[str, ...]
    at: int


@dataclass(frozen=True, slots=True)
class CodesRefused:
    """The service refused ``codes`` for good (a plan limit: 503, 504, 505): they are not sent
    again until wanted again; ``error`` says which limit and what to do."""

    kind: str
    kline_type: int
    codes: tuple[str, ...]
    error: InfowayError
    at: int


CodeOutcome = Union[CodesAccepted, CodesRefused]
