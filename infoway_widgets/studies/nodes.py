"""Incremental building blocks of the studies: each takes a block of values or one value.

Every node has one state and two ways in: ``node(x_array, commit=True)`` consumes a block of
complete bars (vectorised where the maths allows) and advances the state; ``node(x, commit=False)``
gives the value the forming bar would have, at a cost that does not grow with the history, and
leaves the state as it was. A study is a formula over nodes written once for both, so the
whole-frame values and the live ones are the same numbers (to rounding: a block's arithmetic is
vectorised, a bar's is scalar; the tests hold them to 1e-12).

Leading NaN (an input that is not defined yet, such as a change on the first bar) is skipped: a node
starts on its first defined value.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

try:
    import talib
except ImportError as exc:  # pragma: no cover - a declared dependency; an old environment lacks it
    raise ImportError(
        "infoway_widgets.studies needs TA-Lib: pip install 'ta-lib>=0.8' "
        "(its binary wheels bundle the C library; no system package is needed)"
    ) from exc

NAN = float("nan")


class Node:
    """One piece of incremental state; call with ``commit=True`` on arrays, ``False`` on a float."""

    def __call__(self, x: Any, commit: bool) -> Any:
        if commit:
            return self.extend(np.asarray(x, dtype=np.float64).reshape(-1))
        return self.peek(float(x))

    def extend(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def peek(self, x: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class Recursive(Node):
    """``Y = (M·X + (N − M)·Y′) / N``: 通达信's SMA(X, N, M); EMA(X, N) is SMA(X, N + 1, 2).

    ``seed`` says where Y starts: ``"first"`` (Y = X on the first value, 通达信 and TradingView),
    a number (Y′ before the first value, e.g. 50 for KDJ), or ``"mean"`` (NaN for the first
    ``seed_count - 1`` values, then their mean: the textbook and TA-Lib seeding).
    """

    def __init__(
        self,
        n: float,
        m: float,
        seed: Literal["first", "mean"] | float = "first",
        seed_count: int = 0,
    ) -> None:
        self.n, self.m, self.rest = float(n), float(m), float(n) - float(m)
        self.seed = seed
        self.seed_count = seed_count
        self.y = float(seed) if isinstance(seed, (int, float)) else NAN
        self.started = isinstance(seed, (int, float))
        self.pending: list[float] = []  # the first values, while a "mean" seed collects them

    def _advance(
        self, x: float, y: float, started: bool, pending: list[float]
    ) -> tuple[float, bool]:
        if x != x:  # NaN: not defined yet (or a gap): the state waits
            return y, started
        if started:
            return (self.m * x + self.rest * y) / self.n, True
        if self.seed == "first":
            return x, True
        pending.append(x)
        if len(pending) < self.seed_count:
            return NAN, False
        return sum(pending) / len(pending), True

    def extend(self, x: np.ndarray) -> np.ndarray:
        out = np.full(len(x), NAN)
        y, started = self.y, self.started
        i = 0
        while i < len(x) and not started:  # the seed, value by value
            y, started = self._advance(float(x[i]), y, started, self.pending)
            out[i] = y
            i += 1
        rest = x[i:]
        if len(rest) >= _BLOCK_FROM and not np.isnan(rest).any():
            out[i:] = _linear_filter(rest, self.m / self.n, self.rest / self.n, y)
            y = float(out[-1])
        else:
            m, r, n = self.m, self.rest, self.n
            for j, xj in enumerate(rest.tolist(), start=i):
                if xj == xj:
                    y = (m * xj + r * y) / n
                    out[j] = y
        self.y, self.started = y, started
        return out

    def peek(self, x: float) -> float:
        if x != x:
            return NAN
        if self.started:  # the live path: one multiply-add
            return (self.m * x + self.rest * self.y) / self.n
        y, started = self._advance(x, self.y, self.started, list(self.pending))
        return y if started else NAN


#: a block at least this long is filtered in chunks with matrix products instead of a Python loop
_BLOCK_FROM = 64
_CHUNK = 32


def _linear_filter(x: np.ndarray, a: float, b: float, y0: float) -> np.ndarray:
    """``y[t] = a·x[t] + b·y[t − 1]`` from ``y[−1] = y0``, vectorised.

    The series is cut into chunks of 32: inside a chunk each value is a fixed weighted sum of the
    chunk's inputs (one matrix product for all chunks) plus ``b^(j+1)`` times the value the chunk
    starts from; those start values chain from chunk to chunk (one step per 32 values). The
    weights ``b^k`` stay within [b^31, 1], so nothing overflows and the rounding is that of the
    plain recursion.
    """
    n, size = len(x), _CHUNK
    chunks = np.concatenate([x, np.zeros((-n) % size)]).reshape(-1, size)
    lag = np.arange(size)[:, None] - np.arange(size)[None, :]
    weights = np.where(lag >= 0, a * b ** np.clip(lag, 0, None), 0.0)
    inner = chunks @ weights.T  # each chunk from a start of 0
    carry = b ** np.arange(1, size + 1)
    starts = np.empty(len(chunks))
    y, b_size = y0, b**size
    ends = inner[:, -1].tolist()
    for c, end in enumerate(ends):
        starts[c] = y
        y = end + b_size * y
    out: np.ndarray = (inner + starts[:, None] * carry[None, :]).reshape(-1)[:n]
    return out


WindowKind = Literal["mean", "sum", "max", "min", "std", "avedev"]

_TALIB = {"mean": talib.SMA, "sum": talib.SUM, "max": talib.MAX, "min": talib.MIN}


def _reduce(w: list[float], kind: str, ddof: int) -> float:
    """The window statistic in plain Python: the forming bar's path."""
    k = len(w)
    if kind == "max":
        return max(w)
    if kind == "min":
        return min(w)
    total = math.fsum(w)
    if kind == "sum":
        return total
    mean = total / k
    if kind == "mean":
        return mean
    if kind == "avedev":
        return math.fsum(abs(v - mean) for v in w) / k
    if k - ddof <= 0:
        return NAN
    return math.sqrt(math.fsum((v - mean) ** 2 for v in w) / (k - ddof))


