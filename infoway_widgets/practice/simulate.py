"""Practice markets drawn from a seed: the simulated market's own price process, day by day.

The context (the day before, or sixty days before a daily round) comes from the simulated
market's daily walk, so it is the history ``infoway-widgets serve --seed N`` shows; the days of
the round chain from it, each opening from the previous close and kept inside its price limits.
Everything depends on the seed, the symbol, the days and the scenario only: the same arguments
give the same bars in every process and on every machine.

A *scenario* scripts the first day of the round: ``"limit_up"`` rallies to the limit-up and seals
there (every later bar of the day trades only at the limit), ``"limit_down"`` the mirror image.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from ..errors import BadParameterError
from ..market import Instrument, parse_interval, parse_symbol, trading_days
from ..market.sessions import local_date
from ..sim.bars import aggregate_minutes
from ..sim.bridge import bridge_day
from ..sim.history import HIST_EPOCH, Bars, daily_walk, minute_day
from ..sim.units import units_for
from ..sim.universe import Profile, default_profiles, stable_int
from .market import COLUMNS, PracticeMarket

#: trading days a seed picks a round's start from (inside the simulated history)
START_RANGE = (dt.date(2024, 4, 1), dt.date(2025, 12, 31))
#: daily bars shown before a daily round
DAILY_CONTEXT = 60
SCENARIOS = ("limit_up", "limit_down")
MARKETS = ("CN", "HK", "US")


def profile_for(inst: Instrument) -> Profile:
    """The simulated market's profile of ``inst``, or a made-up one of the same market."""
    for p in default_profiles():
        if p.inst.code == inst.code:
            return p
    h = stable_int("practice", inst.code)
    price = 5.0 + (h % 9500) / 100.0
    vol = 0.25 + (h >> 20) % 25 / 100.0
    size = 3000.0 if inst.market == "CN" else 500.0
    return Profile(inst, inst.code, inst.code, price, vol, 0.5, 0.5, size, inst.market)


def practice_instrument(symbol: str) -> Instrument:
    """``symbol`` as the simulated market names it; only stock markets are practised."""
    inst = parse_symbol(symbol)
    if inst.market not in MARKETS:
        raise BadParameterError(
            f"practice rounds trade stocks (A-shares, Hong Kong, US); {inst.code} is "
            f"{inst.market}: pick a code such as 600519.SH, 00700.HK or AAPL.US"
        )
    return profile_for(inst).inst


def round_days(inst: Instrument, days: int, start: dt.date | None, seed: int) -> list[dt.date]:
    """``days`` consecutive trading days from ``start`` (None: a day picked by ``seed``)."""
    if days < 1:
        raise BadParameterError(f"a practice round plays at least one day, not days={days}")
    cal = inst.calendar
    if start is None:
        pool = trading_days(cal, *START_RANGE)
        start = pool[stable_int("practice-start", seed, inst.code) % len(pool)]
    if start < HIST_EPOCH + dt.timedelta(days=100):
        raise BadParameterError(
            f"the simulated history starts {HIST_EPOCH}; start a practice round after "
            f"{HIST_EPOCH + dt.timedelta(days=100)}"
        )
    out = trading_days(cal, start, start + dt.timedelta(days=days * 2 + 20))[:days]
    while len(out) < days:  # a long round: widen the window
        out = trading_days(cal, start, start + dt.timedelta(days=days * 3 + 60))[:days]
    return out


