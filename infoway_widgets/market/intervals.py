"""Bar intervals: our names, Infoway ``klineType`` numbers and lengths."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadIntervalError


@dataclass(frozen=True)
class Interval:
    """One bar interval. ``seconds`` is the nominal length (0 for calendar intervals: week and longer)."""

    name: str
    kline_type: int
    seconds: int

    @property
    def ms(self) -> int:
        return self.seconds * 1000

    @property
    def intraday(self) -> bool:
        return 0 < self.seconds < 86_400

    def __str__(self) -> str:
        return self.name


_ALL = [
    Interval("1m", 1, 60),
    Interval("5m", 2, 300),
    Interval("15m", 3, 900),
    Interval("30m", 4, 1800),
    Interval("1h", 5, 3600),
    Interval("2h", 6, 7200),
    Interval("4h", 7, 14400),
    Interval("1d", 8, 86400),
    Interval("1w", 9, 0),
    Interval("1M", 10, 0),
    Interval("1Q", 11, 0),
    Interval("1Y", 12, 0),
]
BY_NAME = {i.name: i for i in _ALL}
BY_KLINE = {i.kline_type: i for i in _ALL}
_ALIASES = {
    "1min": "1m",
    "5min": "5m",
    "15min": "15m",
    "30min": "30m",
    "60m": "1h",
    "60min": "1h",
    "120m": "2h",
    "240m": "4h",
    "d": "1d",
    "day": "1d",
    "1day": "1d",
    "daily": "1d",
    "w": "1w",
    "week": "1w",
    "1week": "1w",
    "weekly": "1w",
    "month": "1M",
    "1mo": "1M",
    "1mon": "1M",
    "monthly": "1M",
    "1q": "1Q",
    "1y": "1Y",
    "1H": "1h",
    "1D": "1d",
    "1W": "1w",
    "m": "1m",
    "h": "1h",
}

#: Intervals the live feed builds from trades (the widgets' interval switch offers these).
LIVE_INTERVALS = ("1m", "5m", "15m", "30m", "1h", "1d")


def parse_interval(value: str | int | Interval) -> Interval:
    """Accept ``"1m"``, ``"5min"``, ``"1d"``, a klineType number, or an :class:`Interval`."""
    if isinstance(value, Interval):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if value in BY_KLINE:
            return BY_KLINE[value]
        raise BadIntervalError(
            f"klineType {value} does not exist; use 1..12 (1 = 1 minute, 8 = 1 day) or a name like '1m', '1d'."
        )
    if isinstance(value, str):
        v = value.strip()
        if v in BY_NAME:
            return BY_NAME[v]
        if v in _ALIASES:
            return BY_NAME[_ALIASES[v]]
        low = v.lower()
        if low in BY_NAME:
            return BY_NAME[low]
        if low in _ALIASES:
            return BY_NAME[_ALIASES[low]]
    raise BadIntervalError(
        f"unknown interval {value!r}; use one of {', '.join(BY_NAME)} "
        "(m = minute, h = hour, d = day, w = week, M = month)."
    )
