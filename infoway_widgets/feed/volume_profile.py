"""Volume profile: traded volume at each price over the session, split by side, with the point of
control (POC) and the value area.

Pure: arrays in, a profile out. The feed folds every batch of a symbol's trades into its
:class:`ProfileDay` as it ingests them (one ``np.unique`` and ``np.bincount`` per batch, then a
merge of the few prices it touched), so every trade counts once and none is kept for it.
:func:`profile_frame` makes the same table from any trades (a time range of the tape, a
recording).

The value area is found the usual way (Market Profile, CBOT): start at the POC and repeatedly add
the two prices above or the two below, whichever traded more, until it holds ``share`` (70 %) of
the volume.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def buckets(price: np.ndarray, step: float) -> np.ndarray:
    """Each price's bucket: the nearest multiple of ``step`` as an integer."""
    return np.rint(np.asarray(price, dtype=np.float64) / step).astype(np.int64)


def value_area(volume: np.ndarray, share: float = 0.7) -> tuple[int, int, int]:
    """(poc, low, high) indexes into ``volume`` (prices ascending) of the point of control and the
    value area holding ``share`` of the total; (-1, -1, -1) when nothing traded."""
    v = np.asarray(volume, dtype=np.float64)
    total = float(v.sum())
    if len(v) == 0 or total <= 0:
        return -1, -1, -1
    poc = int(np.argmax(v))
    lo = hi = poc
    held = float(v[poc])
    n = len(v)
    while held < share * total and (lo > 0 or hi < n - 1):
        up = float(v[hi + 1 : hi + 3].sum()) if hi < n - 1 else -1.0
        down = float(v[max(0, lo - 2) : lo].sum()) if lo > 0 else -1.0
        if up >= down:
            take = min(2, n - 1 - hi)
            held += float(v[hi + 1 : hi + 1 + take].sum())
            hi += take
        else:
            take = min(2, lo)
            held += float(v[lo - take : lo].sum())
            lo -= take
    return poc, lo, hi


def profile_frame(
    price: np.ndarray,
    volume: np.ndarray,
    direction: np.ndarray,
    step: float,
    share: float = 0.7,
) -> pd.DataFrame:
    """The volume profile of some trades: one row per traded price (ascending, a multiple of
    ``step``) with ``buy`` (``td`` = 1), ``sell`` (2), ``neutral`` and ``volume``; ``attrs``
    holds ``poc``, ``value_low``, ``value_high`` (prices) and ``total``."""
    b = buckets(price, step)
    keys, inv = np.unique(b, return_inverse=True)
    d = np.asarray(direction)
    cols = {
        name: np.bincount(inv, weights=np.where(d == code, volume, 0.0), minlength=len(keys))
        for name, code in (("buy", 1), ("sell", 2))
    }
    total = np.bincount(inv, weights=np.asarray(volume, dtype=np.float64), minlength=len(keys))
    return _table(keys, cols["buy"], cols["sell"], total, step, share)


def _table(
    keys: np.ndarray,
    buy: np.ndarray,
    sell: np.ndarray,
    total: np.ndarray,
    step: float,
    share: float,
) -> pd.DataFrame:
    prices = np.round(keys * step, 10)
    df = pd.DataFrame(
        {"buy": buy, "sell": sell, "neutral": total - buy - sell, "volume": total},
        index=pd.Index(prices, name="price"),
    )
    poc, lo, hi = value_area(total, share)
    df.attrs.update(
        poc=float(prices[poc]) if poc >= 0 else None,
        value_low=float(prices[lo]) if lo >= 0 else None,
        value_high=float(prices[hi]) if hi >= 0 else None,
        total=float(total.sum()),
        share=share,
        step=step,
    )
    return df


