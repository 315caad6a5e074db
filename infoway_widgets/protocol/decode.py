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
from itertools import compress
from typing import Any, ClassVar

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
# One typed msgspec decoder for both push kinds: numbers arrive as decimal strings and msgspec
# parses them to float itself (``strict=False``), so no Python float() runs per trade. The structs
# are not tracked by the garbage collector, and the columns are read with C-level getters: the
# only Python work per batch is per symbol and per depth frame. Whatever the typed decoder or the
# vectorised checks refuse is decoded again by decode_frame, which has the final word.
_NAN = math.nan
#: a trade time at or below this would be seconds to decode_frame (it scales those): not fast-path
_MS_FLOOR = 10**11
#: orjson refuses JSON integers beyond 64 bits, msgspec reads them as floats: keep those off the
#: fast path so both paths call the same frames bad
_MAX_FAST_TURNOVER = min(MAX_TURNOVER, float(2**64))


class _TradeData(msgspec.Struct, gc=False):
    s: str = ""
    t: int = 0
    p: float = _NAN
    v: float = _NAN
    vw: float = _NAN
    td: int = 0


#: a side that is not in the frame: no levels
_NO_LEVELS = msgspec.Raw(b"[]")


class _DepthData(msgspec.Struct, gc=False):
    s: str
    t: int
    # the levels stay JSON text until the snapshot is wanted: a batch's superseded snapshots
    # then make no lists (which would be garbage-collector work long after)
    a: msgspec.Raw = _NO_LEVELS
    b: msgspec.Raw = _NO_LEVELS
    # the trade getters read these off a depth push too, so one pass reads every frame
    p: ClassVar[float] = _NAN
    v: ClassVar[float] = _NAN
    vw: ClassVar[float] = _NAN
    td: ClassVar[int] = 0


class _TradePush(msgspec.Struct, tag_field="code", tag=PUSH_TRADE, gc=False):
    kind: ClassVar[int] = 0
    data: _TradeData


class _DepthPush(msgspec.Struct, tag_field="code", tag=PUSH_DEPTH, gc=False):
    kind: ClassVar[int] = 1
    data: _DepthData


_decode_push = msgspec.json.Decoder(_TradePush | _DepthPush, strict=False).decode
_decode_levels = msgspec.json.Decoder(list[list[str]]).decode
_get_kind, _get_data = operator.attrgetter("kind"), operator.attrgetter("data")
_get_s = operator.attrgetter("s")
_first = operator.itemgetter(0)
_NUMERIC = tuple(operator.attrgetter(k) for k in ("t", "p", "v", "vw", "td"))


_ZERO, _MAX_PRICE_F, _MAX_VOLUME_F = 0.0, float(MAX_PRICE), float(MAX_VOLUME)
#: the open bounds of the trade columns t, p, v, vw, td: the validating path's
#: 10**11 < t <= 10**14, 0 < p < MAX_PRICE, 0 <= v < MAX_VOLUME, 0 <= vw < turnover cap, 0 <= td <= 2
_BELOW_ZERO = float(np.nextafter(0.0, -1.0))
_LOWER = np.array([[_MS_FLOOR], [0.0], [_BELOW_ZERO], [_BELOW_ZERO], [_BELOW_ZERO]])
_UPPER = np.array(
    [
        [np.nextafter(1e14, np.inf)],
        [MAX_PRICE],
        [MAX_VOLUME],
        [_MAX_FAST_TURNOVER],
        [np.nextafter(2.0, np.inf)],
    ]
)


def _fast_side(x: list[list[str]]) -> tuple[np.ndarray, np.ndarray] | None:
    """One side of a book from typed levels, or None when decode_frame must name a problem.
    A book has a handful of levels: plain floats beat numpy's per-call cost here."""
    if not x:
        return np.zeros(0), np.zeros(0)
    if len(x) != 2 or len(x[0]) != len(x[1]) or len(x[0]) > 400:
        return None
    px_s, vol_s = x
    if not px_s:
        return np.zeros(0), np.zeros(0)
    # the same reading as decode_frame: float() of at most 40 characters
    if max(map(len, px_s)) > 40 or max(map(len, vol_s)) > 40:
        return None
    try:
        px = list(map(float, px_s))
        vol = list(map(float, vol_s))
    except ValueError:
        return None
    # NaN fails every comparison: rejected too
    if not (
        all(map(_ZERO.__lt__, px))
        and all(map(_MAX_PRICE_F.__gt__, px))
        and all(map(_ZERO.__le__, vol))
        and all(map(_MAX_VOLUME_F.__gt__, vol))
    ):
        return None
    return np.array(px), np.array(vol)


def _levels(d: _DepthData) -> tuple[list[list[str]], list[list[str]]] | None:
    """Both sides' levels as strings, or None when they are not lists of lists of strings."""
    try:
        return _decode_levels(d.a), _decode_levels(d.b)
    except msgspec.DecodeError:
        return None


