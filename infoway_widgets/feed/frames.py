"""Bars from the service as a pandas DataFrame: the one conversion ``iw.history()`` and
``Feed.history()`` share, and what to say when fewer bars come back than were asked for."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import BadParameterError, ShortHistoryWarning
from ..market import Instrument, Interval, bar_grid, parse_interval, parse_symbol
from ..protocol.events import Candle

if TYPE_CHECKING:
    from ..client.rest import RestClient
    from .sources import Source

COLUMNS = ["open", "high", "low", "close", "volume", "turnover", "vwap"]


def _to_ms(x: Any, tz: str) -> int | None:
    if x is None:
        return None
    ts = pd.Timestamp(x)
    if ts.tzinfo is None:
        ts = ts.tz_localize(tz)
    return int(ts.value // 1_000_000)


def candles_frame(candles: list[Candle], instrument: Instrument) -> pd.DataFrame:
    """Candles → DataFrame indexed by tz-aware open time (exchange zone), oldest first."""
    rows = sorted({c.t: c for c in candles}.values(), key=lambda c: c.t)
    idx = pd.to_datetime(
        np.array([c.t for c in rows], dtype=np.int64), unit="ms", utc=True
    ).tz_convert(instrument.tz)
    df = pd.DataFrame(
        {
            "open": [c.open for c in rows],
            "high": [c.high for c in rows],
            "low": [c.low for c in rows],
            "close": [c.close for c in rows],
            "volume": [c.volume for c in rows],
            "turnover": [c.turnover for c in rows],
        },
        index=idx,
        dtype=np.float64,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        df["vwap"] = np.where(df["volume"] > 0, df["turnover"] / df["volume"], np.nan)
    df.index.name = "time"
    return df


def _when(inst: Instrument, ms: int, iv: Interval) -> str:
    ts = pd.Timestamp(ms, unit="ms", tz="UTC").tz_convert(inst.tz)
    return f"{ts:%Y-%m-%d}" if not iv.intraday else f"{ts:%Y-%m-%d %H:%M}"


def short_history_reason(
    inst: Instrument,
    iv: Interval,
    times: list[int],
    *,
    start_ms: int | None = None,
    end_ms: int | None = None,
    simulated: bool = False,
) -> str:
    """Why only the bars opening at ``times`` came back (fewer than were asked for).

    Parameters
    ----------
    inst : Instrument
    iv : Interval
    times : list of int
        Open times (UTC ms) of the bars that came back.
    start_ms, end_ms : int, optional
        The bounds the request had.
    simulated : bool
        The bars came from the simulated market (whose history begins on one listing date).

    Returns
    -------
    str
        The trading calendar between ``start`` and ``end`` when it holds no more bars, else the
        date of the oldest bar the service has: a listing date, or how deep it keeps that interval.
    """
    code, name = inst.code, iv.name
    if not times:
        before = f" before {_when(inst, end_ms, iv)}" if end_ms is not None else ""
        if simulated:
            return (
                f"the simulated market has no {name} bars of {code}{before} "
                "(its history begins on its listing date)"
            )
        return (
            f"the service has no {name} bars of {code}{before}: "
            "check the code, or ask for a later end"
        )
    oldest, newest = min(times), max(times)
    if start_ms is not None:
        allowed = bar_grid(inst, iv, start_ms, (end_ms if end_ms is not None else newest) + 1)
        if len(times) >= len(allowed):
            return (
                f"{code}'s trading calendar has only {len(allowed)} {name} bars from "
                f"{_when(inst, start_ms, iv)} to {_when(inst, newest, iv)}: ask for an earlier start"
            )
    first = _when(inst, oldest, iv)
    if simulated:
        return f"the simulated market's history of {code} begins on {first} (its listing date)"
    if not iv.intraday:
        return (
            f"the service's first {name} bar of {code} is on {first} "
            "(its listing date, or as far back as the service keeps bars)"
        )
    return (
        f"the service keeps {name} bars of {code} back to {first} only: "
        "ask for a longer interval to see further back"
    )


async def fetch_history(
    rest: RestClient | Source,
    symbol: str,
    interval: str = "1d",
    *,
    count: int | None = 250,
    start: Any = None,
    end: Any = None,
    progress: bool | None = None,
    instrument: Instrument | None = None,
    simulated: bool | None = None,
) -> pd.DataFrame:
    """``count`` bars of ``symbol`` (or those from ``start`` to ``end``) from ``rest`` as a
    DataFrame (:func:`candles_frame`), with a progress bar on long downloads; the checks and
    defaults of :func:`infoway_widgets.history`. Fewer than ``count`` bars come with a
    :class:`~infoway_widgets.errors.ShortHistoryWarning` that says why (``simulated``: the bars
    come from the simulated market; by default, when ``rest`` is a source that runs one)."""
    inst = instrument or parse_symbol(symbol)
    iv = parse_interval(interval)
    if count is not None and (
        not isinstance(count, int) or isinstance(count, bool) or count < 1 or count > 1_000_000
    ):
        raise BadParameterError(f"count must be a whole number from 1 to 1,000,000, not {count!r}")
    start_ms, end_ms = _to_ms(start, inst.tz), _to_ms(end, inst.tz)
    if start_ms is not None and end_ms is not None and start_ms > end_ms:
        raise BadParameterError("start is after end; swap them")
    if count is None and start_ms is None:
        count = 250
    bar = None
    cb = None
    big = (count or 0) > 500 or start_ms is not None
    if progress or (progress is None and big):
        from tqdm.auto import tqdm

        bar = tqdm(total=count, unit="bars", desc=f"{inst.code} {iv.name}", leave=False)

        def cb(done: int, total: int | None) -> None:
            if total and bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh()

    try:
        candles = await rest.history(
            inst.code, iv, count=count, start_ms=start_ms, end_ms=end_ms, progress=cb
        )
    finally:
        if bar is not None:
            bar.close()
    df = candles_frame(candles, inst)
    if start_ms is not None:
        df = df[df.index >= pd.Timestamp(start_ms, unit="ms", tz="UTC")]
    if count is not None and len(df) > count:
        df = df.iloc[-count:]
    df.attrs.update(symbol=inst.code, interval=iv.name)
    if count is not None and len(df) < count:
        if simulated is None:
            simulated = getattr(rest, "market", None) is not None
        times = [int(t.value // 1_000_000) for t in df.index]
        why = short_history_reason(
            inst, iv, times, start_ms=start_ms, end_ms=end_ms, simulated=simulated
        )
        warnings.warn(
            ShortHistoryWarning(f"{inst.code} {iv.name}: {len(df)} of {count} bars: {why}"),
            stacklevel=2,
        )
    return df
