"""The OHLCV reducer: rows grouped into bars, written once for the feed and the simulator.

Rows arrive sorted so that each bar's rows form one run (by bar open, then time). A bar opens at
its run's first row, closes at its last, and its high, low, volume and turnover reduce the whole
run. Trades are rows whose open, high, low and close are all the trade price; shorter bars are rows
with their own four prices. The reduction keeps the dtype it is given (the simulator's integer
units stay integers).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class OHLCV(NamedTuple):
    """One value per run: ``open`` of its first row, ``close`` of its last, the extremes and sums."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    turnover: np.ndarray


def run_starts(keys: np.ndarray) -> np.ndarray:
    """Index of the first row of each run of equal ``keys`` (``keys`` must not be empty)."""
    return np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))


def run_ends(starts: np.ndarray, n: int) -> np.ndarray:
    """Index one past the last row of each run, for runs starting at ``starts`` in ``n`` rows."""
    return np.append(starts[1:], n)


def reduce_runs(starts: np.ndarray, rows: OHLCV) -> OHLCV:
    """Reduce each run of rows to one bar, with a handful of ``reduceat`` calls.

    Parameters
    ----------
    starts
        Index of each run's first row, increasing, the first 0 (see :func:`run_starts`).
    rows
        One value per row in each column, rows in bar order (trades: the price four times).

    Returns
    -------
    OHLCV
        One value per run.
    """
    last = run_ends(starts, len(rows.open)) - 1
    return OHLCV(
        rows.open[starts],
        np.maximum.reduceat(rows.high, starts),
        np.minimum.reduceat(rows.low, starts),
        rows.close[last],
        np.add.reduceat(rows.volume, starts),
        np.add.reduceat(rows.turnover, starts),
    )


def group_ohlcv(keys: np.ndarray, rows: OHLCV) -> tuple[np.ndarray, OHLCV]:
    """One bar per run of equal ``keys``.

    Parameters
    ----------
    keys
        The bar each row belongs to (e.g. its open time); equal keys must be adjacent.
    rows
        One value per row in each column.

    Returns
    -------
    tuple
        Each run's key and the runs' :class:`OHLCV`, in row order.
    """
    if len(keys) == 0:
        return keys[:0], OHLCV(*(col[:0] for col in rows))
    starts = run_starts(keys)
    return keys[starts], reduce_runs(starts, rows)


class TradeBars(NamedTuple):
    """Bars made of trades: each bar's open time, its OHLCV, and the time of its latest trade."""

    open_ms: np.ndarray
    bars: OHLCV
    t_last: np.ndarray

    def rows(self) -> list[tuple[int, float, float, float, float, float, float, int]]:
        """Each bar as Python numbers: (open_ms, open, high, low, close, volume, turnover, t_last)."""
        b = self.bars
        cols = (self.open_ms, b.open, b.high, b.low, b.close, b.volume, b.turnover, self.t_last)
        return list(zip(*(c.tolist() for c in cols)))


def trade_bars(
    opens: np.ndarray, t: np.ndarray, price: np.ndarray, volume: np.ndarray, turnover: np.ndarray
) -> TradeBars:
    """Trades to one bar per open time, oldest first.

    A bar's first and last trade are its earliest and latest by time; trades of equal time count
    in arrival order.

    Parameters
    ----------
    opens
        Open time of the bar each trade belongs to (none negative: drop trades outside sessions).
    t, price, volume, turnover
        The trades, in arrival order.

    Returns
    -------
    TradeBars
        Each bar's open time, OHLCV and latest trade time.
    """
    n = len(opens)
    if n == 0:
        return TradeBars(opens[:0], OHLCV(*(price[:0],) * 4, volume[:0], turnover[:0]), t[:0])
    if opens[0] == opens[-1] and (n == 1 or bool((opens == opens[0]).all())):
        # the common case, one bar: no sort (argmin/argmax take the first of equal times)
        first = int(np.argmin(t))
        last = n - 1 - int(np.argmax(t[::-1]))
        one = OHLCV(
            price[first : first + 1],
            np.array([price.max()]),
            np.array([price.min()]),
            price[last : last + 1],
            np.array([volume.sum()]),
            np.array([turnover.sum()]),
        )
        return TradeBars(opens[:1], one, t[last : last + 1])
    order = np.lexsort((np.arange(n), t, opens))  # by bar, then time, then arrival
    opens, t, price = opens[order], t[order], price[order]
    starts = run_starts(opens)
    bars = reduce_runs(starts, OHLCV(price, price, price, price, volume[order], turnover[order]))
    return TradeBars(opens[starts], bars, t[run_ends(starts, n) - 1])
