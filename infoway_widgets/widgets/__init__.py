"""The live widgets: candles, order book, trade tape, quote board, and a dashboard of them.

Next to them, imported on first use: :mod:`.controls` (replay controls, lesson panel, symbol
picker, interval toggle, notebook awaitables) and :mod:`.bqplot` (live bqplot figures, ``iw.bqplot``).
All of them redraw through one :class:`~.coalesce.Coalescer`.
"""

from .board import QuoteBoard
from .book import OrderBook
from .candle import CandleChart
from .dashboard import Dashboard
from .heatmap import DepthHeatmap
from .intraday import IntradayChart
from .moneyflow import MoneyFlow
from .tape import TradeTape

__all__ = [
    "CandleChart",
    "Dashboard",
    "DepthHeatmap",
    "IntradayChart",
    "MoneyFlow",
    "OrderBook",
    "QuoteBoard",
    "TradeTape",
]
