"""Frames both ends send, as text: the client's requests and the servers' control frames.

Push frames are built by whoever has the values (the simulated market formats them from integer
units; the relay forwards upstream text unchanged), so only control frames live here.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import orjson

from ..errors import BadParameterError
from .codes import HEARTBEAT, SUB_CANDLE, SUBSCRIBE_CODES, UNSUBSCRIBE_CODES


# ---- client frames ---------------------------------------------------------------------------------
def _codes(codes: str | list[str] | tuple[str, ...]) -> str:
    if isinstance(codes, str):
        return codes
    return ",".join(codes)


def _frame(code: int, trace: str, data: dict[str, Any] | None) -> str:
    obj: dict[str, Any] = {"code": code, "trace": trace}
    if data is not None:
        obj["data"] = data
    return orjson.dumps(obj).decode()


def encode_subscribe(kind: str, codes: str | list[str] | tuple[str, ...], trace: str) -> str:
    """Subscribe trades (10000) or depth (10003) for many codes in one frame."""
    if kind not in ("trades", "depth"):
        raise BadParameterError(
            f"kind must be 'trades' or 'depth' (candles: encode_subscribe_candles), not {kind!r}"
        )
    return _frame(SUBSCRIBE_CODES[kind], trace, {"codes": _codes(codes)})


def encode_subscribe_candles(
    groups: list[tuple[int, str | list[str] | tuple[str, ...]]], trace: str
) -> str:
    """Subscribe candles (10006): ``groups`` = [(klineType, codes), ...], several intervals per frame."""
    return _frame(
        SUB_CANDLE, trace, {"arr": [{"type": int(k), "codes": _codes(c)} for k, c in groups]}
    )


def encode_unsubscribe(
    kind: str,
    codes: str | list[str] | tuple[str, ...],
    trace: str,
    kline_types: list[int] | tuple[int, ...] | None = None,
) -> str:
    """Unsubscribe (11000 / 11001 / 11002). For candles pass ``kline_types``, or every interval of
    those codes is dropped."""
    data: dict[str, Any] = {"codes": _codes(codes)}
    if kind == "candles" and kline_types:
        data["klineTypes"] = ",".join(str(int(k)) for k in kline_types)
    return _frame(UNSUBSCRIBE_CODES[kind], trace, data)


def encode_heartbeat(trace: str) -> str:
    """Heartbeat (10010). The service does not answer it."""
    return _frame(HEARTBEAT, trace, None)


# ---- server frames ---------------------------------------------------------------------------------
#: the welcome after connect, byte for byte as production sends it
WELCOME_FRAME = '{"code":200,"msg":"ws connect success"}'


def dumps(obj: Any) -> str:
    """Compact JSON, non-ASCII kept (names in Chinese)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def trace_id() -> str:
    return uuid.uuid4().hex


def welcome(note: str | None = None) -> str:
    """The welcome frame; ``note`` marks a server that is not the service (e.g. ``"relay"``)."""
    if not note:
        return WELCOME_FRAME
    return dumps({"code": 200, "msg": f"ws connect success ({note})"})


def ack(code: int, trace: Any) -> str:
    """``{"code":10001,"trace":"…","msg":"ok"}``."""
    return dumps({"code": code, "trace": trace, "msg": "ok"})


def error_frame(code: int, msg: str, trace: Any = None) -> str:
    """``{"traceId":"…","code":507,"msg":"Param lost：data"}``."""
    return dumps(
        {
            "traceId": trace if isinstance(trace, str) and trace else trace_id(),
            "code": code,
            "msg": msg,
        }
    )


# ---- REST envelopes ----------------------------------------------------------------------------------
def ok(data: Any) -> dict[str, Any]:
    """``{"ret": 200, "msg": "success", "traceId", "data"}``."""
    return {"ret": 200, "msg": "success", "traceId": trace_id(), "data": data}


def fail(ret: int, msg: str) -> dict[str, Any]:
    """A business error as production wraps it: ``ret`` != 200 and ``data: null``."""
    return {"ret": ret, "msg": msg, "traceId": trace_id(), "data": None}


def problem(status: int, title: str, detail: str, instance: str) -> dict[str, Any]:
    """RFC 7807 body as the gateway sends it for a missing parameter or unknown path."""
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
