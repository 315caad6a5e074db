"""Exchange time in a notebook: what time it is on an exchange, and waiting for a time or for bars.

A lesson says "wait until 10:00" or "watch the next three bars form"; these helpers await that on
the kernel's loop, woken by the feed's changes (and by the simulated clock), never by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Any

import pandas as pd

from ..._aio import wait_event
from ...errors import InfowayTimeoutError

#: an exchange time as the helpers take it: ``"10:31"``, a time of day, a Timestamp, or UTC ms
When = str | int | dt.time | dt.datetime


def exchange_now(feed: Any, symbol: str) -> pd.Timestamp:
    """Now on ``symbol``'s exchange, as a tz-aware Timestamp.

    The simulated market's clock when simulated; the latest trade time when replaying or live
    (the wall clock before the first trade of a live feed).
    """
    inst = feed.instrument(symbol)
    sim = getattr(feed, "sim", None)
    if sim is not None:
        ms = sim.now_ms(inst.code)
    elif getattr(feed, "replay", None) is not None and hasattr(feed.replay, "market_ms"):
        ms = feed.replay.market_ms
    else:
        ms = feed.market_ms or int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    return pd.Timestamp(ms, unit="ms", tz="UTC").tz_convert(inst.tz)


def target_ms_on(day: pd.Timestamp, tz: str, when: When) -> int:
    """UTC ms of ``when``: ms as is, a datetime (naive = exchange time), or a time of ``day``."""
    if isinstance(when, int):
        return when
    if isinstance(when, dt.datetime):
        ts = pd.Timestamp(when)
        if ts.tzinfo is None:
            ts = ts.tz_localize(tz)
        return int(ts.value // 1_000_000)
    tod = dt.time.fromisoformat(when) if isinstance(when, str) else when
    target = day.normalize() + pd.Timedelta(hours=tod.hour, minutes=tod.minute, seconds=tod.second)
    return int(target.value // 1_000_000)


async def wait_until(
    feed: Any, symbol: str, when: When, timeout: float | None = 300.0
) -> pd.Timestamp:
    """Wait until ``symbol``'s exchange clock reaches ``when`` (``"10:00"`` today, a time, a
    Timestamp or UTC ms). On the simulated market this takes ``(when - now) / speed`` real seconds.

    Returns
    -------
    pandas.Timestamp
        The exchange time reached.

    Raises
    ------
    InfowayTimeoutError
        (a ``TimeoutError``) after ``timeout`` real seconds.
    """
    inst = feed.instrument(symbol)
    target = target_ms_on(exchange_now(feed, symbol), inst.tz, when)
    loop = asyncio.get_running_loop()
    end = None if timeout is None else loop.time() + timeout
    ev = asyncio.Event()
    unsub = feed.on_change(lambda _s: ev.set())
    try:
        while True:
            now = exchange_now(feed, symbol)
            if now.value // 1_000_000 >= target:
                return now
            left = None if end is None else end - loop.time()
            if left is not None and left <= 0:
                raise InfowayTimeoutError(
                    f"{symbol}: exchange time did not reach {when} in {timeout} s; pass a longer "
                    "timeout=, or a faster speed= to iw.connect() on the simulated market (a live "
                    "or replayed clock moves only with trades: check feed.status)"
                )
            wake = left
            sim = getattr(feed, "sim", None)
            if sim is not None:  # a known clock: wake when it gets there, even with no trades
                due = (target - now.value // 1_000_000) / 1000 / sim.clock.speed + 0.01
                wake = due if wake is None else min(wake, due)
            ev.clear()
            await wait_event(ev, wake)
    finally:
        unsub()


async def next_bars(
    feed: Any, symbol: str, interval: str = "1m", n: int = 1, timeout: float | None = 300.0
) -> list[Any]:
    """Wait for the next ``n`` bars of ``symbol`` to complete; returns them (``Bar`` objects).

    Raises
    ------
    InfowayTimeoutError
        (a ``TimeoutError``) when fewer than ``n`` bars completed in ``timeout`` real seconds.
    """
    out: list[Any] = []

    async def collect() -> None:
        async for bar in feed.bars(symbol, interval, closed_only=True):
            out.append(bar)
            if len(out) >= n:
                return

    task = asyncio.ensure_future(collect())
    done = await asyncio.wait({task}, timeout=timeout)
    if task not in done[0]:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise InfowayTimeoutError(
            f"{symbol} {interval}: {len(out)} of {n} bars completed in {timeout} s; bars complete "
            "only while the market trades: check feed.status and the session hours, or pass a "
            "longer timeout="
        )
    task.result()
    return out


__all__ = ["When", "exchange_now", "next_bars", "target_ms_on", "wait_until"]
