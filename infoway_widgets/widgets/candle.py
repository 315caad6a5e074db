"""CandleChart: live candlesticks with volume, moving averages, VWAP and price-limit lines."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..market import LIVE_INTERVALS, parse_interval
from . import _validate as check
from ._base import Frame, LiveWidget, esm, market_info
from .vprofile import profile_header, profile_of

#: daily bars watched for the quote (previous close, limit lines)
DAILY_HISTORY = 250
BAR_COLS = ("open", "high", "low", "close", "volume", "turnover")


class CandleChart(LiveWidget):
    """A live candlestick chart of one symbol, drawn by TradingView Lightweight Charts.

    Shows the last ``history`` bars, then keeps up with the live feed; scrolling left pages
    older bars in from the feed. Times are labelled in the exchange's zone by default.

    Parameters
    ----------
    symbol : str
        Infoway code, e.g. ``"600519.SH"``, ``"00700.HK"``, ``"AAPL.US"``, ``"BTCUSDT"``.
    interval : str
        Bar interval: ``"1m"``, ``"5m"``, ``"15m"``, ``"30m"``, ``"1h"`` or ``"1d"``.
    feed : Feed, optional
        The data source; ``None`` means the kernel's shared ``iw.connect()``.
    ma : sequence of int
        Moving-average lengths (default 5, 10, 20, 60); empty for none.
    vwap : bool
        Draw the session VWAP.
    history : int
        Bars to load and show at first.
    **kwargs
        Any trait: ``locale`` ("en" | "zh"), ``theme`` ("auto" | "light" | "dark"), ``timezone``,
        ``up_color``, ``down_color``, ``max_fps``, ``height``, ``show_limits``, ``max_bars``.

    Examples
    --------
    >>> chart = iw.CandleChart("600519.SH", interval="1m")   # doctest: +SKIP
    >>> chart.bars.tail()                                    # doctest: +SKIP
    """

    _esm = esm("candle")
    _kind = "candle"

    symbol = t.Unicode("").tag(sync=True)
    interval = t.Unicode("1m").tag(sync=True)
    intervals = t.List(
        t.Unicode(), list(LIVE_INTERVALS), help="Buttons of the interval switch."
    ).tag(sync=True)
    ma = t.List(t.Int(), [5, 10, 20, 60]).tag(sync=True)
    vwap = t.Bool(True).tag(sync=True)
    show_limits = t.Bool(True, help="Limit-up / limit-down lines where the market has them.").tag(
        sync=True
    )
    history = t.Int(500).tag(sync=True)
    max_bars = t.Int(
        5_000,
        help="Bars a view holds (about; older ones drop off, and scrolling back pages them in).",
    ).tag(sync=True)
    page_size = t.Int(500, help="Bars fetched per scroll-back request.").tag(sync=True)
    snapshot_bars = t.Int(500, help="Bars kept in the saved widget state.").tag(sync=True)
    height = t.Int(420).tag(sync=True)
    show_volume_profile = t.Bool(
        False, help="The day's volume by price on the price pane (see volume_profile())."
    ).tag(sync=True)
    _interval_ms = t.Int(60_000).tag(sync=True)
    _levels = t.Dict().tag(sync=True)

    # ---- settings are checked before they land ---------------------------------------------
    @t.validate("symbol")
    def _check_symbol(self, proposal: Any) -> str:
        return str(check.library_errors(proposal, lambda s: self._feed.instrument(s).code))

    @t.validate("interval")
    def _check_interval(self, proposal: Any) -> str:
        return str(check.library_errors(proposal, lambda iv: parse_interval(iv).name))

    @t.validate("intervals")
    def _check_intervals(self, proposal: Any) -> list[str]:
        names = check.library_errors(proposal, lambda ivs: [parse_interval(iv).name for iv in ivs])
        return list(dict.fromkeys(names))

    @t.validate("ma")
    def _check_ma(self, proposal: Any) -> list[int]:
        lengths = list(proposal["value"])
        if not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 1000 for n in lengths
        ):
            raise check.refuse(
                f"CandleChart.ma takes moving-average lengths from 1 to 1000, e.g. [5, 10, 20], "
                f"not {lengths!r}"
            )
        return lengths

    @t.validate("history", "snapshot_bars")
    def _check_bar_count(self, proposal: Any) -> int:
        return check.integer(proposal, low=0)

    @t.validate("max_bars")
    def _check_max_bars(self, proposal: Any) -> int:
        return check.integer(proposal, low=1)

    @t.validate("page_size")
    def _check_page_size(self, proposal: Any) -> int:
        return check.integer(proposal, low=1, high=5000)

    def __init__(
        self,
        symbol: str,
        interval: str = "1m",
        *,
        feed: Any = None,
        ma: Sequence[int] = (5, 10, 20, 60),
        vwap: bool = True,
        history: int = 500,
        volume_profile: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("show_volume_profile", volume_profile)
        super().__init__(feed=feed, ma=list(ma), vwap=vwap, history=history, **kwargs)
        self._bar_ver = 0
        self._bar_epoch = -1
        self._set_symbol(symbol, interval)
        self.observe(self._on_setting, names=["symbol", "interval"])

    # ---- settings ---------------------------------------------------------------------------
    def _set_symbol(self, symbol: str, interval: str) -> None:
        inst = self._feed.instrument(symbol)
        iv = parse_interval(interval)
        with self.hold_trait_notifications():
            self._inst = inst
            self._iv = iv
            self.symbol = inst.code
            self.interval = iv.name
            self._interval_ms = iv.ms if iv.seconds else 86_400_000 * 7
            self._market = market_info(inst)
        self._open()
        self._send_full()

    def _on_setting(self, change: dict[str, Any]) -> None:
        if self._closed:
            return
        if change["name"] == "symbol" and change["new"] == self._inst.code:
            return
        if change["name"] == "interval" and change["new"] == self._iv.name:
            return
        for w in self._watches:
            w.close()
        self._watches = []
        self._set_symbol(self.symbol, self.interval)

    def _subscribe(self) -> None:
        self._watches.append(
            self._feed.watch(self._inst.code, intervals=(self._iv.name,), history=self.history)
        )
        if self._iv.name != "1d":
            # the feed's quote (previous close, limits) comes from daily bars
            self._watches.append(
                self._feed.watch(self._inst.code, intervals=("1d",), history=DAILY_HISTORY)
            )
        self._bar_ver = 0
        self._bar_epoch = -1
        self._update_levels()

    # ---- data ---------------------------------------------------------------------------------
    def _store(self) -> Any:
        return self._feed.bar_store(self._inst.code, self._iv.name)

    def _update_levels(self) -> None:
        try:
            q = self._feed.quote(self._inst.code) or {}
        except Exception:
            q = {}
        lv: dict[str, float] = {}
        pc = q.get("prev_close")
        if isinstance(pc, (int, float)) and math.isfinite(pc) and pc > 0:
            lv["prev_close"] = float(pc)
            lim = self._inst.price_limits(float(pc))
            lo = q.get("limit_down") or (lim[0] if lim else None)
            hi = q.get("limit_up") or (lim[1] if lim else None)
            if lo and hi:
                lv["limit_down"], lv["limit_up"] = float(lo), float(hi)
        if lv != self._levels:
            self._levels = lv
        name = q.get("name")
        if isinstance(name, str) and name and self._market.get("name") != name:
            self._market = {**self._market, "name": name}

    def _extra(self) -> dict[str, Any]:
        return {"interval": self._iv.name, "symbol": self._inst.code, **profile_header(self)}

    def volume_profile(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Traded volume by price (buy / sell / neutral, POC, 70 % value area) of the day, or of
        ``start``…``end`` (see :meth:`Feed.volume_profile <infoway_widgets.feed.Feed.volume_profile>`)."""
        return profile_of(self, start, end)

    def _delta(self) -> Frame | None:
        store = self._store()
        self._update_levels()
        if store.epoch != self._bar_epoch:
            return self._full_marked(store, keep_range=True)
        if store.version == self._bar_ver:
            return None
        ch = store.changed_since(self._bar_ver)
        self._bar_ver = store.version
        if len(ch["t"]) == 0:
            return None
        return "bars", {"t": ch["t"], **{k: ch[k] for k in BAR_COLS}}, self._extra()

    def _full_marked(self, store: Any, keep_range: bool = False) -> Frame:
        self._bar_ver = store.version
        self._bar_epoch = store.epoch
        a = (
            store.arrays(-self.max_bars)
            if len(store)
            else {k: np.zeros(0) for k in ("t", *BAR_COLS)}
        )
        extra = {**self._extra(), "reset": True}
        if keep_range:
            extra["keep_range"] = True
        return "bars", {"t": a["t"], **{k: a[k] for k in BAR_COLS}}, extra

    def _full(self) -> Frame:
        return self._full_marked(self._store())

    def _snapshot_frame(self) -> Frame:
        store = self._store()
        a = (
            store.arrays(-self.snapshot_bars)
            if len(store)
            else {k: np.zeros(0) for k in ("t", *BAR_COLS)}
        )
        return "bars", {"t": a["t"], **{k: a[k] for k in BAR_COLS}}, self._extra()

    # ---- scroll back ----------------------------------------------------------------------------
    def _on_request(self, kind: str, content: dict[str, Any]) -> None:
        if kind == "load_more":
            before = int(content.get("before") or 0)
            count = max(1, min(int(content.get("count") or self.page_size), 5000))
            self._spawn(self._load_more(before, count))

    async def _load_more(self, before_ms: int, count: int) -> None:
        n = 0
        try:
            n = int(await self._feed.load_more(self._inst.code, self._iv.name, before_ms, count))
        finally:
            if not self._closed:
                self._mark_dirty()
                self._send_control("loaded", count=n, before=before_ms)

    # ---- public -----------------------------------------------------------------------------------
    @property
    def bars(self) -> pd.DataFrame:
        """The bars held by the feed for this symbol and interval, indexed by open time in the
        chart's time zone (the exchange's by default)."""
        tz = self.timezone if self.timezone not in ("", "local") else None
        return self._store().to_pandas(tz)

    @property
    def instrument(self) -> Any:
        return self._inst

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        yield f"interval={self.interval!r}"
        try:
            yield f"bars={len(self._store())}"
        except Exception:  # pragma: no cover
            pass
