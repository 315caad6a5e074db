"""资金流向 (money flow by order size): each trade's turnover and volume by size class and side.

Pure: arrays in, counts out. The feed folds every batch of trades into one :class:`MoneyFlowDay`
per symbol and preset as it ingests them (a ``np.digitize`` and a ``np.bincount`` per batch), so
every trade counts exactly once and no trade is kept for it.

A trade's class comes from its size: its turnover (``vw``) and, for presets that say so, its
volume in shares; where both are given the larger class wins (JoinQuant's "or"). Its side comes
from the service's trade direction (``td``): 1 buyer-initiated counts as inflow, 2 seller-initiated
as outflow; neutral prints (0) are counted apart, never in a class. The whole measure is an
estimate (估算): trades, not orders, are classified (one large order filled in pieces counts as
several small trades), and the aggressor side is the service's guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InfowayError

#: the size classes, smallest first: 小单 / 中单 / 大单 / 特大单
CLASSES = ("small", "medium", "large", "xlarge")
CLASS_NAMES_ZH = ("小单", "中单", "大单", "特大单")
#: minutes a day's 主力净流入 line can hold (a 24-hour market, plus the auction before its open)
DAY_MINUTES = 1500


class MoneyFlowError(InfowayError, ValueError):
    """Money-flow thresholds that cannot classify trades."""


@dataclass(frozen=True)
class Thresholds:
    """Where the size classes begin: three rising lower bounds (medium, large, xlarge).

    Parameters
    ----------
    turnover
        Bounds on a trade's turnover (``vw``, quote currency: CNY for A-shares).
    volume
        Bounds on its volume (shares), or None to classify by turnover alone. With both, a
        trade takes the larger of its two classes.
    name
        Shown beside the numbers ("tushare", "joinquant", "custom").
    """

    turnover: tuple[float, float, float]
    volume: tuple[float, float, float] | None = None
    name: str = "custom"

    def __post_init__(self) -> None:
        for what, bounds in (("turnover", self.turnover), ("volume", self.volume)):
            if bounds is None:
                continue
            b = [float(x) for x in bounds]
            if len(b) != 3 or not all(np.isfinite(b)) or not (0 < b[0] < b[1] < b[2]):
                raise MoneyFlowError(
                    f"money-flow {what} thresholds must be three rising positive numbers "
                    f"(medium, large, xlarge), got {bounds!r}; e.g. (5e4, 2e5, 1e6)"
                )

    def classify(self, volume: np.ndarray, turnover: np.ndarray) -> np.ndarray:
        """Each trade's class, 0 (small) … 3 (xlarge)."""
        cls: np.ndarray = np.digitize(turnover, self.turnover)
        if self.volume is not None:
            cls = np.maximum(cls, np.digitize(volume, self.volume))
        return cls

    def describe(self) -> dict[str, Any]:
        """The bounds as JSON-safe lists (for headers and ``DataFrame.attrs``)."""
        return {
            "name": self.name,
            "turnover": [float(x) for x in self.turnover],
            "volume": [float(x) for x in self.volume] if self.volume is not None else None,
        }


#: Tushare's moneyflow: by turnover, small < 5万, medium 5–20万, large 20–100万, xlarge ≥ 100万
TUSHARE = Thresholds(turnover=(5e4, 2e5, 1e6), name="tushare")
#: JoinQuant's: 超大 ≥ 50万股 or 100万元, 大 ≥ 10万股 or 20万元, 中 ≥ 2万股 or 4万元, else 小
JOINQUANT = Thresholds(turnover=(4e4, 2e5, 1e6), volume=(2e4, 1e5, 5e5), name="joinquant")
PRESETS: Mapping[str, Thresholds] = {"tushare": TUSHARE, "joinquant": JOINQUANT}


def thresholds_of(preset: str | Thresholds | Mapping[str, Any] | Sequence[float]) -> Thresholds:
    """A preset name, :class:`Thresholds`, a mapping of its fields, or three turnover bounds."""
    if isinstance(preset, Thresholds):
        return preset
    if isinstance(preset, str):
        try:
            return PRESETS[preset]
        except KeyError:
            raise MoneyFlowError(
                f"unknown money-flow preset {preset!r}; use one of {sorted(PRESETS)} or "
                "thresholds such as {'turnover': (5e4, 2e5, 1e6)}"
            ) from None
    if isinstance(preset, Mapping):
        vol = preset.get("volume")
        return Thresholds(
            turnover=tuple(preset["turnover"]),
            volume=tuple(vol) if vol is not None else None,
            name=str(preset.get("name", "custom")),
        )
    return Thresholds(turnover=tuple(float(x) for x in preset))  # type: ignore[arg-type]


