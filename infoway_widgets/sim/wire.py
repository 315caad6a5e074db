"""Infoway wire shapes: the JSON objects and frames the server sends, key order as recorded.

Numbers are strings (exact, from integer units), trade/depth ``t`` are integer milliseconds and
candle ``t`` is seconds as a string. Push frames are built once per event and shared by every
subscriber.
"""

from __future__ import annotations

from typing import Any

from ..protocol.codes import PUSH_CANDLE, PUSH_DEPTH, PUSH_TRADE
from ..protocol.encode import dumps
from .events import SimDepth, SimTrade
from .market import SimCandle
from .units import Units, fmt, fmt_trim, pct

#: production's plain-text greeting on business=stock, marked as simulated (it is prose either way)
GREETING = (
    "You have permission to subscribe to all market data "
    "(SIMULATED market by infoway-widgets: not real prices)"
)


# ---- trades ----------------------------------------------------------------------------------
def _trade_strs(u: Units, e: SimTrade) -> tuple[str, str, str]:
    vw = e.p * e.v
    if u.trade_fixed:
        return fmt(e.p, u.pd), fmt(e.v, u.vd), fmt(vw, u.vw_d)
    return fmt_trim(e.p, u.pd), fmt_trim(e.v, u.vd), fmt_trim(vw, u.vw_d)


def trade_frame(u: Units, e: SimTrade) -> str:
    """``{"code":10002,"data":{"p","s","t","td","v","vw"}}``."""
    p, v, vw = _trade_strs(u, e)
    return (
        f'{{"code":{PUSH_TRADE},"data":{{"p":"{p}","s":"{e.code}","t":{e.t},"td":{e.td},'
        f'"v":"{v}","vw":"{vw}"}}}}'
    )


def trade_rest(u: Units, e: SimTrade) -> dict[str, Any]:
    """``{"s","t","p","v","vw","td"}`` as in ``batch_trade``."""
    p, v, vw = _trade_strs(u, e)
    return {"s": e.code, "t": e.t, "p": p, "v": v, "vw": vw, "td": e.td}


# ---- depth -----------------------------------------------------------------------------------
def _sides(u: Units, d: SimDepth) -> tuple[list[list[str]], list[list[str]]]:
    a = [[fmt(p, u.depth_pd, u.pd) for p in d.ap], [fmt(v, u.depth_vd, u.vd) for v in d.av]]
    b = [[fmt(p, u.depth_pd, u.pd) for p in d.bp], [fmt(v, u.depth_vd, u.vd) for v in d.bv]]
    return a, b


def depth_frame(u: Units, d: SimDepth) -> str:
    """``{"code":10005,"data":{"a","b","s","t"}}``, column-major sides, best level first."""
    a, b = _sides(u, d)
    return (
        f'{{"code":{PUSH_DEPTH},"data":{{"a":{dumps(a)},"b":{dumps(b)},"s":"{d.code}","t":{d.t}}}}}'
    )


#: levels per side of a REST ``batch_depth`` answer: five, as production answers (the WebSocket
#: pushes of the simulator's crypto books go deeper)
REST_DEPTH_LEVELS = 5


def depth_rest(u: Units, d: SimDepth) -> dict[str, Any]:
    """One ``batch_depth`` entry: the first :data:`REST_DEPTH_LEVELS` levels of each side."""
    n = REST_DEPTH_LEVELS
    a, b = _sides(u, d)
    return {"s": d.code, "t": d.t, "a": [c[:n] for c in a], "b": [c[:n] for c in b]}


# ---- candles ---------------------------------------------------------------------------------
def _candle_strs(u: Units, c: SimCandle) -> dict[str, str]:
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


def candle_rest(u: Units, c: SimCandle) -> dict[str, Any]:
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


def candle_frame(u: Units, code: str, kline_type: int, c: SimCandle) -> str:
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
    return dumps({"code": PUSH_CANDLE, "data": data})