class Window(Node):
    """A statistic over the last ``n`` values: mean (MA), sum, max (HHV), min (LLV), std, avedev.

    Blocks use TA-Lib (SMA, SUM, MAX, MIN) and numpy's two-pass deviation over sliding windows.
    Before ``n`` values the output is NaN, or with ``partial`` the statistic of those so far (as
    通达信's HHV/LLV do at the start of a history). ``ddof`` 1 is the sample deviation (通达信 STD),
    0 the population one.
    """

    def __init__(self, n: int, kind: WindowKind, *, partial: bool = False, ddof: int = 0) -> None:
        self.n, self.kind, self.partial, self.ddof = n, kind, partial, ddof
        self.tail = np.empty(0)  # the last n - 1 values
        self.tail_list: list[float] = []
        self._pre = (0.0, 0.0, 0.0)
        self.started = False
        self._summarise()

    def _full(self, a: np.ndarray) -> np.ndarray:
        """The statistic of every complete window of ``a`` (len(a) - n + 1 values)."""
        n = self.n
        if self.kind in _TALIB:
            if n == 1:
                same: np.ndarray = a.copy()
                return same
            full: np.ndarray = np.asarray(_TALIB[self.kind](a, timeperiod=n))[n - 1 :]
            return full
        w = sliding_window_view(a, n)
        if self.kind == "std":
            return np.asarray(w.std(axis=1, ddof=self.ddof))
        return np.asarray(np.abs(w - w.mean(axis=1, keepdims=True)).mean(axis=1))

    def extend(self, x: np.ndarray) -> np.ndarray:
        out = np.full(len(x), NAN)
        skip = 0
        if not self.started:
            defined = np.flatnonzero(~np.isnan(x))
            if not len(defined):
                return out
            skip = int(defined[0])
            self.started = True
        a = np.concatenate([self.tail, x[skip:]])
        t, n = len(self.tail), self.n
        first_full = max(t, n - 1)
        if len(a) >= n and first_full < len(a):
            full = self._full(a)
            out[skip + first_full - t :] = full[first_full - (n - 1) :]
        if self.partial:
            for j in range(t, min(n - 1, len(a))):
                out[skip + j - t] = _reduce(a[: j + 1].tolist(), self.kind, self.ddof)
        self.tail = a[max(0, len(a) - (n - 1)) :] if n > 1 else np.empty(0)
        self._summarise()
        return out

    def _summarise(self) -> None:
        """What ``peek`` needs of the committed tail, so a forming bar costs O(1), not O(n)."""
        w = self.tail_list = self.tail.tolist()
        kind = self.kind
        if kind in ("mean", "sum"):
            self._pre = (math.fsum(w), 0.0, 0.0)
        elif kind == "max":
            self._pre = (max(w, default=-math.inf), 0.0, 0.0)
        elif kind == "min":
            self._pre = (min(w, default=math.inf), 0.0, 0.0)
        elif kind == "std":
            # sums of deviations from the tail's mean: small numbers, so no cancellation
            shift = math.fsum(w) / len(w) if w else 0.0
            self._pre = (
                shift,
                math.fsum(v - shift for v in w),
                math.fsum((v - shift) ** 2 for v in w),
            )

    def peek(self, x: float) -> float:
        if x != x:
            return NAN
        k = len(self.tail_list) + 1
        if k < self.n and not self.partial:
            return NAN
        kind = self.kind
        if kind == "avedev":
            return _reduce([*self.tail_list, x], kind, self.ddof)
        a, b, c = self._pre
        if kind == "mean":
            return (a + x) / k
        if kind == "sum":
            return a + x
        if kind == "max":
            return a if a > x else x
        if kind == "min":
            return a if a < x else x
        if k - self.ddof <= 0:
            return NAN
        d = x - a
        s1, s2 = b + d, c + d * d
        return math.sqrt(max(s2 - s1 * s1 / k, 0.0) / (k - self.ddof))


