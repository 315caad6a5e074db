"""Trading days from exchange-calendars, with a weekday fallback beyond the calendar's bounds.

exchange-calendars knows holidays only up to about a year ahead of its release (XSHG ends
2026-12-31 in 4.13). Past that range we fall back to Monday-Friday and log once, rather than fail.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import warnings

import pandas as pd

log = logging.getLogger("infoway_widgets.market")


@functools.lru_cache(maxsize=8)
def _calendar(name: str):  # type: ignore[no-untyped-def]
    import exchange_calendars as xc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xc.get_calendar(name)


@functools.lru_cache(maxsize=8)
def _sessions(name: str) -> frozenset[dt.date]:
    cal = _calendar(name)
    return frozenset(d.date() for d in cal.sessions)


@functools.lru_cache(maxsize=8)
def _bounds(name: str) -> tuple[dt.date, dt.date]:
    cal = _calendar(name)
    return cal.first_session.date(), cal.last_session.date()


_warned: set[str] = set()


def is_trading_day(calendar: str | None, day: dt.date) -> bool:
    """True if ``day`` is a trading day. ``calendar`` None means every day (crypto);
    ``"24/5"`` means Monday to Friday (forex)."""
    if calendar is None:
        return True
    if calendar == "24/5":
        return day.weekday() < 5
    lo, hi = _bounds(calendar)
    if lo <= day <= hi:
        return day in _sessions(calendar)
    if calendar not in _warned:
        _warned.add(calendar)
        log.info("%s calendar ends %s: using Monday-Friday beyond it", calendar, hi)
    return day.weekday() < 5


def previous_trading_day(calendar: str | None, day: dt.date, *, inclusive: bool = True) -> dt.date:
    d = day if inclusive else day - dt.timedelta(days=1)
    for _ in range(40):
        if is_trading_day(calendar, d):
            return d
        d -= dt.timedelta(days=1)
    raise RuntimeError(f"no trading day in the 40 days before {day}")  # pragma: no cover


def next_trading_day(calendar: str | None, day: dt.date, *, inclusive: bool = True) -> dt.date:
    d = day if inclusive else day + dt.timedelta(days=1)
    for _ in range(40):
        if is_trading_day(calendar, d):
            return d
        d += dt.timedelta(days=1)
    raise RuntimeError(f"no trading day in the 40 days after {day}")  # pragma: no cover


def trading_days(calendar: str | None, start: dt.date, end: dt.date) -> list[dt.date]:
    """Trading days in ``[start, end]``, oldest first."""
    out = []
    for d in pd.date_range(start, end, freq="D"):
        day = d.date()
        if is_trading_day(calendar, day):
            out.append(day)
    return out
