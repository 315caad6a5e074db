"""Reading an OHLCV DataFrame of any column case into the float arrays a study needs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import BadParameterError

FIELDS = ("open", "high", "low", "close", "volume")


class Bars:
    """Columns of bars, oldest first: arrays (a block of complete bars) or floats (one bar).

    A field a study does not need may be None.
    """

    __slots__ = ("close", "high", "low", "open", "volume")

    def __init__(self, open: Any, high: Any, low: Any, close: Any, volume: Any) -> None:
        self.open, self.high, self.low, self.close, self.volume = open, high, low, close, volume


def _columns(df: pd.DataFrame) -> dict[str, Any]:
    """Lower-case name -> column label (``Open``, ``OPEN`` and ``open`` all read as ``open``)."""
    out: dict[str, Any] = {}
    for label in df.columns:
        if isinstance(label, str):
            out.setdefault(label.strip().lower(), label)
    # short forms some sources write
    for short, name in (
        ("o", "open"),
        ("h", "high"),
        ("l", "low"),
        ("c", "close"),
        ("v", "volume"),
    ):
        if short in out and name not in out:
            out[name] = out[short]
    if "vol" in out and "volume" not in out:
        out["volume"] = out["vol"]
    return out


def read_bars(df: Any, study: str, needs: tuple[str, ...], min_bars: int) -> Bars:
    """The fields ``needs`` of ``df`` as float64 arrays; the others None.

    Raises
    ------
    BadParameterError
        ``df`` is not a DataFrame, lacks a needed column, holds NaN or non-numbers in one, or has
        fewer than ``min_bars`` rows. The message says what to pass instead.
    """
    if not isinstance(df, pd.DataFrame):
        raise BadParameterError(
            f"{study}() takes a pandas DataFrame of bars (columns open/high/low/close[/volume], "
            f"any case), not {type(df).__name__}; e.g. iw.history('600519.SH', '1d', 250)"
        )
    cols = _columns(df)
    arrays: dict[str, np.ndarray | None] = dict.fromkeys(FIELDS)
    for name in needs:
        if name not in cols:
            have = ", ".join(map(str, df.columns)) or "none"
            raise BadParameterError(
                f"{study}() needs a {name!r} column (any case) and the frame has {have}; "
                f"pass a DataFrame with {'/'.join(needs)} columns"
            )
        try:
            arr = np.ascontiguousarray(pd.to_numeric(df[cols[name]]), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise BadParameterError(
                f"{study}(): column {cols[name]!r} holds values that are not numbers; "
                "pass numeric prices and volumes"
            ) from exc
        bad = ~np.isfinite(arr)
        if bad.any():
            where = df.index[int(np.argmax(bad))]
            raise BadParameterError(
                f"{study}(): column {cols[name]!r} has {int(bad.sum())} NaN or infinite "
                f"value(s), the first at {where}; drop or fill them first "
                "(df.dropna() or df.ffill())"
            )
        arrays[name] = arr
    if len(df) < min_bars:
        raise BadParameterError(
            f"{study}() with these parameters needs at least {min_bars} bars and the frame has "
            f"{len(df)}; pass a longer history (e.g. iw.history(symbol, interval, count=250)) "
            "or shorter periods"
        )
    return Bars(**arrays)
