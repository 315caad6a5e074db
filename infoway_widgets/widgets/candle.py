"""CandleChart: live candlesticks with volume, moving averages, VWAP, price-limit lines, studies in
panes, the user's own lines, markers and price lines; of a feed's symbol or of a DataFrame."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..errors import BadParameterError
from ..market import LIVE_INTERVALS, parse_interval
from ..studies.conventions import Convention
from . import _validate as check
from ._base import Frame, LiveWidget, esm, market_info
from .chart_series import ChartLine, ChartMarkers, PriceLine, UserSeries
from .chart_studies import REGISTRY, StudySet, UserFn, UserStudy, parse_item
from .frame_source import DataFrameFeed
from .screenshots import Screenshots

#: daily bars watched for the quote (previous close, limit lines)
DAILY_HISTORY = 250
BAR_COLS = ("open", "high", "low", "close", "volume", "turnover")


class CandleChart(LiveWidget):
    """A live candlestick chart of one symbol, drawn by TradingView Lightweight Charts.

    Shows the last ``history`` bars, then keeps up with the live feed; scrolling left pages
    older bars in from the feed. Times are labelled in the exchange's zone by default.

    Studies (``studies=["macd", "kdj"]``, :meth:`add_study`) are computed in Python and drawn on
    the price pane, the volume pane or panes of their own below; :meth:`study_frame` returns
    what the chart shows. :meth:`add_line`, :meth:`add_markers` and :meth:`add_price_line` put
    your own analysis on it.

    Parameters
    ----------
    symbol : str or pandas.DataFrame
        Infoway code, e.g. ``"600519.SH"``, ``"00700.HK"``, ``"AAPL.US"``, ``"BTCUSDT"``; or a
        DataFrame of OHLC[V] bars (any column case, a DatetimeIndex or a ``time`` column; naive
        times are read in ``tz``) to chart with no feed, key or network. Stream more bars into
        it with :meth:`append` and :meth:`update_last`.
    interval : str, optional
        Bar interval: ``"1m"``, ``"5m"``, ``"15m"``, ``"30m"``, ``"1h"`` or ``"1d"`` (default
        ``"1m"``; for a DataFrame, guessed from its times).
    feed : Feed, optional
        The data source; ``None`` means the kernel's shared ``iw.connect()``.
    studies : sequence
        Studies to show: names (``"macd"``, ``"kdj"``, ``"rsi"``, ``"boll"``, ``"ema"``,
        ``"sar"``, ``"vol"``, ``"obv"``, ``"wr"``, ``"bias"``, ``"cci"``, ``"dmi"``) or dicts
        with parameters (``{"name": "macd", "fast": 10}``).
    tz : str
        For a DataFrame: the zone its naive times are in (default UTC).
    name : str
        For a DataFrame: what the chart calls it (default ``df.attrs["symbol"]`` or ``DATA``).
    ma : sequence of int
        Moving-average lengths (default 5, 10, 20, 60); empty for none.
    vwap : bool
        Draw the session VWAP.
    history : int
        Bars to load and show at first.
    **kwargs
        Any trait: ``locale`` ("en" | "zh"), ``theme`` ("auto" | "light" | "dark"), ``timezone``,
        ``up_color``, ``down_color``, ``max_fps``, ``height``, ``show_limits``, ``max_bars``,
        ``convention`` ("cn" | "intl" | "" for the market's).

    Examples
    --------
    >>> chart = iw.CandleChart("600519.SH", interval="1m", studies=["macd", "kdj"])  # doctest: +SKIP
    >>> chart.study_frame("macd").tail()                     # doctest: +SKIP
    >>> chart = iw.CandleChart(pd.read_csv("bars.csv", index_col=0, parse_dates=True))  # doctest: +SKIP
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
    _interval_ms = t.Int(60_000).tag(sync=True)
    _levels = t.Dict().tag(sync=True)
    studies: t.List[Any] = t.List(
        help="Studies shown: names ('macd') or dicts with parameters ({'name': 'macd', 'fast': 10})."
    ).tag(sync=True)
    convention = t.Unicode(
        "", help="Study conventions: 'cn' (通达信), 'intl', or '' for the market's (cn for CN, HK)."
    ).tag(sync=True)
    _study_meta: t.List[Any] = t.List(help="What the front-end draws of each study.").tag(sync=True)
    _price_lines = t.Dict(help="The user's price lines by id.").tag(sync=True)
    _linked = t.Bool(False, help="Linked to other charts (iw.link): views report.").tag(sync=True)

    # ---- settings are checked before they land ---------------------------------------------
    @t.validate("symbol")
    def _check_symbol(self, proposal: Any) -> str:
        return str(check.library_errors(proposal, lambda s: self._feed.instrument(s).code))

    @t.validate("interval")
    def _check_interval(self, proposal: Any) -> str:
        name = str(check.library_errors(proposal, lambda iv: parse_interval(iv).name))
        own = getattr(self, "_frame_feed", None)
        if own is not None and name != own.interval:
            raise check.refuse(
                f"this chart draws your DataFrame's {own.interval} bars; resample the frame "
                f"(df.resample(...)) and make a new iw.CandleChart for {name} bars"
            )
        return name

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

    @t.validate("studies")
    def _check_studies(self, proposal: Any) -> list[Any]:
        def parse(items: Any) -> list[Any]:
            reqs = [parse_item(x) for x in items]
            names = [r.name for r in reqs]
            for r in reqs:
                if r.name not in REGISTRY and r.name not in self._study_set.user:
                    raise BadParameterError(
                        f"no study {r.name!r}; built in: {', '.join(sorted(REGISTRY))}, or add "
                        "your own with chart.add_study(fn, name=...)"
                    )
            if len(set(names)) != len(names):
                raise BadParameterError(f"each study once: {names}")
            # a parameter the study refuses fails here, before the trait changes
            StudySet().configure(
                [r for r in reqs if r.name in REGISTRY], self._convention(), self._data_tz()
            )
            return [r.as_item() for r in reqs]

        return list(check.library_errors(proposal, parse))

    @t.validate("convention")
    def _check_convention(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip().lower()
        if value not in ("", "cn", "intl"):
            raise check.refuse(f"convention is 'cn', 'intl' or '' (the market's), not {value!r}")
        return value

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
        symbol: str | pd.DataFrame,
        interval: str | None = None,
        *,
        feed: Any = None,
        ma: Sequence[int] = (5, 10, 20, 60),
        vwap: bool = True,
        history: int = 500,
        studies: Sequence[Any] = (),
        tz: str = "UTC",
        name: str = "",
        **kwargs: Any,
    ) -> None:
        self._closed = (
            True  # until the widget is built: a refused DataFrame leaves nothing to close
        )
        self._study_set = StudySet()
        self._series = UserSeries(self._mark_dirty)
        self._frame_feed: DataFrameFeed | None = None
        self._shots = Screenshots()
        self._links: list[Any] = []
        if isinstance(symbol, pd.DataFrame):
            if feed is not None:
                raise BadParameterError("a chart of a DataFrame has no feed: leave feed= out")
            feed = self._frame_feed = DataFrameFeed(symbol, name=name, interval=interval, tz=tz)
            interval = feed.interval
            symbol = feed.code
            kwargs.setdefault("intervals", [interval])
        super().__init__(feed=feed, ma=list(ma), vwap=vwap, history=history, **kwargs)
        self._bar_ver = 0
        self._bar_epoch = -1
        self._studies_ready = False
        self.studies = list(studies)
        self._studies_ready = True
        self._set_symbol(symbol, interval or "1m")
        self.observe(self._on_setting, names=["symbol", "interval"])
        self.observe(self._on_studies, names=["studies", "convention"])

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
        self._configure_studies()
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
        return {"interval": self._iv.name, "symbol": self._inst.code}

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
        cols = {"t": ch["t"], **{k: ch[k] for k in BAR_COLS}}
        if self._study_set.active:
            values = self._study_set.advance(store, ch["t"])
            if values is None and not self._study_set.reshaped:
                # a completed bar changed (older bars paged in, a correction): every study
                # starts over, and the bars from the first changed one on carry the new values
                values, cols = self._restart_from(store, int(ch["t"][0]))
            if values is None or self._study_set.reshaped:
                return self._full_marked(store, keep_range=True)
            # every study value of a bar in one column, bar by bar, in the order of the full
            # frame's study columns: the names travel once per full frame, not once per frame
            names = self._study_set.columns()
            cols["studies"] = np.column_stack([values[k] for k in names]).ravel()
            self._publish_study_errors()
        extra = self._extra()
        points = self._series.take_line_appends()
        if points:
            # points appended to lines since the last frame ride in it (t, value, t, value, ...)
            extra["line_points"] = points
        return "bars", cols, extra

    def _restart_from(self, store: Any, t0: int) -> tuple[dict[str, Any], dict[str, Any]]:
        a = store.arrays()
        values = self._study_set.restart(a)
        i0 = max(int(np.searchsorted(a["t"], t0)), len(a["t"]) - 4 * self.max_bars)
        cols = {"t": a["t"][i0:], **{k: a[k][i0:] for k in BAR_COLS}}
        return {k: v[i0:] for k, v in values.items()}, cols

    def _bar_columns(self, store: Any, count: int) -> dict[str, Any]:
        """The newest ``count`` bars and their study values (the studies restart over every bar
        held: the more history, the better their warm-up)."""
        if not len(store):
            cols = {k: np.zeros(0) for k in ("t", *BAR_COLS)}
            cols.update({c: np.zeros(0) for c in self._study_set.columns()})
            return cols
        if not self._study_set.active:
            a = store.arrays(-count)
            return {"t": a["t"], **{k: a[k] for k in BAR_COLS}}
        a = store.arrays()
        values = self._study_set.restart(a)
        self._publish_study_errors()
        cut = slice(-count, None) if count else slice(len(a["t"]), None)
        return {
            "t": a["t"][cut],
            **{k: a[k][cut] for k in BAR_COLS},
            **{k: v[cut] for k, v in values.items()},
        }

    def _full_marked(self, store: Any, keep_range: bool = False) -> Frame:
        self._bar_ver = store.version
        self._bar_epoch = store.epoch
        cols = self._bar_columns(store, self.max_bars)
        self._study_set.reshaped = False
        extra = {**self._extra(), "reset": True, **self._series.saved()}
        self._series.clear_pending()  # the full frame holds every line and marker
        if keep_range:
            extra["keep_range"] = True
        return "bars", cols, extra

    def _full(self) -> Frame:
        return self._full_marked(self._store())

    def _snapshot_frame(self) -> Frame:
        store = self._store()
        if self._study_set.active and len(store):
            # the values the chart has drawn, not a restart (that would move the live state)
            a = store.arrays(-self.snapshot_bars) if self.snapshot_bars else store.arrays(0, 0)
            cols = {"t": a["t"], **{k: a[k] for k in BAR_COLS}}
            for s in self._study_set.active:
                vals = s.values_at(a["t"])
                for j, o in enumerate(s.outputs):
                    cols[f"{s.key}.{o}"] = vals[:, j]
        else:
            cols = self._bar_columns(store, self.snapshot_bars)
        return "bars", cols, {**self._extra(), **self._series.saved()}

    def _flush(self) -> None:
        # the bars delta (with the lines' new points), then what else changed in lines, markers
        super()._flush()
        if not self._closed and self._lifetime.sending:
            for frame in self._series.frames():
                self._send_frame(*frame)

    # ---- studies ------------------------------------------------------------------------------
    def _convention(self) -> Convention:
        if self.convention in ("cn", "intl"):
            return "cn" if self.convention == "cn" else "intl"
        inst = getattr(self, "_inst", None)
        return "cn" if inst is not None and inst.market in ("CN", "HK") else "intl"

    def _data_tz(self) -> str:
        """The zone naive times of the user's data are read in."""
        own = getattr(self, "_frame_feed", None)
        if own is not None:
            return own.tz
        inst = getattr(self, "_inst", None)
        return inst.tz if inst is not None else "UTC"

    def _configure_studies(self) -> None:
        reqs = [parse_item(x) for x in self.studies]
        self._study_set.configure(reqs, self._convention(), self._data_tz())
        self._publish_study_errors(force=True)

    def _publish_study_errors(self, force: bool = False) -> None:
        meta = self._study_set.meta()
        if force or meta != self._study_meta:
            self._study_meta = meta

    def _on_studies(self, change: Any = None) -> None:
        if self._closed or not self._studies_ready:
            return
        self._configure_studies()
        self._send_full()

    def _own_panes(self) -> list[str]:
        return [s.key for s in self._study_set.active if s.pane == "new"]

    def add_study(
        self,
        study: str | UserFn,
        /,
        *,
        name: str | None = None,
        pane: str = "new",
        lookback: int = 100,
        **params: Any,
    ) -> None:
        """Show a study, or change the parameters of one shown.

        Parameters
        ----------
        study : str or callable
            A built-in's name (``"macd"``, ``"kdj"``, ``"rsi"``, ``"boll"``, ...), or your own
            ``fn(bars) -> Series | DataFrame``: it gets the last ``lookback`` bars (the columns of
            :attr:`bars`) at display rate and returns values on their index. An exception in it
            shows on the chart and the stream goes on.
        name : str
            Your study's name (its legend label and column names in :meth:`study_frame`).
        pane : {"new", "main"}
            Where your study is drawn: a pane of its own below, or over the candles.
        lookback : int
            Bars your function needs to compute its newest value.
        **params
            A built-in's parameters, e.g. ``add_study("macd", fast=10, slow=20)``.
        """
        if callable(study):
            key = str(name or getattr(study, "__name__", "") or "study").strip().lower()
            if key in REGISTRY or key == "<lambda>":
                raise BadParameterError(
                    f"give your study a name= of its own (not {key!r}): it labels its legend"
                )
            if pane not in ("new", "main"):
                raise BadParameterError(f"pane is 'new' or 'main', not {pane!r}")
            if not isinstance(lookback, int) or lookback < 1:
                raise BadParameterError(f"lookback is a number of bars ≥ 1, not {lookback!r}")
            self._study_set.user[key] = UserStudy(study, pane=pane, lookback=lookback)
            item: Any = key
        else:
            key = parse_item(study).name
            item = {"name": key, **params} if params else key
        items = list(self.studies)
        names = [parse_item(x).name for x in items]
        if key in names:
            items[names.index(key)] = item
        else:
            items.append(item)
        if items == list(self.studies):
            self._on_studies()  # a new function under the same name
        else:
            self.studies = items

    def remove_study(self, name: str) -> None:
        """Stop showing study ``name``."""
        key = str(name).strip().lower()
        items = [x for x in self.studies if parse_item(x).name != key]
        if len(items) == len(self.studies):
            raise BadParameterError(
                f"the chart shows no study {key!r}; it shows "
                f"{', '.join(self._study_set.names()) or 'none'}"
            )
        self.studies = items
        self._study_set.user.pop(key, None)

    def study_frame(self, name: str) -> pd.DataFrame:
        """The values the chart shows of study ``name`` (as of its latest frame), one row per
        bar of :attr:`bars`; NaN during a study's warm-up."""
        store = self._store()
        return self._study_set.frame(str(name).strip().lower(), store.t, self.bars.index)

    @property
    def study_errors(self) -> dict[str, str]:
        """What each failing study of yours raised last (study name -> message)."""
        return self._study_set.errors()

    # ---- your own lines, markers and price lines -------------------------------------------
    def add_line(
        self,
        series: pd.Series,
        *,
        name: str | None = None,
        color: str = "",
        pane: str = "main",
        style: str = "solid",
    ) -> ChartLine:
        """Draw a time-indexed Series as a line (an equity curve, a factor, a signal level).

        Parameters
        ----------
        series : pandas.Series
            Values indexed by time (naive times are in the exchange's zone, or ``tz=`` of a
            DataFrame chart). Each point goes on the bar that holds its time.
        name : str
            Its legend label (default: the Series' name).
        color : str
            Any CSS colour; empty for the next one of the chart's palette.
        pane : str
            ``"main"`` (over the candles), ``"volume"``, ``"new"`` (a pane of its own below,
            named after the line), or the name of a pane already shown (a study's, or a line's).
        style : {"solid", "dashed", "dotted"}

        Returns
        -------
        ChartLine
            ``append(time, value)``, ``set(series)``, ``remove()``.
        """
        panes = {"main", "new", "volume", *self._own_panes(), *self._series.pane_names()}
        if pane not in panes:
            raise BadParameterError(
                f"pane is 'main', 'new', 'volume' or a pane shown ({', '.join(sorted(panes))}); "
                f"not {pane!r}"
            )
        hid = self._series.new_id("l")
        label = str(name or getattr(series, "name", None) or f"line{hid[1:]}")
        line = ChartLine(self, hid, name=label, color=str(color), pane=pane, style=style)
        line._merge(*line._points(series))
        self._series.add(line)
        self._series.changed(line, "set")
        return line

    def add_markers(self, df: pd.DataFrame) -> ChartMarkers:
        """Mark bars: a strategy's buys and sells, events.

        Parameters
        ----------
        df : pandas.DataFrame
            Indexed by time, with a ``side`` column (``"buy"`` draws an up arrow below the bar,
            ``"sell"`` a down arrow above it) or a ``shape`` column (``"arrowUp"``,
            ``"arrowDown"``, ``"circle"``, ``"square"``); optional ``text``, ``color`` and
            ``position`` (``"above"``, ``"below"``, ``"inBar"``).

        Returns
        -------
        ChartMarkers
            ``append(df)``, ``remove()``.
        """
        marks = ChartMarkers(self, self._series.new_id("m"))
        t, f = marks._rows(df)
        marks._t, marks._f = t, f
        self._series.add(marks)
        self._series.changed(marks, "set")
        return marks

    def add_price_line(self, price: float, *, title: str = "", color: str = "") -> PriceLine:
        """A horizontal line at ``price`` (a stop, a target): set its ``price`` to move it,
        ``remove()`` to take it off."""
        line = PriceLine(self, self._series.new_id("p"), price, title, color)
        self._put_price_line(line.id, line.saved())
        return line

    def _put_price_line(self, hid: str, value: dict[str, Any] | None) -> None:
        lines = dict(self._price_lines)
        if value is None:
            lines.pop(hid, None)
        else:
            lines[hid] = value
        self._price_lines = lines

    # ---- a picture ------------------------------------------------------------------------------
    def save_png(self, path: str | Any) -> Any:
        """Write what a view of the chart shows (every pane, the axes and the legends) to a PNG.

        The picture is taken by the browser (Lightweight Charts' screenshot, with the legends
        drawn on it) and sent back to the kernel. The kernel reads that answer between cells:
        **in a notebook the file appears once the cell that called ``save_png`` has finished**.
        The returned future resolves to the path then; await it in a later cell
        (``await fut``) or add a callback, never in the same cell.

        Parameters
        ----------
        path : str or pathlib.Path
            Where to write it (``.png``).

        Returns
        -------
        asyncio.Future of pathlib.Path
            Fails with :class:`~infoway_widgets.errors.InfowayTimeoutError` when no view answers
            within two minutes (the chart is not displayed anywhere).
        """
        rid, fut = self._shots.request(path)
        self._send_control("screenshot", count=0, before=0, id=rid)
        return fut

    # ---- your own bars ------------------------------------------------------------------------
    def _own_feed(self, what: str) -> DataFrameFeed:
        if self._frame_feed is None:
            raise BadParameterError(
                f"{what} is for a chart of your DataFrame (iw.CandleChart(df)); this chart's "
                "bars come from the feed"
            )
        return self._frame_feed

    def append(self, bars: Any) -> None:
        """Add bars to a chart of your DataFrame: a DataFrame, a row (Series named by its time)
        or a dict with ``time``; a bar at a time already shown replaces it. Sent coalesced, as
        live bars are."""
        self._own_feed("append").append(bars)

    def update_last(self, **fields: float) -> None:
        """Change the newest bar of a chart of your DataFrame: ``update_last(close=10.2)``
        (high and low follow the close)."""
        self._own_feed("update_last").update_last(**fields)

    # ---- scroll back ----------------------------------------------------------------------------
    def _on_request(self, kind: str, content: dict[str, Any]) -> None:
        if kind == "screenshot":
            self._shots.answer(content)
        elif kind in ("crosshair", "range"):
            for ln in list(self._links):
                ln.relay(self, kind, content)
        elif kind == "load_more":
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

    def close(self) -> None:
        """Stop the chart (its pending pictures are cancelled)."""
        if hasattr(self, "_shots"):
            self._shots.close()
        super().close()

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        yield f"interval={self.interval!r}"
        try:
            yield f"bars={len(self._store())}"
        except Exception:  # pragma: no cover
            pass
