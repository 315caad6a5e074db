"""Exception hierarchy.

Every error raised by infoway-widgets derives from :class:`InfowayError`. Messages say what
to do next. No message ever contains an API key: construct messages only from values that
cannot hold one, and pass anything of network origin through :func:`infoway_widgets._secrets.redact`.
"""

from __future__ import annotations

from ._secrets import redact


class InfowayError(Exception):
    """Base class of every error raised by infoway-widgets."""

    #: Infoway ``ret``/``code`` number behind the error, when there is one.
    code: int | None = None

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(redact(message))
        if code is not None:
            self.code = code


class AuthError(InfowayError):
    """The API key is missing, wrong, expired, blacklisted or lacks permission (HTTP 401, 508-511, 514, 517-519).

    Never retried: repeated refusals risk an IP ban.
    """


class RateLimitError(InfowayError):
    """The service refused a request for frequency (HTTP 429, ``ret`` 501/502, ``{"detail": "Rate limit exceeded"}``)."""

    retry_after: float | None = None

    def __init__(self, message: str, *, code: int | None = None, retry_after: float | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PlanLimitError(InfowayError):
    """The account's plan refuses more connections, products, depth or candles (503-505, 510, 512, 516, 521)."""


class BadParameterError(InfowayError, ValueError):
    """A request parameter is invalid: fix the call (506, 507, 515, or a check before sending)."""


class InvalidSymbolError(BadParameterError):
    """A symbol code is malformed or has the wrong suffix. ``suggestion`` holds the likely intended code."""

    def __init__(self, message: str, *, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


class UnknownSymbolError(BadParameterError):
    """The service does not know the symbol (REST 508 / "All product not exists", or silence on the socket)."""


class BadIntervalError(BadParameterError):
    """An interval name that infoway-widgets does not know."""


class ProtocolError(InfowayError):
    """A frame or body that does not follow the Infoway protocol."""


class ServerError(InfowayError):
    """The service reported an internal error (500) or answered with an unexpected HTTP status."""


class ConnectionLostError(InfowayError, ConnectionError):
    """The connection dropped and could not be re-established, or the operation needs a live connection."""


class FeedClosedError(InfowayError):
    """The feed was closed; create a new one with ``iw.connect()``."""


class InfowayTimeoutError(InfowayError, TimeoutError):
    """Something awaited did not happen in time (subscriptions in sync, bars completed, a market
    time reached). The message says what was awaited and what to check."""


class PracticeRuleError(InfowayError):
    """An order in a practice round that the market's rules refuse (lot size, T+1, a sealed
    limit, the price limits, cash or position). ``rule`` names the rule (``"lot"``, ``"t+1"``,
    ``"sealed-limit-up"``, ...); the message says what the rule is and what is allowed instead."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class InfowayWarning(UserWarning):
    """Base class of the warnings infoway-widgets issues: something worked, but not wholly as
    asked. ``warnings.simplefilter("error", InfowayWarning)`` turns them into errors."""


class ShortHistoryWarning(InfowayWarning):
    """Fewer bars came back than were asked for. The message names the reason: the instrument's
    listing date, how deep the service keeps bars of that interval, or the trading calendar
    between ``start`` and ``end``."""


__all__ = [
    "AuthError",
    "BadIntervalError",
    "BadParameterError",
    "ConnectionLostError",
    "FeedClosedError",
    "InfowayError",
    "InfowayTimeoutError",
    "InfowayWarning",
    "InvalidSymbolError",
    "PlanLimitError",
    "PracticeRuleError",
    "ProtocolError",
    "RateLimitError",
    "ServerError",
    "ShortHistoryWarning",
    "UnknownSymbolError",
]
