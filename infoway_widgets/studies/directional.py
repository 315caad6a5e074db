"""DMI: the directional movement index (PDI, MDI, ADX, ADXR)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .conventions import Convention
from .frame import Bars
from .nodes import NAN, Lag, Recursive, Window, maximum, ratio, where
from .run import StudyRun, StudySpec, period


class DmiRun(StudyRun):
    name = "dmi"
    needs = ("high", "low", "close")

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        super().__init__(convention, params)
        n = period(self.name, "n", params["n"])
        m = period(self.name, "m", params["m"], low=2)
        self._prev_close, self._prev_high, self._prev_low = Lag(1), Lag(1), Lag(1)
        self._smooth: list[Recursive | Window]
        self._adx: Recursive | Window
        if convention == "cn":
            # 通达信: sums over n bars, ADX the mean of DX over m, ADXR against ADX m bars back
            self._smooth = [Window(n, "sum") for _ in range(3)]
            self._adx = Window(m, "mean")
            self._adx_back = Lag(m)
        else:
            # Wilder: smoothing with α = 1/n from the mean of the first n; ADXR as TA-Lib
            self._smooth = [Recursive(n, 1, "mean", n) for _ in range(3)]
            self._adx = Recursive(m, 1, "mean", m)
            self._adx_back = Lag(m - 1)
        self.outputs = ("pdi", "mdi", "adx", "adxr")
        self.min_bars = n + m

    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:
        pc = self._prev_close(b.close, commit)
        up = b.high - self._prev_high(b.high, commit)
        down = self._prev_low(b.low, commit) - b.low
        # on a forming bar these are floats: plain comparisons, not numpy's scalar path
        tr = maximum(maximum(b.high - b.low, abs(b.high - pc)), abs(pc - b.low))
        plus = where(up != up, NAN, where((up > 0) & (up > down), up, 0.0))
        minus = where(down != down, NAN, where((down > 0) & (down > up), down, 0.0))
        smooth_tr, smooth_plus, smooth_minus = self._smooth
        s_tr, s_plus, s_minus = (
            smooth_tr(tr, commit),
            smooth_plus(plus, commit),
            smooth_minus(minus, commit),
        )
        pdi = ratio(s_plus * 100.0, s_tr, 0.0)
        mdi = ratio(s_minus * 100.0, s_tr, 0.0)
        dx = ratio(abs(mdi - pdi) * 100.0, mdi + pdi, 0.0)
        adx = self._adx(dx, commit)
        return pdi, mdi, adx, (adx + self._adx_back(adx, commit)) / 2.0


def _defaults(convention: Convention) -> dict[str, Any]:
    return {"n": 14, "m": 6 if convention == "cn" else 14}


DMI = StudySpec(
    "dmi",
    "own",
    ("pdi", "mdi", "adx", "adxr"),
    DmiRun,
    _defaults,
    title=("趋向指标", "Directional movement index"),
)


def dmi(
    df: pd.DataFrame, n: int = 14, m: int | None = None, convention: str | None = "cn"
) -> pd.DataFrame:
    """DMI: ``PDI = 100·Σ+DM / ΣTR``, ``MDI = 100·Σ−DM / ΣTR``, ``ADX`` the average of
    ``DX = 100·|MDI − PDI| / (MDI + PDI)``, ``ADXR = (ADX + ADX back) / 2``.

    ``+DM`` is the rise of the high when it beats the fall of the low (else 0), ``−DM`` the other
    way round, ``TR = max(H − L, |H − C′|, |C′ − L|)``.

    Conventions: ``cn`` (通达信 ``DMI(14, 6)``) sums +DM, −DM and TR over the last n bars, takes
    ADX as the simple mean of DX over m bars and ADXR against ADX m bars back; ``intl`` (Wilder,
    TA-Lib ``PLUS_DI``/``MINUS_DI``/``ADX``/``ADXR``, m = 14 by default) smooths each with α = 1/n
    (1/m for ADX) from the mean of the first values, ADXR against ADX m − 1 bars back.

    Parameters
    ----------
    n
        The directional-movement length (14).
    m
        The ADX length: None takes the convention's (6 in cn, 14 in intl).

    Returns
    -------
    pandas.DataFrame
        Columns ``pdi``, ``mdi``, ``adx``, ``adxr`` on ``df``'s index; NaN during warm-up.
    """
    params: dict[str, Any] = {"n": n} if m is None else {"n": n, "m": m}
    return DMI.compute(df, convention, **params)
