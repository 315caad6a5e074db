"""The panels under a practice chart: money as a trader reads it, and the table of trades.

Cells are ipywidgets Labels, which set their text with ``textContent``: nothing here is parsed
as HTML.
"""

from __future__ import annotations

from decimal import Decimal

import ipywidgets as w
import pandas as pd

from ..practice.labels import text

#: rows the table shows (the newest); ``p.trades`` has them all
MAX_ROWS = 12


def money(x: Decimal | float, *, sign: bool = False) -> str:
    """``12345.6`` → ``"12,345.60"`` (``"+12,345.60"`` with ``sign``)."""
    s = f"{Decimal(x):,.2f}"
    return f"+{s}" if sign and Decimal(x) > 0 else s


class TradesTable:
    """A small grid of a round's trades, newest last, in the student's language."""

    COLUMNS = ("time", "side", "price", "shares", "fee")

    def __init__(self) -> None:
        self.box = w.GridBox(
            layout=w.Layout(grid_template_columns="repeat(5, max-content)", grid_gap="0 16px")
        )
        self.box.add_class("iw-practice-trades")
        self._key: tuple[object, ...] | None = None

    def show(self, trades: pd.DataFrame, locale: str, decimals: int) -> None:
        key = (len(trades), locale)
        if key == self._key:
            return
        self._key = key
        if trades.empty:
            empty = w.Label(text("no_trades", locale))
            empty.layout.grid_column = "1 / 6"
            self.box.children = [empty]
            return
        cells = [w.Label(text(c, locale)) for c in self.COLUMNS]
        for c in cells:
            c.add_class("iw-practice-head")
        fmt = "%m-%d %H:%M"
        for row in trades.tail(MAX_ROWS).itertuples(index=False):
            side = text(f"{row.side}_side", locale)
            cells += [
                w.Label(row.time.strftime(fmt)),
                w.Label(side),
                w.Label(f"{row.price:.{decimals}f}"),
                w.Label(str(row.shares)),
                w.Label(money(row.fee)),
            ]
        self.box.children = cells


__all__ = ["MAX_ROWS", "TradesTable", "money"]
