"""Order-flow views of the market state: a symbol's money flow under some thresholds, and its
volume profile over the day or a time range of its tape. Reads only; the counting happens as
trades are ingested (:mod:`.moneyflow`, :mod:`.volume_profile`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..market import Instrument
from .moneyflow import MoneyFlowDay, MoneyFlows, Thresholds
from .state import MarketState, price_step
from .volume_profile import ProfileDay, profile_frame


def time_ms(when: Any) -> int:
    """UTC ms of a time (a number is taken as ms already; a naive time as UTC)."""
    if isinstance(when, (int, float, np.integer, np.floating)):
        return int(when)
    ts = pd.Timestamp(when)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.value // 1_000_000)


def money_flow_day(state: MarketState, inst: Instrument, th: Thresholds) -> MoneyFlowDay:
    """The day's money flow of ``inst`` under ``th``. Thresholds asked for the first time start
    from the day's trades the tape still holds (``since`` says from when)."""
    money = state.money.get(inst.code)
    if money is None:
        money = state.money[inst.code] = MoneyFlows()
    day, fresh = money.day(th)
    if fresh:
        ref = next(iter(money.days.values()))
        tape = state.tapes.get(inst.code)
        if tape is not None and ref.day_open is not None:
            got = tape.since(0)
            keep = got["t"] >= (ref.since if ref.since is not None else 0)
            day.add(
                ref.day_open,
                got["t"][keep],
                got["volume"][keep],
                got["turnover"][keep],
                got["direction"][keep],
            )
            day.gap_since = ref.gap_since
    return day


def volume_profile(
    state: MarketState, inst: Instrument, start: Any, end: Any, share: float
) -> pd.DataFrame:
    """The day's profile of ``inst``, or (with ``start`` / ``end``) that of its tape's trades in
    ``[start, end)``."""
    if start is None and end is None:
        day = state.profiles.get(inst.code) or ProfileDay(price_step(inst))
        return day.frame(share)
    tape = state.tapes.get(inst.code)
    if tape is None:
        e = np.zeros(0)
        return profile_frame(e, e, e, price_step(inst), share)
    got = tape.since(0)
    t = got["t"]
    lo = time_ms(start) if start is not None else np.iinfo(np.int64).min
    hi = time_ms(end) if end is not None else np.iinfo(np.int64).max
    keep = (t >= lo) & (t < hi)
    return profile_frame(
        got["price"][keep], got["volume"][keep], got["direction"][keep], price_step(inst), share
    )