def _fast_depth(
    d: _DepthData, levels: tuple[list[list[str]], list[list[str]]] | None
) -> Depth | None:
    """A Depth from typed data, or None when a value needs the validating path to name it."""
    if levels is None or not (_MS_FLOOR < d.t <= 10**14) or not 0 < len(d.s) <= 40:
        return None
    a = _fast_side(levels[0])
    b = _fast_side(levels[1])
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
    def factorized(
        cls,
        symbols: list[str],
        codes: np.ndarray,
        t: np.ndarray,
        price: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray,
        direction: np.ndarray,
    ) -> TradeColumns:
        """Columns whose symbols are already factorised: ``symbols[codes[i]]`` is row i's."""
        cols = cls(np.array(symbols, dtype=object)[codes], t, price, volume, turnover, direction)
        cols._symbols, cols._codes = symbols, codes
        return cols

    def concat(self, other: TradeColumns) -> TradeColumns:
        """These rows, then ``other``'s."""
        if not len(other):
            return self
        if not len(self):
            return other
        mine = (self.symbol, self.t, self.price, self.volume, self.turnover, self.direction)
        theirs = (other.symbol, other.t, other.price, other.volume, other.turnover, other.direction)
        return TradeColumns(*(np.concatenate([a, b]) for a, b in zip(mine, theirs)))

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


def _typed(frames: list[str | bytes]) -> tuple[list[Any], list[int]]:
    """Every frame through the typed decoder: the pushes it reads and the indices it refused
    (None in their place)."""
    try:
        return list(map(_decode_push, frames)), []
    except Exception:  # some frame is not a well-typed push: sort them one by one
        pass
    msgs: list[Any] = []
    refused: list[int] = []
    for i, fr in enumerate(frames):
        try:
            msgs.append(_decode_push(fr))
        except Exception:
            refused.append(i)
            msgs.append(None)
    return msgs, refused


def _trade_columns(datas: list[Any]) -> tuple[TradeColumns, np.ndarray]:
    """Columns of typed trade data, and a mask of the rows that pass the value checks."""
    n = len(datas)
    num = np.empty((5, n))
    for j, get in enumerate(_NUMERIC):
        num[j] = np.fromiter(map(get, datas), np.float64, n)
    syms = list(map(_get_s, datas))
    index: dict[str, int] = dict.fromkeys(syms, 0)
    for k, sym in enumerate(index):
        index[sym] = k
    codes = np.fromiter(map(index.__getitem__, syms), np.int64, n)
    # every bound of every column in one comparison (NaN fails it)
    ok = np.asarray(((num > _LOWER) & (num < _UPPER)).all(axis=0))
    bad_syms = [k for k, sym in enumerate(index) if not 0 < len(sym) <= 40]
    if bad_syms:
        ok &= ~np.isin(codes, bad_syms)
    t, p, v, w, td = num
    cols = TradeColumns.factorized(
        list(index), codes, t.astype(np.int64), p, v, w, td.astype(np.int8)
    )
    return cols, ok


def decode_batch(
    frames: list[str | bytes], *, latest_depth_only: bool = False
) -> tuple[TradeColumns, list[Event]]:
    """Decode many frames: trades into numpy columns (no object per trade), everything else as
    events (depth in arrival order, then rejected trade pushes, then other frames in arrival
    order). Never raises.

    Depth pushes are full snapshots: with ``latest_depth_only`` only the newest per symbol in the
    batch is converted (the ones it supersedes are skipped, not reported).

    Well-formed pushes go through one typed msgspec decoder and vectorised checks; any frame that
    fails there is decoded again by :func:`decode_frame`, which names the problem.
    """
    if not frames:
        return TradeColumns.empty(), []
    msgs, refused = _typed(frames)
    if refused:
        kind = np.array([-1 if m is None else m.kind for m in msgs], dtype=np.int8)
        datas: list[Any] = [None if m is None else m.data for m in msgs]
    else:
        kind = np.fromiter(map(_get_kind, msgs), np.int8, len(msgs))
        datas = list(map(_get_data, msgs))
    others: list[Event] = []
    slow = refused
    is_trade = kind == 0
    if is_trade.all():
        where = None
    else:
        where = np.flatnonzero(is_trade)
        depth_rows = np.flatnonzero(kind == 1).tolist()
        if latest_depth_only:
            # per symbol: the row, time and levels of its newest well-formed snapshot
            latest: dict[str, tuple[int, int, Any]] = {}
            for i in depth_rows:
                d = datas[i]
                levels = _levels(d)
                if levels is None or not (_MS_FLOOR < d.t <= 10**14 and 0 < len(d.s) <= 40):
                    slow.append(i)  # never superseded unseen: decode_frame names it
                    continue
                prev = latest.get(d.s)
                if prev is None or d.t >= prev[1]:
                    latest[d.s] = (i, d.t, levels)
            kept = sorted(latest.values(), key=_first)
        else:
            kept = [(i, 0, _levels(datas[i])) for i in depth_rows]
        for i, _, levels in kept:
            dep = _fast_depth(datas[i], levels)
            if dep is None:
                slow.append(i)
            else:
                others.append(dep)
        datas = list(compress(datas, is_trade.tolist()))
    cols, ok = _trade_columns(datas) if datas else (TradeColumns.empty(), np.ones(0, bool))
    extra: list[Trade] = []
    if not ok.all():
        bad = np.flatnonzero(~ok)
        for i in (bad if where is None else where[bad]).tolist():
            ev = decode_frame(frames[i])  # names the bad field
            # the two paths share their bounds; should they ever disagree, a trade stays a trade
            (extra if isinstance(ev, Trade) else others).append(ev)  # type: ignore[arg-type]
        cols = cols.take(ok)
    for i in sorted(slow):
        ev = decode_frame(frames[i])
        (extra if isinstance(ev, Trade) else others).append(ev)  # type: ignore[arg-type]
    if extra:
        cols = cols.concat(TradeColumns.from_trades(extra))
    return cols, others
