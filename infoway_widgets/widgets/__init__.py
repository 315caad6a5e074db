"""The live widgets: candles, order book, trade tape, quote board, and a dashboard of them."""

from .board import QuoteBoard
from .book import OrderBook
from .candle import CandleChart
from .dashboard import Dashboard
from .intraday import IntradayChart
from .tape import TradeTape

__all__ = ["CandleChart", "Dashboard", "IntradayChart", "OrderBook", "QuoteBoard", "TradeTape"]
