"""A user's study: any function of a bars frame, recomputed on the last ``lookback`` bars."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import BadParameterError
from .run import period

_FIELDS = ("open", "high", "low", "close", "volume")


class TailStudy:
    """``fn(bars_df) -> Series | DataFrame`` with the ``extend``/``peek`` shape of a ``StudyRun``.

    ``fn`` sees a frame of ``open, high, low, close, volume`` columns on a DatetimeIndex (UTC, when
    times are given as epoch milliseconds or datetimes; else bar numbers). ``extend`` calls ``fn``
    once on the kept tail (the last ``lookback − 1`` bars) plus the new bars, so a history's values
    are one call; ``peek`` once on the tail plus the forming bar, so each frame costs one call on
    ``lookback`` bars whatever the history's length. A value that depends on more than the last
    ``lookback`` bars (a running total, an equity curve) therefore differs between the two: declare
    the longest window ``fn`` uses, or compute such a value once and draw it as a line.
    An exception in ``fn`` propagates and leaves the state as it was.

    Parameters
    ----------
    fn
        The study. A Series gives one output (named after the Series, else ``name``), a DataFrame
        one per column.
    lookback
        Bars ``fn`` needs to see (1 to 100 000).
    name
        The output's name for a Series without one.
    """

    def __init__(
        self, fn: Callable[[pd.DataFrame], Any], lookback: int, name: str = "value"
    ) -> None:
        if not callable(fn):
            raise BadParameterError(
                f"TailStudy takes a function of a bars DataFrame, not {type(fn).__name__}"
            )
        self.fn = fn
        self.lookback = period("TailStudy", "lookback", lookback, high=100_000)
        self.name = name
        self.outputs: tuple[str, ...] | None = None
        self.bars = 0
        self._tail = pd.DataFrame({f: np.empty(0) for f in _FIELDS})

    def _frame(
        self, open_: Any, high: Any, low: Any, close: Any, volume: Any, t: Any
    ) -> pd.DataFrame:
        cols = {"open": open_, "high": high, "low": low, "close": close, "volume": volume}
        n = len(np.atleast_1d(np.asarray(close, dtype=np.float64)))
        data = {
            k: np.full(n, np.nan) if x is None else np.atleast_1d(np.asarray(x, dtype=np.float64))
            for k, x in cols.items()
        }
        # without times, bars are numbered from the first one the study saw
        index: pd.Index = pd.RangeIndex(self.bars, self.bars + n)
        if t is not None:
            tt = np.atleast_1d(np.asarray(t))
            index = (
                pd.to_datetime(tt, unit="ms", utc=True)
                if tt.dtype.kind in "iuf"
                else pd.DatetimeIndex(tt)
            )
        return pd.DataFrame(data, index=index)

    def _values(self, frame: pd.DataFrame, rows: int) -> np.ndarray:
        result = self.fn(frame)
        if isinstance(result, pd.Series):
            names: tuple[str, ...] = (str(result.name) if result.name is not None else self.name,)
            values = result.to_numpy(dtype=np.float64, na_value=np.nan).reshape(-1, 1)
        elif isinstance(result, pd.DataFrame):
            names = tuple(str(c) for c in result.columns)
            values = result.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = np.asarray(result, dtype=np.float64)
            values = values.reshape(len(values), -1) if values.ndim else values.reshape(1, 1)
            names = (
                (self.name,)
                if values.shape[1] == 1
                else tuple(f"{self.name}{i}" for i in range(values.shape[1]))
            )
        if len(values) != len(frame):
            raise BadParameterError(
                f"{self.name}: the study returned {len(values)} rows for {len(frame)} bars; "
                "return one value per bar (a Series or DataFrame on the frame's index)"
            )
        if self.outputs is None:
            self.outputs = names
        tail: np.ndarray = values[len(values) - rows :]
        return tail

    def extend(
        self, open_: Any, high: Any, low: Any, close: Any, volume: Any = None, t: Any = None
    ) -> np.ndarray:
        """Commit complete bars; returns ``fn``'s values at them, shape ``(bars, outputs)``."""
        block = self._frame(open_, high, low, close, volume, t)
        tail = self._tail if len(self._tail) else None
        frame = block if tail is None else pd.concat([tail, block])
        values = self._values(frame, len(block))
        self._tail = (
            frame.iloc[max(0, len(frame) - (self.lookback - 1)) :]
            if self.lookback > 1
            else frame.iloc[:0]
        )
        self.bars += len(block)
        return values

    def peek(
        self, open_: Any, high: Any, low: Any, close: Any, volume: Any = None, t: Any = None
    ) -> np.ndarray:
        """``fn``'s value at the forming bar (shape ``(outputs,)``), the state left as it was."""
        bar = self._frame(open_, high, low, close, volume, t)
        frame = bar if not len(self._tail) else pd.concat([self._tail, bar])
        last: np.ndarray = self._values(frame, 1)[0]
        return last

    def __repr__(self) -> str:
        return f"<TailStudy {self.name} lookback={self.lookback} after {self.bars} bars>"
