"""Studies of volume: VOL (with its averages, on the volume pane) and OBV."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .conventions import Convention
from .frame import Bars
from .nodes import Cumsum, Lag, Window, where
from .run import StudyRun, StudySpec, periods


class VolRun(StudyRun):
    name = "vol"
    needs = ("volume",)

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        ps = periods(self.name, "periods", params["periods"])
        self._ma = [Window(p, "mean") for p in ps]
        self.outputs = ("vol", *(f"ma{p}" for p in ps))
        self.min_bars = max(ps)

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        v = b.volume
        return (v * 1.0, *(ma(v, commit) for ma in self._ma))


class ObvRun(StudyRun):
    name = "obv"
    needs = ("close", "volume")

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        self._prev = Lag(1)
        self._total = Cumsum()
        self.outputs = ("obv",)
        self.min_bars = 2

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        change = b.close - self._prev(b.close, commit)
        signed = where(change != change, b.volume, np.sign(change) * b.volume)
        return (self._total(signed, commit),)


VOL = StudySpec(
    "vol",
    "volume",
    ("vol", "ma5", "ma10"),
    VolRun,
    lambda c: {"periods": (5, 10)},
    title=("成交量", "Volume"),
)
OBV = StudySpec("obv", "own", ("obv",), ObvRun, lambda c: {}, title=("能量潮", "On-balance volume"))


def vol(df: pd.DataFrame, periods: Any = (5, 10), convention: str | None = "cn") -> pd.DataFrame:
    """VOL: the bars' volume and its simple moving averages (``MA(V, 5)``, ``MA(V, 10)``).

    The same in both conventions; NaN until N bars. Values are in the frame's units: raw shares
    (or coins) as ``iw.history()`` gives them; a chart that shows A-shares in lots (手) divides by
    ``iw.market.volume_unit(instrument).per``, as it does for the volume bars.

    Returns
    -------
    pandas.DataFrame
        Columns ``vol``, ``ma5``, ``ma10`` (by ``periods``) on ``df``'s index.
    """
    return VOL.compute(df, convention, periods=periods)


def obv(df: pd.DataFrame, convention: str | None = "cn") -> pd.DataFrame:
    """OBV (on-balance volume): the running sum of the volume, added on an up close, subtracted on a
    down close, left out on an unchanged one.

    The same in both conventions (Granville's definition, TA-Lib ``OBV``), starting from the first
    bar's volume. Only its changes carry meaning: the level depends on where the frame starts.

    Returns
    -------
    pandas.DataFrame
        Column ``obv`` on ``df``'s index.
    """
    return OBV.compute(df, convention)
