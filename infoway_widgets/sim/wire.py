"""Infoway wire shapes: the JSON objects and frames the server sends, key order as recorded.

Numbers are strings (exact, from integer units), trade/depth ``t`` are integer milliseconds and
candle ``t`` is seconds as a string. Push frames are built once per event and shared by every
subscriber.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .events import Depth, Trade
from .market import Candle
from .units import Units, fmt, fmt_trim, pct

WELCOME = '{"code":200,"msg":"ws connect success"}'
#: production's plain-text greeting on business=stock, marked as simulated (it is prose either way)
GREETING = (
    "You have permission to subscribe to all market data "
    "(SIMULATED market by infoway-widgets: not real prices)"
)


def dumps(obj: Any) -> str:
    """Compact JSON, non-ASCII kept (names in Chinese)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def trace_id() -> str:
    return uuid.uuid4().hex


# ---- trades ----------------------------------------------------------------------------------
def _trade_strs(u: Units, e: Trade) -> tuple[str, str, str]:
    vw = e.p * e.v
    if u.trade_fixed:
        return fmt(e.p, u.pd), fmt(e.v, u.vd), fmt(vw, u.vw_d)
    return fmt_trim(e.p, u.pd), fmt_trim(e.v, u.vd), fmt_trim(vw, u.vw_d)


def trade_frame(u: Units, e: Trade) -> str:
    """``{"code":10002,"data":{"p","s","t","td","v","vw"}}``."""
    p, v, vw = _trade_strs(u, e)
    return (
        f'{{"code":10002,"data":{{"p":"{p}","s":"{e.code}","t":{e.t},"td":{e.td},'
        f'"v":"{v}","vw":"{vw}"}}}}'
    )


def trade_rest(u: Units, e: Trade) -> dict[str, Any]:
    """``{"s","t","p","v","vw","td"}`` as in ``batch_trade``."""
    p, v, vw = _trade_strs(u, e)
    return {"s": e.code, "t": e.t, "p": p, "v": v, "vw": vw, "td": e.td}


# ---- depth -----------------------------------------------------------------------------------
def _sides(u: Units, d: Depth) -> tuple[list[list[str]], list[list[str]]]:
    a = [[fmt(p, u.depth_pd, u.pd) for p in d.ap], [fmt(v, u.depth_vd, u.vd) for v in d.av]]
    b = [[fmt(p, u.depth_pd, u.pd) for p in d.bp], [fmt(v, u.depth_vd, u.vd) for v in d.bv]]
    return a, b


def depth_frame(u: Units, d: Depth) -> str:
    """``{"code":10005,"data":{"a","b","s","t"}}``, column-major sides, best level first."""
    a, b = _sides(u, d)
    return f'{{"code":10005,"data":{{"a":{dumps(a)},"b":{dumps(b)},"s":"{d.code}","t":{d.t}}}}}'


def depth_rest(u: Units, d: Depth) -> dict[str, Any]:
    a, b = _sides(u, d)
    return {"s": d.code, "t": d.t, "a": a, "b": b}


# ---- candles ---------------------------------------------------------------------------------
def _candle_strs(u: Units, c: Candle) -> dict[str, str]:
    _t, o, h, lo, cl, v, vw, prev = c
    cd = u.candle_pd
    return {
        "o": fmt(o, cd, u.pd),
        "h": fmt(h, cd, u.pd),
        "l": fmt(lo, cd, u.pd),
        "c": fmt(cl, cd, u.pd),
        "v": fmt(v, u.candle_vd, u.vd),
        "vw": fmt(vw, u.vw_d),
        "pca": fmt(cl - prev, cd, u.pd),
        "pc": pct(cl - prev, prev),
    }


def candle_rest(u: Units, c: Candle) -> dict[str, Any]:
    """``{"t","h","o","l","c","v","vw","pc","pca"}`` (REST order), ``t`` seconds as a string."""
    s = _candle_strs(u, c)
    return {
        "t": str(c[0] // 1000),
        "h": s["h"],
        "o": s["o"],
        "l": s["l"],
        "c": s["c"],
        "v": s["v"],
        "vw": s["vw"],
        "pc": s["pc"],
        "pca": s["pca"],
    }


def candle_frame(u: Units, code: str, kline_type: int, c: Candle) -> str:
    """``{"code":10008,"data":{"c","h","l","o","pca","pfr","s","t","ty","v","vw"}}``."""
    s = _candle_strs(u, c)
    data = {
        "c": s["c"],
        "h": s["h"],
        "l": s["l"],
        "o": s["o"],
        "pca": s["pca"],
        "pfr": s["pc"],
        "s": code,
        "t": str(c[0] // 1000),
        "ty": kline_type,
        "v": s["v"],
        "vw": s["vw"],
    }
    return dumps({"code": 10008, "data": data})


# ---- control frames --------------------------------------------------------------------------
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


# ---- REST envelopes --------------------------------------------------------------------------
def ok(data: Any) -> dict[str, Any]:
    return {"ret": 200, "msg": "success", "traceId": trace_id(), "data": data}


def fail(ret: int, msg: str) -> dict[str, Any]:
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
