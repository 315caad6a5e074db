"""History before the live engine starts: a daily bar for every trading day, minute bars on demand.

A bar-level model (not tick-level) keeps start-up fast. Daily closes follow a mean-reverting log
walk from a fixed epoch (the simulated instruments' listing date), so a day's bar does not depend
on when the server starts. The minutes of a past day are drawn from its daily bar only when asked
for (:mod:`.bridge`), so they add up to it exactly and history is as deep as the daily walk; the
live day, up to the clock's start, is a walk of its own from the previous close whose day bar is
its aggregate. Every day opens from the previous day's close, so daily bars chain, and A-share
prices stay inside each day's limits.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

import numpy as np

from ..market import Instrument, bar_grid, bar_opens, session_bounds, trading_days
from .units import Units, units_for
from .universe import Profile, stable_int

#: the first day of every simulated instrument's history (its listing date, as the service says)
HIST_EPOCH = dt.date(2024, 1, 2)

COLS = ("t", "o", "h", "l", "c", "v", "vw")


@dataclass
class Bars:
    """Columns of integer bars (prices and volumes in units), oldest first."""

    t: np.ndarray
    o: np.ndarray
    h: np.ndarray
    l: np.ndarray  # noqa: E741 - the field name of the wire format
    c: np.ndarray
    v: np.ndarray
    vw: np.ndarray

    @classmethod
    def empty(cls) -> Bars:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z, z, z, z)

    def __len__(self) -> int:
        return len(self.t)

    def concat(self, other: Bars) -> Bars:
        return Bars(*(np.concatenate([getattr(self, k), getattr(other, k)]) for k in COLS))

    def select(self, mask: np.ndarray) -> Bars:
        return Bars(*(getattr(self, k)[mask] for k in COLS))


def minutes_per_year(market: str) -> float:
    return {
        "CN": 252 * 240,
        "HK": 252 * 330,
        "US": 252 * 390,
        "CRYPTO": 365 * 1440,
        "FX": 260 * 1440,
    }.get(market, 252 * 360)


class Rounder:
    """Rounds arrays of unit prices to the tick (price-dependent for Hong Kong)."""

    def __init__(self, profile: Profile, units: Units) -> None:
        self.inst = profile.inst
        self.u = units

    def __call__(self, p: np.ndarray) -> np.ndarray:
        p = np.maximum(p, 1.0)
        if self.inst.fixed_tick is not None:
            t = max(1, round(self.inst.fixed_tick * 10**self.u.pd))
            return np.maximum(t, np.round(p / t).astype(np.int64) * t)
        out = np.empty(len(p), dtype=np.int64)
        for i, x in enumerate(p.tolist()):
            t = self.u.tick_units(self.inst, max(1, int(x)))
            out[i] = max(t, round(x / t) * t)
        return out


def _limits(profile: Profile, units: Units, prev_close: int) -> tuple[int, int] | None:
    lim = profile.inst.price_limits(prev_close / 10**units.pd)
    if lim is None:
        return None
    return units.to_units(lim[0]), units.to_units(lim[1])


@functools.lru_cache(maxsize=64)
def _day_opens(
    market: str, calendar: str | None, tz: str, code: str, days: tuple[dt.date, ...]
) -> np.ndarray:
    # instruments of one market share sessions: cache per market, not per code
    from ..market import parse_symbol

    inst = parse_symbol(code)
    starts = np.array([session_bounds(inst, d)[0][0] for d in days], dtype=np.int64)
    return bar_opens(inst, "1d", starts)


def day_opens(profile: Profile, days: list[dt.date]) -> np.ndarray:
    """Open times of the daily bars of ``days`` (local midnight; crypto 00:00 UTC; FX 17:00 NY)."""
    inst = profile.inst
    return _day_opens(
        inst.market,
        inst.calendar,
        inst.tz,
        inst.code if inst.market != "CN" else "600519.SH",
        tuple(days),
    )


def minute_grid(inst: Instrument, day: dt.date) -> np.ndarray:
    """Open times of every 1-minute bar of ``day``'s sessions (read-only, shared per market)."""
    return _minute_grid(
        inst.market, inst.calendar, inst.code if inst.market != "CN" else "600519.SH", day
    )


@functools.lru_cache(maxsize=4096)
def _minute_grid(market: str, calendar: str | None, code: str, day: dt.date) -> np.ndarray:
    # every A-share has the same minutes: cache per market and day, not per code
    from ..market import parse_symbol

    inst = parse_symbol(code)
    bounds = session_bounds(inst, day)
    grid = bar_grid(inst, "1m", bounds[0][0], bounds[-1][1])
    grid.setflags(write=False)
    return grid


