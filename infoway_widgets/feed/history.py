"""``iw.history()``: bars from the service as a pandas DataFrame, from a cell or a script."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import numpy as np
import pandas as pd

from ..errors import BadParameterError
from ..market import Instrument, parse_interval, parse_symbol
from ..protocol.events import Candle

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


async def fetch_history(
    rest: Any,
    symbol: str,
    interval: str = "1d",
    *,
    count: int | None = 250,
    start: Any = None,
    end: Any = None,
    progress: bool | None = None,
    instrument: Instrument | None = None,
) -> pd.DataFrame:
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
    return df


async def ahistory(
    symbol: str,
    interval: str = "1d",
    count: int | None = 250,
    *,
    start: Any = None,
    end: Any = None,
    api_key: str | None = None,
    base_url: str | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """``await iw.ahistory("600519.SH", "1d", 250)``: see :func:`history`."""
    from ..client.rest import RestClient
    from .connect import _shared

    key = api_key if api_key is not None else (os.environ.get("INFOWAY_API_KEY") or None)
    base_url = base_url or os.environ.get("INFOWAY_BASE_URL") or None
    loop = asyncio.get_running_loop()
    if key is None and base_url is None:
        # reuse the kernel's simulated feed when there is one on this loop; else a temporary server
        for (loop_id, *_), feed in _shared.items():
            if loop_id == id(loop) and feed.simulated and not feed._closed and feed.replay is None:
                return await feed.history(
                    symbol, interval, count, start=start, end=end, progress=progress
                )
        from ..sim import SimServer

        server = SimServer(host="127.0.0.1", port=0)
        await server.start()
        try:
            async with RestClient(server.url) as rest:
                return await fetch_history(
                    rest, symbol, interval, count=count, start=start, end=end, progress=progress
                )
        finally:
            await server.stop()
    async with RestClient(base_url or "https://data.infoway.io", api_key=key) as rest:
        return await fetch_history(
            rest, symbol, interval, count=count, start=start, end=end, progress=progress
        )


def history(
    symbol: str,
    interval: str = "1d",
    count: int | None = 250,
    *,
    start: Any = None,
    end: Any = None,
    api_key: str | None = None,
    base_url: str | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Bars as a DataFrame indexed by a tz-aware DatetimeIndex in the exchange's timezone, with
    open/high/low/close/volume/turnover/vwap columns, oldest first.

    ``iw.history("600519.SH", "1d", count=250)`` or with ``start=``/``end=`` (dates or timestamps,
    exchange-local when naive). Pages through the service's 500-bar limit and shows a progress bar
    on long downloads. Works in a notebook cell (the kernel's loop is running: nest-asyncio is applied
    for this call only) and in plain scripts. ``await iw.ahistory(...)`` is the async twin.
    """
    coro = ahistory(
        symbol,
        interval,
        count,
        start=start,
        end=end,
        api_key=api_key,
        base_url=base_url,
        progress=progress,
    )
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import nest_asyncio

    nest_asyncio.apply(loop)
    return loop.run_until_complete(coro)
