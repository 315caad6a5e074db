"""Aggregating integer bars into longer ones, grouped by :func:`infoway_widgets.market.bar_opens`."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..market import Instrument, Interval, bar_opens
from ..market.ohlcv import OHLCV, group_ohlcv
from ..market.sessions import zone
from .history import Bars


def group(b: Bars, keys: np.ndarray) -> Bars:
    """One bar per run of equal ``keys`` (``b`` sorted by time; keys < 0 are dropped)."""
    ok = keys >= 0
    if not ok.all():
        b, keys = b.select(ok), keys[ok]
    if len(keys) == 0:
        return Bars.empty()
    opens, bars = group_ohlcv(keys.astype(np.int64), OHLCV(b.o, b.h, b.l, b.c, b.v, b.vw))
    return Bars(opens, *bars)


def aggregate_minutes(inst: Instrument, iv: Interval, minutes: Bars) -> Bars:
    """Intraday or daily bars from 1-minute bars (a minute's open time places it, as for trades)."""
    if len(minutes) == 0:
        return Bars.empty()
    return group(minutes, bar_opens(inst, iv, minutes.t))


def _period_start(d: dt.date, name: str) -> dt.date:
    if name == "1w":
        return d - dt.timedelta(days=d.weekday())
    if name == "1M":
        return d.replace(day=1)
    if name == "1Q":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    return d.replace(month=1, day=1)


def aggregate_days(inst: Instrument, iv: Interval, daily: Bars) -> Bars:
    """Weekly, monthly, quarterly or yearly bars from daily bars.

    Opens follow :mod:`infoway_widgets.market.sessions`: local midnight of the Monday / the 1st.
    """
    if len(daily) == 0:
        return Bars.empty()
    tz = dt.timezone.utc if inst.is_24h else zone(inst.tz)
    cache: dict[int, int] = {}
    keys = np.empty(len(daily), dtype=np.int64)
    for i, t in enumerate(daily.t.tolist()):
        # +12 h lands inside the trading day even for forex, whose day opens 17:00 the evening before
        d = dt.datetime.fromtimestamp(t / 1000 + 43200, tz=tz).date()
        start = _period_start(d, iv.name)
        k = start.toordinal()
        if k not in cache:
            cache[k] = int(dt.datetime.combine(start, dt.time(), tzinfo=tz).timestamp() * 1000)
        keys[i] = cache[k]
    return group(daily, keys)
