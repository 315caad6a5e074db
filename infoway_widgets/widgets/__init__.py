"""The live widgets: candles, order book, trade tape, quote board, and a dashboard of them."""

from .board import QuoteBoard
from .book import OrderBook
from .candle import CandleChart
from .tape import TradeTape

__all__ = ["CandleChart", "OrderBook", "QuoteBoard", "TradeTape"]
