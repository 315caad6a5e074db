"""``iw.history()``: bars from the service as a pandas DataFrame, from a cell or a script.

Where the bars come from, in this order: the ``feed=`` given; the server and key given
(``base_url=``, ``api_key=``); the kernel's current feed (the one ``iw.connect()`` returns, with
its key and server); the ``INFOWAY_API_KEY`` / ``INFOWAY_BASE_URL`` environment; and only when
none of these names a source, a simulated market started for the call.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

import pandas as pd

from .connect import current_feed
from .frames import fetch_history

if TYPE_CHECKING:
    from .feed import Feed


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
    feed: Feed | None = None,
) -> pd.DataFrame:
    """``await iw.ahistory("600519.SH", "1d", 250)``: see :func:`history`."""
    from ..client.rest import RestClient

    if feed is None and api_key is None and base_url is None:
        # the kernel's feed, with its key and server (a replay or detached one asks nobody)
        current = current_feed(asyncio.get_running_loop())
        if current is not None and current.source.remote:
            feed = current
    if feed is not None:
        return await feed.history(symbol, interval, count, start=start, end=end, progress=progress)
    key = api_key if api_key is not None else (os.environ.get("INFOWAY_API_KEY") or None)
    base_url = base_url or os.environ.get("INFOWAY_BASE_URL") or None
    if key is None and base_url is None:
        # no source named anywhere: a simulated market for this call
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
    feed: Feed | None = None,
) -> pd.DataFrame:
    """Bars as a DataFrame indexed by a tz-aware DatetimeIndex in the exchange's timezone, with
    open/high/low/close/volume/turnover/vwap columns, oldest first.

    ``iw.history("600519.SH", "1d", count=250)`` or with ``start=``/``end=`` (dates or timestamps,
    exchange-local when naive). Pages through the service's 500-bar limit and shows a progress bar
    on long downloads.

    Parameters
    ----------
    symbol, interval, count
        The code, the bar interval (``"1m"`` … ``"1d"``, ``"1w"``) and how many bars (``None``
        with ``start``: all from ``start``).
    start, end
        The span, as dates or timestamps (exchange-local when naive).
    api_key, base_url
        Ask this key and server (each defaults to the kernel's feed's, then to
        ``INFOWAY_API_KEY`` / ``INFOWAY_BASE_URL``).
    progress
        Show a progress bar (default: on long downloads).
    feed
        Ask this feed's server with its key (the explicit form of the default below).

    Notes
    -----
    The bars come from the source the user chose: the ``feed`` given, else the ``api_key`` /
    ``base_url`` given, else the kernel's current feed (what ``iw.connect()`` returns: after
    ``iw.connect(api_key=K)`` that is the service with ``K``), else the environment. Simulated
    bars only when no key and no server were given anywhere; then the kernel's simulated feed
    answers, or a simulated market started for this call.

    Works in plain scripts (it runs its own loop) and in a notebook cell. In a cell the kernel's
    loop is already running, so the first call applies nest-asyncio to that loop, and the loop
    **stays patched for the rest of the session** (re-entrant ``run_until_complete``; nest-asyncio
    cannot be undone). Code that must not patch the loop uses ``await iw.ahistory(...)``, the
    async twin.
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
        feed=feed,
    )
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import nest_asyncio

    nest_asyncio.apply(loop)
    return loop.run_until_complete(coro)
