"""The tick engine of one instrument: a limit order book, trades that walk it, exchange rules.

Model (per simulated second of continuous trading):

* a *fair value* follows a log random walk driven by the market's common factor (``beta``) and an
  idiosyncratic shock, with two intensity regimes (quiet / burst) that switch at random;
* the number of trades is Poisson; each trade's side leans toward the fair value (buyers lift the
  ask when the book is below it), its size is log-normal in lots with rare large orders;
* an aggressive order walks the book level by level, printing one trade per price it takes
  (``td`` 1 = aggressor bought, 2 = sold); the book refills behind with fresh orders; limit orders
  improve the touch toward the fair value when the spread is wider than a tick;
* A-shares: prices stay inside the day's limits; at limit-up no asks are offered, buy orders queue
  at the limit and trades print there when sellers hit that queue (mirror image at limit-down);
  the 09:15-09:25 call auction is one uncrossing print at 09:25:00.

Blocks of one simulated minute are generated when the clock reaches them, from a random generator
whose state is saved at each block start. A lesson knob (halt, volatility, large order, drive to
limit) takes effect at a whole simulated second: the current block is regenerated from its saved
start, so every event before the knob is unchanged and every event after follows from it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from .events import Event, SimDepth, SimTrade
from .factor import FactorSource
from .schedule import Schedule
from .units import Units, units_for
from .universe import Profile, stable_int

BLOCK_MS = 60_000
#: depth levels per side a snapshot carries, by market (else five)
WIRE_LEVELS = {"US": 1, "CRYPTO": 20}
_POOL = 512


@dataclass(frozen=True)
class Knob:
    """A lesson intervention at simulated instant ``t`` (a whole second)."""

    t: int
    kind: str  # "halt", "resume", "vol", "drive", "inject"
    arg: object = None
    seq: int = 0


@dataclass
class _State:
    """Everything the engine carries from one block to the next (copied for regeneration)."""

    fv: float
    last: int
    day: dt.date | None
    prev_close: int
    limits: tuple[int, int] | None
    regime: int = 0
    halted: bool = False
    vol_mult: float = 1.0
    drive: str | None = None
    ap: list[int] = field(default_factory=list)
    av: list[int] = field(default_factory=list)
    bp: list[int] = field(default_factory=list)
    bv: list[int] = field(default_factory=list)
    depth_key: tuple | None = None

    def copy(self) -> _State:
        return _State(
            self.fv,
            self.last,
            self.day,
            self.prev_close,
            self.limits,
            self.regime,
            self.halted,
            self.vol_mult,
            self.drive,
            self.ap[:],
            self.av[:],
            self.bp[:],
            self.bv[:],
            self.depth_key,
        )


def _seconds_per_year(market: str) -> float:
    return {
        "CN": 252 * 4 * 3600,
        "HK": 252 * 5.5 * 3600,
        "US": 252 * 6.5 * 3600,
        "CRYPTO": 365 * 86400,
        "FX": 260 * 86400,
    }.get(market, 252 * 6 * 3600)


class Engine:
    """Generates the live events of one instrument from ``start_ms`` on.

    Parameters
    ----------
    profile : Profile
    seed : int
    factor : FactorSource
    start_ms : int
        First simulated instant generated (a minute boundary).
    last : int
        Last price before ``start_ms`` (units).
    prev_close : int
        Previous trading day's close (units), the base of today's price limits.
    day : date or None
        Trading day in progress at ``start_ms``; None when the next session starts a new day
        (then its opening auction runs).
    """

    def __init__(
        self,
        profile: Profile,
        seed: int,
        factor: FactorSource,
        start_ms: int,
        last: int,
        prev_close: int,
        day: dt.date | None,
    ) -> None:
        self.profile = profile
        self.inst = profile.inst
        self.code = profile.inst.code
        self.units: Units = units_for(self.inst)
        self.factor = factor
        self.rng = np.random.Generator(np.random.PCG64([seed, stable_int("engine", self.code)]))
        self.schedule = Schedule(self.inst, start_ms)
        self.levels = 20 if self.inst.market == "CRYPTO" else 10
        # levels a depth push carries: five for A-shares (Level-1) and the like, one for a US
        # stock, and for crypto a deeper book than production's five (clients code for any
        # count; the depth heatmap shows how liquidity beyond the touch moves); REST answers
        # keep five (wire.REST_DEPTH_LEVELS)
        self.wire_levels = WIRE_LEVELS.get(self.inst.market, 5)
        self.fixed = (
            round(self.inst.fixed_tick * 10**self.units.pd)
            if self.inst.fixed_tick is not None
            else 0
        )
        self.depth_every = 3 if self.inst.market == "CN" else 1
        # price levels of a high-priced A-share sit several ticks apart (Moutai: about 0.1 CNY)
        spacing = {"CN": 0.00008, "US": 0.00004}.get(self.inst.market, 0.0)
        tick0 = self.units.tick_units(self.inst, max(1, last))
        self.gap = max(1, int(last * spacing / tick0))
        lot = self.inst.lot_size
        self.lot_units = (
            max(1, round(lot * 10**self.units.vd)) if self.inst.market in ("CN", "HK", "US") else 1
        )
        self.size_units = max(self.lot_units, round(profile.size * 10**self.units.vd))
        self.sig_s = profile.vol / math.sqrt(_seconds_per_year(self.inst.market))
        self.beta = profile.beta
        self.idio = math.sqrt(max(0.0, 1 - profile.beta**2))
        self.knobs: list[Knob] = []
        self._pu: list[float] = []
        self._pz: list[float] = []
        self._iu = self._iz = 0
        self.state = _State(float(last), last, day, prev_close, None)
        if day is not None:
            self.state.limits = self._limits(prev_close)
            self._build_book(self.state, last)
        self.next_block = start_ms - start_ms % BLOCK_MS
        self._block_start: tuple[_State, Mapping[str, Any]] | None = None
        self._block_m0 = -1
        self.pending: list[Event] = []
        self._pi = 0
        self.released_to = start_ms - 1

    # ---- public ----------------------------------------------------------------------------
    def advance(self, now_ms: int) -> list[Event]:
        """Generate blocks up to ``now_ms`` and return the events with ``t <= now_ms``, in order."""
        out: list[Event] = []
        while self.next_block <= now_ms:
            out.extend(self._take(now_ms))
            self._skip_closed(now_ms)
            if self.next_block > now_ms:
                break
            self._generate(self.next_block)
            self.next_block += BLOCK_MS
        out.extend(self._take(now_ms))
        self.released_to = max(self.released_to, now_ms)
        return out

    def _skip_closed(self, now_ms: int) -> None:
        """Jump over whole closed blocks (nights, lunch) without a knob: nothing happens there."""
        nxt = self.schedule.next_activity(self.next_block)
        if any(self.next_block <= k.t < nxt for k in self.knobs):
            return
        # never past the block holding now: a knob may still land in it
        target = min(nxt - nxt % BLOCK_MS, now_ms - now_ms % BLOCK_MS)
        if target > self.next_block:
            self.next_block = target
            self._block_start = None

    def add_knob(self, knob: Knob) -> None:
        """Apply ``knob`` from ``knob.t`` on; regenerates the current block if it covers ``knob.t``."""
        self.knobs.append(knob)
        self.knobs.sort(key=lambda k: (k.t, k.seq))
        if self._block_start is not None and self._block_m0 <= knob.t < self._block_m0 + BLOCK_MS:
            state, rng_state = self._block_start
            self.state = state.copy()
            self.rng.bit_generator.state = rng_state
            events = self._run_block(self._block_m0)
            self.pending = [e for e in events if e.t > self.released_to]
            self._pi = 0

    @property
    def last_price(self) -> int:
        return self.state.last

    def snapshot(self) -> SimDepth:
        s = self.state
        w = self.wire_levels
        return SimDepth(
            self.released_to,
            self.code,
            tuple(s.ap[:w]),
            tuple(s.av[:w]),
            tuple(s.bp[:w]),
            tuple(s.bv[:w]),
        )

    # ---- blocks ----------------------------------------------------------------------------
    def _take(self, now_ms: int) -> list[Event]:
        p, i = self.pending, self._pi
        j = i
        n = len(p)
        while j < n and p[j].t <= now_ms:
            j += 1
        self._pi = j
        if j == n:
            self.pending, self._pi = [], 0
        return p[i:j]

    def _generate(self, m0: int) -> None:
        self._block_start = (self.state.copy(), self.rng.bit_generator.state)
        self._block_m0 = m0
        rest = self.pending[self._pi :]
        self.pending = rest + self._run_block(m0)
        self._pi = 0

    def _run_block(self, m0: int) -> list[Event]:
        days, auctions = self.schedule.block(m0)
        knobs = [k for k in self.knobs if m0 <= k.t < m0 + BLOCK_MS]
        s = self.state
        out: list[Event] = []
        if not auctions and not knobs and all(d is None for d in days):
            return out  # closed: nothing happens and no randomness is drawn
        rng = self.rng
        z = rng.standard_normal(60).tolist()
        u = rng.random(180).tolist()
        pool_u = rng.random(_POOL).tolist()
        pool_z = rng.standard_normal(_POOL).tolist()
        self._pu, self._pz, self._iu, self._iz = pool_u, pool_z, 0, 0
        fac = self.factor.minute(self.profile.group, m0 // BLOCK_MS)
        ki = 0
        for sec in range(60):
            t = m0 + sec * 1000
            for at, auction_day in auctions:
                if t <= at < t + 1000:
                    self._auction(s, at, auction_day, out)
            while ki < len(knobs) and knobs[ki].t < t + 1000:
                self._apply_knob(s, knobs[ki], out)
                ki += 1
            d = days[sec]
            if d is None or s.halted:
                continue
            if d != s.day:
                self._new_day(s, d, auction=False)
            self._second(s, t, z[sec], fac[sec], u[3 * sec], u[3 * sec + 1], out)
            if (t // 1000) % self.depth_every == 0:
                self._perturb(s)
                # the snapshot is taken at the end of the second, after its trades
                self._depth(s, t + 999, out)
        return out

    # ---- random pools (drawn up front so knobs never shift earlier draws) -------------------
    def _u(self) -> float:
        if self._iu >= len(self._pu):
            self._pu, self._iu = self.rng.random(_POOL).tolist(), 0
        v = self._pu[self._iu]
        self._iu += 1
        return v

    def _z(self) -> float:
        if self._iz >= len(self._pz):
            self._pz, self._iz = self.rng.standard_normal(_POOL).tolist(), 0
        v = self._pz[self._iz]
        self._iz += 1
        return v

    # ---- day and auction -------------------------------------------------------------------
    def _limits(self, prev_close: int) -> tuple[int, int] | None:
        lim = self.inst.price_limits(prev_close / 10**self.units.pd)
        if lim is None:
            return None
        return self.units.to_units(lim[0]), self.units.to_units(lim[1])

    def _new_day(self, s: _State, d: dt.date, *, auction: bool) -> None:
        s.prev_close = s.last
        s.day = d
        s.limits = self._limits(s.prev_close)
        s.regime = 0
        if self.inst.market in ("CN", "HK", "US"):
            # overnight news: the day opens away from yesterday's close
            s.fv = s.last * math.exp(self._z() * self.sig_s * 60)
        s.fv = self._clip(s, s.fv)
        if not auction:
            self._build_book(s, self._round(s, s.fv))

    def _auction(self, s: _State, at: int, d: dt.date, out: list[Event]) -> None:
        if s.day != d:
            self._new_day(s, d, auction=True)
        if s.halted:
            return
        p = self._round(s, s.fv)
        v = self._lots(self.size_units * self.profile.rate * 120 * math.exp(0.4 * self._z()))
        out.append(SimTrade(at, self.code, p, v, 0))
        s.last = p
        self._build_book(s, p)
        self._depth(s, at, out)

    # ---- prices ----------------------------------------------------------------------------
    def _tick(self, p: int) -> int:
        return self.fixed or self.units.tick_units(self.inst, p)

    def _up(self, p: int, n: int = 1) -> int:
        if self.fixed:
            return p + n * self.fixed
        for _ in range(n):
            p += self._tick(p)
        return p

    def _down(self, p: int, n: int = 1) -> int:
        if self.fixed:
            return max(1, p - n * self.fixed)
        for _ in range(n):
            p = max(1, p - self._tick(max(1, p - 1)))
        return p

    def _spacing(self) -> int:
        """Ticks between two adjacent price levels (1 for most names)."""
        if self.gap == 1:
            return 1
        return 1 + int(self._u() * 2 * self.gap)

    def _round(self, s: _State, fv: float) -> int:
        p = max(1, int(round(fv)))
        t = self._tick(p)
        p = max(t, int(round(p / t)) * t)
        if s.limits:
            p = min(max(p, s.limits[0]), s.limits[1])
        return p

    def _clip(self, s: _State, fv: float) -> float:
        if s.limits:
            return min(max(fv, float(s.limits[0])), float(s.limits[1]))
        return max(fv, 1.0)

    def _lots(self, x: float) -> int:
        lot = self.lot_units
        return max(lot, int(round(x / lot)) * lot)

    def _level_size(self, k: int) -> int:
        return self._lots(self.size_units * (4.0 + k) * math.exp(0.6 * self._z()))

    # ---- book ------------------------------------------------------------------------------
    def _build_book(self, s: _State, c: int) -> None:
        s.ap, s.av, s.bp, s.bv = [], [], [], []
        lo, hi = s.limits if s.limits else (1, None)
        b = c
        for k in range(self.levels):
            if b < lo:
                break
            s.bp.append(b)
            s.bv.append(self._level_size(k))
            b = self._down(b, self._spacing())
        a = self._up(c, self._spacing() if self.gap > 1 else 1)
        for k in range(self.levels):
            if hi is not None and a > hi:
                break
            s.ap.append(a)
            s.av.append(self._level_size(k))
            a = self._up(a, self._spacing())

    def _requote(self, s: _State, mid: float) -> None:
        """Shift the whole book so its mid sits at the fair value (sizes kept)."""
        if not self.fixed:
            self._build_book(s, self._round(s, s.fv))
            return
        d = int(round((s.fv - mid) / self.fixed)) * self.fixed
        s.ap = [p + d for p in s.ap]
        s.bp = [p + d for p in s.bp]
        if s.limits:
            lo, hi = s.limits
            keep_a = [i for i, p in enumerate(s.ap) if lo <= p <= hi and not self._sealed(s, "ask")]
            keep_b = [i for i, p in enumerate(s.bp) if lo <= p <= hi and not self._sealed(s, "bid")]
            s.av = [s.av[i] for i in keep_a]
            s.ap = [s.ap[i] for i in keep_a]
            s.bv = [s.bv[i] for i in keep_b]
            s.bp = [s.bp[i] for i in keep_b]
            self._refill(s)

    def _seal(self, s: _State) -> None:
        """Driven to the limit: nobody offers, and a large queue of bids waits at the limit."""
        assert s.limits is not None
        up = s.drive == "up"
        p = s.limits[1] if up else s.limits[0]
        if (s.fv < p - 0.5) if up else (s.fv > p + 0.5):
            return
        far_p, far_v, near_p, near_v = (s.ap, s.av, s.bp, s.bv) if up else (s.bp, s.bv, s.ap, s.av)
        far_p.clear()
        far_v.clear()
        if not near_p or near_p[0] != p:
            near_p.insert(0, p)
            near_v.insert(0, self._lots(self.size_units * 200))
        elif near_v[0] < self.size_units * 50:
            near_v[0] += self._lots(self.size_units * 100)

    def _sealed(self, s: _State, side: str) -> bool:
        """At limit-up with buyers in control no one offers (limit-down: no one bids)."""
        if not s.limits:
            return False
        if side == "ask":
            return s.fv >= s.limits[1] - 0.5 and s.drive != "down"
        return s.fv <= s.limits[0] + 0.5 and s.drive != "up"

    def _refill(self, s: _State) -> None:
        lo, hi = s.limits if s.limits else (1, None)
        if not self._sealed(s, "ask"):
            # an emptied side restarts beyond the last print, never behind it
            a = (
                self._up(s.ap[-1], self._spacing())
                if s.ap
                else self._up(max(s.last, s.bp[0]) if s.bp else s.last)
            )
            while len(s.ap) < self.levels and (hi is None or a <= hi):
                s.ap.append(a)
                s.av.append(self._level_size(len(s.ap)))
                a = self._up(a, self._spacing())
        if not self._sealed(s, "bid"):
            b = (
                self._down(s.bp[-1], self._spacing())
                if s.bp
                else self._down(min(s.last, s.ap[0]) if s.ap else s.last)
            )
            while len(s.bp) < self.levels and b >= lo:
                s.bp.append(b)
                s.bv.append(self._level_size(len(s.bp)))
                b = self._down(b, self._spacing())

    def _improve(self, s: _State) -> None:
        """New limit orders inside a wide spread, on the side the fair value points to.

        Liquidity providers refill a swept touch within a second or two, so a spread wider than
        the usual level spacing narrows by up to four levels per second.
        """
        try:
            for _ in range(4):
                if not s.ap or not s.bp:
                    return
                step = 1 if self.gap == 1 else self._spacing()
                if s.ap[0] - s.bp[0] <= self.gap * self._tick(s.bp[0]):
                    return
                gap_bid = self._up(s.bp[0], step)
                gap_ask = self._down(s.ap[0], step)
                if s.fv > (s.ap[0] + s.bp[0]) / 2 and gap_bid < s.ap[0]:
                    s.bp.insert(0, gap_bid)
                    s.bv.insert(0, self._level_size(0))
                elif gap_ask > s.bp[0]:
                    s.ap.insert(0, gap_ask)
                    s.av.insert(0, self._level_size(0))
                else:
                    return
        finally:
            del s.ap[self.levels :], s.av[self.levels :], s.bp[self.levels :], s.bv[self.levels :]

    def _perturb(self, s: _State) -> None:
        """Orders arrive and are cancelled between trades; sizes revert to their usual depth."""
        for _ in range(2):
            side_a = self._u() < 0.5
            sizes = s.av if side_a else s.bv
            if not sizes:
                continue
            k = min(len(sizes) - 1, int(self._u() * len(sizes)))
            sizes[k] = self._lots(0.6 * sizes[k] + 0.4 * self._level_size(k))

    def _execute(self, s: _State, t: int, buy: bool, qty: int, out: list[Event]) -> None:
        """Walk the book with a marketable order of ``qty`` units."""
        lim = s.limits
        if buy:
            px, sz, td = s.ap, s.av, 1
        else:
            px, sz, td = s.bp, s.bv, 2
        while qty > 0:
            if not px:
                if self._sealed(s, "ask" if buy else "bid"):
                    break
                self._refill(s)
                if not px:
                    break
            take = min(qty, sz[0])
            out.append(SimTrade(t, self.code, px[0], take, td))
            s.last = px[0]
            qty -= take
            sz[0] -= take
            if sz[0] <= 0:
                px.pop(0)
                sz.pop(0)
        if qty > 0 and lim:
            # a buy that finds no offer at limit-up joins the queue of bids at the limit
            p = lim[1] if buy else lim[0]
            qp, qv = (s.bp, s.bv) if buy else (s.ap, s.av)
            if qp and qp[0] == p:
                qv[0] += qty
            else:
                qp.insert(0, p)
                qv.insert(0, qty)

    # ---- one second --------------------------------------------------------------------------
    def _second(
        self, s: _State, t: int, z: float, f: float, u_reg: float, u_n: float, out: list[Event]
    ) -> None:
        burst = s.regime == 1
        if burst and u_reg < 0.04:
            s.regime = 0
        elif not burst and u_reg < 0.006:
            s.regime = 1
        sig = self.sig_s * s.vol_mult * (1.8 if s.regime else 1.0)
        drift = 0.0
        if s.drive == "up":
            drift = 0.0015
        elif s.drive == "down":
            drift = -0.0015
        s.fv = self._clip(s, s.fv * math.exp(sig * (self.beta * f + self.idio * z) + drift))
        if s.drive and s.limits:
            self._seal(s)
        lam = self.profile.rate * (3.0 if s.regime else 0.7) * (1.0 + 0.3 * abs(f))
        if s.drive:
            lam = max(lam, self.profile.rate * 2)
        n = _poisson_inv(lam, u_n)
        tick = self._tick(s.last)
        if s.ap and s.bp:
            mid = (s.ap[0] + s.bp[0]) / 2
            if abs(s.fv - mid) > (1.5 * self.gap + 1) * tick:
                # market makers re-quote around the new fair value
                self._requote(s, mid)
            if s.ap and s.bp and s.ap[0] - s.bp[0] > self.gap * tick:
                self._improve(s)
        if n == 0:
            return
        offs = sorted(int(self._u() * 1000) for _ in range(n))
        for off in offs:
            mid = (s.ap[0] + s.bp[0]) / 2 if (s.ap and s.bp) else float(s.last)
            pbuy = 0.5 + 0.45 * math.tanh((s.fv - mid) / (2.0 * tick))
            buy = self._u() < pbuy
            qty = self.size_units * math.exp(0.9 * self._z())
            if self._u() < 0.004:
                qty *= 25  # an occasional large order sweeps several levels
            self._execute(s, t + off, buy, self._lots(qty), out)
        self._refill(s)
        if s.ap and s.bp and s.ap[0] - s.bp[0] > self.gap * tick:
            self._improve(s)

    def _depth(self, s: _State, t: int, out: list[Event]) -> None:
        w = self.wire_levels
        key = (tuple(s.ap[:w]), tuple(s.av[:w]), tuple(s.bp[:w]), tuple(s.bv[:w]))
        if key != s.depth_key:
            s.depth_key = key
            out.append(SimDepth(t, self.code, *key))

    # ---- knobs -------------------------------------------------------------------------------
    def _apply_knob(self, s: _State, k: Knob, out: list[Event]) -> None:
        if k.kind == "halt":
            s.halted = True
        elif k.kind == "resume":
            s.halted = False
        elif k.kind == "vol":
            s.vol_mult = float(k.arg)  # type: ignore[arg-type]
        elif k.kind == "drive":
            s.drive = k.arg  # type: ignore[assignment]
        elif (
            k.kind == "inject" and not s.halted and s.day is not None and self.schedule.day_of(k.t)
        ):
            side, qty = cast(tuple[str, float], k.arg)
            self._execute(s, k.t, side == "large_buy", self._lots(qty), out)
            # the sweep moves the fair value to where it left the book
            s.fv = self._clip(s, float(s.last))
            self._refill(s)
            self._depth(s, k.t, out)


def _poisson_inv(lam: float, u: float) -> int:
    """Poisson variate by inverting the CDF at ``u`` (small ``lam``)."""
    p = math.exp(-lam)
    c = p
    k = 0
    while u > c and k < 200:
        k += 1
        p *= lam / k
        c += p
    return k
