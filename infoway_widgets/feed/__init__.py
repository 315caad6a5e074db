"""Subscriptions, aggregation of trades into bars, book and tape state, backfill, record/replay."""

from .stores import BarStore, BookSnapshot, BookStore, TapeStore

__all__ = ["BarStore", "BookSnapshot", "BookStore", "TapeStore"]
