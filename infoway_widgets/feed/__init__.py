"""The Feed and its parts: sources, aggregation of trades into bars, stores, subscriptions,
settlement and backfill, listeners, derived views, record/replay."""

from .connect import aconnect, connect
from .feed import Bar, Feed, Watch
from .history import ahistory, history
from .replay import Replay
from .stores import BarStore, BookSnapshot, BookStore, TapeStore

__all__ = [
    "Bar",
    "BarStore",
    "BookSnapshot",
    "BookStore",
    "Feed",
    "Replay",
    "TapeStore",
    "Watch",
    "aconnect",
    "ahistory",
    "connect",
    "history",
]
