"""Market rules: what a symbol is, when it trades, which bar a trade belongs to, how rows make a bar."""

from .calendars import is_trading_day, next_trading_day, previous_trading_day, trading_days
from .instruments import Instrument, Session, is_st_name, parse_symbol, parse_symbols
from .intervals import BY_KLINE, BY_NAME, LIVE_INTERVALS, Interval, parse_interval
from .ohlcv import OHLCV, TradeBars, group_ohlcv, reduce_runs, run_ends, run_starts, trade_bars
from .sessions import (
    DAY_MS,
    auction_bounds,
    bar_end,
    bar_grid,
    bar_open,
    bar_opens,
    bar_span,
    is_trading,
    last_session_day,
    local_date,
    phase,
    session_bounds,
    trading_day_of,
)
from .units import LOT_MARKETS, VolumeUnit, base_asset, size_decimals, volume_unit

__all__ = [
    "BY_KLINE",
    "BY_NAME",
    "DAY_MS",
    "LIVE_INTERVALS",
    "LOT_MARKETS",
    "OHLCV",
    "Instrument",
    "Interval",
    "Session",
    "TradeBars",
    "VolumeUnit",
    "auction_bounds",
    "bar_end",
    "bar_grid",
    "bar_open",
    "bar_opens",
    "bar_span",
    "base_asset",
    "group_ohlcv",
    "is_st_name",
    "is_trading",
    "is_trading_day",
    "last_session_day",
    "local_date",
    "next_trading_day",
    "parse_interval",
    "parse_symbol",
    "parse_symbols",
    "phase",
    "previous_trading_day",
    "reduce_runs",
    "run_ends",
    "run_starts",
    "session_bounds",
    "size_decimals",
    "trade_bars",
    "trading_day_of",
    "trading_days",
    "volume_unit",
]
