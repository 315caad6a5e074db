"""The market of one practice round: every bar of the days played, and what was shown before.

A :class:`PracticeMarket` is plain data: where the bars came from (a seed, a recording, a
classroom server) does not matter to the rules, the accounts or the widget. The bars before
``first`` are context, shown from the start (the day before, or the months before a daily
round); the round's clock starts on bar ``first`` and reveals one bar per step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import BadParameterError
from ..market import Instrument, parse_symbol

COLUMNS = ("t", "o", "h", "l", "c", "v", "vw")


@dataclass(frozen=True)
class PracticeMarket:
    """Bars of a practice round, oldest first.

    Attributes
    ----------
    inst : Instrument
    interval : str
        The bars' interval (``"1m"`` … ``"1d"``).
    bars : dict of str to numpy.ndarray
        Columns ``t`` (open, UTC epoch ms), ``o``, ``h``, ``l``, ``c``, ``v`` (shares), ``vw``
        (turnover), float64.
    day : numpy.ndarray
        Index into ``days`` of each bar's trading day.
    days : tuple of datetime.date
        The trading days the bars cover (context days first).
    prev_close : tuple of float
        The close before each of ``days`` (what its price limits come from).
    first : int
        Index of the first bar of the round; the bars before it are context.
    """

    inst: Instrument
    interval: str
    bars: dict[str, np.ndarray]
    day: np.ndarray
    days: tuple[dt.date, ...]
    prev_close: tuple[float, ...]
    first: int
    source: str = field(default="simulated", compare=False)

    def __post_init__(self) -> None:
        n = len(self.bars["t"])
        if n <= self.first:
            raise BadParameterError(
                f"a practice round of {self.inst.code} needs bars after its start; this one has "
                f"{n} bars and starts at bar {self.first}: pick other days or a longer recording"
            )
        if len(self.day) != n or len(self.prev_close) != len(self.days):
            raise BadParameterError("a practice market's columns must have one entry per bar/day")

    def __len__(self) -> int:
        return len(self.bars["t"])

    @property
    def daily(self) -> bool:
        return self.interval == "1d"

    @property
    def practice_days(self) -> tuple[dt.date, ...]:
        """The trading days the round plays (the context days left out)."""
        first_day = int(self.day[self.first])
        return self.days[first_day:]

    def limits(self, i: int) -> tuple[float, float] | None:
        """(limit-down, limit-up) of bar ``i``'s day; None where the market has none."""
        return self.inst.price_limits(self.prev_close[int(self.day[i])])

    def row(self, i: int) -> dict[str, float]:
        return {k: float(self.bars[k][i]) for k in COLUMNS}

    def day_bar(self, i: int) -> dict[str, float]:
        """The daily bar of bar ``i``'s day as far as bar ``i`` (nothing after it)."""
        d = int(self.day[i])
        lo = int(np.searchsorted(self.day, d, side="left"))
        sl = slice(lo, i + 1)
        b = self.bars
        return {
            "o": float(b["o"][lo]),
            "h": float(b["h"][sl].max()),
            "l": float(b["l"][sl].min()),
            "c": float(b["c"][i]),
            "v": float(b["v"][sl].sum()),
            "vw": float(b["vw"][sl].sum()),
        }

    # ---- the wire (a classroom server sends this) -------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.inst.code,
            "name": self.inst.name,
            "interval": self.interval,
            "bars": {k: self.bars[k].tolist() for k in COLUMNS},
            "day": self.day.astype(int).tolist(),
            "days": [d.isoformat() for d in self.days],
            "prev_close": list(self.prev_close),
            "first": self.first,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PracticeMarket:
        try:
            inst = parse_symbol(str(data["symbol"]), name=data.get("name") or None)
            bars = {k: np.asarray(data["bars"][k], dtype=np.float64) for k in COLUMNS}
            return cls(
                inst=inst,
                interval=str(data["interval"]),
                bars=bars,
                day=np.asarray(data["day"], dtype=np.int64),
                days=tuple(dt.date.fromisoformat(d) for d in data["days"]),
                prev_close=tuple(float(x) for x in data["prev_close"]),
                first=int(data["first"]),
                source=str(data.get("source", "classroom")),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise BadParameterError(
                f"the classroom server sent a practice market this version cannot read ({e}); "
                "upgrade infoway-widgets on the server or the students' kernels"
            ) from None


__all__ = ["COLUMNS", "PracticeMarket"]
