"""IntradayChart (分时图): today's minute closes and the 均价线 on a fixed session axis."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ._base import Frame, SymbolWidget, esm


class IntradayChart(SymbolWidget):
    """The 分时图 every Chinese brokerage app opens with.

    A line of minute closes and the running average price (均价 = cumulative turnover / cumulative
    volume) on a fixed axis of the day's sessions (A-shares 09:30–11:30 | 13:00–15:00, the lunch
    break collapsed to one tick), empty to the right until the session fills it. The previous close
    is the centre line; the left axis is price, the right axis percent change, symmetric around it;
    limit-up / limit-down prices are marked when in range; a volume pane colours each minute by
    whether it closed up or down. Works for Hong Kong and US sessions on their own axes.

    Parameters
    ----------
    symbol : str
        Infoway code, e.g. ``"600519.SH"``.
    feed : Feed, optional
        The data source; ``None`` means ``iw.connect()``.
    **kwargs
        Any common trait: ``locale`` ("zh" labels 分时 / 均价 / 成交量), ``theme``, ``up_color``,
        ``down_color``, ``max_fps``, ``height``.

    All numbers are computed in the feed (:func:`infoway_widgets.feed.ashare.intraday`); the
    front-end only draws them.
    """

    _esm = esm("intraday")
    _kind = "intraday"

    height = t.Int(380).tag(sync=True)

    def __init__(self, symbol: str, *, feed: Any = None, **kwargs: Any) -> None:
        super().__init__(feed=feed, **kwargs)
        self._ver = -1
        self._m1_ver = -1
        self._day: str | None = None
        self._follow_symbol(symbol)

    def _subscribe(self) -> None:
        # the whole day of minutes (≤ 390 for US) plus the daily bars for the previous close
        self._watches.append(self._feed.watch(self._inst.code, intervals=["1m"], history=400))
        self._watches.append(self._feed.watch(self._inst.code, intervals=["1d"], history=10))
        self._ver = -1

    def _versions(self) -> int:
        return int(
            self._feed.bar_store(self._inst.code, "1m").version
            + self._feed.bar_store(self._inst.code, "1d").version
        )

    def _frame(self, since: int | None = None) -> Frame:
        """The day's series; with ``since`` (a 1m store version) only the slots from the earliest
        minute changed after it (a later 均价 depends on every earlier minute)."""
        m1 = self._feed.bar_store(self._inst.code, "1m")
        d = self._feed.intraday(self._inst.code)
        head = {
            "symbol": d["symbol"],
            "day": d["day"],
            "prev_close": d["prev_close"],
            "limit_up": d["limit_up"],
            "limit_down": d["limit_down"],
            "filled": d["filled"],
            "slots": len(d["t"]),
            "ticks": [[int(i), str(lbl)] for i, lbl in d["ticks"]],
        }
        k = 0
        if since is not None and self._day == d["day"]:
            changed = m1.changed_since(since)["t"]
            k = (
                int(np.searchsorted(d["t"], changed.min()))
                if len(changed)
                else max(0, d["filled"] - 1)
            )
        self._day = d["day"]
        self._m1_ver = m1.version
        self._ver = self._versions()
        stop = max(d["filled"], k)
        sl = slice(k, stop) if since is not None else slice(0, len(d["t"]))
        cols = {
            "t": d["t"][sl].astype(np.float64),
            "close": d["close"][sl],
            "avg": d["avg"][sl],
            "volume": d["volume"][sl],
            "up": d["up"][sl].astype(np.float64),
        }
        return "intraday", cols, {**head, "offset": sl.start}

    def _delta(self) -> Frame | None:
        if self._versions() == self._ver:
            return None
        if getattr(self, "_day", None) is None:
            return self._full()
        return self._frame(since=self._m1_ver)

    def _full(self) -> Frame:
        return self._frame()

    @property
    def data(self) -> pd.DataFrame:
        """Today's series as a DataFrame indexed by minute (exchange time): close, avg (均价), volume."""
        d = self._feed.intraday(self._inst.code)
        idx = pd.to_datetime(d["t"], unit="ms", utc=True).tz_convert(self._inst.tz)
        return pd.DataFrame(
            {"close": d["close"], "avg": d["avg"], "volume": d["volume"]}, index=idx
        )

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
