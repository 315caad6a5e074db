"""The simulated market: every instrument's history, live engine, bars and lesson knobs."""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import BadParameterError, UnknownSymbolError
from ..market import (
    BY_KLINE,
    Instrument,
    Interval,
    auction_bounds,
    bar_open,
    last_session_day,
    session_bounds,
)
from .bars import aggregate_days, aggregate_minutes
from .bridge import MinuteArchive
from .clock import SimClock
from .engine import Engine, Knob
from .events import Event, SimDepth, SimTrade
from .factor import FactorSource
from .history import COLS, Bars, History, build_history, minute_grid
from .units import Units, units_for
from .universe import Profile, default_profiles, extra_profiles

#: (t, o, h, l, c, v, vw, previous close) in integer units
SimCandle = tuple[int, int, int, int, int, int, int, int]


class SimInstrument:
    """One instrument's simulation: history, live engine, live minute bars, last trade and book."""

    def __init__(self, profile: Profile, seed: int, factor: FactorSource, start_ms: int) -> None:
        inst = profile.inst
        self.profile = profile
        self.inst = inst
        self.units: Units = units_for(inst)
        live_day = last_session_day(inst, start_ms)
        bounds = session_bounds(inst, live_day)
        auc = auction_bounds(inst, live_day)
        minute0 = start_ms - start_ms % 60_000
        if start_ms <= bounds[0][0]:
            # the clock starts at (or before) the open: replay the whole day, call auction first
            engine_start = min(minute0, (auc[1] if auc else bounds[0][0]) // 60_000 * 60_000)
            fresh = True
        else:
            engine_start = minute0
            fresh = False
        self.history: History = build_history(profile, seed, live_day, engine_start)
        h = self.history
        #: the minutes of the days before the live one, drawn when a request reaches them
        self.archive = MinuteArchive(profile, seed, h.days, h.daily)
        self.engine = Engine(
            profile, seed, factor, engine_start, h.last, h.prev_close, None if fresh else live_day
        )
        self.live: list[list[int]] = []  # live 1-minute bars [t, o, h, l, c, v, vw]
        self.last_trade: SimTrade | None = None
        self.book: SimDepth = self.engine.snapshot()
        self._daily_hist: Bars | None = None

    # ---- live ------------------------------------------------------------------------------
    def absorb(self, events: list[Event]) -> None:
        """Fold released events into live minute bars, last trade and book."""
        trades = [e for e in events if isinstance(e, SimTrade)]
        for e in events:
            if isinstance(e, SimDepth):
                self.book = e
        if not trades:
            return
        live = self.live
        for e in trades:
            if e.td == 0 and self.inst.auction is not None:
                # an auction print belongs to the first bar of the day (bar_opens decides)
                bo = bar_open(self.inst, "1m", e.t)
                if bo is None:
                    continue
            else:
                # the engine prints continuous trades only inside minute-aligned sessions, where
                # bar_opens(1m) is the minute itself (tests check this against bar_opens)
                bo = e.t - e.t % 60_000
            pv = e.p * e.v
            if live and live[-1][0] == bo:
                b = live[-1]
                if e.p > b[2]:
                    b[2] = e.p
                if e.p < b[3]:
                    b[3] = e.p
                b[4] = e.p
                b[5] += e.v
                b[6] += pv
            else:
                live.append([bo, e.p, e.p, e.p, e.p, e.v, pv])
        self.last_trade = trades[-1]

    # ---- bars ------------------------------------------------------------------------------
    def minutes(self) -> Bars:
        """The live day's minute bars: those before the engine started, then the live ones."""
        if not self.live:
            return self.history.today
        arr = np.array(self.live, dtype=np.int64)
        live = Bars(*(arr[:, k] for k in range(7)))
        return self.history.today.concat(live)

    def minutes_before(self, limit_ms: int | None, count: int) -> Bars:
        """At least the newest ``count`` minute bars opening before ``limit_ms`` (all of them when
        the history has fewer), past days drawn from the archive as far back as that needs."""
        m = self.minutes()
        if limit_ms is not None:
            m = m.select(m.t < limit_ms)
        parts = [m]
        total = len(m)
        daily = self.history.daily
        i = len(daily) - 1
        if limit_ms is not None:
            i = int(np.searchsorted(daily.t, limit_ms, "left")) - 1
        while total < count and i >= 0:
            b = self.archive.day(i)
            if limit_ms is not None and len(b) and b.t[-1] >= limit_ms:
                b = b.select(b.t < limit_ms)
            parts.append(b)
            total += len(b)
            i -= 1
        if len(parts) == 1:
            return m
        return Bars(*(np.concatenate([getattr(b, k) for b in reversed(parts)]) for k in COLS))

    def daily(self) -> Bars:
        """Every daily bar, the current day's included (forming)."""
        day = BY_KLINE[8]
        if self._daily_hist is None:
            # history never changes: aggregate the live day's early minutes once
            self._daily_hist = self.history.daily.concat(
                aggregate_minutes(self.inst, day, self.history.today)
            )
        hist = self._daily_hist
        if not self.live:
            return hist
        arr = np.array(self.live, dtype=np.int64)
        live = aggregate_minutes(self.inst, day, Bars(*(arr[:, k] for k in range(7))))
        if len(hist) and len(live) and hist.t[-1] == live.t[0]:
            # the day the engine took over mid-session: history minutes and live minutes share it
            n = len(hist) - 1
            merged = Bars(
                np.array([hist.t[n]]),
                np.array([hist.o[n]]),
                np.array([max(hist.h[n], live.h[0])]),
                np.array([min(hist.l[n], live.l[0])]),
                np.array([live.c[0]]),
                np.array([hist.v[n] + live.v[0]]),
                np.array([hist.vw[n] + live.vw[0]]),
            )
            rest = live.select(np.arange(len(live)) >= 1)
            return hist.select(np.arange(len(hist)) < n).concat(merged).concat(rest)
        return hist.concat(live)

    def series(self, iv: Interval, need: int, end_ms: int | None = None) -> Bars:
        """At least the newest ``need`` bars of ``iv`` (ending at ``end_ms``), oldest first."""
        if iv.intraday:
            per = max(1, iv.seconds // 60)
            keep = (need + 2) * per
            m = self.minutes_before(None if end_ms is None else end_ms + iv.ms, keep)
            cut = len(m) > keep
            if cut:
                m = m.select(np.arange(len(m)) >= len(m) - keep)
            bars = aggregate_minutes(self.inst, iv, m)
            if cut and len(bars) > 1:
                # the oldest group may have lost minutes to the cut; a bar spans at most `per`
                # minutes, so at least need + 1 whole bars remain after dropping it
                bars = bars.select(np.arange(len(bars)) >= 1)
        else:
            bars = self.daily()
            if iv.kline_type > 8:
                bars = aggregate_days(self.inst, iv, bars)
        if end_ms is not None:
            bars = bars.select(bars.t <= end_ms)
        return bars


def _newest_first(b: Bars, count: int) -> list[SimCandle]:
    n = len(b)
    out: list[SimCandle] = []
    t, o, h, lo, c, v, vw = (x.tolist() for x in (b.t, b.o, b.h, b.l, b.c, b.v, b.vw))
    for i in range(n - 1, max(-1, n - 1 - count), -1):
        prev = c[i - 1] if i > 0 else o[i]
        out.append((t[i], o[i], h[i], lo[i], c[i], v[i], vw[i], prev))
    return out


class SimMarket:
    """A deterministic simulated market over a default universe (plus generated A-shares).

    Parameters
    ----------
    seed : int
        Everything the market does is a function of the seed, the options and simulated time.
    clock : SimClock, optional
        Simulated time; default a session clock at real speed.
    extra_symbols : int
        Generated A-shares added to the default universe (Shanghai 603xxx / Shenzhen 002xxx).
    profiles : list of Profile, optional
        Replace the default universe.
    """

    def __init__(
        self,
        seed: int = 1,
        clock: SimClock | None = None,
        extra_symbols: int = 0,
        profiles: list[Profile] | None = None,
    ) -> None:
        self.seed = int(seed)
        self.clock = clock or SimClock()
        base = profiles if profiles is not None else default_profiles()
        extra = extra_profiles(extra_symbols, {p.inst.code for p in base}) if extra_symbols else []
        self.profiles: dict[str, Profile] = {p.inst.code: p for p in [*base, *extra]}
        self.factor = FactorSource(self.seed)
        self._sims: dict[str, SimInstrument] = {
            code: SimInstrument(p, self.seed, self.factor, self.clock.start_ms(p.inst.market))
            for code, p in self.profiles.items()
        }
        self._knob_seq = itertools.count()

    # ---- lookup ----------------------------------------------------------------------------
    @property
    def instruments(self) -> dict[str, Instrument]:
        return {c: p.inst for c, p in self.profiles.items()}

    def get(self, code: str) -> SimInstrument | None:
        """The simulation of ``code`` (exact wire spelling), or None if the market lacks it."""
        return self._sims.get(code)

    def sim(self, code: str) -> SimInstrument:
        s = self._sims.get(code)
        if s is None:
            raise UnknownSymbolError(
                f"{code!r} is not in the simulated market; known codes: {', '.join(list(self._sims)[:12])}"
                " … (add generated A-shares with extra_symbols=N)"
            )
        return s

    def now_ms(self, code: str) -> int:
        return self.clock.now_ms(self.sim(code).inst.market)

    # ---- time ------------------------------------------------------------------------------
    def advance(self) -> list[Event]:
        """Release every event up to the clock's now; returns them (per symbol in time order)."""
        out: list[Event] = []
        for s in self._sims.values():
            ev = s.engine.advance(self.clock.now_ms(s.inst.market))
            if ev:
                s.absorb(ev)
                out.extend(ev)
        return out

    # ---- data ------------------------------------------------------------------------------
    def candles(
        self, code: str, kline_type: int, count: int, end_ms: int | None = None
    ) -> list[SimCandle]:
        """The newest ``count`` candles (with ``t <= end_ms``), newest first, integer units."""
        s = self.sim(code)
        iv = BY_KLINE[kline_type]
        return _newest_first(s.series(iv, count + 1, end_ms), count)

    def current_bar(self, code: str, kline_type: int) -> SimCandle | None:
        """The bar forming now (or the latest one) with its previous close."""
        got = self.candles(code, kline_type, 1)
        return got[0] if got else None

    def last_trade(self, code: str) -> SimTrade:
        """The latest trade released; before any, the last history close as a neutral print."""
        s = self.sim(code)
        if s.last_trade is not None:
            return s.last_trade
        h = s.history
        if len(h.today):
            t = int(h.today.t[-1]) + 59_000
        elif h.days:
            t = int(minute_grid(s.inst, h.days[-1])[-1]) + 59_000
        else:
            t = self.now_ms(code)
        return SimTrade(t, code, s.history.last, s.engine.lot_units, 0)

    def depth(self, code: str) -> SimDepth:
        s = self.sim(code)
        return s.book

    # ---- lesson knobs ------------------------------------------------------------------------
    def _knob(self, code: str, kind: str, arg: object = None) -> int:
        s = self.sim(code)
        now = self.clock.now_ms(s.inst.market)
        # effective at the next whole simulated second: later than anything already released
        t = max(now, s.engine.released_to) // 1000 * 1000 + 1000
        s.engine.add_knob(Knob(t, kind, arg, next(self._knob_seq)))
        return t

    def inject(self, symbol: str, kind: str = "large_buy", size: float | None = None) -> int:
        """Send a large marketable order that walks the book.

        Parameters
        ----------
        symbol : str
        kind : {"large_buy", "large_sell"}
        size : float, optional
            Volume in shares / coins / ounces (A-shares: rounded to lots of 100); default 40 × the
            typical order.

        Returns
        -------
        int
            The simulated instant (UTC ms) the order arrives.
        """
        if kind not in ("large_buy", "large_sell"):
            raise BadParameterError(f"kind must be 'large_buy' or 'large_sell', not {kind!r}")
        s = self.sim(symbol)
        units = (size if size is not None else s.profile.size * 40) * 10**s.units.vd
        return self._knob(symbol, "inject", (kind, units))

    def halt(self, symbol: str) -> int:
        """Suspend trading of ``symbol`` (no trades, book frozen) until :meth:`resume`."""
        return self._knob(symbol, "halt")

    def resume(self, symbol: str) -> int:
        """Resume trading after :meth:`halt`."""
        return self._knob(symbol, "resume")

    def set_volatility(self, symbol: str | None, x: float) -> list[int]:
        """Multiply volatility by ``x`` (1 = normal) for ``symbol``, or every symbol when None."""
        if not x or x < 0:
            raise BadParameterError(f"volatility multiplier must be positive, not {x!r}")
        codes = [symbol] if symbol is not None else list(self._sims)
        return [self._knob(c, "vol", float(x)) for c in codes]

    def drive_to_limit(self, symbol: str, direction: str | None = "up") -> int:
        """Push an A-share to its daily limit and hold it there (``None`` releases it).

        At limit-up the ask side empties and trades print at the limit price.
        """
        s = self.sim(symbol)
        if s.inst.price_limit is None:
            raise BadParameterError(
                f"{symbol} has no daily price limit; drive_to_limit needs an A-share"
            )
        if direction not in ("up", "down", None):
            raise BadParameterError(f"direction must be 'up', 'down' or None, not {direction!r}")
        return self._knob(symbol, "drive", direction)

    def limits(self, code: str) -> tuple[int, int] | None:
        """Today's (limit-down, limit-up) in units for an A-share, from the engine's current day."""
        return self.sim(code).engine.state.limits

    def prev_close(self, code: str) -> int:
        return self.sim(code).engine.state.prev_close


__all__ = ["SimCandle", "SimInstrument", "SimMarket"]
