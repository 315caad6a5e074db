"""DepthHeatmap: the order book over time. x = time, y = price (a row per tick), colour = the size
resting at that price then (log scale); best bid and ask as lines; trades as circles sized by
volume and coloured by side.

Python keeps the last ``columns`` time bins of the book and the trades (:mod:`.heatring`); each
frame carries one column, the book of the current bin, and the trades since the previous frame
summed per price and side: under a kilobyte at 20 levels with a trade a frame (962 B measured,
``benchmarks/heatmap.py``), whatever the window or the session length. The front-end writes
each column into a ring-buffer image, paints the plot once and then only each update's columns,
and scrolls it (see ``js/src/heatmap.js`` for the choice of canvas 2D).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..errors import InfowayError
from . import _validate as check
from ._base import Frame, SymbolWidget, esm
from .heatring import HeatColumns, HeatRing

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hour)?\s*$", re.IGNORECASE)
_UNIT_MS = {"s": 1000, "sec": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "hour": 3_600_000}
#: bins kept in the saved state (a saved notebook shows the latest part of the window)
SNAPSHOT_BINS = 240


class HeatmapSettingError(InfowayError, ValueError):
    """A heatmap setting that cannot be used."""


def window_ms(window: str | float | int) -> int:
    """``"10m"``, ``"90s"``, ``"1h"`` or seconds as a number, in ms (10 s to 24 h)."""
    if isinstance(window, (int, float)) and not isinstance(window, bool):
        ms = int(float(window) * 1000)
    else:
        m = _SPAN.match(str(window))
        if m is None:
            raise HeatmapSettingError(
                f"window {window!r} is not a time span; write it like '10m', '90s' or '1h'"
            )
        ms = int(float(m.group(1)) * _UNIT_MS[(m.group(2) or "s").lower()])
    if not 10_000 <= ms <= 86_400_000:
        raise HeatmapSettingError(f"window {window!r} must be between 10 s and 24 h, e.g. '10m'")
    return ms


class DepthHeatmap(SymbolWidget):
    """The order book of one symbol over time, as a heatmap.

    Parameters
    ----------
    symbol : str
        Infoway code, e.g. ``"600519.SH"`` (five levels) or ``"BTCUSDT"`` (deeper books).
    window : str
        Time shown and kept: ``"10m"``, ``"30m"``, ``"1h"``, ``"90s"``.
    feed : Feed, optional
        The data source; ``None`` means ``iw.connect()``.
    columns : int
        Time bins across the window (600: one bin per second at ``"10m"``). Each bin keeps the
        book at its end and the volume traded in it per price and side.
    levels : int
        Most levels per side drawn (the feed's books may have fewer: five for A-shares).
    trades : bool
        Draw trades as circles (sized by volume; buys in the rise colour, sells in the fall colour).
    **kwargs
        Any common trait: ``locale``, ``theme``, ``timezone``, ``up_color``, ``down_color``,
        ``max_fps``, ``height``.

    Notes
    -----
    Mouse wheel zooms time (with Shift: price), dragging pans, a double click or the Live button
    goes back to the live edge; the read-out under the crosshair gives time, price, the size
    resting there and the volume traded there.
    """

    _esm = esm("heatmap")
    _kind = "heatmap"

    window = t.Unicode("10m").tag(sync=True)
    columns = t.Int(600).tag(sync=True)
    levels = t.Int(20).tag(sync=True)
    trades = t.Bool(True).tag(sync=True)
    height = t.Int(360).tag(sync=True)

    @t.validate("window")
    def _check_window(self, proposal: Any) -> str:
        window_ms(proposal["value"])
        return str(proposal["value"])

    @t.validate("columns")
    def _check_columns(self, proposal: Any) -> int:
        return check.integer(proposal, low=20, high=4000)

    @t.validate("levels")
    def _check_levels(self, proposal: Any) -> int:
        return check.integer(proposal, low=1, high=200)

    def __init__(
        self,
        symbol: str,
        window: str | float = "10m",
        *,
        feed: Any = None,
        columns: int = 600,
        levels: int = 20,
        trades: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            feed=feed, window=str(window), columns=columns, levels=levels, trades=trades, **kwargs
        )
        self._ring: HeatRing | None = None
        self._ver = -1
        self._seen = 0
        self._tape: Any = None
        self.observe(lambda _c: self._restart(), names=["window", "columns", "levels"])
        self._follow_symbol(symbol)

    # ---- feed ----------------------------------------------------------------------------------
    def _subscribe(self) -> None:
        self._watches.append(self._feed.watch(self._inst.code, trades=True, depth=True, history=0))
        self._restart_state()

    def _restart_state(self) -> None:
        self._ring = None
        self._ver = -1
        self._tape = None
        self._seen = 0

    def _restart(self) -> None:
        """A new window, resolution or depth: start the ring again (the front-end too)."""
        if getattr(self, "_inst", None) is None or self._closed:
            return
        self._restart_state()
        self._send_full()

    @property
    def bin_ms(self) -> int:
        """Exchange time per bin (ms)."""
        return max(1, window_ms(self.window) // self.columns)

    def _book(self) -> Any:
        return self._feed.book_store(self._inst.code)

    def _ring_for(self, snap: Any) -> HeatRing:
        depth = max(len(snap.bid_px), len(snap.ask_px)) if snap is not None else 0
        want = max(1, min(self.levels, depth or self.levels))
        ring = self._ring
        if ring is None or (depth > ring.levels and ring.levels < self.levels):
            ring = self._ring = HeatRing(self.columns, want, self.bin_ms)
            self._ver = -1
            self._seen = 0
        return ring

    def _take(self) -> tuple[HeatColumns | None, HeatColumns | None, bool]:
        """Fold what is new into the ring: (the current bin's book, the new trades, reset?)."""
        store = self._book()
        snap = store.snapshot
        if snap is None and self._ring is None:
            return None, None, False
        tape = self._feed.tape_store(self._inst.code)
        started_over = self._tape is not None and (
            tape is not self._tape or tape.total < self._seen
        )
        if started_over:  # a replay seeking back: its times run again from earlier
            self._ring = None
            self._ver = -1
            self._seen = 0
        self._tape = tape
        if snap is None and self._ring is None:
            return None, None, started_over
        levels_before = self._ring.levels if self._ring is not None else None
        ring = self._ring_for(snap)
        reset = started_over or levels_before != ring.levels
        book_cols = None
        if snap is not None and store.version != self._ver:
            self._ver = store.version
            b = ring.book(snap.t, snap.bid_px, snap.bid_vol, snap.ask_px, snap.ask_vol)
            book_cols = ring.columns(b, b)
        trade_cols = None
        if tape.total > self._seen:
            d = tape.since(self._seen)
            self._seen = tape.total
            trade_cols = ring.trades(d["t"], d["price"], d["volume"], d["direction"])
        return book_cols, trade_cols, reset

    def _header(self) -> dict[str, Any]:
        ring = self._ring
        return {
            "symbol": self._inst.code,
            "bin_ms": self.bin_ms,
            "window_ms": window_ms(self.window),
            "capacity": int(self.columns),
            "levels": int(ring.levels) if ring is not None else 0,
            "now": int(ring.last_bin * ring.bin_ms)
            if ring is not None and ring.last_bin >= 0
            else 0,
            "market_ms": int(getattr(self._feed, "market_ms", 0) or 0),
        }

    def _delta(self) -> Frame | None:
        book_cols, trade_cols, reset = self._take()
        if reset:
            kind, cols, extra = self._full()
            return kind, cols, {**extra, "reset": True}
        if book_cols is None and trade_cols is None:
            return None
        e = np.zeros(0)
        bk = book_cols.columns() if book_cols is not None else {}
        tr = trade_cols.columns() if trade_cols is not None else {}
        cols = {k: bk.get(k, e) for k in ("t", "bid_px", "bid_vol", "ask_px", "ask_vol")} | {
            k: tr.get(k, e) for k in ("tr_t", "tr_px", "tr_vol", "tr_dir")
        }
        return "heatmap", cols, self._header()

    def _full(self) -> Frame:
        self._take()
        ring = self._ring
        cols = ring.columns() if ring is not None else HeatRing(1, 1, 1).columns()
        return "heatmap", cols.columns(), self._header()

    def _snapshot_frame(self) -> Frame:
        self._take()
        ring = self._ring
        if ring is None:
            cols = HeatRing(1, 1, 1).columns()
        else:
            cols = ring.columns(ring.last_bin - SNAPSHOT_BINS + 1, ring.last_bin)
        return "heatmap", cols.columns(), self._header()

    # ---- reading it back -----------------------------------------------------------------------
    @property
    def bins(self) -> pd.DataFrame:
        """The books held, long form: one row per bin, side and level with its price and size,
        indexed by the bin's start in the exchange's zone."""
        ring = self._ring
        if ring is None or ring.last_bin < 0:
            return pd.DataFrame(columns=["side", "level", "price", "size"])
        c = ring.columns()
        L = ring.levels
        m = len(c.t)
        t_rep = np.repeat(c.t, L)
        lvl = np.tile(np.arange(1, L + 1), m)
        parts = []
        for side, px, vol in (("bid", c.bid_px, c.bid_vol), ("ask", c.ask_px, c.ask_vol)):
            ok = np.isfinite(px)
            parts.append(
                pd.DataFrame(
                    {
                        "t": t_rep[ok],
                        "side": side,
                        "level": lvl[ok],
                        "price": px[ok],
                        "size": vol[ok],
                    }
                )
            )
        df = pd.concat(parts).sort_values(["t", "side", "level"], kind="stable")
        idx = pd.to_datetime(df.pop("t"), unit="ms", utc=True).dt.tz_convert(self._inst.tz)
        return df.set_index(pd.DatetimeIndex(idx, name="time"))

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        yield f"window={self.window!r}"
        if self._ring is not None:
            yield f"levels={self._ring.levels}"
