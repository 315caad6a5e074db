"""OrderBook: a depth ladder with size bars, spread, mid and imbalance, or a cumulative depth chart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..feed.stores import BookSnapshot
from ._base import Frame, LiveWidget, esm, market_info


def _pad(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[: len(a)] = a[:n]
    return out


class OrderBook(LiveWidget):
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
    **kwargs
        Any common trait: ``locale``, ``theme``, ``up_color``, ``down_color``, ``max_fps``, ``height``.
    """

    _esm = esm("book")
    _kind = "book"

    symbol = t.Unicode("").tag(sync=True)
    levels = t.Int(5).tag(sync=True)
    view = t.Enum(["ladder", "depth"], "ladder").tag(sync=True)
    height = t.Int(300).tag(sync=True)

    def __init__(self, symbol: str, *, feed: Any = None, levels: int = 5, view: str = "ladder",
                 **kwargs: Any) -> None:
        super().__init__(feed=feed, levels=levels, view=view, **kwargs)
        self._ver = -1
        self._set_symbol(symbol)
        self.observe(lambda ch: self._set_symbol(ch["new"]) if ch["new"] != self._inst.code else None,
                     names=["symbol"])

    def _set_symbol(self, symbol: str) -> None:
        if self._closed:
            return
        inst = self._feed.instrument(symbol)
        for w in self._watches:
            w.close()
        self._watches = []
        self._inst = inst
        with self.hold_trait_notifications():
            self.symbol = inst.code
            self._market = market_info(inst)
        self._subscribe()
        self._send_full()

    def _subscribe(self) -> None:
        self._watches.append(self._feed.watch(self._inst.code, depth=True, history=0))
        self._ver = -1

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
        extra: dict[str, Any] = {"symbol": self._inst.code, "prev_close": float(pc) if pc else None}
        if snap is None:
            e = np.zeros(0)
            return "book", {"bid_px": e, "bid_vol": e, "ask_px": e, "ask_vol": e}, {**extra, "t": None}
        n = max(len(snap.bid_px), len(snap.ask_px))
        cols = {"bid_px": _pad(snap.bid_px, n), "bid_vol": _pad(snap.bid_vol, n),
                "ask_px": _pad(snap.ask_px, n), "ask_vol": _pad(snap.ask_vol, n)}
        return "book", cols, {**extra, "t": int(snap.t)}

    def _delta(self) -> Frame | None:
        if self._store().version == self._ver:
            return None
        return self._frame()  # depth pushes are whole snapshots: a few levels, send them all

    def _full(self) -> Frame:
        return self._frame()

    @property
    def state(self) -> BookSnapshot | None:
        """The latest :class:`~infoway_widgets.feed.BookSnapshot` (None before the first)."""
        return self._store().snapshot

    @property
    def snapshot(self) -> pd.DataFrame:
        """The latest book as a DataFrame: one row per level (1 = best), bid/ask price and size."""
        snap = self._store().snapshot
        if snap is None:
            return pd.DataFrame(columns=["bid_px", "bid_vol", "ask_px", "ask_vol"],
                                index=pd.RangeIndex(1, 1, name="level"))
        return snap.to_pandas()

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        snap = self._store().snapshot
        if snap is not None:
            yield f"bid={snap.best_bid}, ask={snap.best_ask}"