@functools.lru_cache(maxsize=64)
def _trading_days(calendar: str | None, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    return tuple(trading_days(calendar, start, end))


def _limit_arrays(
    profile: Profile, u: Units, prev: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Vectorised :meth:`Instrument.price_limits` for cent-priced A-shares (half-up rounding)."""
    lim = profile.inst.price_limit
    if lim is None:
        return None
    k = round(lim * 1000)
    scale = 10 ** (u.pd - 2)  # limits are rounded to the cent
    cents = prev // scale
    up = (cents * (1000 + k) + 500) // 1000 * scale
    down = np.maximum((cents * (1000 - k) + 500) // 1000, 1) * scale
    return down, up


def daily_walk(profile: Profile, seed: int, days: list[dt.date]) -> tuple[Bars, int]:
    """Daily bars for ``days`` (trading days from :data:`HIST_EPOCH`) and the last close."""
    u = units_for(profile.inst)
    rnd = Rounder(profile, u)
    rng = np.random.Generator(np.random.PCG64([seed, stable_int("daily", profile.inst.code)]))
    n = len(days)
    x0 = math.log(profile.price * 10**u.pd)
    if n == 0:
        return Bars.empty(), int(rnd(np.array([math.exp(x0)]))[0])
    z = rng.standard_normal((n, 4))
    sig = profile.vol / math.sqrt(252)
    r = sig * z[:, 0]
    if profile.inst.price_limit:
        # keep daily moves inside the limit (with room for rounding to the tick)
        cap = math.log(1 + 0.75 * profile.inst.price_limit)
        r = np.clip(r, -cap, cap)
    # mean-reverting log walk (AR(1) toward the profile price) in closed form
    a = 0.99
    j = np.arange(n)
    y = np.cumsum(r * a ** (-j.astype(float))) * a**j
    closes = rnd(np.exp(x0 + y))
    prev = np.concatenate([[int(rnd(np.array([math.exp(x0)]))[0])], closes[:-1]])
    opens = rnd(prev * np.exp(0.25 * sig * z[:, 1]))
    hi = rnd(np.maximum(opens, closes) * np.exp(np.abs(z[:, 2]) * 0.5 * sig))
    lo = rnd(np.minimum(opens, closes) * np.exp(-np.abs(z[:, 3]) * 0.5 * sig))
    lims = _limit_arrays(profile, u, prev)
    if lims is not None:
        closes = np.clip(closes, lims[0], lims[1])
        opens = np.clip(opens, lims[0], lims[1])
        hi = np.clip(hi, lims[0], lims[1])
        lo = np.clip(lo, lims[0], lims[1])
        # a clipped close changes the next day's base: walk the chain once more
        prev = np.concatenate([prev[:1], closes[:-1]])
    hi = np.maximum(hi, np.maximum(opens, closes))
    lo = np.minimum(lo, np.minimum(opens, closes))
    lot = lot_units(profile, u)
    daily_volume = (
        profile.size * 10**u.vd * profile.rate * minutes_per_year(profile.inst.market) / 252 * 60
    )
    v = np.maximum(lot, (daily_volume * np.exp(0.3 * z[:, 2]) // lot).astype(np.int64) * lot)
    vw = v * ((opens + hi + lo + closes) // 4)
    t = day_opens(profile, days)
    return Bars(t, opens, hi, lo, closes, v, vw), int(closes[-1])


def lot_units(profile: Profile, u: Units) -> int:
    if profile.inst.market in ("CN", "HK", "US"):
        return max(1, round(profile.inst.lot_size * 10**u.vd))
    return 1


def minute_day(profile: Profile, seed: int, day: dt.date, prev_close: int) -> Bars:
    """Minute bars of one whole trading day, opening from ``prev_close``."""
    inst = profile.inst
    u = units_for(inst)
    rnd = Rounder(profile, u)
    grid = minute_grid(inst, day)
    n = len(grid)
    rng = np.random.Generator(
        np.random.PCG64([seed, stable_int("minute", inst.code), day.toordinal()])
    )
    z = rng.standard_normal((n + 1, 4))
    sig = profile.vol / math.sqrt(minutes_per_year(inst.market))
    lim = _limits(profile, u, prev_close)
    gap = (
        0.25 * profile.vol / math.sqrt(252) * z[0, 0] if inst.market in ("CN", "HK", "US") else 0.0
    )
    logp = math.log(prev_close) + gap + np.cumsum(sig * z[1:, 0])
    closes = rnd(np.exp(logp))
    if lim:
        closes = np.clip(closes, lim[0], lim[1])
    opens = np.empty(n, dtype=np.int64)
    opens[0] = rnd(np.array([math.exp(math.log(prev_close) + gap)]))[0]
    if lim:
        opens[0] = min(max(opens[0], lim[0]), lim[1])
    opens[1:] = closes[:-1]
    hi = rnd(np.maximum(opens, closes) * np.exp(np.abs(z[1:, 1]) * 0.4 * sig))
    lo = rnd(np.minimum(opens, closes) * np.exp(-np.abs(z[1:, 2]) * 0.4 * sig))
    if lim:
        hi = np.clip(hi, lim[0], lim[1])
        lo = np.clip(lo, lim[0], lim[1])
    hi = np.maximum(hi, np.maximum(opens, closes))
    lo = np.minimum(lo, np.minimum(opens, closes))
    lot = lot_units(profile, u)
    v = profile.size * 10**u.vd * profile.rate * 60 * np.exp(0.5 * z[1:, 3])
    v = np.maximum(lot, (v // lot).astype(np.int64) * lot)
    vw = v * ((opens + hi + lo + closes) // 4)
    return Bars(
        grid.astype(np.int64), opens, hi, lo, closes, v.astype(np.int64), vw.astype(np.int64)
    )


@dataclass
class History:
    """An instrument's history at start-up and where the live engine takes over."""

    days: tuple[dt.date, ...]  # every trading day before live_day since HIST_EPOCH
    daily: Bars  # their daily bars (oldest first)
    today: Bars  # minute bars of live_day before the engine starts
    live_day: dt.date
    prev_close: int  # close of the day before live_day
    last: int  # last price before the engine starts


def build_history(profile: Profile, seed: int, live_day: dt.date, engine_start: int) -> History:
    """Daily history of ``profile`` before ``live_day`` and its minutes up to ``engine_start``."""
    inst = profile.inst
    days = _trading_days(inst.calendar, HIST_EPOCH, live_day - dt.timedelta(days=1))
    daily, prev_close = daily_walk(profile, seed, list(days))
    today = minute_day(profile, seed, live_day, prev_close)
    pre = today.select(today.t < engine_start)
    last = int(pre.c[-1]) if len(pre) else prev_close
    return History(days, daily, pre, live_day, prev_close, last)
