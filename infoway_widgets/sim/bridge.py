"""Minute bars of a past trading day, drawn to add up exactly to that day's daily bar.

The daily walk fixes each day's open, high, low, close, volume and turnover; a day's minutes are a
random path from the open to the close that touches the high and the low, with volumes and
turnovers that sum to the day's. They depend only on the seed, the code and the day, so any day can
be drawn again later, in any order, with the same bars: history can be as deep as a chart scrolls
without being kept in memory.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict

import numpy as np

from .history import Bars, Rounder, lot_units, minute_grid, minutes_per_year
from .units import units_for
from .universe import Profile, stable_int

#: (open, high, low, close, volume, turnover) of one daily bar, in units
DayBar = tuple[int, int, int, int, int, int]

#: minutes an archive keeps drawn (about 56 bytes each): a year of A-share days, a quarter of crypto
KEEP_MINUTES = 120_000


class MinuteArchive:
    """The minute bars of an instrument's past trading days, drawn from their daily bars when asked
    for; the most recently used days are kept, up to ``keep`` minutes in all.

    Parameters
    ----------
    profile : Profile
    seed : int
    days : tuple of datetime.date
        The trading days of ``daily``, oldest first.
    daily : Bars
        One daily bar per day.
    keep : int
        Most minutes held at once.
    """

    def __init__(
        self,
        profile: Profile,
        seed: int,
        days: tuple[dt.date, ...],
        daily: Bars,
        keep: int = KEEP_MINUTES,
    ) -> None:
        self.profile = profile
        self.seed = seed
        self.days = days
        self.daily = daily
        self.keep = keep
        self._held: OrderedDict[int, Bars] = OrderedDict()
        self._minutes = 0

    def __len__(self) -> int:
        return len(self.days)

    @property
    def held(self) -> int:
        """Minutes held now (never more than ``keep``, bar the latest day drawn)."""
        return self._minutes

    def day(self, i: int) -> Bars:
        """Minute bars of ``days[i]``."""
        got = self._held.get(i)
        if got is not None:
            self._held.move_to_end(i)
            return got
        d = self.daily
        bar = (int(d.o[i]), int(d.h[i]), int(d.l[i]), int(d.c[i]), int(d.v[i]), int(d.vw[i]))
        got = bridge_day(self.profile, self.seed, self.days[i], bar)
        self._held[i] = got
        self._minutes += len(got)
        while self._minutes > self.keep and len(self._held) > 1:
            _, old = self._held.popitem(last=False)
            self._minutes -= len(old)
        return got


def bridge_day(profile: Profile, seed: int, day: dt.date, bar: DayBar) -> Bars:
    """Minute bars of ``day`` whose aggregate is ``bar`` (open, high, low, close, volume, turnover).

    Parameters
    ----------
    profile : Profile
    seed : int
    day : datetime.date
        A trading day of the instrument's calendar.
    bar : tuple of int
        The day's bar from the daily walk.

    Returns
    -------
    Bars
        One bar per minute of the day's sessions, oldest first.
    """
    inst = profile.inst
    u = units_for(inst)
    o, h, lo, c, v, vw = (int(x) for x in bar)
    grid = minute_grid(inst, day)
    n = len(grid)
    if n == 0:
        return Bars.empty()
    rng = np.random.Generator(
        np.random.PCG64([seed, stable_int("bridge", inst.code), day.toordinal()])
    )
    z = rng.standard_normal((n, 4))
    rnd = Rounder(profile, u)
    closes = _path(rnd, z[:, 0], o, h, lo, c, vw / v if v else (o + c) / 2)
    opens = np.empty(n, dtype=np.int64)
    opens[0] = o
    opens[1:] = closes[:-1]
    sig = profile.vol / math.sqrt(minutes_per_year(inst.market))
    hi = np.clip(rnd(np.maximum(opens, closes) * np.exp(np.abs(z[:, 1]) * 0.4 * sig)), lo, h)
    low = np.clip(rnd(np.minimum(opens, closes) * np.exp(-np.abs(z[:, 2]) * 0.4 * sig)), lo, h)
    hi = np.maximum(hi, np.maximum(opens, closes))
    low = np.minimum(low, np.minimum(opens, closes))
    # the path reaches the day's extremes; rounding may have kept it a tick short of one
    hi[int(np.argmax(hi))] = h
    low[int(np.argmin(low))] = lo
    vols = _volumes(z[:, 3], (opens + hi + low + closes) / 4, v, vw, lot_units(profile, u))
    vols = _reach_turnover(vols, hi, low, vw, lot_units(profile, u))
    turnover = _turnovers(vols, hi, low, vw)
    return Bars(grid.astype(np.int64), opens, hi, low, closes, vols, turnover)


def _path(
    rnd: Rounder, steps: np.ndarray, o: int, h: int, lo: int, c: int, vwap: float
) -> np.ndarray:
    """Minute closes from the day's open to its close that reach its high and its low.

    A line from open to close, bent so that its mean is the day's volume-weighted price (then
    volumes need little tilt to match the turnover), plus a random walk pinned to zero at both
    ends whose rises are stretched to reach the high and whose falls to reach the low.
    """
    n = len(steps)
    k = np.arange(1, n + 1, dtype=np.float64)
    line = o + (c - o) * k / n
    bend = np.sin(np.pi * k / n)
    margin = 0.1 * (h - lo)
    a = (vwap - float(line.mean())) / max(float(bend.mean()), 1e-9)
    if a > 0:
        a = min(a, float(np.min((h - margin - line) / np.maximum(bend, 1e-9))))
        a = max(a, 0.0)
    elif a < 0:
        a = max(a, float(np.max((lo + margin - line) / np.maximum(bend, 1e-9))))
        a = min(a, 0.0)
    base = line + a * bend
    w = np.cumsum(steps)
    walk = w - k / n * w[-1]
    walk[-1] = 0.0
    up = np.where(walk > 0, walk, 0.0)
    down = np.where(walk < 0, -walk, 0.0)
    path = base.copy()
    if up.max() > 0:
        path += up * float(np.min((h - base[up > 0]) / up[up > 0]))
    if down.max() > 0:
        path -= down * float(np.min((base[down > 0] - lo) / down[down > 0]))
    closes = np.clip(rnd(path), lo, h)
    closes[-1] = c
    return closes


def _volumes(noise: np.ndarray, mids: np.ndarray, v: int, vw: int, lot: int) -> np.ndarray:
    """Minute volumes in whole lots summing to ``v``, tilted toward the prices where the day's
    turnover says it traded (its volume-weighted price ``vw / v``)."""
    n = len(noise)
    target = vw / v if v else float(np.mean(mids))
    span = max(float(np.max(mids) - np.min(mids)), 1.0)
    x = (mids - target) / span
    # the weighted mean price rises with the tilt: pick the tilt nearest the target, twice finer
    lo_b, hi_b = -8.0, 8.0
    for _ in range(2):
        betas = np.linspace(lo_b, hi_b, 33)
        e = betas[:, None] * x[None, :] + 0.5 * noise[None, :]
        w = np.exp(e - e.max(axis=1, keepdims=True))
        means = (w @ mids) / w.sum(axis=1)
        k = int(np.clip(np.searchsorted(means, target), 1, len(betas) - 1))
        lo_b, hi_b = float(betas[k - 1]), float(betas[k])
    weights = w[k] / w[k].sum()
    lots = v // lot
    floor = 1 if lots >= n else 0  # a lot in every minute when the day has enough
    share = weights * (lots - floor * n)
    got = np.floor(share).astype(np.int64)
    left = int(lots - floor * n - got.sum())
    if left > 0:
        got[np.argsort(share - got)[::-1][:left]] += 1
    vols = (got + floor) * lot
    vols[int(np.argmax(vols))] += v - int(vols.sum())  # a volume not in whole lots
    return vols


def _reach_turnover(
    vols: np.ndarray, hi: np.ndarray, low: np.ndarray, vw: int, lot: int
) -> np.ndarray:
    """Move lots toward the day's high (or low) minute until ``vw`` lies between the least and the
    most turnover the minutes can carry; rarely needed after the tilt of :func:`_volumes`."""
    most = int((hi * vols).sum())
    least = int((low * vols).sum())
    if least <= vw <= most:
        return vols
    vols = vols.copy()
    if vw > most:
        need, dest = vw - most, int(np.argmax(hi))
        gain, order = hi[dest] - hi, np.argsort(hi)
    else:
        need, dest = least - vw, int(np.argmin(low))
        gain, order = low - low[dest], np.argsort(low)[::-1]
    for i in order.tolist():
        if need <= 0:
            break
        if i == dest or gain[i] <= 0 or vols[i] <= 0:
            continue
        per_lot = int(gain[i]) * lot
        take = min(int(vols[i]) // lot, -(-need // per_lot))
        vols[i] -= take * lot
        vols[dest] += take * lot
        need -= take * per_lot
    return vols


def _spread(amount: int, room: np.ndarray) -> np.ndarray:
    """``amount`` split into integers, none above its ``room``, filled in order."""
    before = np.cumsum(room) - room
    return np.clip(amount - before, 0, room)


def _turnovers(vols: np.ndarray, hi: np.ndarray, low: np.ndarray, vw: int) -> np.ndarray:
    """Minute turnovers summing to ``vw``, each at a price inside its minute's range."""
    least = low * vols
    slack = (hi - low) * vols
    total = int(slack.sum())
    rest = vw - int(least.sum())
    if total <= 0:
        out = least.copy()
        out[0] += rest  # a flat day: every minute at one price, nothing to place
        return out
    rest = min(max(rest, 0), total)
    # in proportion to each minute's range (floats), then exact to the unit
    part = np.clip(np.floor(slack * (rest / total)).astype(np.int64), 0, slack)
    left = rest - int(part.sum())
    if left > 0:
        part += _spread(left, slack - part)
    elif left < 0:
        part -= _spread(-left, part)
    return least + part
