"""Infoway error answers → our exception classes, and what to do about each.

Pure functions, no I/O. REST and the WebSocket number their errors differently (the protocol
notes have one table per side), and production names some business errors only in the message
(``ret`` 500 with "All product not exists"), so we classify by message first and by code second.

Every message built here says what to do next and passes through :func:`redact`, so no key
can leak even if the server echoes it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .._secrets import redact
from ..errors import (
    AuthError,
    BadParameterError,
    ConnectionLostError,
    InfowayError,
    PlanLimitError,
    ProtocolError,
    RateLimitError,
    ServerError,
    UnknownSymbolError,
)

#: What the WebSocket session does after an error code: reconnect with backoff, stop for good,
#: retry the refused subscription later on the same socket, or refuse the codes of the refused
#: subscription (a plan limit: the stream and its other codes go on; nothing is resent).
WsAction = Literal["reconnect", "terminal", "retry_subscription", "refuse_codes"]

_REPORT = "This is a bug in infoway-widgets: please report it with this message."
_MAX_MSG = 300


def _clip(msg: Any) -> str:
    s = redact("" if msg is None else str(msg)).strip()
    return s if len(s) <= _MAX_MSG else s[:_MAX_MSG] + "…"


def _norm(msg: str) -> str:
    # WS messages use a full-width colon ("Param lost：data"); compare on one form.
    return msg.replace("：", ":").strip().lower()


# ---- classification by message (production names business errors in the text) ---------------
# (prefix, exception class, code we attach, advice)
_BY_MESSAGE: tuple[tuple[str, type[InfowayError], int | None, str], ...] = (
    (
        "all product not exists",
        UnknownSymbolError,
        508,
        "None of the requested codes exists on this channel: check the spelling and the market "
        "suffix (600519.SH, 00700.HK, AAPL.US, BTCUSDT).",
    ),
    (
        "kline quantity exceeds the limit",
        PlanLimitError,
        503,
        "Too many candles in one request: ask for at most 500 bars of one symbol, or 2 each for "
        "several symbols (history() pages for you).",
    ),
    (
        "products quantity exceeds the limit",
        PlanLimitError,
        505,
        "Too many symbols for one request or for your plan: ask for at most 100 codes at a time, "
        "or upgrade the plan.",
    ),
    ("param error", BadParameterError, 506, _REPORT),
    ("param lost", BadParameterError, 507, _REPORT),
    (
        "rate limit exceeded",
        RateLimitError,
        None,
        "Too many requests: wait a little and retry, or lower the request rate.",
    ),
    (
        "token invalid",
        AuthError,
        401,
        "The API key was refused: check INFOWAY_API_KEY or the api_key argument.",
    ),
)

# REST ``ret`` numbers (the REST table of the protocol notes).
_REST_CODES: dict[int, tuple[type[InfowayError], str]] = {
    400: (BadParameterError, "The request was malformed. " + _REPORT),
    500: (ServerError, "The service reported an internal error; it was retried. Try again later."),
    501: (RateLimitError, "Per-minute request limit reached: wait a minute and retry."),
    502: (RateLimitError, "Daily request limit reached: retry tomorrow or upgrade the plan."),
    503: (
        PlanLimitError,
        "Too many candles requested: at most 500 for one symbol, 2 each for several.",
    ),
    504: (PlanLimitError, "Order-book depth beyond your plan."),
    505: (
        PlanLimitError,
        "Too many symbols in one request or for your plan (at most 100 per call).",
    ),
    506: (BadParameterError, "A parameter was rejected. " + _REPORT),
    507: (BadParameterError, "A parameter is missing. " + _REPORT),
    508: (UnknownSymbolError, "No such symbol: check the code and its market suffix."),
    509: (AuthError, "The key's permission has expired: renew the plan."),
    510: (PlanLimitError, "Too many WebSocket connections for this key: close other sessions."),
    513: (BadParameterError, "The timestamp is out of range: ask for a more recent end time."),
    514: (AuthError, "The key has no permission for this data: check the plan."),
}

# WebSocket ``code`` numbers (the WS table): class, action, advice.
_WS_CODES: dict[int, tuple[type[InfowayError], WsAction, str]] = {
    500: (ServerError, "reconnect", "Server error; reconnecting with backoff."),
    501: (RateLimitError, "reconnect", "Per-minute frequency limit; reconnecting later."),
    502: (
        RateLimitError,
        "terminal",
        "Daily frequency limit reached: try again tomorrow or upgrade the plan.",
    ),
    503: (
        PlanLimitError,
        "refuse_codes",
        "Too many candle subscriptions for the plan: these codes are not streamed; close "
        "other charts of this feed or upgrade the plan.",
    ),
    504: (
        PlanLimitError,
        "refuse_codes",
        "Order-book depth beyond the plan: these codes get no book; watch fewer books or "
        "upgrade the plan.",
    ),
    505: (
        PlanLimitError,
        "refuse_codes",
        "Too many symbols for the plan: these codes are not streamed (the others are); close "
        "widgets of other symbols or upgrade the plan.",
    ),
    506: (BadParameterError, "terminal", "The service rejected a parameter. " + _REPORT),
    507: (BadParameterError, "terminal", "The service reported a missing parameter. " + _REPORT),
    508: (AuthError, "terminal", "The API key has expired: renew it."),
    509: (AuthError, "terminal", "The API key is invalid: check INFOWAY_API_KEY."),
    510: (AuthError, "terminal", "No API key was sent: set INFOWAY_API_KEY or pass api_key."),
    511: (AuthError, "terminal", "The API key is blacklisted: contact Infoway support."),
    512: (
        PlanLimitError,
        "terminal",
        "Too many connections for this key: close other sessions or kernels.",
    ),
    513: (ServerError, "reconnect", "Heartbeat timeout; reconnecting."),
    514: (ProtocolError, "terminal", "Wrong WebSocket URL: check ws_base and business. " + _REPORT),
    515: (BadParameterError, "terminal", "A frame was not JSON. " + _REPORT),
    516: (
        PlanLimitError,
        "retry_subscription",
        "Account-wide product limit (often transient); retrying the subscription.",
    ),
    517: (
        AuthError,
        "terminal",
        "No API key at the handshake: set INFOWAY_API_KEY or pass api_key.",
    ),
    518: (AuthError, "terminal", "Unknown API key: check INFOWAY_API_KEY."),
    519: (AuthError, "terminal", "The key has no permission for this channel: check the plan."),
    520: (
        PlanLimitError,
        "terminal",
        "Product code problem or this key is already connected: close other sessions.",
    ),
    521: (
        PlanLimitError,
        "terminal",
        "Too many connections for this key: close other sessions or kernels.",
    ),
}


def classify_message(msg: str) -> tuple[type[InfowayError], int | None, str] | None:
    """Exception class, code and advice for a message that names a known business error, else None."""
    m = _norm(msg)
    for prefix, cls, code, advice in _BY_MESSAGE:
        if m.startswith(prefix) or prefix in m:
            return cls, code, advice
    return None


def rest_error(ret: int | None, msg: Any, *, what: str = "request") -> InfowayError:
    """The exception for a wrapped REST answer ``{"ret": ret, "msg": msg}`` with ``ret != 200``.

    The message wins over the number: production sends ``ret`` 500 for several business errors
    and names them in ``msg``.
    """
    text = _clip(msg)
    by_msg = classify_message(text)
    if by_msg is not None:
        cls, code, advice = by_msg
        return cls(f"Infoway {what} failed: {text!r} (ret {ret}). {advice}", code=code or ret)
    cls2, advice = _REST_CODES.get(
        ret or 0, (ServerError, "Unexpected error code from the service.")
    )
    return cls2(f"Infoway {what} failed: {text!r} (ret {ret}). {advice}", code=ret)


@dataclass(frozen=True)
class WsVerdict:
    """What a WebSocket error frame means: the exception to report and the action to take."""

    error: InfowayError
    action: WsAction


def ws_error(code: int | None, msg: Any) -> WsVerdict:
    """Classify a WebSocket error frame (``{"code": 5xx, "msg": ...}``) or a ``Subscribe fail``.

    Unknown codes without a recognisable message reconnect with backoff: a new code must not
    stop a stream for good, and the backoff keeps a misbehaving server from being hammered.
    """
    text = _clip(msg)
    if code is not None and code in _WS_CODES:
        cls, ws_action, advice = _WS_CODES[code]
        return WsVerdict(
            cls(f"Infoway stream error {code}: {text!r}. {advice}", code=code), ws_action
        )
    by_msg = classify_message(text)
    if by_msg is not None:
        cls2, c2, advice = by_msg
        action: WsAction = "reconnect" if cls2 in (RateLimitError, ServerError) else "terminal"
        if cls2 is UnknownSymbolError:  # a stream keeps serving the other codes
            action = "retry_subscription"
        elif cls2 is PlanLimitError:  # a plan limit named in the text refuses those codes only
            action = "refuse_codes"
        return WsVerdict(cls2(f"Infoway stream error: {text!r}. {advice}", code=code or c2), action)
    return WsVerdict(
        ServerError(
            f"Infoway stream error {code}: {text!r}. Reconnecting with backoff.", code=code
        ),
        "reconnect",
    )


def http_error(
    status: int, body: Any, *, what: str = "request", retry_after: float | None = None
) -> InfowayError:
    """The exception for an HTTP answer that is not a 200 wrapped body.

    Handles ``{"code": 401, "message": "Token invalid"}``, RFC 7807 problem bodies
    (``{"type","title","status","detail","instance"}``), ``{"detail": "Rate limit exceeded"}``
    (also on HTTP 200), and anything else by status.
    """
    detail = ""
    if isinstance(body, dict):
        for k in ("detail", "message", "msg", "title"):
            v = body.get(k)
            if isinstance(v, str) and v:
                detail = _clip(v)
                break
    elif isinstance(body, str):
        detail = _clip(body[:_MAX_MSG])
    where = f"Infoway {what} failed (HTTP {status})" + (f": {detail!r}" if detail else "")
    if status == 401 or (isinstance(body, dict) and body.get("code") == 401):
        return AuthError(
            f"{where}. The API key was refused: check INFOWAY_API_KEY or the api_key "
            "argument (not retried: repeated refusals risk an IP ban).",
            code=401,
        )
    if status == 403:
        return AuthError(
            f"{where}. The key has no permission for this data: check the plan.", code=403
        )
    if status == 429 or _norm(detail).startswith("rate limit exceeded"):
        return RateLimitError(
            f"{where}. Too many requests: wait and retry, or lower the rate.",
            code=429,
            retry_after=retry_after,
        )
    if 400 <= status < 500:
        if status == 404:
            return ProtocolError(
                f"{where}. The endpoint does not exist: check base_url. " + _REPORT, code=404
            )
        return BadParameterError(
            f"{where}. The request was rejected: fix the parameter named above.", code=status
        )
    if status >= 500:
        return ServerError(f"{where}. The service failed; try again later.", code=status)
    return ProtocolError(f"{where}. Unexpected answer shape. " + _REPORT, code=status)


def is_retryable(err: InfowayError) -> bool:
    """Whether a REST call that failed with ``err`` may be retried.

    Never an authentication error (repeated refusals risk an IP ban), never a parameter or plan
    error (the same request fails the same way), never the daily limit (502). Network failures and 5xx are.
    """
    if isinstance(err, RateLimitError):
        return err.code != 502
    return type(err) in (ServerError, ConnectionLostError)


__all__ = [
    "WsAction",
    "WsVerdict",
    "classify_message",
    "http_error",
    "is_retryable",
    "rest_error",
    "ws_error",
]
