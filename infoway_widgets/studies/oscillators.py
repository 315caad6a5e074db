"""Studies in panes of their own: MACD, KDJ, RSI, WR, BIAS and CCI."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from ..errors import BadParameterError
from .conventions import Convention
from .frame import Bars
from .nodes import Lag, Recursive, Window, maximum, ratio
from .run import StudyRun, StudySpec, period, periods


class MacdRun(StudyRun):
    name = "macd"

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        fast = period(self.name, "fast", params["fast"])
        slow = period(self.name, "slow", params["slow"])
        signal = period(self.name, "signal", params["signal"])
        if fast >= slow:
            raise BadParameterError(
                f"macd: fast={fast} must be shorter than slow={slow} (the defaults are 12, 26, 9)"
            )
        seed: Literal["first", "mean"] = "first" if convention == "cn" else "mean"
        self._fast = Recursive(fast + 1, 2, seed, fast)
        self._slow = Recursive(slow + 1, 2, seed, slow)
        self._signal = Recursive(signal + 1, 2, seed, signal)
        self._bar = 2.0 if convention == "cn" else 1.0
        self.outputs = ("dif", "dea", "macd")
        self.min_bars = slow

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        dif = self._fast(b.close, commit) - self._slow(b.close, commit)
        dea = self._signal(dif, commit)
        return dif, dea, self._bar * (dif - dea)


class KdjRun(StudyRun):
    name = "kdj"
    needs = ("high", "low", "close")

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        n = period(self.name, "n", params["n"])
        m1 = period(self.name, "m1", params["m1"])
        m2 = period(self.name, "m2", params["m2"])
        cn = convention == "cn"
        self._hhv = Window(n, "max", partial=cn)
        self._llv = Window(n, "min", partial=cn)
        self._k: Recursive | Window = Recursive(m1, 1, 50.0) if cn else Window(m1, "mean")
        self._d: Recursive | Window = Recursive(m2, 1, 50.0) if cn else Window(m2, "mean")
        self.outputs = ("k", "d", "j")
        self.min_bars = n

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        hh, ll = self._hhv(b.high, commit), self._llv(b.low, commit)
        rsv = ratio((b.close - ll) * 100.0, hh - ll, 50.0)
        k = self._k(rsv, commit)
        d = self._d(k, commit)
        return k, d, 3.0 * k - 2.0 * d


class RsiRun(StudyRun):
    name = "rsi"

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        ps = periods(self.name, "periods", params["periods"])
        self._prev = Lag(1)
        self._up = [Recursive(p, 1) for p in ps]
        self._move = [Recursive(p, 1) for p in ps]
        self.outputs = tuple(f"rsi{p}" for p in ps)
        self.min_bars = max(ps) + 1

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        change = b.close - self._prev(b.close, commit)
        up, move = maximum(change, 0.0), abs(change)
        out = []
        for u, m in zip(self._up, self._move):  # a loop, not a generator: a frame runs this
            out.append(ratio(u(up, commit) * 100.0, m(move, commit), 50.0))
        return tuple(out)


class WrRun(StudyRun):
    name = "wr"
    needs = ("high", "low", "close")

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        ps = periods(self.name, "periods", params["periods"])
        cn = convention == "cn"
        self._hhv = [Window(p, "max", partial=cn) for p in ps]
        self._llv = [Window(p, "min", partial=cn) for p in ps]
        self._scale = 100.0 if cn else -100.0
        self.outputs = tuple(f"wr{p}" for p in ps)
        self.min_bars = max(ps)

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        out = []
        for hhv, llv in zip(self._hhv, self._llv):
            hh, ll = hhv(b.high, commit), llv(b.low, commit)
            out.append(ratio((hh - b.close) * self._scale, hh - ll, self._scale / 2))
        return tuple(out)


class BiasRun(StudyRun):
    name = "bias"

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        ps = periods(self.name, "periods", params["periods"])
        self._ma = [Window(p, "mean") for p in ps]
        self.outputs = tuple(f"bias{p}" for p in ps)
        self.min_bars = max(ps)

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        out = []
        for ma in self._ma:
            m = ma(b.close, commit)
            out.append(ratio((b.close - m) * 100.0, m, 0.0))
        return tuple(out)


class CciRun(StudyRun):
    name = "cci"
    needs = ("high", "low", "close")

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        n = period(self.name, "n", params["n"], low=2)
        self._ma = Window(n, "mean")
        self._dev = Window(n, "avedev")
        self.outputs = ("cci",)
        self.min_bars = n

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        tp = (b.high + b.low + b.close) / 3.0
        return (ratio(tp - self._ma(tp, commit), 0.015 * self._dev(tp, commit), 0.0),)


def _same(params: dict[str, Any]) -> Any:
    return lambda convention: dict(params)


MACD = StudySpec(
    "macd",
    "own",
    ("dif", "dea", "macd"),
    MacdRun,
    _same({"fast": 12, "slow": 26, "signal": 9}),
    title=("平滑异同移动平均线", "Moving average convergence divergence"),
)
KDJ = StudySpec(
    "kdj",
    "own",
    ("k", "d", "j"),
    KdjRun,
    _same({"n": 9, "m1": 3, "m2": 3}),
    title=("随机指标", "Stochastic KDJ"),
)
RSI = StudySpec(
    "rsi",
    "own",
    ("rsi6", "rsi12", "rsi24"),
    RsiRun,
    _same({"periods": (6, 12, 24)}),
    title=("相对强弱指标", "Relative strength index"),
)
WR = StudySpec(
    "wr",
    "own",
    ("wr10", "wr6"),
    WrRun,
    _same({"periods": (10, 6)}),
    title=("威廉指标", "Williams %R"),
)
BIAS = StudySpec(
    "bias",
    "own",
    ("bias6", "bias12", "bias24"),
    BiasRun,
    _same({"periods": (6, 12, 24)}),
    title=("乖离率", "Bias"),
)
CCI = StudySpec(
    "cci", "own", ("cci",), CciRun, _same({"n": 14}), title=("顺势指标", "Commodity channel index")
)


def macd(
    df: pd.DataFrame, fast: int = 12, slow: int = 26, signal: int = 9, convention: str | None = "cn"
) -> pd.DataFrame:
    """MACD: ``DIF = EMA(C, fast) − EMA(C, slow)``, ``DEA = EMA(DIF, signal)`` and the bar.

    Conventions: ``cn`` (通达信) seeds every EMA with its first value and draws the bar as
    ``MACD = 2 × (DIF − DEA)``; ``intl`` (Appel's textbook form, TA-Lib's EMA) seeds each EMA with
    the mean of its first N values (NaN before) and draws ``DIF − DEA``. DIF and DEA converge
    between the two after warm-up; the bar stays twice as tall in cn.

    Parameters
    ----------
    df
        Bars with a ``close`` column (any case).
    fast, slow, signal
        The EMA lengths (12, 26, 9 in both conventions).
    convention
        ``"cn"``, ``"intl"`` or None (by ``df.attrs["symbol"]``: cn for A-shares and Hong Kong).

    Returns
    -------
    pandas.DataFrame
        Columns ``dif``, ``dea``, ``macd`` on ``df``'s index.
    """
    return MACD.compute(df, convention, fast=fast, slow=slow, signal=signal)


def kdj(
    df: pd.DataFrame, n: int = 9, m1: int = 3, m2: int = 3, convention: str | None = "cn"
) -> pd.DataFrame:
    """KDJ (the stochastic oscillator with J): ``RSV = (C − LLV(L, n)) / (HHV(H, n) − LLV(L, n)) × 100``.

    Conventions: ``cn`` (通达信) smooths ``K = SMA(RSV, m1, 1)`` and ``D = SMA(K, m2, 1)``, both
    starting from 50, with HHV/LLV over the bars there are until n; ``intl`` is the slow stochastic
    (TA-Lib ``STOCH`` with simple means): ``K = MA(RSV, m1)``, ``D = MA(K, m2)``, NaN until the
    windows fill. Both: ``J = 3K − 2D``; a window with no range (high = low) gives RSV 50.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``d``, ``j`` on ``df``'s index.
    """
    return KDJ.compute(df, convention, n=n, m1=m1, m2=m2)


def rsi(
    df: pd.DataFrame, periods: Any = (6, 12, 24), convention: str | None = "cn"
) -> pd.DataFrame:
    """RSI: ``SMA(max(ΔC, 0), N, 1) / SMA(|ΔC|, N, 1) × 100``, one column per N.

    The same in both conventions: 通达信's SMA(X, N, 1) is Wilder's smoothing (α = 1/N), the
    recursion of the textbook RSI. Both averages start from the first change (the second bar);
    Wilder (and TA-Lib's ``RSI``) start from the mean of the first N changes instead, a seed whose
    weight ``((N − 1)/N)^t`` fades, so the values meet after warm-up. No movement at all gives 50.

    Returns
    -------
    pandas.DataFrame
        Columns ``rsi6``, ``rsi12``, ``rsi24`` (by ``periods``) on ``df``'s index; NaN on the first
        bar.
    """
    return RSI.compute(df, convention, periods=periods)


def wr(df: pd.DataFrame, periods: Any = (10, 6), convention: str | None = "cn") -> pd.DataFrame:
    """Williams %R: where the close sits in the range of the last N bars.

    Conventions: ``cn`` (通达信 ``WR``) is ``100 × (HHV(H, N) − C) / (HHV − LLV)``, 0 at the top
    of the range and 100 at the bottom (so 80+ reads oversold), over the bars there are until N;
    ``intl`` (Williams, TA-Lib ``WILLR``) is the same number negated, −100 to 0, NaN until N bars.
    A range of zero gives the midpoint (50, −50).

    Returns
    -------
    pandas.DataFrame
        Columns ``wr10``, ``wr6`` (by ``periods``) on ``df``'s index.
    """
    return WR.compute(df, convention, periods=periods)


def bias(
    df: pd.DataFrame, periods: Any = (6, 12, 24), convention: str | None = "cn"
) -> pd.DataFrame:
    """BIAS (乖离率): ``(C − MA(C, N)) / MA(C, N) × 100``, the close's distance from its average in %.

    The same in both conventions; NaN until N bars.

    Returns
    -------
    pandas.DataFrame
        Columns ``bias6``, ``bias12``, ``bias24`` (by ``periods``) on ``df``'s index.
    """
    return BIAS.compute(df, convention, periods=periods)


def cci(df: pd.DataFrame, n: int = 14, convention: str | None = "cn") -> pd.DataFrame:
    """CCI: ``(TP − MA(TP, n)) / (0.015 × AVEDEV(TP, n))`` with ``TP = (H + L + C) / 3``.

    The same in both conventions (通达信 ``CCI``, Lambert's definition, TA-Lib ``CCI``); a window
    with no deviation gives 0; NaN until n bars.

    Returns
    -------
    pandas.DataFrame
        Column ``cci`` on ``df``'s index.
    """
    return CCI.compute(df, convention, n=n)
