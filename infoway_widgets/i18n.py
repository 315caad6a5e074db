"""Labels in English and Chinese, and number formatting in both styles.

The front-end widgets carry their own table (``js/src/lib/i18n.js``) and formatters
(``js/src/lib/format.js``); this module is the Python side of the same conventions, used by the
ipywidgets controls, the bqplot figures and the teaching notebooks. The volume formatter follows
the same thresholds as ``formatVolume`` in ``format.js`` so a number reads the same in a widget and
in a control next to it.
"""

from __future__ import annotations

import math
from typing import Literal, Protocol

from .errors import BadParameterError

Locale = Literal["en", "zh"]
LOCALES: tuple[str, ...] = ("en", "zh")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        # market data (same words as the widgets)
        "open": "Open",
        "high": "High",
        "low": "Low",
        "close": "Close",
        "volume": "Volume",
        "turnover": "Turnover",
        "vwap": "VWAP",
        "last": "Last",
        "change": "Change",
        "change_pct": "Change %",
        "bid": "Bid",
        "ask": "Ask",
        "spread": "Spread",
        "mid": "Mid",
        "imbalance": "Imbalance",
        "depth": "Depth",
        "price": "Price",
        "size": "Size",
        "time": "Time",
        "symbol": "Symbol",
        "name": "Name",
        "trades": "Trades",
        "prev_close": "Prev close",
        "limit_up": "Limit up",
        "limit_down": "Limit down",
        "buy": "Buy",
        "sell": "Sell",
        # volume units (market.volume_unit)
        "lots": "lots",
        "shares": "shares",
        "units": "units",
        # replay controls
        "play": "Play",
        "pause": "Pause",
        "restart": "Restart",
        "speed": "Speed",
        "position": "Position",
        "exchange_time": "Exchange time",
        "replay_done": "end of recording",
        "replaying": "replaying",
        "paused": "paused",
        "replay_closed": "replay closed: connect again to replay",
        # lesson panel
        "lesson": "Lesson",
        "large_buy": "Large buy",
        "large_sell": "Large sell",
        "halt": "Halt",
        "resume": "Resume",
        "volatility": "Volatility",
        "drive_up": "Drive to limit up",
        "drive_down": "Drive to limit down",
        "release": "Release limit",
        "needs_sim": "Lesson buttons need the simulated market (no API key, not a replay).",
        "no_limit": "no daily price limit for this market",
        "effect_at": "takes effect at {t}",
        # pickers
        "search": "Search",
        "search_placeholder": "code or name, e.g. 600519 or Moutai",
        "interval": "Interval",
        "no_match": "no match",
        # phases (market.phase)
        "phase.open": "continuous trading",
        "phase.auction": "call auction",
        "phase.pre-open": "before the open",
        "phase.break": "lunch break",
        "phase.closed": "closed",
    },
    "zh": {
        "open": "开盘",
        "high": "最高",
        "low": "最低",
        "close": "收盘",
        "volume": "成交量",
        "turnover": "成交额",
        "vwap": "均价",
        "last": "最新",
        "change": "涨跌",
        "change_pct": "涨跌幅",
        "bid": "买",
        "ask": "卖",
        "spread": "价差",
        "mid": "中间价",
        "imbalance": "委比",
        "depth": "深度",
        "price": "价格",
        "size": "数量",
        "time": "时间",
        "symbol": "代码",
        "name": "名称",
        "trades": "成交",
        "prev_close": "昨收",
        "limit_up": "涨停",
        "limit_down": "跌停",
        "buy": "买",
        "sell": "卖",
        "lots": "手",
        "shares": "股",
        "units": "单位",
        "play": "播放",
        "pause": "暂停",
        "restart": "从头",
        "speed": "速度",
        "position": "进度",
        "exchange_time": "交易所时间",
        "replay_done": "回放结束",
        "replaying": "回放中",
        "paused": "已暂停",
        "replay_closed": "回放已关闭：请重新连接以回放",
        "lesson": "课堂",
        "large_buy": "大单买入",
        "large_sell": "大单卖出",
        "halt": "停牌",
        "resume": "复牌",
        "volatility": "波动率",
        "drive_up": "推至涨停",
        "drive_down": "推至跌停",
        "release": "打开涨跌停",
        "needs_sim": "课堂按钮需要模拟市场（未设置 API key，且不是回放）。",
        "no_limit": "该市场没有涨跌幅限制",
        "effect_at": "{t} 生效",
        "search": "搜索",
        "search_placeholder": "代码或名称，如 600519 或 茅台",
        "interval": "周期",
        "no_match": "无匹配",
        "phase.open": "连续竞价",
        "phase.auction": "集合竞价",
        "phase.pre-open": "开盘前",
        "phase.break": "午间休市",
        "phase.closed": "已收盘",
    },
}

#: how an interval reads on a button
INTERVAL_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "1m": "1m",
        "5m": "5m",
        "15m": "15m",
        "30m": "30m",
        "1h": "1h",
        "2h": "2h",
        "4h": "4h",
        "1d": "1D",
        "1w": "1W",
        "1M": "1M",
        "1Q": "1Q",
        "1Y": "1Y",
    },
    "zh": {
        "1m": "1分",
        "5m": "5分",
        "15m": "15分",
        "30m": "30分",
        "1h": "1小时",
        "2h": "2小时",
        "4h": "4小时",
        "1d": "日K",
        "1w": "周K",
        "1M": "月K",
        "1Q": "季K",
        "1Y": "年K",
    },
}

