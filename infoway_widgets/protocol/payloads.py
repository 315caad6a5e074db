"""Infoway payloads (one trade, one book, one candle, as both the socket and REST send them) ->
typed events. Pure functions, no I/O.

Numbers arrive as decimal strings and are parsed with ``float()`` (correctly rounded to float64);
pass ``exact=True`` to keep the strings. A payload that is not well formed raises
:class:`FrameError`, which the frame decoder turns into an :class:`~.events.Unparsed` event.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..market.intervals import BY_KLINE, Interval
from .events import Candle, Depth, Trade

#: a candle ``t`` above this is milliseconds (the spec: production sends seconds; one doc example ms)
_MS_THRESHOLD = 10**11


class FrameError(ValueError):
    """Raised internally while decoding one frame; converted to :class:`Unparsed` at the boundary."""


# ---- number parsing --------------------------------------------------------------------------
# Upper bounds shared by the per-frame and the batch path, so both accept the same frames.
MAX_PRICE, MAX_VOLUME, MAX_TURNOVER = 1e15, 1e18, 1e21


def _num(
    v: Any, name: str, *, positive: bool = False, nonneg: bool = False, upper: float = MAX_TURNOVER
) -> float:
    if isinstance(v, bool) or v is None:
        raise FrameError(f"field {name!r} is {v!r}, not a number")
    if isinstance(v, (int, float)):
        x = float(v)
    elif isinstance(v, str):
        s = v.strip()
        if not s or len(s) > 40:
            raise FrameError(f"field {name!r} is not a number")
        try:
            x = float(s)
        except ValueError:
            raise FrameError(f"field {name!r}={s[:40]!r} is not a number") from None
    else:
        raise FrameError(f"field {name!r} has type {type(v).__name__}")
    if not math.isfinite(x):
        raise FrameError(f"field {name!r} is not finite")
    if positive and x <= 0:
        raise FrameError(f"field {name!r}={x} must be positive")
    if nonneg and x < 0:
        raise FrameError(f"field {name!r}={x} must not be negative")
    if x >= upper:
        raise FrameError(f"field {name!r}={x} is implausibly large")
    return x


def _pct(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, str):
        s = v.strip().rstrip("%")
        try:
            x = float(s)
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


def _time_ms(v: Any, name: str = "t") -> int:
    """Trades/depth send integer ms; candles seconds as a string. Accept both; > 1e11 means ms."""
    if isinstance(v, bool):
        raise FrameError(f"field {name!r} is a boolean")
    if isinstance(v, str):
        try:
            x = float(v.strip())
        except ValueError:
            raise FrameError(f"field {name!r}={v[:30]!r} is not a time") from None
    elif isinstance(v, (int, float)):
        x = float(v)
    else:
        raise FrameError(f"field {name!r} is missing or not a time")
    if not math.isfinite(x) or x <= 0 or x > 1e14:
        raise FrameError(f"field {name!r}={x} is out of range")
    return int(round(x)) if x > _MS_THRESHOLD else int(round(x * 1000))


def _symbol(d: dict[str, Any]) -> str:
    s = d.get("s")
    if not isinstance(s, str) or not s or len(s) > 40:
        raise FrameError("field 's' (symbol) is missing or invalid")
    return s


def _direction(v: Any) -> int:
    if v is None:
        return 0
    try:
        x = int(v)
    except (TypeError, ValueError):
        raise FrameError(f"field 'td'={str(v)[:20]!r} is not 0, 1 or 2") from None
    if x not in (0, 1, 2):
        raise FrameError(f"field 'td'={x} is not 0, 1 or 2")
    return x


# ---- payload decoders (shared with REST) -----------------------------------------------------
def trade_from(d: Any, *, exact: bool = False) -> Trade:
    if not isinstance(d, dict):
        raise FrameError("trade data is not an object")
    p, v, vw = d.get("p"), d.get("v"), d.get("vw")
    price = _num(p, "p", positive=True, upper=MAX_PRICE)
    vol = _num(v, "v", nonneg=True, upper=MAX_VOLUME)
    turnover = _num(vw, "vw", nonneg=True, upper=MAX_TURNOVER) if vw is not None else price * vol
    if turnover >= MAX_TURNOVER:
        raise FrameError(f"turnover {turnover} is implausibly large")
    return Trade(
        _symbol(d),
        _time_ms(d.get("t")),
        price,
        vol,
        turnover,
        _direction(d.get("td")),
        (str(p), str(v), str(vw)) if exact else None,
    )


def _side(x: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    if x is None or (isinstance(x, list) and not x):  # no levels, as the batch path reads it
        return np.zeros(0), np.zeros(0)
    if not isinstance(x, list) or len(x) != 2 or not all(isinstance(c, list) for c in x):
        raise FrameError(f"field {name!r} is not [[prices...], [volumes...]]")
    px_raw, vol_raw = x
    if len(px_raw) != len(vol_raw) or len(px_raw) > 400:
        raise FrameError(f"field {name!r} has {len(px_raw)} prices and {len(vol_raw)} volumes")
    px = np.array([_num(p, name, positive=True, upper=MAX_PRICE) for p in px_raw], dtype=np.float64)
    vol = np.array(
        [_num(v, name, nonneg=True, upper=MAX_VOLUME) for v in vol_raw], dtype=np.float64
    )
    return px, vol


def depth_from(d: Any) -> Depth:
    if not isinstance(d, dict):
        raise FrameError("depth data is not an object")
    ap, av = _side(d.get("a"), "a")
    bp, bv = _side(d.get("b"), "b")
    return Depth(_symbol(d), _time_ms(d.get("t")), bp, bv, ap, av)


def candle_from(
    d: Any, *, symbol: str | None = None, interval: Interval | None = None, exact: bool = False
) -> Candle:
    if not isinstance(d, dict):
        raise FrameError("candle data is not an object")
    sym = symbol if symbol is not None else _symbol(d)
    if interval is None and d.get("ty") is not None:
        try:
            interval = BY_KLINE[int(d["ty"])]
        except (KeyError, TypeError, ValueError):
            raise FrameError(f"field 'ty'={str(d.get('ty'))[:20]!r} is not a klineType") from None
    o = _num(d.get("o"), "o", positive=True, upper=MAX_PRICE)
    h = _num(d.get("h"), "h", positive=True, upper=MAX_PRICE)
    lo = _num(d.get("l"), "l", positive=True, upper=MAX_PRICE)
    c = _num(d.get("c"), "c", positive=True, upper=MAX_PRICE)
    if not (lo <= min(o, c) and h >= max(o, c)):
        raise FrameError(f"candle is inconsistent: o={o} h={h} l={lo} c={c}")
    v = _num(d.get("v", "0"), "v", nonneg=True)
    vw = _num(d.get("vw", "0"), "vw", nonneg=True)
    pca = d.get("pca")
    change = None
    if pca is not None:
        try:
            change = _num(pca, "pca")
        except FrameError:
            change = None
    pct = _pct(d.get("pfr", d.get("pc")))
    ex = tuple(str(d.get(k)) for k in ("o", "h", "l", "c", "v", "vw")) if exact else None
    return Candle(sym, _time_ms(d.get("t")), interval, o, h, lo, c, v, vw, change, pct, ex)


__all__ = [
    "MAX_PRICE",
    "MAX_TURNOVER",
    "MAX_VOLUME",
    "FrameError",
    "candle_from",
    "depth_from",
    "trade_from",
]
