"""OrderBook: a depth ladder with size bars, spread, mid and imbalance, or a cumulative depth chart,
and the 五档盘口 stats panel of a Chinese brokerage app (委比, 委差, 外盘/内盘, 量比, 涨停/跌停, ...)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..feed.stores import BookSnapshot
from . import _validate as check
from ._base import Frame, SymbolWidget, esm

#: keys of ``feed.ashare(symbol)`` the book frame carries in its header (``header["stats"]``)
STATS_KEYS = (
    "last",
    "change",
    "change_pct",
    "open",
    "prev_close",
    "high",
    "low",
    "volume",
    "volume_lots",
    "turnover",
    "amplitude",
    "bid_ask_ratio",
    "bid_ask_diff",
    "buy_volume",
    "sell_volume",
    "buy_sell_ratio",
    "volume_ratio",
    "limit_up",
    "limit_down",
    "at_limit",
    "flow_incomplete_since",
)


def json_stats(stats: dict[str, Any] | None) -> dict[str, Any]:
    """The :data:`STATS_KEYS` of ``stats`` as JSON-safe values: finite floats, ``None``, or the
    ``at_limit`` string ("up" / "down")."""
    out: dict[str, Any] = {}
    src = stats or {}
    for k in STATS_KEYS:
        v = src.get(k)
        if k == "at_limit":
            out[k] = v if v in ("up", "down") else None
            continue
        try:
            f = float(v) if v is not None else math.nan
        except (TypeError, ValueError):
            f = math.nan
        out[k] = f if math.isfinite(f) else None
    return out


def _pad(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[: len(a)] = a[:n]
    return out


class OrderBook(SymbolWidget):
    """The live order book of one symbol.

    Parameters
    ----------
    symbol : str
        Infoway code, e.g. ``"600519.SH"``.
    feed : Feed, optional
        The data source; ``None`` means ``iw.connect()``.
    levels : int
        Levels shown per side (5 by default; more where the feed sends them).
    view : {"ladder", "depth"}
        Ladder of levels, or the cumulative depth chart.
    stats : bool
        Show the 盘口 panel beside the ladder (委比, 委差, 涨停/跌停, 外盘/内盘, 量比, 最新, 涨跌,
        涨幅, 今开, 昨收, 最高, 最低, 成交量, 成交额, 振幅) and the 涨停 / 跌停 badge. Items the
        market has no value for (no price limits outside the mainland) are left out.
    **kwargs
        Any common trait: ``locale``, ``theme``, ``up_color``, ``down_color``, ``max_fps``, ``height``.

    Notes
    -----
    Every number of the panel is computed in the feed (:meth:`Feed.ashare
    <infoway_widgets.feed.Feed.ashare>`) and travels in the book frame's header as ``stats``; the
    front-end only formats it. 外盘 / 内盘 count the trades since the feed began watching the
    symbol; after a reconnect they miss the trades of the gap (no service gives them back), and
    the panel marks them incomplete since then (``flow_incomplete_since``). The book watches
    trades and ten daily bars for them (量比 needs six).
    """

    _esm = esm("book")
    _kind = "book"

    levels = t.Int(5).tag(sync=True)
    view = t.Unicode("ladder", help="'ladder' or 'depth'.").tag(sync=True)
    stats = t.Bool(True, help="Show the 盘口 stats panel and the limit badge.").tag(sync=True)
    height = t.Int(300).tag(sync=True)

    @t.validate("levels")
    def _check_levels(self, proposal: Any) -> int:
        return check.integer(proposal, low=1, high=50)

    @t.validate("view")
    def _check_view(self, proposal: Any) -> str:
        return check.choice(proposal, ("ladder", "depth"))

    def __init__(
        self,
        symbol: str,
        *,
        feed: Any = None,
        levels: int = 5,
        view: str = "ladder",
        stats: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(feed=feed, levels=levels, view=view, stats=stats, **kwargs)
        self._ver = -1
        self._sent_stats: dict[str, Any] | None = None
        self._follow_symbol(symbol)

    def _subscribe(self) -> None:
        # depth for the ladder; trades for 外盘/内盘 and the last price; ten daily bars for 昨收,
        # 涨停/跌停 and 量比 (five previous days + today)
        self._watches.append(self._feed.watch(self._inst.code, trades=True, depth=True, history=0))
        self._watches.append(self._feed.watch(self._inst.code, intervals=["1d"], history=10))
        self._ver = -1
        self._sent_stats = None

    def _stats(self) -> dict[str, Any]:
        """The panel's numbers from the feed (all ``None`` for a feed without ``ashare``)."""
        fn = getattr(self._feed, "ashare", None)
        try:
            return json_stats(fn(self._inst.code) if fn is not None else None)
        except Exception:  # a feed hiccup must not stop the ladder
            return json_stats(None)

    def _store(self) -> Any:
        return self._feed.book_store(self._inst.code)

    def _frame(self) -> Frame:
        store = self._store()
        self._ver = store.version
        snap: BookSnapshot | None = store.snapshot
        try:
            pc = (self._feed.quote(self._inst.code) or {}).get("prev_close")
        except Exception:
            pc = None
        stats = self._stats()
        self._sent_stats = stats
        extra: dict[str, Any] = {
            "symbol": self._inst.code,
            "prev_close": float(pc) if pc else None,
            "stats": stats,
        }
        if snap is None:
            e = np.zeros(0)
            return (
                "book",
                {"bid_px": e, "bid_vol": e, "ask_px": e, "ask_vol": e},
                {**extra, "t": None},
            )
        n = max(len(snap.bid_px), len(snap.ask_px))
        cols = {
            "bid_px": _pad(snap.bid_px, n),
            "bid_vol": _pad(snap.bid_vol, n),
            "ask_px": _pad(snap.ask_px, n),
            "ask_vol": _pad(snap.ask_vol, n),
        }
        return "book", cols, {**extra, "t": int(snap.t)}

    def _delta(self) -> Frame | None:
        # trades move the panel (外盘, 最新, 成交量) without touching the book: send then too
        if self._store().version == self._ver and self._stats() == self._sent_stats:
            return None
        return self._frame()  # depth pushes are whole snapshots: a few levels, send them all

    def _full(self) -> Frame:
        return self._frame()

    @property
    def state(self) -> BookSnapshot | None:
        """The latest :class:`~infoway_widgets.feed.BookSnapshot` (None before the first)."""
        snap: BookSnapshot | None = self._store().snapshot
        return snap

    @property
    def snapshot(self) -> pd.DataFrame:
        """The latest book as a DataFrame: one row per level (1 = best), bid/ask price and size."""
        snap = self._store().snapshot
        if snap is None:
            return pd.DataFrame(
                columns=["bid_px", "bid_vol", "ask_px", "ask_vol"],
                index=pd.RangeIndex(1, 1, name="level"),
            )
        return snap.to_pandas()

    @property
    def stats_values(self) -> dict[str, Any]:
        """The 盘口 panel's current numbers (:data:`STATS_KEYS`), as the front-end receives them."""
        return self._stats()

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        snap = self._store().snapshot
        if snap is not None:
            yield f"bid={snap.best_bid}, ask={snap.best_ask}"
