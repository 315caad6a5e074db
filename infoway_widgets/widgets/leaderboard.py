"""Leaderboard: a classroom's results, live, best P&L first.

It long-polls the classroom server's board, so a result appears as soon as a student submits it.
Names are the students' own text: they are shown through Labels (``textContent``), never HTML.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from ..errors import InfowayError
from ..i18n import check_locale, format_pct
from ..practice.labels import text
from .practice_panel import money

log = logging.getLogger("infoway_widgets.widgets")

TABLE_COLUMNS = ("name", "pnl", "return_pct", "trades")


class Leaderboard(w.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """The results students posted with ``p.submit()`` to the classroom server at ``base_url``.

    Parameters
    ----------
    base_url : str
        The classroom server (``infoway-widgets serve --classroom`` printed it).
    locale : {"en", "zh"}
    max_rows : int
        Rows shown (all of them are in :attr:`table`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``name``, ``pnl``, ``return_pct``, ``trades``, sorted by P&L, best first.
    version : int
        Rises with every result the server has taken (observable).

    Examples
    --------
    >>> iw.Leaderboard(base_url="http://127.0.0.1:8780", locale="zh")   # doctest: +SKIP
    """

    version = t.Int(-1, help="The board's version last shown.")
    locale = t.Unicode("en")

    def __init__(self, base_url: str, *, locale: str = "en", max_rows: int = 50) -> None:
        from ..classroom.client import ClassroomClient

        self._client = ClassroomClient(base_url)
        self.max_rows = int(max_rows)
        self._rows: list[dict[str, Any]] = []
        self._title = w.Label()
        self._grid = w.GridBox(
            layout=w.Layout(grid_template_columns="repeat(5, max-content)", grid_gap="0 16px")
        )
        self._grid.add_class("iw-leaderboard-rows")
        super().__init__([self._title, self._grid], locale=check_locale(locale))
        self.add_class("iw-leaderboard")
        self.observe(lambda _: self._show(), names=["locale"])
        self._show()
        self._task = asyncio.get_running_loop().create_task(self._poll())

    @property
    def table(self) -> pd.DataFrame:
        """The class's results, best P&L first."""
        return pd.DataFrame(self._rows, columns=list(TABLE_COLUMNS))

    def refresh(self) -> asyncio.Task[pd.DataFrame]:
        """Ask the server now; returns a task whose result is :attr:`table`."""

        async def go() -> pd.DataFrame:
            self._apply(await self._client.board())
            return self.table

        return asyncio.get_running_loop().create_task(go())

    async def _poll(self) -> None:
        while True:
            try:
                self._apply(await self._client.board(self.version, wait=20.0))
            except asyncio.CancelledError:
                raise
            except InfowayError as e:
                self._title.value = str(e)
                await asyncio.sleep(2.0)  # the server is away: ask again shortly

    def _apply(self, board: dict[str, Any]) -> None:
        rows = [
            {k: r[k] for k in TABLE_COLUMNS}
            for r in board.get("rows", [])
            if isinstance(r, dict) and all(k in r for k in TABLE_COLUMNS)
        ]
        self._rows = sorted(rows, key=lambda r: (-float(r["pnl"]), str(r["name"])))
        self._show()
        self.version = int(board.get("version", self.version))

    def _show(self) -> None:
        loc = self.locale
        self._title.value = (
            text("students", loc, n=len(self._rows)) if self._rows else text("board_empty", loc)
        )
        cells = [w.Label(h) for h in ("#", *(text(c, loc) for c in TABLE_COLUMNS))]
        for i, r in enumerate(self._rows[: self.max_rows], 1):
            cells += [
                w.Label(str(i)),
                w.Label(str(r["name"])),
                w.Label(money(float(r["pnl"]), sign=True)),
                w.Label(format_pct(float(r["return_pct"]))),
                w.Label(str(r["trades"])),
            ]
        self._grid.children = cells if self._rows else []

    async def aclose(self) -> None:
        """Stop polling and release the connection."""
        from .._aio import cancel_and_wait

        await cancel_and_wait([self._task])
        await self._client.aclose()

    def close(self) -> None:
        self._task.cancel()
        super().close()


__all__ = ["TABLE_COLUMNS", "Leaderboard"]