@dataclass
class MoneyFlowDay:
    """One trading day's money flow under one set of thresholds.

    ``turnover``, ``volume`` and ``count`` are ``(2, 4)``: row 0 inflow (``td`` = 1), row 1
    outflow (``td`` = 2), one column per class. ``main_net`` is 主力净流入 (net turnover of large
    and xlarge) per minute since the day's open.
    """

    thresholds: Thresholds
    day_open: int | None = None
    turnover: np.ndarray = field(default_factory=lambda: np.zeros((2, 4)))
    volume: np.ndarray = field(default_factory=lambda: np.zeros((2, 4)))
    count: np.ndarray = field(default_factory=lambda: np.zeros((2, 4), dtype=np.int64))
    neutral: np.ndarray = field(default_factory=lambda: np.zeros(3))  # turnover, volume, count
    main_net: np.ndarray = field(default_factory=lambda: np.zeros(DAY_MINUTES))
    #: minutes of ``main_net`` with data (the last one is still forming)
    minutes: int = 0
    #: the first trade counted today (UTC ms): the day is complete only if counting began at the open
    since: int | None = None
    #: the count misses trades after this time (a connection went down), or None
    gap_since: int | None = None
    #: rises with every batch counted
    version: int = 0

    def reset(self, day_open: int | None) -> None:
        self.day_open = day_open
        for a in (self.turnover, self.volume, self.count, self.neutral, self.main_net):
            a[...] = 0
        self.minutes = 0
        self.since = self.gap_since = None

    def add(
        self,
        day_open: int | None,
        t: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray,
        direction: np.ndarray,
    ) -> None:
        """Count one batch of one symbol's trades toward the day opening at ``day_open`` (a new
        day starts afresh; ``None``, a print outside any trading day, counts toward the day being
        counted)."""
        if len(t) == 0:
            return
        if day_open is not None and day_open != self.day_open:
            self.reset(day_open)
        if self.since is None:
            self.since = int(t.min())
        d = np.asarray(direction).astype(np.int64)
        side = d - 1  # 0 in, 1 out, -1 neutral (and anything else the service sends)
        sided = (side == 0) | (side == 1)
        neutral = ~sided
        if neutral.any():
            self.neutral += (turnover[neutral].sum(), volume[neutral].sum(), int(neutral.sum()))
        if not sided.any():
            self.version += 1
            return
        v, vw, s = volume[sided], turnover[sided], side[sided]
        cls = self.thresholds.classify(v, vw)
        cell = s * 4 + cls
        self.turnover += np.bincount(cell, weights=vw, minlength=8).reshape(2, 4)
        self.volume += np.bincount(cell, weights=v, minlength=8).reshape(2, 4)
        self.count += np.bincount(cell, minlength=8).reshape(2, 4)
        main = cls >= 2
        if main.any() and self.day_open is not None:
            minute = (t[sided][main] - self.day_open) // 60_000
            minute = np.clip(minute, 0, DAY_MINUTES - 1)
            signed = np.where(s[main] == 0, vw[main], -vw[main])
            np.add.at(self.main_net, minute, signed)
            self.minutes = max(self.minutes, int(minute.max()) + 1)
        if self.day_open is not None:
            last = int((int(t.max()) - self.day_open) // 60_000) + 1
            self.minutes = min(DAY_MINUTES, max(self.minutes, last))
        self.version += 1

    @property
    def main_net_total(self) -> float:
        """主力净流入: net turnover of large and xlarge trades."""
        return float((self.turnover[0, 2:] - self.turnover[1, 2:]).sum())

    def main_net_line(self) -> tuple[np.ndarray, np.ndarray]:
        """主力净流入 through the day: each minute's open (UTC ms) and the running total then."""
        n = self.minutes
        if self.day_open is None or n == 0:
            return np.zeros(0), np.zeros(0)
        # from the minute of the first trade counted (a daily bar may open hours before the session)
        first = (
            0 if self.since is None else min(n - 1, max(0, (self.since - self.day_open) // 60_000))
        )
        t = self.day_open + 60_000 * np.arange(first, n, dtype=np.float64)
        return t, np.cumsum(self.main_net[:n])[first:]

    def frame(self) -> pd.DataFrame:
        """The day as a DataFrame indexed by class (see :meth:`Feed.money_flow`)."""
        inflow, outflow = self.turnover
        vin, vout = self.volume
        cin, cout = self.count
        df = pd.DataFrame(
            {
                "inflow": inflow,
                "outflow": outflow,
                "net": inflow - outflow,
                "inflow_volume": vin,
                "outflow_volume": vout,
                "net_volume": vin - vout,
                "inflow_count": cin,
                "outflow_count": cout,
            },
            index=pd.Index(list(CLASSES), name="class"),
        )
        df.attrs.update(
            estimate=True,
            note="估算 / estimate from the trade direction (td)",
            preset=self.thresholds.name,
            thresholds=self.thresholds.describe(),
            names_zh=dict(zip(CLASSES, CLASS_NAMES_ZH)),
            main_net=self.main_net_total,
            neutral={
                "turnover": float(self.neutral[0]),
                "volume": float(self.neutral[1]),
                "count": int(self.neutral[2]),
            },
            day_open=self.day_open,
            since=self.since,
            gap_since=self.gap_since,
        )
        return df


class MoneyFlows:
    """One symbol's money flow under every set of thresholds asked for: the presets always,
    custom thresholds from the moment they are first asked for."""

    def __init__(self) -> None:
        self.days: dict[Thresholds, MoneyFlowDay] = {
            th: MoneyFlowDay(th) for th in PRESETS.values()
        }

    def add(
        self,
        day_open: int | None,
        t: np.ndarray,
        volume: np.ndarray,
        turnover: np.ndarray,
        direction: np.ndarray,
    ) -> None:
        for day in self.days.values():
            day.add(day_open, t, volume, turnover, direction)

    def day(self, th: Thresholds) -> tuple[MoneyFlowDay, bool]:
        """The day of ``th``, and whether it was made just now (it has counted nothing yet)."""
        got = self.days.get(th)
        if got is not None:
            return got, False
        fresh = self.days[th] = MoneyFlowDay(th)
        return fresh, True

    def missed_since(self, t_ms: int) -> None:
        for day in self.days.values():
            if day.gap_since is None or t_ms < day.gap_since:
                day.gap_since = int(t_ms)


def add_groups(
    days: Sequence[MoneyFlowDay | None],
    day_open: Sequence[int | None],
    t_first: Sequence[int],
    t_last: Sequence[int],
    group: np.ndarray,
    t: np.ndarray,
    volume: np.ndarray,
    turnover: np.ndarray,
    direction: np.ndarray,
) -> None:
    """Count one batch of several symbols' trades at once, under one set of thresholds: what
    :meth:`MoneyFlowDay.add` does per symbol, with the numpy work done once for the batch.

    ``days[g]`` counts the trades whose ``group`` is ``g`` (None: not counted), toward the day
    opening at ``day_open[g]``; ``t_first[g]`` and ``t_last[g]`` are its earliest and latest trade
    time. Rows are grouped (``group`` ascending) and every group has at least one trade. All days
    must share one set of thresholds.
    """
    live = [d for d in days if d is not None]
    if not live or len(t) == 0:
        return
    th = live[0].thresholds
    n = len(days)
    eff = np.zeros(n, dtype=np.int64)
    has_open = np.zeros(n, dtype=bool)
    for g, day in enumerate(days):
        if day is None:
            continue
        op = day_open[g]
        if op is not None and op != day.day_open:
            day.reset(op)
        if day.since is None:
            day.since = int(t_first[g])
        if day.day_open is not None:
            eff[g], has_open[g] = day.day_open, True
    side = direction.astype(np.int64) - 1  # 0 in, 1 out, -1 neutral (and anything else)
    sided = (side == 0) | (side == 1)
    neutral = ~sided
    neu = np.zeros((n, 3))
    if neutral.any():
        ng = group[neutral]
        neu[:, 0] = np.bincount(ng, weights=turnover[neutral], minlength=n)
        neu[:, 1] = np.bincount(ng, weights=volume[neutral], minlength=n)
        neu[:, 2] = np.bincount(ng, minlength=n)
    sided_n = np.bincount(group[sided], minlength=n).tolist()
    g_s, v, vw, s = group[sided], volume[sided], turnover[sided], side[sided]
    cls = th.classify(v, vw)
    cell = g_s * 8 + s * 4 + cls
    tv = np.bincount(cell, weights=vw, minlength=n * 8).reshape(n, 2, 4)
    vv = np.bincount(cell, weights=v, minlength=n * 8).reshape(n, 2, 4)
    cv = np.bincount(cell, minlength=n * 8).reshape(n, 2, 4)
    # 主力净流入 by (group, minute): the few minutes a batch touches, summed first
    main = (cls >= 2) & has_open[g_s]
    touched: dict[int, int] = {}
    if main.any():
        gm = g_s[main]
        minute = np.clip((t[sided][main] - eff[gm]) // 60_000, 0, DAY_MINUTES - 1)
        signed = np.where(s[main] == 0, vw[main], -vw[main])
        keys, inv = np.unique(gm * DAY_MINUTES + minute, return_inverse=True)
        sums = np.bincount(inv, weights=signed, minlength=len(keys))
        for key, x in zip(keys.tolist(), sums.tolist()):
            g, m = divmod(key, DAY_MINUTES)
            day = days[g]
            assert day is not None
            day.main_net[m] += x
            touched[g] = max(touched.get(g, 0), m + 1)
    for g, day in enumerate(days):
        if day is None:
            continue
        day.neutral += neu[g]
        if sided_n[g]:
            day.turnover += tv[g]
            day.volume += vv[g]
            day.count += cv[g]
            if g in touched:
                day.minutes = max(day.minutes, touched[g])
            if day.day_open is not None:
                last = (int(t_last[g]) - day.day_open) // 60_000 + 1
                day.minutes = min(DAY_MINUTES, max(day.minutes, last))
        day.version += 1