def simulate(
    symbol: str,
    *,
    days: int = 1,
    start: dt.date | None = None,
    interval: str = "1m",
    seed: int = 1,
    scenario: str | None = None,
) -> PracticeMarket:
    """A practice market of ``symbol`` from the simulated market of ``seed``.

    Parameters
    ----------
    symbol : str
    days : int
        Trading days the round plays.
    start : datetime.date, optional
        Its first day (the next trading day if it is not one); None picks one from the seed.
    interval : str
        Bar interval of the round, ``"1m"`` to ``"1d"``.
    seed : int
    scenario : str, optional
        ``"limit_up"`` or ``"limit_down"``: script the first day (see the module notes).
    """
    inst = practice_instrument(symbol)
    iv = parse_interval(interval)
    if iv.name not in ("1m", "5m", "15m", "30m", "1h", "1d"):
        raise BadParameterError(
            f"practice rounds use 1m, 5m, 15m, 30m, 1h or 1d bars, not {interval!r}"
        )
    if scenario is not None and scenario not in SCENARIOS:
        raise BadParameterError(
            f"scenario is one of {', '.join(SCENARIOS)} or None, not {scenario!r}"
        )
    if scenario is not None and inst.price_limit is None:
        raise BadParameterError(
            f"{inst.code} has no price limits: a {scenario} day needs an A-share"
        )
    prof = profile_for(inst)
    play = round_days(inst, days, start, seed)
    rng = np.random.Generator(np.random.PCG64([seed, stable_int("scenario", inst.code)]))
    if iv.name == "1d":
        return _daily(prof, seed, play, scenario, rng)
    return _intraday(prof, seed, play, iv.name, scenario, rng)


def _walk(prof: Profile, seed: int, before: dt.date) -> tuple[list[dt.date], Bars, int]:
    hist = trading_days(prof.inst.calendar, HIST_EPOCH, before - dt.timedelta(days=1))
    daily, last = daily_walk(prof, seed, hist)
    return hist, daily, last


def _intraday(
    prof: Profile,
    seed: int,
    play: list[dt.date],
    interval: str,
    scenario: str | None,
    rng: np.random.Generator,
) -> PracticeMarket:
    inst = prof.inst
    hist, daily, _ = _walk(prof, seed, play[0])
    # the day before the round, as the simulated market's history has it
    j = len(hist) - 1
    ctx_bar = tuple(int(getattr(daily, k)[j]) for k in ("o", "h", "l", "c", "v", "vw"))
    ctx_prev = int(daily.c[j - 1])
    pieces = [bridge_day(prof, seed, hist[j], ctx_bar)]  # type: ignore[arg-type]
    prev = [ctx_prev, ctx_bar[3]]
    close = ctx_bar[3]
    for k, day in enumerate(play):
        m = minute_day(prof, seed, day, close)
        if k == 0 and scenario is not None:
            m = _scripted(prof, m, close, scenario, rng)
        pieces.append(m)
        close = int(m.c[-1])
        prev.append(close)
    iv = parse_interval(interval)
    cols: dict[str, list[np.ndarray]] = {c: [] for c in COLUMNS}
    day_idx: list[np.ndarray] = []
    for d, mins in enumerate(pieces):
        b = mins if iv.name == "1m" else aggregate_minutes(inst, iv, mins)
        for c in COLUMNS:
            cols[c].append(getattr(b, c))
        day_idx.append(np.full(len(b), d, dtype=np.int64))
    first = len(day_idx[0])
    return _market(inst, interval, cols, day_idx, [hist[j], *play], prev[:-1], first)


