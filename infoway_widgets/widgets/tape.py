"""TradeTape: time & sales, newest first, bounded, coloured by aggressor side."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import traitlets as t

from . import _validate as check
from ._base import Frame, SymbolWidget, esm

TAPE_COLS = ("t", "price", "volume", "direction")


class TradeTape(SymbolWidget):
    """Time and sales of one symbol: newest first, at most ``max_rows`` rows.

    Buys (``direction`` 1), sells (2) and neutral prints (0) take the market's colours; prints
    of at least ``large_volume`` are highlighted.

    Parameters
    ----------
    symbol : str
        Infoway code.
    feed : Feed, optional
        The data source; ``None`` means ``iw.connect()``.
    max_rows : int
        Rows kept on screen (and in the saved state).
    large_volume : float
        Highlight threshold in volume units (shares, coins); 0 means 20 lots.
    **kwargs
        Any common trait: ``locale``, ``theme``, ``timezone``, ``up_color``, ``down_color``, ``max_fps``.
    """

    _esm = esm("tape")
    _kind = "tape"

    max_rows = t.Int(200).tag(sync=True)
    large_volume = t.Float(0.0).tag(sync=True)
    height = t.Int(300).tag(sync=True)

    @t.validate("max_rows")
    def _check_max_rows(self, proposal: Any) -> int:
        return check.integer(proposal, low=1, high=10_000)

    @t.validate("large_volume")
    def _check_large_volume(self, proposal: Any) -> float:
        return check.number(proposal, low=0.0)

    def __init__(
        self,
        symbol: str,
        *,
        feed: Any = None,
        max_rows: int = 200,
        large_volume: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(feed=feed, max_rows=max_rows, **kwargs)
        self._seen = 0
        self._large_default = not large_volume
        if large_volume:
            self.large_volume = float(large_volume)
        self._follow_symbol(symbol)

    def _instrument_changed(self, inst: Any) -> None:
        if self._large_default:
            self.large_volume = float(inst.lot_size * 20)  # 20 lots unless the user set a size
        else:
            self._large_default = True  # a later symbol change falls back to the default

    def _subscribe(self) -> None:
        self._watches.append(self._feed.watch(self._inst.code, trades=True, history=0))
        self._seen = 0

    def _store(self) -> Any:
        return self._feed.tape_store(self._inst.code)

    def _cols(self, d: dict[str, Any]) -> dict[str, Any]:
        return {k: d[k] for k in TAPE_COLS}

    def _delta(self) -> Frame | None:
        store = self._store()
        if store.total < self._seen:  # the store started over (a replay seeking backwards)
            kind, cols, extra = self._full()
            return kind, cols, {**extra, "reset": True}
        if store.total == self._seen:
            return None
        start = max(self._seen, store.total - self.max_rows)
        d = store.since(start)
        self._seen = store.total
        return "tape", self._cols(d), {"total": int(store.total), "symbol": self._inst.code}

    def _full(self) -> Frame:
        store = self._store()
        d = store.since(max(0, store.total - self.max_rows))
        self._seen = store.total
        return "tape", self._cols(d), {"total": int(store.total), "symbol": self._inst.code}

    def _snapshot_frame(self) -> Frame:
        store = self._store()
        d = store.since(max(0, store.total - self.max_rows))
        return "tape", self._cols(d), {"total": int(store.total), "symbol": self._inst.code}

    @property
    def trades(self) -> pd.DataFrame:
        """Trades held by the feed, newest first, indexed by time in the exchange's zone:
        price, volume, turnover, direction (1 buy, 2 sell, 0 neutral)."""
        tz = self.timezone if self.timezone not in ("", "local") else None
        return self._store().to_pandas(tz)

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        yield f"trades={self._store().total}"
