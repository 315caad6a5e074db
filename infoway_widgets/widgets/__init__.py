"""The live widgets: candles, order book, trade tape, quote board, and a dashboard of them; practice rounds and
their classroom leaderboard.

Next to them, imported on first use: :mod:`.controls` (replay controls, lesson panel, symbol
picker, interval toggle, notebook awaitables) and :mod:`.bqplot` (live bqplot figures, ``iw.bqplot``).
All of them redraw through one :class:`~.coalesce.Coalescer`.
"""

from typing import Any

from .board import QuoteBoard
from .book import OrderBook
from .candle import CandleChart
from .dashboard import Dashboard
from .heatmap import DepthHeatmap
from .intraday import IntradayChart
from .link import link
from .moneyflow import MoneyFlow
from .tape import TradeTape


def __getattr__(name: str) -> Any:
    # practice rounds pull in the simulated market's price process: load them on first use
    if name == "Practice":
        from .practice import Practice

        return Practice
    if name == "Leaderboard":
        from .leaderboard import Leaderboard

        return Leaderboard
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CandleChart",
    "Dashboard",
    "DepthHeatmap",
    "IntradayChart",
    "Leaderboard",
    "MoneyFlow",
    "OrderBook",
    "Practice",
    "QuoteBoard",
    "TradeTape",
    "link",
]
