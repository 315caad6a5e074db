"""The live widgets: candles, order book, trade tape, quote board, and a dashboard of them; practice rounds and
their classroom leaderboard.

Next to them, imported on first use: :mod:`.controls` (replay controls, lesson panel, symbol
picker, interval toggle, notebook awaitables) and :mod:`.bqplot` (live bqplot figures, ``iw.bqplot``).
All of them redraw through one :class:`~.coalesce.Coalescer`.
"""

from .board import QuoteBoard
from .book import OrderBook
from .candle import CandleChart
from .dashboard import Dashboard
from .intraday import IntradayChart
from .leaderboard import Leaderboard
from .practice import Practice
from .tape import TradeTape

__all__ = [
    "CandleChart",
    "Dashboard",
    "IntradayChart",
    "Leaderboard",
    "OrderBook",
    "Practice",
    "QuoteBoard",
    "TradeTape",
]
