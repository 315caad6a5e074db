"""Trading sessions and bar alignment.

One function decides which bar a trade belongs to, for the simulator, the server's ground truth and
the client's aggregation alike: :func:`bar_opens` (vectorised) and :func:`bar_open` (scalar).

Rules (all times exchange-local):

* Intraday bars are counted from each session's start: A-share 1h bars open at 09:30, 10:30, 13:00,
  14:00; nothing opens in the lunch break or at night; the first bar after a break opens at the
  session start.
* Opening-auction prints (A-shares 09:15-09:25, Hong Kong 09:00-09:20) belong to the first bar of the
  day; prints in the minute after a session ends (closing auction at 15:00:00, 11:30:00) belong to
  that session's last bar (Hong Kong's closing auction runs to 16:10).
* Daily bars open at local midnight of the trading day (crypto: 00:00 UTC; forex: the day rolls at
  17:00 New York). Weekly bars open on the Monday, monthly on the 1st.
* Crypto and forex intraday bars are aligned to the epoch (UTC).

Times are UTC epoch milliseconds (int64) throughout.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import numpy as np

from .calendars import is_trading_day, previous_trading_day
from .instruments import Instrument
from .intervals import Interval, parse_interval

DAY_MS = 86_400_000
_NY = ZoneInfo("America/New_York")
#: ms after a session's end whose prints still belong to its last bar
END_GRACE_MS = 60_000
HK_CLOSE_GRACE_MS = 10 * 60_000


@functools.lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _tod_ms(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1000


def _offsets_ms(inst: Instrument, ts: np.ndarray) -> np.ndarray:
    """UTC offset (ms) of the exchange zone at each instant (evaluated per UTC day at 12:00)."""
    tz = zone(inst.tz)
    days = ts // DAY_MS
    uniq, inv = np.unique(days, return_inverse=True)
    offs = np.empty(len(uniq), dtype=np.int64)
    for i, d in enumerate(uniq.tolist()):
        when = dt.datetime.fromtimestamp(d * 86400 + 43200, tz=dt.timezone.utc).astimezone(tz)
        off = when.utcoffset() or dt.timedelta(0)
        offs[i] = int(off.total_seconds() * 1000)
    return offs[inv]


def _offset_ms_at(inst: Instrument, t_ms: int) -> int:
    return int(_offsets_ms(inst, np.array([t_ms], dtype=np.int64))[0])


@functools.cache
def _trading_day_ord(calendar: str | None, day_ord: int) -> bool:
    return is_trading_day(calendar, dt.date.fromordinal(day_ord))


_EPOCH_ORD = dt.date(1970, 1, 1).toordinal()


def _trading_mask(inst: Instrument, local_days: np.ndarray) -> np.ndarray:
    uniq, inv = np.unique(local_days, return_inverse=True)
    ok = np.array(
        [_trading_day_ord(inst.calendar, int(d) + _EPOCH_ORD) for d in uniq.tolist()], dtype=bool
    )
    return ok[inv]


# ------------------------------------------------------------------------------------------
# Bar alignment
# ------------------------------------------------------------------------------------------
def bar_opens(inst: Instrument, interval: Interval | str, ts_ms: np.ndarray) -> np.ndarray:
    """Open time (UTC ms) of the bar each trade time belongs to; -1 where none (outside sessions)."""
    iv = parse_interval(interval)
    ts = np.asarray(ts_ms, dtype=np.int64)
    if ts.size == 0:
        return np.zeros_like(ts)
    if iv.seconds == 0:
        return _calendar_bar_opens(inst, iv, ts)
    if inst.is_24h:
        return _bar_opens_24h(inst, iv, ts)
    off = _offsets_ms(inst, ts)
    local = ts + off
    day = local // DAY_MS
    tod = local - day * DAY_MS
    out = np.full(ts.shape, -1, dtype=np.int64)
    if iv.seconds >= 86_400:
        ok = _in_any_session_or_grace(inst, tod)
        ok &= _trading_mask(inst, day)
        out[ok] = day[ok] * DAY_MS - off[ok]
        return out
    step = iv.ms
    sessions = [(_tod_ms(s.start), _tod_ms(s.end)) for s in inst.sessions]
    open_tod = np.full(ts.shape, -1, dtype=np.int64)
    for i, (s, e) in enumerate(sessions):
        inside = (tod >= s) & (tod < e)
        k = (tod - s) // step
        open_tod = np.where(inside, s + k * step, open_tod)
        grace = (
            HK_CLOSE_GRACE_MS if (inst.market == "HK" and i == len(sessions) - 1) else END_GRACE_MS
        )
        after = (tod >= e) & (tod < e + grace)
        last_open = s + ((e - s - 1) // step) * step
        open_tod = np.where(after & (open_tod < 0), last_open, open_tod)
    if inst.auction is not None:
        a0, a1 = _tod_ms(inst.auction.start), sessions[0][0]
        in_auction = (tod >= a0) & (tod < a1)
        open_tod = np.where(in_auction, sessions[0][0], open_tod)
    ok = (open_tod >= 0) & _trading_mask(inst, day)
    out[ok] = day[ok] * DAY_MS + open_tod[ok] - off[ok]
    return out


def _in_any_session_or_grace(inst: Instrument, tod: np.ndarray) -> np.ndarray:
    ok = np.zeros(tod.shape, dtype=bool)
    sessions = [(_tod_ms(s.start), _tod_ms(s.end)) for s in inst.sessions]
    for i, (s, e) in enumerate(sessions):
        grace = (
            HK_CLOSE_GRACE_MS if (inst.market == "HK" and i == len(sessions) - 1) else END_GRACE_MS
        )
        ok |= (tod >= s) & (tod < e + grace)
    if inst.auction is not None:
        ok |= (tod >= _tod_ms(inst.auction.start)) & (tod < sessions[0][0])
    return ok


def _fx_open(ts: np.ndarray) -> np.ndarray:
    """FX: is the market open (Sunday 17:00 to Friday 17:00 New York)?"""
    off = _ny_offsets(ts)
    local = ts + off
    # shift so the FX day starts at 00:00: a NY time of 17:00 becomes 00:00 of the next day
    shifted = local + 7 * 3_600_000
    wd: np.ndarray = ((shifted // DAY_MS) + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    return wd < 5


def _ny_offsets(ts: np.ndarray) -> np.ndarray:
    days = ts // DAY_MS
    uniq, inv = np.unique(days, return_inverse=True)
    offs = np.empty(len(uniq), dtype=np.int64)
    for i, d in enumerate(uniq.tolist()):
        when = dt.datetime.fromtimestamp(d * 86400 + 43200, tz=dt.timezone.utc).astimezone(_NY)
        offs[i] = int((when.utcoffset() or dt.timedelta(0)).total_seconds() * 1000)
    return offs[inv]


def _bar_opens_24h(inst: Instrument, iv: Interval, ts: np.ndarray) -> np.ndarray:
    if iv.seconds < 86_400:
        out = (ts // iv.ms) * iv.ms
    elif inst.market == "FX":
        off = _ny_offsets(ts)
        shifted = ts + off + 7 * 3_600_000  # FX day starts 17:00 NY
        out = (shifted // DAY_MS) * DAY_MS - off - 7 * 3_600_000
    else:
        out = (ts // DAY_MS) * DAY_MS
    if inst.market == "FX":
        out = np.where(_fx_open(ts), out, -1)
    return out.astype(np.int64)


def _calendar_bar_opens(inst: Instrument, iv: Interval, ts: np.ndarray) -> np.ndarray:
    daily = bar_opens(inst, "1d", ts)
    out = np.full(ts.shape, -1, dtype=np.int64)
    tz = zone(inst.tz)
    cache: dict[int, int] = {}
    for i, d in enumerate(daily.tolist()):
        if d < 0:
            continue
        if d not in cache:
            local = dt.datetime.fromtimestamp(d / 1000 + 43200, tz=tz).date()
            if iv.name == "1w":
                start = local - dt.timedelta(days=local.weekday())
            elif iv.name == "1M":
                start = local.replace(day=1)
            elif iv.name == "1Q":
                start = local.replace(month=(local.month - 1) // 3 * 3 + 1, day=1)
            else:
                start = local.replace(month=1, day=1)
            cache[d] = int(dt.datetime.combine(start, dt.time(), tzinfo=tz).timestamp() * 1000)
        out[i] = cache[d]
    return out


def bar_open(inst: Instrument, interval: Interval | str, t_ms: int) -> int | None:
    """Scalar :func:`bar_opens`: the open time of the bar holding ``t_ms``, or None outside sessions."""
    v = int(bar_opens(inst, interval, np.array([t_ms], dtype=np.int64))[0])
    return None if v < 0 else v


def bar_end(inst: Instrument, interval: Interval | str, open_ms: int) -> int:
    """The instant a bar opened at ``open_ms`` closes (session end caps a partial last bar)."""
    iv = parse_interval(interval)
    if iv.seconds == 0 or iv.seconds >= 86_400 or inst.is_24h:
        if iv.seconds and iv.seconds < 86_400:
            return open_ms + iv.ms
        if iv.seconds >= 86_400:
            return open_ms + DAY_MS
        tz = zone(inst.tz)
        d = dt.datetime.fromtimestamp(open_ms / 1000, tz=tz).date()
        if iv.name == "1w":
            nxt = d + dt.timedelta(days=7)
        elif iv.name == "1M":
            nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        elif iv.name == "1Q":
            m = d.month + 3
            nxt = d.replace(year=d.year + (m - 1) // 12, month=(m - 1) % 12 + 1, day=1)
        else:
            nxt = d.replace(year=d.year + 1, month=1, day=1)
        return int(dt.datetime.combine(nxt, dt.time(), tzinfo=tz).timestamp() * 1000)
    off = _offset_ms_at(inst, open_ms)
    local = open_ms + off
    day = local // DAY_MS
    tod = local - day * DAY_MS
    for s in inst.sessions:
        st, en = _tod_ms(s.start), _tod_ms(s.end)
        if st <= tod < en:
            return int(day * DAY_MS + min(tod + iv.ms, en) - off)
    return open_ms + iv.ms


# ------------------------------------------------------------------------------------------
# Sessions per day
# ------------------------------------------------------------------------------------------
def local_date(inst: Instrument, t_ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(t_ms / 1000, tz=zone(inst.tz)).date()


def session_bounds(inst: Instrument, day: dt.date) -> list[tuple[int, int]]:
    """Continuous-trading sessions of ``day`` as UTC ms ``[start, end)``; empty on a non-trading day.

    Crypto: the whole UTC day. Forex: the trading day ending 17:00 New York on ``day``.
    """
    if not is_trading_day(inst.calendar, day):
        return []
    if inst.market == "FX":
        end = dt.datetime.combine(day, dt.time(17), tzinfo=_NY)
        start = end - dt.timedelta(days=1)
        return [(int(start.timestamp() * 1000), int(end.timestamp() * 1000))]
    if inst.is_24h:
        s = int(dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp() * 1000)
        return [(s, s + DAY_MS)]
    tz = zone(inst.tz)
    out = []
    for sess in inst.sessions:
        a = dt.datetime.combine(day, sess.start, tzinfo=tz)
        b = dt.datetime.combine(day, sess.end, tzinfo=tz)
        out.append((int(a.timestamp() * 1000), int(b.timestamp() * 1000)))
    return out


def auction_bounds(inst: Instrument, day: dt.date) -> tuple[int, int] | None:
    """The opening call auction of ``day`` (A-shares 09:15-09:25), or None."""
    if inst.auction is None or not is_trading_day(inst.calendar, day):
        return None
    tz = zone(inst.tz)
    a = dt.datetime.combine(day, inst.auction.start, tzinfo=tz)
    b = dt.datetime.combine(day, inst.auction.end, tzinfo=tz)
    return int(a.timestamp() * 1000), int(b.timestamp() * 1000)


def is_trading(inst: Instrument, t_ms: int) -> bool:
    """True while continuous trading is on (auctions, breaks and nights are not)."""
    day = local_date(inst, t_ms)
    if inst.market == "FX":
        return bool(_fx_open(np.array([t_ms], dtype=np.int64))[0])
    return any(a <= t_ms < b for a, b in session_bounds(inst, day))


def phase(inst: Instrument, t_ms: int) -> str:
    """``"open"``, ``"auction"``, ``"pre-open"``, ``"break"`` (lunch), ``"closed"``."""
    if is_trading(inst, t_ms):
        return "open"
    if inst.is_24h:
        return "closed"
    day = local_date(inst, t_ms)
    bounds = session_bounds(inst, day)
    if not bounds:
        return "closed"
    auc = auction_bounds(inst, day)
    if auc and auc[0] <= t_ms < bounds[0][0]:
        return "auction"
    if t_ms < bounds[0][0]:
        return "pre-open"
    if t_ms < bounds[-1][1]:
        return "break"
    return "closed"


def trading_day_of(inst: Instrument, t_ms: int) -> dt.date | None:
    """The trading day a print at ``t_ms`` counts toward (for daily bars), or None."""
    o = bar_open(inst, "1d", t_ms)
    if o is None:
        return None
    if inst.market == "FX":
        return (dt.datetime.fromtimestamp(o / 1000, tz=_NY) + dt.timedelta(hours=7)).date()
    return dt.datetime.fromtimestamp(
        o / 1000 + 43200, tz=zone(inst.tz) if not inst.is_24h else dt.timezone.utc
    ).date()


def last_session_day(inst: Instrument, now_ms: int) -> dt.date:
    """The most recent trading day whose first session has started by ``now_ms``."""
    d = local_date(inst, now_ms)
    d = previous_trading_day(inst.calendar, d)
    b = session_bounds(inst, d)
    if b and now_ms < b[0][0]:
        d = previous_trading_day(inst.calendar, d, inclusive=False)
    return d


def bar_grid(inst: Instrument, interval: Interval | str, start_ms: int, end_ms: int) -> np.ndarray:
    """Every bar open in ``[start_ms, end_ms)`` that a trading calendar allows (oldest first)."""
    iv = parse_interval(interval)
    if iv.seconds == 0 or iv.seconds >= 86_400:
        days = []
        d = local_date(inst, start_ms) - dt.timedelta(days=1)
        last = local_date(inst, end_ms) + dt.timedelta(days=1)
        while d <= last:
            for a, _b in session_bounds(inst, d)[:1]:
                days.append(a)
            d += dt.timedelta(days=1)
        opens = np.unique(bar_opens(inst, iv, np.array(days, dtype=np.int64)))
        opens = opens[opens >= 0]
        return opens[(opens >= start_ms) & (opens < end_ms)]
    out: list[np.ndarray] = []
    d = local_date(inst, start_ms) - dt.timedelta(days=1)
    last = local_date(inst, end_ms) + dt.timedelta(days=1)
    while d <= last:
        for a, b in session_bounds(inst, d):
            if inst.is_24h:
                a0 = (a // iv.ms) * iv.ms
                out.append(np.arange(a0, b, iv.ms, dtype=np.int64))
            else:
                out.append(np.arange(a, b, iv.ms, dtype=np.int64))
        d += dt.timedelta(days=1)
    if not out:
        return np.zeros(0, dtype=np.int64)
    g = np.unique(np.concatenate(out))
    if inst.market == "FX":
        g = g[_fx_open(g)]
    return g[(g >= start_ms) & (g < end_ms)]


def bar_span(
    inst: Instrument, interval: Interval | str, open_ms: int, at_ms: int | None = None
) -> tuple[int, int]:
    """A range ``[lo, hi)`` of instants that all belong to the bar opening at ``open_ms``: the part
    of the bar's continuous trading that holds ``at_ms``, or comes next when ``at_ms`` is in an
    auction or a break (the first part without ``at_ms``). Auction and closing-grace prints are
    not included, and a daily bar has one part per session: its lunch break belongs to no bar.
    Lets a caller skip :func:`bar_opens` for trades that fall inside the bar it already knows."""
    iv = parse_interval(interval)
    if iv.seconds and iv.seconds < 86_400:
        return open_ms, bar_end(inst, iv, open_ms)
    if iv.seconds == 86_400 and not inst.is_24h:
        day = dt.datetime.fromtimestamp(open_ms / 1000 + 43_200, tz=zone(inst.tz)).date()
        parts = session_bounds(inst, day)
        if not parts:
            return open_ms, open_ms
        if at_ms is not None:
            for lo, hi in parts:
                if at_ms < hi:
                    return lo, hi
            return parts[-1]
        return parts[0]
    if iv.seconds == 86_400:
        return open_ms, open_ms + DAY_MS
    return open_ms, open_ms  # calendar intervals: always compute
