"""Bars for the studies' tests: a seeded A-share-like walk with ticks, gaps and flat stretches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def walk_bars(n: int = 800, seed: int = 7, *, flat_run: int = 12) -> pd.DataFrame:
    """Daily bars rounded to the 0.01 tick (ties happen: equal highs, unchanged closes), with
    weekend and holiday gaps in the index, single flat bars (O = H = L = C) and one suspension
    (``flat_run`` bars at the last close, volume 0), as real A-share histories have."""
    rng = np.random.default_rng(seed)
    close = 20.0 * np.exp(np.cumsum(rng.normal(0.0002, 0.018, n)))
    open_ = np.r_[close[0], close[:-1]] * np.exp(rng.normal(0, 0.004, n))
    high = np.maximum(open_, close) * np.exp(abs(rng.normal(0, 0.008, n)))
    low = np.minimum(open_, close) * np.exp(-abs(rng.normal(0, 0.008, n)))
    volume = rng.integers(50, 5000, n) * 100.0
    flat = rng.random(n) < 0.03
    open_[flat] = high[flat] = low[flat] = close[flat]
    s = n // 2
    close[s : s + flat_run] = close[s - 1]
    open_[s : s + flat_run] = high[s : s + flat_run] = low[s : s + flat_run] = close[s - 1]
    volume[s : s + flat_run] = 0.0
    days = pd.bdate_range("2022-01-04", periods=int(n * 1.1), tz="Asia/Shanghai")
    keep = np.sort(rng.choice(len(days), n, replace=False))  # holidays: missing weekdays
    df = pd.DataFrame(
        {
            "Open": np.round(open_, 2),
            "High": np.round(high, 2),
            "Low": np.round(low, 2),
            "Close": np.round(close, 2),
            "Volume": volume,
        },
        index=days[keep],
    )
    df["High"] = df[["Open", "High", "Low", "Close"]].max(axis=1)
    df["Low"] = df[["Open", "High", "Low", "Close"]].min(axis=1)
    return df


@pytest.fixture(scope="session")
def bars() -> pd.DataFrame:
    return walk_bars()


def assert_close(actual: object, expected: object, rtol: float) -> None:
    """Equal to ``rtol`` relative to each value, and to the series' scale where a value crosses
    zero (a MACD bar, a BIAS, a CCI): ``|a − e| <= rtol·|e| + rtol·max|e|``; NaN where NaN."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    scale = float(np.nanmax(np.abs(e))) if np.isfinite(e).any() else 0.0
    np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol * scale, equal_nan=True)