def _daily(
    prof: Profile, seed: int, play: list[dt.date], scenario: str | None, rng: np.random.Generator
) -> PracticeMarket:
    inst = prof.inst
    hist, _, _ = _walk(prof, seed, play[0])
    everything = [*hist, *play]
    daily, _ = daily_walk(prof, seed, everything)
    n_ctx = min(DAILY_CONTEXT, len(hist) - 1)
    lo = len(hist) - n_ctx
    b = daily.select(np.arange(len(daily)) >= lo - 1)  # one more: the first context day's base
    prev = [int(x) for x in b.c[:-1]]
    b = b.select(np.arange(len(b)) >= 1)
    if scenario is not None:
        k = n_ctx  # the round's first day
        lim = _limits_units(prof, prev[k])
        target = lim[1] if scenario == "limit_up" else lim[0]
        b.c[k] = target
        if scenario == "limit_up":
            b.h[k] = target
            b.o[k] = min(b.o[k], target)
        else:
            b.l[k] = target
            b.o[k] = max(b.o[k], target)
        b.h[k] = max(b.h[k], b.o[k])
        b.l[k] = min(b.l[k], b.o[k])
        # the chain continues from the scripted close, inside each later day's limits
        for i in range(k + 1, len(b)):
            ratio = b.c[i - 1] / prev[i]
            prev[i] = int(b.c[i - 1])
            lim_i = _limits_units(prof, prev[i])
            for c in ("o", "h", "l", "c"):
                arr = getattr(b, c)
                arr[i] = min(max(round(arr[i] * ratio), lim_i[0]), lim_i[1])
            b.h[i] = max(b.h[i], b.o[i], b.c[i])
            b.l[i] = min(b.l[i], b.o[i], b.c[i])
            b.vw[i] = b.v[i] * ((b.o[i] + b.h[i] + b.l[i] + b.c[i]) // 4)
    cols = {c: [getattr(b, c)] for c in COLUMNS}
    day_idx = [np.arange(len(b), dtype=np.int64)]
    return _market(inst, "1d", cols, day_idx, everything[lo:], prev, n_ctx)


def _limits_units(prof: Profile, prev_close: int) -> tuple[int, int]:
    u = units_for(prof.inst)
    lim = prof.inst.price_limits(prev_close / 10**u.pd)
    assert lim is not None
    return u.to_units(lim[0]), u.to_units(lim[1])


def _scripted(
    prof: Profile, m: Bars, prev_close: int, scenario: str, rng: np.random.Generator
) -> Bars:
    """A day that runs to a limit and seals there (see the module notes)."""
    down, up = _limits_units(prof, prev_close)
    target = up if scenario == "limit_up" else down
    n = len(m)
    seal = int(rng.integers(n // 5, n // 2))
    o0 = int(m.o[0])
    # the day's own wiggles around a straight line (in log price) from the open to the limit
    base = np.log(m.c.astype(float))
    wiggle = base - np.linspace(base[0], base[-1], n)
    line = np.linspace(math.log(o0), math.log(target), seal + 1)[1:]
    path = np.exp(line + 0.5 * wiggle[:seal] * np.linspace(1, 0, seal))
    closes = np.empty(n, dtype=np.int64)
    closes[:seal] = np.clip(np.round(path), down, up).astype(np.int64)
    closes[seal - 1 :] = target
    opens = np.concatenate([[o0], closes[:-1]])
    # wicks as long, relatively, as the drawn day's own
    top, bottom = np.maximum(opens, closes), np.minimum(opens, closes)
    hi_ratio = m.h / np.maximum(m.o, m.c)
    lo_ratio = m.l / np.minimum(m.o, m.c)
    hi = np.clip(np.maximum(np.round(top * hi_ratio).astype(np.int64), top), down, up)
    lo = np.clip(np.minimum(np.round(bottom * lo_ratio).astype(np.int64), bottom), down, up)
    # sealed: every bar after the seal trades at the limit only, in thin volume
    hi[seal:] = target
    lo[seal:] = target
    opens[seal:] = target
    v = m.v.copy()
    v[seal:] = np.maximum(v[seal:] // 20, int(prof.inst.lot_size))
    vw = v * ((opens + hi + lo + closes) // 4)
    return Bars(m.t, opens.astype(np.int64), hi, lo, closes, v, vw)


def _market(
    inst: Instrument,
    interval: str,
    cols: dict[str, list[np.ndarray]],
    day_idx: list[np.ndarray],
    days: list[dt.date],
    prev: list[int],
    first: int,
) -> PracticeMarket:
    u = units_for(inst)
    scale = {"t": 1, "o": 10**u.pd, "h": 10**u.pd, "l": 10**u.pd, "c": 10**u.pd}
    scale.update(v=10**u.vd, vw=10 ** (u.pd + u.vd))
    bars = {c: np.concatenate(cols[c]).astype(np.float64) / scale[c] for c in COLUMNS}
    day = np.concatenate(day_idx)
    # a day's index follows its bars' local dates (a check that the pieces line up)
    assert local_date(inst, int(bars["t"][-1])) == days[int(day[-1])]
    return PracticeMarket(
        inst=inst,
        interval=interval,
        bars=bars,
        day=day,
        days=tuple(days),
        prev_close=tuple(p / 10**u.pd for p in prev),
        first=first,
        source="simulated",
    )


__all__ = ["SCENARIOS", "practice_instrument", "profile_for", "round_days", "simulate"]
