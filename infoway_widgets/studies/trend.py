"""Studies drawn over the candles: MA, EMA, BOLL and SAR."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from .conventions import Convention
from .frame import Bars
from .nodes import NAN, Recursive, Window
from .run import StudyRun, StudySpec, number, period, periods


class MaRun(StudyRun):
    name = "ma"

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        ps = periods(self.name, "periods", params["periods"])
        self._ma = [Window(p, "mean") for p in ps]
        self.outputs = tuple(f"ma{p}" for p in ps)
        self.min_bars = max(ps)

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        return tuple(ma(b.close, commit) for ma in self._ma)


class EmaRun(StudyRun):
    name = "ema"

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        ps = periods(self.name, "periods", params["periods"])
        seed: Literal["first", "mean"] = "first" if convention == "cn" else "mean"
        self._ema = [Recursive(p + 1, 2, seed, p) for p in ps]
        self.outputs = tuple(f"ema{p}" for p in ps)
        self.min_bars = max(ps)

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        return tuple(ema(b.close, commit) for ema in self._ema)


class BollRun(StudyRun):
    name = "boll"

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        n = period(self.name, "n", params["n"], low=2)
        self._k = number(self.name, "k", params["k"], low=0.0, high=10.0)
        self._mid = Window(n, "mean")
        self._std = Window(n, "std", ddof=1 if convention == "cn" else 0)
        self.outputs = ("mid", "upper", "lower")
        self.min_bars = n

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        mid = self._mid(b.close, commit)
        width = self._k * self._std(b.close, commit)
        return mid, mid + width, mid - width


class SarRun(StudyRun):
    """Wilder's parabolic stop-and-reverse, stepped as TA-Lib's ``SAR`` steps it."""

    name = "sar"
    needs = ("high", "low")

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        self._step_af = number(self.name, "step", params["step"], low=0.0, high=1.0)
        self._max_af = number(self.name, "maximum", params["maximum"], low=0.0, high=1.0)
        if self._max_af < self._step_af:
            self._max_af = self._step_af
        # (bars seen, long?, sar for the next bar, extreme point, acceleration, last high, last low)
        self._state: tuple[int, bool, float, float, float, float, float] = (
            0, True, NAN, NAN, self._step_af, NAN, NAN,
        )  # fmt: skip
        self.outputs = ("sar",)
        self.min_bars = 2

    def _advance(
        self, state: tuple[int, bool, float, float, float, float, float], high: float, low: float
    ) -> tuple[tuple[int, bool, float, float, float, float, float], float]:
        seen, long, sar, ep, af, prev_high, prev_low = state
        step, top = self._step_af, self._max_af
        if seen == 0:
            return (1, long, sar, ep, af, high, low), NAN
        if seen == 1:
            # the first direction: short when the low fell further than the high rose (TA-Lib's -DM)
            down, up = prev_low - low, high - prev_high
            long = not (down > 0 and up < down)
            sar, ep = (prev_low, high) if long else (prev_high, low)
            af = step
            prev_high, prev_low = high, low  # TA-Lib compares the second bar with itself
        if long:
            if low <= sar:  # reverse to short
                long, sar = False, max(ep, prev_high, high)
                out, af, ep = sar, step, low
                sar = max(sar + af * (ep - sar), prev_high, high)
            else:
                out = sar
                if high > ep:
                    ep, af = high, min(af + step, top)
                sar = min(sar + af * (ep - sar), prev_low, low)
        elif high >= sar:  # reverse to long
            long, sar = True, min(ep, prev_low, low)
            out, af, ep = sar, step, high
            sar = min(sar + af * (ep - sar), prev_low, low)
        else:
            out = sar
            if low < ep:
                ep, af = low, min(af + step, top)
            sar = max(sar + af * (ep - sar), prev_high, high)
        return (seen + 1, long, sar, ep, af, high, low), out

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        if not commit:
            return (self._advance(self._state, b.high, b.low)[1],)
        out = np.empty(len(b.high))
        state = self._state
        for i, (hi, lo) in enumerate(zip(b.high.tolist(), b.low.tolist())):
            state, out[i] = self._advance(state, hi, lo)
        self._state = state
        return (out,)


def _same(params: dict[str, Any]) -> Any:
    return lambda convention: dict(params)


MA = StudySpec(
    "ma",
    "price",
    ("ma5", "ma10", "ma20", "ma60"),
    MaRun,
    _same({"periods": (5, 10, 20, 60)}),
    title=("均线", "Moving averages"),
)
EMA = StudySpec(
    "ema",
    "price",
    ("ema12", "ema50"),
    EmaRun,
    _same({"periods": (12, 50)}),
    title=("指数平均线", "Exponential moving averages"),
)
BOLL = StudySpec(
    "boll",
    "price",
    ("mid", "upper", "lower"),
    BollRun,
    _same({"n": 20, "k": 2}),
    title=("布林线", "Bollinger bands"),
)
SAR = StudySpec(
    "sar",
    "price",
    ("sar",),
    SarRun,
    _same({"step": 0.02, "maximum": 0.2}),
    title=("抛物线转向", "Parabolic SAR"),
)


def ma(
    df: pd.DataFrame, periods: Any = (5, 10, 20, 60), convention: str | None = "cn"
) -> pd.DataFrame:
    """Simple moving averages of the close: ``MA(C, N)``, the mean of the last N closes.

    The same in both conventions (通达信 ``MA``, TA-Lib ``SMA``); NaN until N bars.

    Parameters
    ----------
    df
        Bars with a ``close`` column (any case).
    periods
        The lengths, one column each: ``ma5``, ``ma10``, ...
    convention
        ``"cn"``, ``"intl"`` or None (by ``df.attrs["symbol"]``); no difference here.

    Returns
    -------
    pandas.DataFrame
        On ``df``'s index.
    """
    return MA.compute(df, convention, periods=periods)


def ema(df: pd.DataFrame, periods: Any = (12, 50), convention: str | None = "cn") -> pd.DataFrame:
    """Exponential moving averages of the close (通达信 ``EXPMA``): ``Y = (2·C + (N − 1)·Y′) / (N + 1)``.

    Conventions: ``cn`` seeds Y with the first close (通达信, and TradingView's ``ta.ema``), so it
    has a value from the first bar; ``intl`` seeds with the mean of the first N closes and is NaN
    before (the textbook form, TA-Lib's ``EMA``). The two converge as the seed's weight
    ``((N − 1)/(N + 1))^t`` fades.

    Parameters
    ----------
    df
        Bars with a ``close`` column (any case).
    periods
        The lengths N, one column each: ``ema12``, ``ema50``.
    convention
        ``"cn"``, ``"intl"`` or None (by ``df.attrs["symbol"]``).
    """
    return EMA.compute(df, convention, periods=periods)


def boll(
    df: pd.DataFrame, n: int = 20, k: float = 2, convention: str | None = "cn"
) -> pd.DataFrame:
    """Bollinger bands: ``mid = MA(C, n)``, ``upper/lower = mid ± k·σ`` of the last n closes.

    Conventions: ``cn`` uses the sample deviation (divisor n − 1, 通达信 ``STD``); ``intl`` the
    population deviation (divisor n, Bollinger's definition and TA-Lib's ``BBANDS``). The cn
    bands are wider by ``sqrt(n / (n − 1))`` (2.6 % at n = 20).

    Returns
    -------
    pandas.DataFrame
        Columns ``mid``, ``upper``, ``lower`` on ``df``'s index; NaN until n bars.
    """
    return BOLL.compute(df, convention, n=n, k=k)


def sar(
    df: pd.DataFrame, step: float = 0.02, maximum: float = 0.2, convention: str | None = "cn"
) -> pd.DataFrame:
    """Parabolic SAR (stop and reverse): Wilder's rules, as TA-Lib's ``SAR`` computes them.

    ``SAR′ = SAR + AF·(EP − SAR)``, the acceleration AF starting at ``step``, growing by ``step`` at
    each new extreme EP up to ``maximum``, never inside the last two bars' range; a bar whose low
    (high) goes through it reverses the trend. The same in both conventions; the first direction is set from the first
    two bars (通达信's ``SAR(10, 2, 20)`` looks back 10 bars for its first extreme, so it can differ
    until the first reversal).

    Returns
    -------
    pandas.DataFrame
        Column ``sar`` on ``df``'s index; NaN on the first bar.
    """
    return SAR.compute(df, convention, step=step, maximum=maximum)
