"""MoneyFlow: 资金流向 of one symbol today. Inflow and outflow per size class (小单 / 中单 / 大单 /
特大单) as bars, and 主力净流入 (net of large + xlarge) through the day as a line, with the preset
named and the figure marked as an estimate (估算) from the trade direction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..feed.moneyflow import PRESETS, Thresholds, thresholds_of
from ..market.sessions import local_date, session_bounds
from . import _validate as check
from ._base import Frame, SymbolWidget, esm


class MoneyFlow(SymbolWidget):
    """资金流向 of one symbol: today's inflow / outflow by order size, and 主力净流入 by minute.

    Parameters
    ----------
    symbol : str
        Infoway code, e.g. ``"600519.SH"``.
    preset : str or Thresholds or mapping
        ``"tushare"`` (by turnover), ``"joinquant"`` (by shares or turnover), or your own
        thresholds (see :meth:`Feed.money_flow <infoway_widgets.feed.Feed.money_flow>`).
    feed : Feed, optional
        The data source; ``None`` means ``iw.connect()``.
    **kwargs
        Any common trait: ``locale``, ``theme``, ``timezone``, ``up_color``, ``down_color``,
        ``max_fps``, ``height``.

    Notes
    -----
    Trades are classified, not orders, and the side is the service's trade direction: the
    widget says so (估算) beside the preset. It counts the trades since the feed began watching
    the symbol today; ``since`` in :attr:`frame` says from when.
    """

    _esm = esm("moneyflow")
    _kind = "moneyflow"

    preset = t.Unicode("tushare").tag(sync=True)
    thresholds = t.Dict().tag(sync=True)
    height = t.Int(300).tag(sync=True)
    #: the counted day's continuous sessions, ``[start, end]`` UTC ms each: the line's time axis
    _sessions = t.List(t.List(t.Int())).tag(sync=True)

    @t.validate("preset")
    def _check_preset(self, proposal: Any) -> str:
        return check.choice(proposal, (*PRESETS, "custom"))

    def __init__(
        self,
        symbol: str,
        preset: str | Thresholds | dict[str, Any] = "tushare",
        *,
        feed: Any = None,
        **kwargs: Any,
    ) -> None:
        th = thresholds_of(preset)
        name = th.name if th.name in PRESETS else "custom"
        super().__init__(feed=feed, preset=name, **kwargs)
        self._th = th
        self.thresholds = th.describe()
        self._ver = -1
        self._minutes = 0
        self._day_open: int | None = None
        self.observe(self._on_preset, names=["preset"])
        self._follow_symbol(symbol)

    def _on_preset(self, change: dict[str, Any]) -> None:
        if change["new"] in PRESETS:
            self._th = PRESETS[change["new"]]
            self.thresholds = self._th.describe()
            self._ver = -1
            self._send_full()

    def _subscribe(self) -> None:
        self._watches.append(self._feed.watch(self._inst.code, trades=True, history=0))
        self._ver = -1

    def _day(self) -> Any:
        return self._feed.money_flow_day(self._inst.code, self._th)

    def _frame(self, offset: int) -> Frame:
        day = self._day()
        self._ver = day.version
        if day.day_open != self._day_open or not self._sessions:
            self._sessions = self._sessions_of(day.day_open)
        self._day_open = day.day_open
        tl, line = day.main_net_line()
        self._minutes = len(tl)
        off = max(0, min(offset, len(tl)))
        df = day.frame()
        return (
            "moneyflow",
            {"t": tl[off:], "main_net": line[off:]},
            {
                "symbol": self._inst.code,
                "offset": off,
                "inflow": [float(x) for x in df["inflow"]],
                "outflow": [float(x) for x in df["outflow"]],
                "main_net_total": float(df.attrs["main_net"]),
                "neutral": float(df.attrs["neutral"]["turnover"]),
                "preset": day.thresholds.name,
                "thresholds": day.thresholds.describe(),
                "day_open": day.day_open,
                "since": day.since,
                "gap_since": day.gap_since,
            },
        )

    def _sessions_of(self, day_open: int | None) -> list[list[int]]:
        """The sessions of the trading day opening at ``day_open`` (none before the first trade)."""
        if day_open is None:
            return []
        day = local_date(self._inst, int(day_open))
        return [[a, b] for a, b in session_bounds(self._inst, day)]

    def _delta(self) -> Frame | None:
        day = self._day()
        if day.version == self._ver:
            return None
        if day.day_open != self._day_open:  # a new trading day: the line starts again
            kind, cols, extra = self._frame(0)
            return kind, cols, {**extra, "reset": True}
        # the minute that was forming may have changed: resend from it
        return self._frame(max(0, self._minutes - 1))

    def _full(self) -> Frame:
        return self._frame(0)

    @property
    def frame(self) -> pd.DataFrame:
        """Today's money flow as :meth:`Feed.money_flow` returns it, for this widget's preset."""
        out: pd.DataFrame = self._day().frame()
        return out

    @property
    def main_net_line(self) -> pd.Series:
        """主力净流入 through the day (running total at each minute), indexed by time."""
        tl, line = self._day().main_net_line()
        idx = pd.to_datetime(np.asarray(tl, dtype=np.int64), unit="ms", utc=True)
        return pd.Series(line, index=idx.tz_convert(self._inst.tz), name="main_net")

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        yield f"preset={self._th.name!r}"
