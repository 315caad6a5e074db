"""``iw.history()``: bars from the service as a pandas DataFrame, from a cell or a script."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pandas as pd

from .connect import simulated_feed
from .frames import fetch_history


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

    key = api_key if api_key is not None else (os.environ.get("INFOWAY_API_KEY") or None)
    base_url = base_url or os.environ.get("INFOWAY_BASE_URL") or None
    if key is None and base_url is None:
        # reuse the kernel's simulated feed when there is one on this loop; else a temporary server
        feed = simulated_feed(asyncio.get_running_loop())
        if feed is not None:
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
    on long downloads. Works in plain scripts (it runs its own loop) and in a notebook cell: there
    the kernel's loop is already running, so the first call applies nest-asyncio to that loop, which
    stays patched for the rest of the session (re-entrant ``run_until_complete``). Code that must
    not patch the loop uses ``await iw.ahistory(...)``, the async twin.
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