_ZH_DIGITS = "一二三四五六七八九十"


def check_locale(locale: str) -> str:
    """Return ``locale`` if supported.

    Raises
    ------
    BadParameterError
        (a ``ValueError``) naming the choices, for any other value.
    """
    if locale not in LOCALES:
        raise BadParameterError(f"locale must be 'en' or 'zh', not {locale!r}")
    return locale


def label(key: str, locale: str = "en") -> str:
    """The label for ``key`` in ``locale`` (English, then the key itself, when missing)."""
    return LABELS.get(locale, LABELS["en"]).get(key) or LABELS["en"].get(key, key)


def interval_label(interval: str, locale: str = "en") -> str:
    """Button text of an interval name: ``"5m"`` → ``"5m"`` / ``"5分"``."""
    return INTERVAL_LABELS.get(locale, INTERVAL_LABELS["en"]).get(interval, interval)


def phase_label(phase: str, locale: str = "en") -> str:
    """Text of a :func:`infoway_widgets.market.phase` value (``"break"`` → "lunch break" / 午间休市)."""
    return label(f"phase.{phase}", locale)


def level_name(side: str, i: int, locale: str = "en") -> str:
    """Name of book level ``i`` (1-based): 买一 … 卖五 in Chinese, "Bid 1" … "Ask 5" in English."""
    if side not in ("bid", "ask"):
        raise BadParameterError(f"side must be 'bid' or 'ask', not {side!r}")
    if locale == "zh":
        digit = _ZH_DIGITS[i - 1] if 1 <= i <= len(_ZH_DIGITS) else str(i)
        return ("买" if side == "bid" else "卖") + digit
    return f"{'Bid' if side == 'bid' else 'Ask'} {i}"


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def format_volume(
    value: float | None, locale: str = "en", digits: int = 2, small_decimals: int | None = None
) -> str:
    """A volume or an amount in compact form.

    Chinese groups by 10^4: 万 (10^4), 亿 (10^8), 万亿 (10^12). English groups by 10^3: K, M, B, T.

    Parameters
    ----------
    value : float or None
    locale : {"en", "zh"}
    digits : int
        Decimals after scaling.
    small_decimals : int, optional
        At most this many decimals below the first group (trailing zeros trimmed); default
        ``digits``. A size of 0.00002 BTC needs 5.

    Returns
    -------
    str
        ``"—"`` for a missing or non-finite value.

    Examples
    --------
    >>> format_volume(123_456_789, "zh")
    '1.23亿'
    >>> format_volume(123_456_789, "en")
    '123.46M'
    >>> format_volume(45_600, "zh")
    '4.56万'
    """
    if value is None or not math.isfinite(value):
        return "—"
    a = abs(float(value))
    sign = "-" if value < 0 else ""
    steps = (
        ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))
        if locale == "zh"
        else ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
    )
    for size, unit in steps:
        if a >= size:
            return f"{sign}{a / size:.{digits}f}{unit}"
    small = digits if small_decimals is None else small_decimals
    return sign + _trim(f"{a:.{small if a % 1 else 0}f}")


class SizeUnit(Protocol):
    """What :func:`format_size` reads of a :class:`~infoway_widgets.market.VolumeUnit`."""

    @property
    def key(self) -> str: ...
    @property
    def per(self) -> float: ...
    @property
    def decimals(self) -> int: ...


def unit_label(key: str, locale: str = "en") -> str:
    """Name of a volume unit: ``"lots"`` → "lots" / "手", ``"shares"`` → "shares" / "股"; a base
    asset (``"BTC"``) reads as itself."""
    return label(key, locale) if key in ("lots", "shares", "units") else key


def format_size(value: float | None, unit: SizeUnit, locale: str = "en") -> str:
    """A raw size (shares, coins) in its market's unit, with the unit.

    Examples
    --------
    >>> from infoway_widgets.market import parse_symbol, volume_unit
    >>> format_size(5000, volume_unit(parse_symbol("600519.SH")), "zh")
    '50手'
    >>> format_size(0.00002, volume_unit(parse_symbol("BTCUSDT")))
    '0.00002 BTC'
    """
    if value is None or not math.isfinite(value):
        return "—"
    text = format_volume(value / unit.per, locale, small_decimals=unit.decimals)
    name = unit_label(unit.key, locale)
    joined = locale == "zh" and unit.key in ("lots", "shares", "units")
    return f"{text}{name}" if joined else f"{text} {name}"


def format_price(value: float | None, decimals: int = 2) -> str:
    """A price at ``decimals`` decimals; ``"—"`` when missing."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{decimals}f}"


def format_pct(value: float | None, decimals: int = 2) -> str:
    """A signed percentage from a value already in percent: ``1.234`` → ``"+1.23%"``."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{'+' if value > 0 else ''}{value:.{decimals}f}%"


__all__ = [
    "INTERVAL_LABELS",
    "LABELS",
    "LOCALES",
    "Locale",
    "SizeUnit",
    "check_locale",
    "format_pct",
    "format_price",
    "format_size",
    "format_volume",
    "interval_label",
    "label",
    "level_name",
    "phase_label",
    "unit_label",
]
