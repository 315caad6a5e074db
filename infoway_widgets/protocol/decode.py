"""Infoway frames -> typed events. Pure functions, no I/O.

Decoding never raises: anything that is not a well-formed frame becomes :class:`Unparsed` with the
reason, so a hostile or garbled frame can never end a stream. Numbers arrive as decimal strings and
are parsed with ``float()`` (correctly rounded to float64); pass ``exact=True`` to keep the strings.

The hot path for trades is :func:`decode_batch`, which turns many frames into numpy columns without
building an object per trade. The payload decoders shared with REST are in :mod:`.payloads`.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
import numpy as np
import orjson

from .codes import ACK_KINDS, ACK_UNSUB, PUSH_CANDLE, PUSH_DEPTH, PUSH_TRADE, WELCOME
from .events import (
    Ack,
    Depth,
    ErrorFrame,
    Event,
    Greeting,
    SubscribeFail,
    Trade,
    Unparsed,
    UnsubscribeAck,
    Welcome,
)
from .payloads import (
    MAX_PRICE,
    MAX_TURNOVER,
    MAX_VOLUME,
    FrameError,
    candle_from,
    depth_from,
    trade_from,
)

_MAX_TEXT_IN_EVENT = 2000


# ---- frame decoder ---------------------------------------------------------------------------
def _short(text: str) -> str:
    return text if len(text) <= _MAX_TEXT_IN_EVENT else text[:_MAX_TEXT_IN_EVENT] + "…"


def _as_text(frame: str | bytes | bytearray | memoryview) -> str:
    if isinstance(frame, str):
        return frame
    return bytes(frame).decode("utf-8", errors="replace")


def decode_frame(frame: str | bytes | bytearray | memoryview, *, exact: bool = False) -> Event:
    """Decode one WebSocket frame into a typed event. Never raises."""
    try:
        text = _as_text(frame)
    except Exception as e:  # pragma: no cover - bytes() of odd buffers
        return Unparsed("", f"undecodable frame: {type(e).__name__}")
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _decode_text(text)
    except Exception as e:  # pragma: no cover
        return Unparsed(_short(text), f"undecodable frame: {type(e).__name__}")
    try:
        return _decode_obj(obj, text, exact)
    except FrameError as e:
        return Unparsed(_short(text), str(e))
    except Exception as e:  # last line of defence: a codec bug must not end a stream
        return Unparsed(_short(text), f"codec error {type(e).__name__}: {e}")


def _decode_text(text: str) -> Event:
    stripped = text.strip()
    if stripped.lower().startswith("subscribe fail"):
        rest = stripped.split(":", 1)[1].strip() if ":" in stripped else ""
        detail = None
        code = None
        if rest.startswith("{"):
            try:
                d = orjson.loads(rest)
                if isinstance(d, dict):
                    detail = d
                    c = d.get("code")
                    code = c if isinstance(c, int) and not isinstance(c, bool) else None
            except orjson.JSONDecodeError:
                pass
        return SubscribeFail(_short(stripped), detail, code)
    if not stripped:
        return Unparsed("", "empty frame")
    if stripped[0] in "{[":
        return Unparsed(_short(text), "malformed JSON")
    return Greeting(_short(stripped))


def _decode_obj(obj: Any, text: str, exact: bool) -> Event:
    if not isinstance(obj, dict):
        raise FrameError(f"frame is JSON {type(obj).__name__}, not an object")
    code = obj.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        else:
            raise FrameError("frame has no integer 'code'")
    if code == PUSH_TRADE:
        return trade_from(obj.get("data"), exact=exact)
    if code == PUSH_DEPTH:
        return depth_from(obj.get("data"))
    if code == PUSH_CANDLE:
        return candle_from(obj.get("data"), exact=exact)
    msg = obj.get("msg")
    msg = msg if isinstance(msg, str) else ("" if msg is None else str(msg))
    trace = obj.get("trace", obj.get("traceId"))
    trace = trace if isinstance(trace, str) else (None if trace is None else str(trace))
    if code in ACK_KINDS:
        return Ack(code, ACK_KINDS[code], trace, _short(msg))
    if code == ACK_UNSUB:
        return UnsubscribeAck(trace, _short(msg))
    if code == WELCOME:
        return Welcome(_short(msg))
    if 400 <= code < 600:
        return ErrorFrame(code, _short(msg), trace)
    raise FrameError(f"unknown frame code {code}")


# ---- batch decoding (the ingest hot path) -----------------------------------------------------
# range checks on symbol, time and direction run inside msgspec (C); a frame that fails them
# falls back to decode_frame, which names the problem
_Sym = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
_Ms = Annotated[int, msgspec.Meta(gt=0, lt=10**14)]
_Td = Annotated[int, msgspec.Meta(ge=0, le=2)]


class _TradeData(msgspec.Struct):
    s: _Sym
    t: _Ms
    p: str
    v: str
    vw: str
    td: _Td = 0


class _TradePush(msgspec.Struct, tag_field="code", tag=PUSH_TRADE):
    data: _TradeData


class _DepthData(msgspec.Struct):
    s: str
    t: int
    a: list[list[str]] = []
    b: list[list[str]] = []


class _DepthPush(msgspec.Struct, tag_field="code", tag=PUSH_DEPTH):
    data: _DepthData


_fast_decoder = msgspec.json.Decoder(_TradePush | _DepthPush)


def _fast_side(x: list[list[str]]) -> tuple[np.ndarray, np.ndarray] | None:
    if not x:
        return np.zeros(0), np.zeros(0)
    if len(x) != 2 or len(x[0]) != len(x[1]) or len(x[0]) > 400:
        return None
    try:
        px = np.array(x[0], dtype=np.float64)
        vol = np.array(x[1], dtype=np.float64)
    except ValueError:
        return None
    # NaN makes min/max NaN, and every comparison with NaN is False: rejected too
    if px.size and not (
        float(px.min()) > 0
        and float(px.max()) < MAX_PRICE
        and float(vol.min()) >= 0
        and float(vol.max()) < MAX_VOLUME
    ):
        return None
    return px, vol


def _fast_depth(d: _DepthData) -> Depth | None:
    """A Depth from typed data, or None when a value needs the validating path to name it."""
    if not (0 < d.t < 10**14) or not 0 < len(d.s) <= 40:
        return None
    a = _fast_side(d.a)
    b = _fast_side(d.b)
    if a is None or b is None:
        return None
    return Depth(d.s, d.t, b[0], b[1], a[0], a[1])


@dataclass
class TradeColumns:
    """Trades as numpy columns (``symbol`` is an object array of codes), in arrival order."""

    symbol: np.ndarray
    t: np.ndarray
    price: np.ndarray
    volume: np.ndarray
    turnover: np.ndarray
    direction: np.ndarray
    _codes: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _symbols: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def symbols(self) -> list[str]:
        """Distinct symbols in first-seen order; ``symbol_codes`` indexes into it."""
        self._factorize()
        return self._symbols

    @property
    def symbol_codes(self) -> np.ndarray:
        self._factorize()
        assert self._codes is not None
        return self._codes

    @property
    def n_symbols(self) -> int:
        return len(self.symbols)

    def _factorize(self) -> None:
        if self._codes is not None and len(self._codes) == len(self.symbol):
            return
        index: dict[str, int] = {}
        codes = [index.setdefault(x, len(index)) for x in self.symbol.tolist()]
        self._symbols = list(index)
        self._codes = np.array(codes, dtype=np.int64)

    @classmethod
    def empty(cls) -> TradeColumns:
        return cls.from_trades([])

    @classmethod
    def from_trades(cls, trades: list[Trade]) -> TradeColumns:
        n = len(trades)
        return cls(
            np.array([x.symbol for x in trades], dtype=object),
            np.fromiter((x.t for x in trades), dtype=np.int64, count=n),
            np.fromiter((x.price for x in trades), dtype=np.float64, count=n),
            np.fromiter((x.volume for x in trades), dtype=np.float64, count=n),
            np.fromiter((x.turnover for x in trades), dtype=np.float64, count=n),
            np.fromiter((x.direction for x in trades), dtype=np.int8, count=n),
        )

    def take(self, mask: np.ndarray) -> TradeColumns:
        return TradeColumns(
            self.symbol[mask],
            self.t[mask],
            self.price[mask],
            self.volume[mask],
            self.turnover[mask],
            self.direction[mask],
        )

    def rows(self) -> list[Trade]:
        return [
            Trade(str(s), int(t), float(p), float(v), float(w), int(d))
            for s, t, p, v, w, d in zip(
                self.symbol, self.t, self.price, self.volume, self.turnover, self.direction
            )
        ]


def _float_or_nan(x: str) -> float:
    try:
        return float(x)
    except ValueError:
        return math.nan


def _floats(strings: list[str]) -> np.ndarray:
    """Vectorised string → float64; a string that is not a number becomes NaN (then rejected)."""
    try:
        return np.array(strings, dtype=np.float64)
    except ValueError:
        return np.array([_float_or_nan(x) for x in strings], dtype=np.float64)


def _columns(datas: list[_TradeData]) -> tuple[TradeColumns, np.ndarray]:
    """Columns of well-typed trade data plus a mask of rows that pass the value checks."""
    # symbol, time and direction were range-checked by the typed decoder; prices and sizes here
    sym = np.array(list(map(_get_s, datas)), dtype=object)
    t = np.array(list(map(_get_t, datas)), dtype=np.int64)
    td = np.array(list(map(_get_td, datas)), dtype=np.int8)
    p = _floats(list(map(_get_p, datas)))
    v = _floats(list(map(_get_v, datas)))
    w = _floats(list(map(_get_vw, datas)))
    with np.errstate(invalid="ignore"):
        ok = (p > 0) & (p < MAX_PRICE) & (v >= 0) & (v < MAX_VOLUME) & (w >= 0) & (w < MAX_TURNOVER)
    return TradeColumns(sym, t, p, v, w, td), ok


_get_s, _get_t, _get_td = (operator.attrgetter(k) for k in ("s", "t", "td"))
_get_p, _get_v, _get_vw = (operator.attrgetter(k) for k in ("p", "v", "vw"))


def decode_batch(
    frames: list[str | bytes], *, latest_depth_only: bool = False
) -> tuple[TradeColumns, list[Event]]:
    """Decode many frames: trades into numpy columns (no object per trade), everything else as
    events (depth in arrival order, then rejected trade pushes, then other frames in arrival
    order). Never raises.

    Depth pushes are full snapshots: with ``latest_depth_only`` only the newest per symbol in the
    batch is converted (the ones it supersedes are skipped, not reported).

    Well-formed trade pushes go through a typed msgspec decoder and vectorised checks; any frame
    that fails there is decoded again by :func:`decode_frame`, which names the problem.
    """
    datas: list[_TradeData] = []
    slow: list[str | bytes] = []
    others: list[Event] = []
    depth_raw: dict[str, tuple[_DepthData, str | bytes]] = {}
    dec = _fast_decoder.decode
    for fr in frames:
        try:
            m = dec(fr)
        except Exception:
            slow.append(fr)
            continue
        if isinstance(m, _TradePush):
            datas.append(m.data)
        elif latest_depth_only:
            prev = depth_raw.get(m.data.s)
            if prev is None or m.data.t >= prev[0].t:
                depth_raw[m.data.s] = (m.data, fr)
        else:
            dep = _fast_depth(m.data)
            if dep is None:
                slow.append(fr)
            else:
                others.append(dep)
    for d, fr in depth_raw.values():
        dep = _fast_depth(d)
        if dep is None:
            slow.append(fr)
        else:
            others.append(dep)
    cols, ok = _columns(datas)
    rescued: list[Trade] = []
    if not ok.all():
        for i in np.flatnonzero(~ok).tolist():
            raw = orjson.dumps(
                {"code": PUSH_TRADE, "data": msgspec.structs.asdict(datas[i])}
            ).decode()
            ev = decode_frame(raw)  # names the bad field
            # the two paths share their bounds; should they ever disagree, a trade stays a trade
            (rescued if isinstance(ev, Trade) else others).append(ev)  # type: ignore[arg-type]
        cols = cols.take(ok)
    if slow or rescued:
        extra: list[Trade] = rescued
        for fr in slow:
            ev = decode_frame(fr)
            if isinstance(ev, Trade):
                extra.append(ev)
            else:
                others.append(ev)
        if extra:
            more = TradeColumns.from_trades(extra)
            if len(cols):
                cols = TradeColumns(
                    *(
                        np.concatenate([a, b])
                        for a, b in zip(
                            (
                                cols.symbol,
                                cols.t,
                                cols.price,
                                cols.volume,
                                cols.turnover,
                                cols.direction,
                            ),
                            (
                                more.symbol,
                                more.t,
                                more.price,
                                more.volume,
                                more.turnover,
                                more.direction,
                            ),
                        )
                    )
                )
            else:
                cols = more
    return cols, others
