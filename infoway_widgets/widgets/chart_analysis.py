"""What a CandleChart offers for analysis: studies, the user's lines, markers and price lines,
a picture of the chart, and the bars of a chart of the user's own DataFrame.

A mixin of :class:`~infoway_widgets.widgets.candle.CandleChart` (kept apart so that each module has
one job: the chart's bars and frames there, its analysis API here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import BadParameterError
from ..studies.conventions import Convention
from .chart_series import ChartLine, ChartMarkers, PriceLine, UserSeries
from .chart_studies import REGISTRY, BuiltinStudy, StudySet, UserFn, UserStudy, parse_item
from .frame_source import DataFrameFeed
from .screenshots import Screenshots


class ChartAnalysis:
    """The analysis methods of a chart (see :class:`CandleChart`)."""

    # set by CandleChart
    studies: Any
    convention: str
    timezone: str
    _study_meta: Any
    _price_lines: Any
    _closed: bool
    _studies_ready: bool
    _study_set: StudySet
    _series: UserSeries
    _frame_feed: DataFrameFeed | None
    _shots: Screenshots
    _inst: Any

    if TYPE_CHECKING:  # what the chart and its base provide

        def _send_full(self) -> None: ...
        def _send_control(self, what: str, **fields: Any) -> None: ...
        def _store(self) -> Any: ...
        @property
        def bars(self) -> pd.DataFrame: ...

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
        # between configurations only a study's error or columns change what meta says: the
        # meta (labels, parameters) is built again only then, not on every frame
        seen = [(id(s), s.error, tuple(s.outputs)) for s in self._study_set.active]
        if not force and seen == getattr(self, "_study_seen", None):
            return
        self._study_seen = seen
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
        """The values of study ``name`` on every bar of :attr:`bars` as they are now (what the
        chart shows once its next frame is drawn, whether or not anyone views it); NaN during a
        study's warm-up. A function of yours gives what it returned for the chart's last frame."""
        key = str(name).strip().lower()
        for s in self._study_set.active:
            if s.key == key and isinstance(s, BuiltinStudy):
                # the same numbers as the chart's incremental run (equal to 1e-12, tested in
                # tests/studies), on the bars as they stand rather than as last drawn
                _, frame = s.spec.start_from(self.bars, s.convention, min_bars=False, **s.params)
                return frame
        return self._shown_study_frame(key)

    def _shown_study_frame(self, key: str) -> pd.DataFrame:
        """What the chart's frames carried of study ``key``, one row per bar of :attr:`bars`."""
        return self._study_set.frame(key, self._store().t, self.bars.index)

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