class ProfileDay:
    """One symbol's volume profile of the trading day, kept by price bucket."""

    def __init__(self, step: float) -> None:
        self.step = float(step)
        self.day_open: int | None = None
        self._vol: dict[int, list[float]] = {}  # bucket -> [buy, sell, total]
        self.version = 0

    def add(
        self,
        day_open: int | None,
        price: np.ndarray,
        volume: np.ndarray,
        direction: np.ndarray,
    ) -> None:
        """Count one batch of trades toward the day opening at ``day_open`` (a new day starts
        afresh; ``None`` counts toward the day being counted)."""
        if len(price) == 0:
            return
        if day_open is not None and day_open != self.day_open:
            self._vol.clear()
            self.day_open = day_open
        keys, inv = np.unique(buckets(price, self.step), return_inverse=True)
        for k, a, s, v in zip(keys.tolist(), *_side_sums(inv, len(keys), volume, direction)):
            _fold(self._vol, k, a, s, v)
        self.version += 1

    @staticmethod
    def add_groups(
        days: list[ProfileDay | None],
        day_open: list[int | None],
        group: np.ndarray,
        price: np.ndarray,
        volume: np.ndarray,
        direction: np.ndarray,
    ) -> None:
        """Count one batch of several symbols' trades at once: what :meth:`add` does per symbol,
        with one ``np.unique`` and ``np.bincount`` for the batch. ``days[g]`` (None: not counted)
        counts the trades whose ``group`` is ``g``, toward the day opening at ``day_open[g]``;
        every group has at least one trade."""
        if len(price) == 0:
            return
        steps = np.ones(len(days))
        for g, day in enumerate(days):
            if day is None:
                continue
            steps[g] = day.step
            op = day_open[g]
            if op is not None and op != day.day_open:
                day._vol.clear()
                day.day_open = op
        b = buckets(price / steps[group], 1.0)
        if int(b.max()) >= 1 << 40:  # an absurd price: the group would not fit above the bucket
            for g, day in enumerate(days):
                rows = group == g
                if day is not None and rows.any():
                    day.add(day_open[g], price[rows], volume[rows], direction[rows])
            return
        keys, inv = np.unique((group.astype(np.int64) << 40) + b, return_inverse=True)
        mask = (1 << 40) - 1
        for key, a, s, v in zip(keys.tolist(), *_side_sums(inv, len(keys), volume, direction)):
            day = days[key >> 40]
            if day is not None:
                _fold(day._vol, key & mask, a, s, v)
        for day in days:
            if day is not None:
                day.version += 1

    def frame(self, share: float = 0.7) -> pd.DataFrame:
        """The profile as :func:`profile_frame` returns it."""
        keys = np.array(sorted(self._vol), dtype=np.int64)
        rows = np.array([self._vol[k] for k in keys.tolist()]).reshape(-1, 3)
        df = _table(keys, rows[:, 0], rows[:, 1], rows[:, 2], self.step, share)
        df.attrs["day_open"] = self.day_open
        return df


def compact(df: pd.DataFrame, rows: int = 48) -> dict[str, Any]:
    """A profile regrouped into at most ``rows`` equal price bands, as JSON-safe lists for a
    front-end: band low prices, buy, sell and total volume, the band width, POC and value area."""
    if df.empty:
        return {"px": [], "buy": [], "sell": [], "vol": [], "step": 0.0}
    step = float(df.attrs.get("step") or 0.0) or 1.0
    lo, hi = float(df.index.min()), float(df.index.max())
    per = max(1, int(np.ceil(round((hi - lo) / step + 1) / rows)))
    band = per * step
    k = np.floor((df.index.to_numpy() - lo) / band + 1e-9).astype(np.int64)
    n = int(k.max()) + 1
    out = {
        c: np.bincount(k, weights=df[c].to_numpy(), minlength=n) for c in ("buy", "sell", "volume")
    }
    return {
        "px": [round(lo + i * band, 10) for i in range(n)],
        "buy": out["buy"].tolist(),
        "sell": out["sell"].tolist(),
        "vol": out["volume"].tolist(),
        "step": band,
        "poc": df.attrs.get("poc"),
        "value_low": df.attrs.get("value_low"),
        "value_high": df.attrs.get("value_high"),
    }


def _side_sums(
    inv: np.ndarray, n: int, volume: np.ndarray, direction: np.ndarray
) -> tuple[list[float], list[float], list[float]]:
    """Buyer-initiated, seller-initiated and all volume of each of ``n`` buckets (``inv``: the
    bucket of each trade)."""
    d = np.asarray(direction)
    buy = np.bincount(inv, weights=np.where(d == 1, volume, 0.0), minlength=n)
    sell = np.bincount(inv, weights=np.where(d == 2, volume, 0.0), minlength=n)
    tot = np.bincount(inv, weights=volume, minlength=n)
    return buy.tolist(), sell.tolist(), tot.tolist()


def _fold(cells: dict[int, list[float]], k: int, buy: float, sell: float, total: float) -> None:
    """Add one bucket's buy, sell and total volume to its cell."""
    cell = cells.get(k)
    if cell is None:
        cells[k] = [buy, sell, total]
    else:
        cell[0] += buy
        cell[1] += sell
        cell[2] += total