class Lag(Node):
    """``REF(X, k)``: the value ``k`` bars back (NaN before there is one)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.history = np.full(k, NAN)
        self._back = NAN  # history[0] as a float: what every forming bar reads

    def extend(self, x: np.ndarray) -> np.ndarray:
        a = np.concatenate([self.history, x])
        self.history = a[len(a) - self.k :]
        self._back = float(self.history[0])
        return a[: len(x)]

    def __call__(self, x: Any, commit: bool) -> Any:
        # a forming bar reads the value back, whatever x is: no call of peek
        return super().__call__(x, commit) if commit else self._back

    def peek(self, x: float) -> float:
        return self._back


class Cumsum(Node):
    """The running total of X (OBV's accumulation), added in order so blocks and bars agree."""

    def __init__(self) -> None:
        self.total = 0.0

    def extend(self, x: np.ndarray) -> np.ndarray:
        out = np.cumsum(np.concatenate([[self.total], x]))[1:]
        if len(out):
            self.total = float(out[-1])
        return out

    def peek(self, x: float) -> float:
        return self.total + x


def ratio(num: Any, den: Any, fill: float) -> Any:
    """``num / den``, with ``fill`` where ``den`` is 0 (a flat window, no movement)."""
    if isinstance(den, np.ndarray):
        num = np.broadcast_to(np.asarray(num, dtype=np.float64), den.shape)
        out = np.full(den.shape, fill)
        ok = den != 0
        np.divide(num, den, out=out, where=ok)
        out[np.isnan(den) | np.isnan(num)] = NAN
        return out
    if den != den or num != num:
        return NAN
    return num / den if den != 0 else fill


def maximum(a: Any, b: float) -> Any:
    """The larger of ``a`` and ``b`` elementwise; NaN stays NaN (on arrays or one bar's float)."""
    if isinstance(a, np.ndarray):
        return np.maximum(a, b)
    return a if (a != a or a > b) else b


def where(cond: Any, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` else ``b``, on arrays or on one bar's floats."""
    if isinstance(cond, np.ndarray):
        return np.where(cond, a, b)
    return a if cond else b
