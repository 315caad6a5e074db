"""The numbers a Chinese brokerage app shows, computed in the feed: pure functions of numbers, and
views that take a symbol's stores (the Feed's ``ashare()`` and ``intraday()`` gather them).

* 均价 (average price): running VWAP of the day = cumulative turnover / cumulative volume.
* 委比 (bid/ask ratio): (Σbid volume − Σask volume) / (Σbid + Σask) × 100 over the shown levels.
* 委差 (bid/ask difference): Σbid volume − Σask volume.
* 外盘 / 内盘 (buy / sell volume): volume of trades the buyer initiated (td = 1) / the seller (td = 2).
* 量比 (volume ratio): today's volume per trading minute so far ÷ the average volume per minute of
  the previous five trading days.
* 振幅 (amplitude): (high − low) / previous close × 100.

The front-end draws what these return; it computes none of them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ..market import DAY_MS, Instrument, local_date, session_bounds
from ..market.sessions import zone
from .state import MarketState
from .stores import BarStore, BookSnapshot


def running_vwap(volume: np.ndarray, turnover: np.ndarray) -> np.ndarray:
    """均价 after each bar: cumulative turnover / cumulative volume (NaN until the first trade)."""
    v = np.cumsum(np.asarray(volume, dtype=np.float64))
    w = np.cumsum(np.asarray(turnover, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(v > 0, w / v, np.nan)


def bid_ask_ratio(
    bid_vol: Sequence[float] | np.ndarray, ask_vol: Sequence[float] | np.ndarray, levels: int = 5
) -> float | None:
    """委比 in percent, in [-100, 100]; None when both sides are empty."""
    b = float(np.sum(np.asarray(bid_vol, dtype=np.float64)[:levels]))
    a = float(np.sum(np.asarray(ask_vol, dtype=np.float64)[:levels]))
    return None if a + b <= 0 else (b - a) / (b + a) * 100.0


def bid_ask_diff(
    bid_vol: Sequence[float] | np.ndarray, ask_vol: Sequence[float] | np.ndarray, levels: int = 5
) -> float:
    """委差: Σbid volume − Σask volume over the first ``levels`` levels."""
    return float(
        np.sum(np.asarray(bid_vol, dtype=np.float64)[:levels])
        - np.sum(np.asarray(ask_vol, dtype=np.float64)[:levels])
    )


def outer_inner(volume: np.ndarray, direction: np.ndarray) -> tuple[float, float, float | None]:
    """(外盘, 内盘, 外盘/内盘): buyer- and seller-initiated volume, and their ratio (None if no 内盘)."""
    v = np.asarray(volume, dtype=np.float64)
    d = np.asarray(direction)
    buy = float(v[d == 1].sum())
    sell = float(v[d == 2].sum())
    return buy, sell, (buy / sell if sell > 0 else None)


def amplitude(high: float, low: float, prev_close: float) -> float | None:
    """振幅 in percent: (high − low) / previous close × 100."""
    if not prev_close or prev_close <= 0 or high is None or low is None:
        return None
    return (high - low) / prev_close * 100.0


def trading_minutes(inst: Instrument, day: dt.date) -> int:
    """Minutes of continuous trading on ``day`` (240 for A-shares)."""
    return sum((b - a) // 60_000 for a, b in session_bounds(inst, day))


def minutes_elapsed(inst: Instrument, t_ms: int) -> float:
    """Trading minutes from the day's open to ``t_ms`` (breaks excluded), capped at the day's total."""
    day = local_date(inst, t_ms)
    total = 0.0
    for a, b in session_bounds(inst, day):
        if t_ms <= a:
            break
        total += (min(t_ms, b) - a) / 60_000
    return total


def volume_ratio(
    today_volume: float,
    minutes_so_far: float,
    past_daily_volumes: Sequence[float],
    minutes_per_day: float,
    min_days: int = 5,
) -> float | None:
    """量比: (today's volume / minutes so far) / (average daily volume of the past days / minutes per day).

    ``past_daily_volumes`` are the previous days' totals (five by convention); with fewer than
    ``min_days`` of them the ratio is None rather than an average of fewer days. Minutes so far are
    counted whole, at least one. None before the open.
    """
    past = [float(x) for x in past_daily_volumes if x is not None and x > 0]
    if minutes_so_far <= 0 or len(past) < min_days or minutes_per_day <= 0:
        return None
    # whole minutes, at least one, as the brokerage apps count: the first seconds after the open
    # (which carry the opening auction's volume) would otherwise give absurd ratios
    minutes = max(1, math.ceil(minutes_so_far - 1e-9))
    per_min_past = (sum(past) / len(past)) / minutes_per_day
    return (today_volume / minutes) / per_min_past if per_min_past > 0 else None


# ---- the intraday (分时) axis -------------------------------------------------------------------
def intraday_slots(inst: Instrument, day: dt.date) -> np.ndarray:
    """Open times (UTC ms) of every 1-minute bar of ``day``'s sessions: the 分时图's fixed x axis,
    lunch break collapsed (A-shares: 240 slots, 09:30 … 11:29 | 13:00 … 14:59)."""
    out = [np.arange(a, b, 60_000, dtype=np.int64) for a, b in session_bounds(inst, day)]
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def intraday_ticks(inst: Instrument, day: dt.date) -> list[tuple[int, str]]:
    """(slot index, label) for the axis: each session's start and every full hour after it, the
    junction of two sessions shown once as ``11:30/13:00``, and the close."""
    tz = zone(inst.tz)
    bounds = session_bounds(inst, day)
    ticks: list[tuple[int, str]] = []
    idx = 0

    def hm(ms: int) -> str:
        return dt.datetime.fromtimestamp(ms / 1000, tz=tz).strftime("%H:%M")

    for k, (a, b) in enumerate(bounds):
        n = (b - a) // 60_000
        label = hm(a) if k == 0 else f"{hm(bounds[k - 1][1])}/{hm(a)}"
        if k == 0:
            ticks.append((idx, label))
        else:
            ticks[-1] = (idx, label)
        for m in range(60, n, 60):
            ticks.append((idx + m, hm(a + m * 60_000)))
        idx += n
        ticks.append((idx, hm(b)))
    return ticks


def intraday_view(
    inst: Instrument, m1: BarStore, quote: dict[str, Any], now_ms: int
) -> dict[str, Any]:
    """Everything a 分时图 needs for ``inst``'s current (or last) trading day, from its 1-minute bars
    ``m1`` and its ``quote``: slot times, per-slot close (NaN where not yet traded), 均价, volume,
    whether each minute closed up, the previous close and limit prices, axis ticks. With no bars
    yet, the day is the one at ``now_ms`` (the feed's market time; 0 means the wall clock)."""
    t = m1.t
    q = quote
    if len(t):
        day = local_date(inst, int(t[-1]))
    else:
        day = local_date(inst, now_ms or int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000))
    slots = intraday_slots(inst, day)
    n = len(slots)
    close = np.full(n, np.nan)
    vol = np.zeros(n)
    turn = np.zeros(n)
    if n and len(t):
        a = m1.arrays()
        mask = (a["t"] >= slots[0]) & (a["t"] <= slots[-1])
        pos = np.searchsorted(slots, a["t"][mask])
        ok = (pos < n) & (slots[np.minimum(pos, n - 1)] == a["t"][mask])
        pos = pos[ok]
        close[pos] = a["close"][mask][ok]
        vol[pos] = a["volume"][mask][ok]
        turn[pos] = a["turnover"][mask][ok]
    traded = ~np.isnan(close)
    last_i = int(np.flatnonzero(traded)[-1]) + 1 if traded.any() else 0
    avg = np.full(n, np.nan)
    if last_i:
        avg[:last_i] = running_vwap(vol[:last_i], turn[:last_i])
        # carry the close over minutes without trades so the line has no holes before "now"
        filled = close[:last_i].copy()
        for i in range(1, last_i):
            if math.isnan(filled[i]):
                filled[i] = filled[i - 1]
        close[:last_i] = filled
    prev_close = q.get("prev_close")
    ref = (
        np.r_[prev_close if prev_close else (close[0] if n else np.nan), close[:-1]] if n else close
    )
    up = close >= ref
    return {
        "symbol": inst.code,
        "day": day.isoformat(),
        "t": slots,
        "close": close,
        "avg": avg,
        "volume": vol,
        "up": up,
        "prev_close": prev_close,
        "limit_up": q.get("limit_up"),
        "limit_down": q.get("limit_down"),
        "ticks": intraday_ticks(inst, day),
        "filled": last_i,
    }


def ashare_view(
    inst: Instrument,
    quote: dict[str, Any],
    book: BookSnapshot | None,
    buy: float,
    sell: float,
    day: BarStore | None,
    flow_gap_since: int | None = None,
) -> dict[str, Any]:
    """The 五档盘口 and quote-board extras for ``inst``: 委比, 委差 (from ``book``), 外盘, 内盘 (the
    day's buyer- and seller-initiated volume ``buy`` and ``sell``), 量比 (from the daily bars ``day``), 振幅, 涨停/跌停,
    今开/昨收, 涨跌额/涨跌幅 (from ``quote``), 成交量 in lots (手).

    ``flow_incomplete_since`` is ``flow_gap_since``: the UTC ms since which 外盘 / 内盘 miss the
    trades of a disconnect (None: complete since the symbol was first watched)."""
    q = quote
    out: dict[str, Any] = {
        k: q.get(k)
        for k in (
            "last",
            "open",
            "high",
            "low",
            "prev_close",
            "change",
            "change_pct",
            "volume",
            "turnover",
            "limit_up",
            "limit_down",
        )
    }
    if book is not None:
        out["bid_ask_ratio"] = bid_ask_ratio(book.bid_vol, book.ask_vol)
        out["bid_ask_diff"] = bid_ask_diff(book.bid_vol, book.ask_vol)
    else:
        out["bid_ask_ratio"] = out["bid_ask_diff"] = None
    out["buy_volume"], out["sell_volume"] = buy, sell
    out["buy_sell_ratio"] = buy / sell if sell > 0 else None
    out["flow_incomplete_since"] = flow_gap_since
    hi, lo, pc = q.get("high"), q.get("low"), q.get("prev_close")
    out["amplitude"] = amplitude(hi, lo, pc) if hi is not None and lo is not None and pc else None
    out["volume_lots"] = (
        q["volume"] / inst.lot_size if q.get("volume") is not None and inst.lot_size else None
    )
    out["at_limit"] = None
    if q.get("last") is not None and q.get("limit_up") is not None:
        out["at_limit"] = (
            "up" if q["last"] >= q["limit_up"] else "down" if q["last"] <= q["limit_down"] else None
        )
    # 量比 from the daily bars: the last is today, the five before it are the comparison days
    out["volume_ratio"] = None
    if day is not None and len(day) >= 2 and q.get("t"):
        vols = day.column("volume")
        past = vols[-6:-1].tolist()
        today_t = int(day.t[-1])
        d = local_date(inst, today_t + DAY_MS // 2)
        out["volume_ratio"] = volume_ratio(
            float(vols[-1]), minutes_elapsed(inst, int(q["t"])), past, trading_minutes(inst, d)
        )
    return out


def ashare_of(state: MarketState, inst: Instrument, quote: dict[str, Any]) -> dict[str, Any]:
    """:func:`ashare_view` of ``inst`` from the stores ``state`` holds for it and its ``quote``."""
    code = inst.code
    book, flow = state.books.get(code), state.flows.get(code)
    return ashare_view(
        inst,
        quote,
        book.snapshot if book is not None else None,
        flow.buy if flow else 0.0,
        flow.sell if flow else 0.0,
        state.bars.get((code, "1d")),
        flow.gap_since if flow else None,
    )


class _HasViews(Protocol):
    def ashare(self, symbol: str) -> dict[str, Any]: ...

    def intraday(self, symbol: str) -> dict[str, Any]: ...


def ashare_stats(feed: _HasViews, symbol: str) -> dict[str, Any]:
    """``feed.ashare(symbol)``: the numbers of :func:`ashare_view` from the feed's stores."""
    return feed.ashare(symbol)


def intraday(feed: _HasViews, symbol: str) -> dict[str, Any]:
    """``feed.intraday(symbol)``: the 分时图 of :func:`intraday_view` from the feed's stores."""
    return feed.intraday(symbol)
