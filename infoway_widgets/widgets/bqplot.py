"""Live bqplot figures: compose your own plots from a feed with bqplot's scales, axes and marks.

``iw.bqplot.LiveFigure`` is a :class:`bqplot.Figure` whose marks follow a feed. Add marks with
``add_ohlc``, ``add_line``, ``add_bars``, ``add_trades`` (time on x) or ``add_depth`` (price on
x); each returns the ordinary bqplot mark, so styling, tooltips and interactions work as usual.

Updates are coalesced like the live widgets' frames: the feed's ``on_change`` pokes a
:class:`~infoway_widgets.widgets.coalesce.Coalescer`, so a refresh runs at once when the figure
was idle, then at most ``max_fps`` times a second, on the kernel's asyncio loop (never a thread).
Each refresh resends only the marks whose store changed, and only the last ``window`` bars or
trades, so a long session never grows the messages.

bqplot resends a mark's whole arrays on every change; for charts of many thousand bars use
:class:`infoway_widgets.CandleChart`, which sends only what changed.

Examples
--------
>>> fig = iw.bqplot.LiveFigure(feed, window=120)                 # doctest: +SKIP
>>> fig.add_ohlc("600519.SH", "1m")                              # doctest: +SKIP
>>> fig.add_line("600519.SH", "1m", "vwap", colors=["orange"])    # doctest: +SKIP
>>> fig.add_line("600519.SH", "1m", "ma:20")                     # doctest: +SKIP
>>> fig                                                          # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import bqplot as bq
import numpy as np
import pandas as pd

from ..errors import BadParameterError
from ..i18n import check_locale, label
from ..market import parse_interval
from ._base import default_feed
from .coalesce import Coalescer

log = logging.getLogger("infoway_widgets.bqplot")

#: colours of rises and falls by convention (mainland China: red up)
RED_UP = ("#e53935", "#26a69a")
GREEN_UP = ("#26a69a", "#e53935")

FieldSpec = str | Callable[[pd.DataFrame], Any]


@dataclass
class _Source:
    """One mark bound to one store; ``seen`` is the store version last drawn."""

    kind: str  # "bars", "trades", "depth"
    symbol: str
    interval: str | None
    mark: bq.Mark
    draw: Callable[[Any], None]
    lookup: Callable[[], Any]  # the store, looked up each time (a replay's seek replaces tapes)
    seen: int = -1
    extra: dict[str, Any] = field(default_factory=dict)


def _times(t: np.ndarray) -> np.ndarray:
    times: np.ndarray = np.asarray(t, dtype=np.int64).astype("datetime64[ms]")
    return times


def _field(df: pd.DataFrame, spec: FieldSpec) -> np.ndarray:
    """A column of the bars: a name, ``"ma:N"`` (simple moving average of the close), or a callable."""
    if callable(spec):
        return np.asarray(spec(df), dtype=np.float64)
    if spec.startswith(("ma:", "sma:")):
        n = int(spec.split(":", 1)[1])
        return np.asarray(df["close"].rolling(n, min_periods=1).mean(), dtype=np.float64)
    if spec.startswith("ema:"):
        n = int(spec.split(":", 1)[1])
        return np.asarray(df["close"].ewm(span=n, adjust=False).mean(), dtype=np.float64)
    if spec not in df.columns:
        raise BadParameterError(
            f"unknown field {spec!r}; use one of {', '.join(df.columns)}, 'ma:N', 'ema:N' or a function of the bars"
        )
    return np.asarray(df[spec], dtype=np.float64)


class LiveFigure(bq.Figure):  # type: ignore[misc]  # bqplot is untyped
    """A bqplot Figure whose marks follow a feed.

    Parameters
    ----------
    feed : Feed, optional
        Default: ``iw.connect()``.
    window : int
        Bars (or trades) each mark keeps: the newest ``window``.
    max_fps : float
        Most refreshes per second.
    x : {"time", "index", "price"}
        ``"time"``: a DateScale of bar open times (browser's timezone; lunch breaks and nights
        show as gaps). ``"index"``: bar number, gapless like a trading chart. ``"price"``: for
        :meth:`add_depth`.
    locale : {"en", "zh"}
        Axis labels.
    **kwargs
        Passed to :class:`bqplot.Figure` (``title``, ``layout``, ``fig_margin``, ...).

    Attributes
    ----------
    x_scale, y_scale : bqplot.Scale
        Shared by the marks (prices on ``y_scale``); ``volume_scale`` once bars are added.
    refreshes : int
        Refreshes that redrew at least one mark (coalesced: far fewer than trades ingested).
    mark_updates : int
        Mark redraws in total.
    """

    def __init__(
        self,
        feed: Any = None,
        *,
        window: int = 120,
        max_fps: float = 10.0,
        x: str = "time",
        locale: str = "en",
        **kwargs: Any,
    ) -> None:
        if x not in ("time", "index", "price"):
            raise BadParameterError(f"x must be 'time', 'index' or 'price', not {x!r}")
        if window < 2:
            raise BadParameterError(f"window must be at least 2 bars, not {window}")
        loc = check_locale(locale)
        x_scale = bq.DateScale() if x == "time" else bq.LinearScale()
        y_scale = bq.LinearScale()
        xlab = {"time": label("time", loc), "index": "#", "price": label("price", loc)}[x]
        ylab = label("size", loc) if x == "price" else label("price", loc)
        axes = [
            bq.Axis(scale=x_scale, label=xlab, grid_lines="none"),
            bq.Axis(
                scale=y_scale, side="left", label=ylab, tick_format=".2f" if x != "price" else "~s"
            ),
        ]
        kwargs.setdefault("fig_margin", {"top": 30, "bottom": 40, "left": 60, "right": 60})
        kwargs.setdefault("layout", {"width": "100%", "height": "360px"})
        super().__init__(marks=[], axes=axes, **kwargs)
        self.feed = feed = default_feed(feed)
        self.window = int(window)
        self.max_fps = float(max_fps)
        self.x_kind = x
        self.locale = loc
        self.x_scale = x_scale
        self.y_scale = y_scale
        self.volume_scale: bq.LinearScale | None = None
        self.refreshes = 0
        self.mark_updates = 0
        self._sources: list[_Source] = []
        self._watches: list[Any] = []
        self._coalescer = Coalescer(
            self.refresh, lambda: self.max_fps, label="LiveFigure: refresh", logger=log
        )
        self._closed = False
        self._unsub = feed.on_change(self._on_change)

    # ---- adding marks ------------------------------------------------------------------------
    def _bars_source(
        self, symbol: str, interval: str, mark: bq.Mark, draw: Callable[[Any], None]
    ) -> bq.Mark:
        if self.x_kind == "price":
            raise BadParameterError(
                "bar marks need x='time' or x='index'; this figure plots prices on x"
            )
        inst = self.feed.instrument(symbol)
        iv = parse_interval(interval).name
        self._watches.append(self.feed.watch(inst.code, intervals=[iv]))
        self._add(
            _Source("bars", inst.code, iv, mark, draw, lambda: self.feed.bar_store(inst.code, iv))
        )
        return mark

    def _add(self, src: _Source) -> None:
        self._sources.append(src)
        self.marks = [*self.marks, src.mark]  # type: ignore[has-type]
        self._redraw(src)

    def _bar_frame(self, st: Any) -> pd.DataFrame:
        a = st.arrays(-self.window) if len(st) else st.arrays()
        df = pd.DataFrame(a)
        with np.errstate(invalid="ignore", divide="ignore"):
            df["vwap"] = np.where(df["volume"] > 0, df["turnover"] / df["volume"], np.nan)
        return df

    def _x(self, df: pd.DataFrame, st: Any) -> np.ndarray:
        if self.x_kind == "index":
            return np.arange(len(st) - len(df), len(st), dtype=np.float64)
        return _times(df["t"].to_numpy())

    def _colors(self, symbol: str) -> tuple[str, str]:
        return RED_UP if self.feed.instrument(symbol).red_up else GREEN_UP

    def add_ohlc(
        self, symbol: str, interval: str = "1m", *, marker: str = "candle", **kwargs: Any
    ) -> bq.OHLC:
        """Candles (``marker="candle"``) or OHLC bars (``"bar"``) of ``symbol``/``interval``.

        Rises and falls take the market's colours (red up on the mainland) unless ``colors=``.
        """
        kwargs.setdefault("colors", list(self._colors(symbol)))
        kwargs.setdefault("stroke", "#888")
        mark = bq.OHLC(
            x=np.array([], dtype="datetime64[ms]") if self.x_kind == "time" else [],
            y=np.zeros((0, 4)),
            marker=marker,
            scales={"x": self.x_scale, "y": self.y_scale},
            **kwargs,
        )

        def draw(st: Any) -> None:
            df = self._bar_frame(st)
            with mark.hold_sync():
                mark.x = self._x(df, st)
                mark.y = df[["open", "high", "low", "close"]].to_numpy(dtype=np.float64)

        return self._bars_source(symbol, interval, mark, draw)

    def add_line(
        self, symbol: str, interval: str = "1m", field: FieldSpec = "close", **kwargs: Any
    ) -> bq.Lines:
        """A line of one bar field: ``"close"``, ``"vwap"`` (turnover / volume), ``"ma:20"``,
        ``"ema:12"``, or any function of the bars DataFrame (columns t, open, high, low, close,
        volume, turnover, vwap) returning one value per bar."""
        kwargs.setdefault(
            "labels", [field if isinstance(field, str) else getattr(field, "__name__", "f")]
        )
        mark = bq.Lines(x=[], y=[], scales={"x": self.x_scale, "y": self.y_scale}, **kwargs)

        def draw(st: Any) -> None:
            df = self._bar_frame(st)
            y = _field(df, field) if len(df) else np.array([])
            with mark.hold_sync():
                mark.x = self._x(df, st)
                mark.y = y

        return self._bars_source(symbol, interval, mark, draw)

    def add_bars(
        self, symbol: str, interval: str = "1m", field: FieldSpec = "volume", **kwargs: Any
    ) -> bq.Bars:
        """Bars of one field (volume by default) on a second y scale with its own axis on the right,
        coloured by the bar's direction."""
        if self.volume_scale is None:
            self.volume_scale = bq.LinearScale(min=0)
            lab = label("volume", self.locale) if field == "volume" else str(field)
            axis = bq.Axis(
                scale=self.volume_scale,
                side="right",
                label=lab,
                tick_format="~s",
                grid_lines="none",
            )
            self.axes = [*self.axes, axis]  # type: ignore[has-type]
        up, down = self._colors(symbol)
        kwargs.setdefault("opacities", [0.5])
        mark = bq.Bars(
            x=[], y=[], scales={"x": self.x_scale, "y": self.volume_scale}, padding=0.2, **kwargs
        )

        def draw(st: Any) -> None:
            df = self._bar_frame(st)
            with mark.hold_sync():
                mark.x = self._x(df, st)
                mark.y = _field(df, field) if len(df) else np.array([])
                if "colors" not in kwargs:
                    mark.colors = [
                        up if c >= o else down for o, c in zip(df["open"], df["close"])
                    ] or [up]

        return self._bars_source(symbol, interval, mark, draw)

    def add_trades(self, symbol: str, *, window: int | None = None, **kwargs: Any) -> bq.Scatter:
        """Each trade as a dot at (time, price): buyer-initiated in the up colour, seller-initiated
        in the down colour, unknown in grey. Keeps the newest ``window`` trades (default: the
        figure's window × 10)."""
        if self.x_kind != "time":
            raise BadParameterError("add_trades needs x='time'")
        inst = self.feed.instrument(symbol)
        self._watches.append(self.feed.watch(inst.code, trades=True))
        n = int(window or self.window * 10)
        up, down = self._colors(inst.code)
        kwargs.setdefault("default_size", 12)
        mark = bq.Scatter(
            x=np.array([], dtype="datetime64[ms]"),
            y=[],
            scales={"x": self.x_scale, "y": self.y_scale},
            **kwargs,
        )

        def draw(st: Any) -> None:
            d = st.since(max(0, st.total - n))
            with mark.hold_sync():
                mark.x = _times(d["t"])
                mark.y = d["price"]
                if "colors" not in kwargs:
                    mark.colors = [
                        up if k == 1 else down if k == 2 else "#999"
                        for k in d["direction"].tolist()
                    ] or [up]

        self._add(
            _Source("trades", inst.code, None, mark, draw, lambda: self.feed.tape_store(inst.code))
        )
        return mark

    def add_depth(
        self, symbol: str, *, levels: int | None = None, **kwargs: Any
    ) -> tuple[bq.Lines, bq.Lines]:
        """A depth chart: cumulative size on each side against price (bids left of the spread,
        asks right), as two step lines. Needs ``LiveFigure(feed, x="price")``."""
        if self.x_kind != "price":
            raise BadParameterError("add_depth needs LiveFigure(feed, x='price')")
        inst = self.feed.instrument(symbol)
        self._watches.append(self.feed.watch(inst.code, depth=True))
        up, down = self._colors(inst.code)
        common = {
            "scales": {"x": self.x_scale, "y": self.y_scale},
            "interpolation": "step-before",
            "fill": "bottom",
            "fill_opacities": [0.3],
            **kwargs,
        }
        bids = bq.Lines(x=[], y=[], colors=[up], labels=[label("bid", self.locale)], **common)
        asks = bq.Lines(x=[], y=[], colors=[down], labels=[label("ask", self.locale)], **common)

        def draw(st: Any) -> None:
            snap = st.snapshot
            if snap is None:
                return
            k = levels or max(len(snap.bid_px), len(snap.ask_px))
            bp, bv = snap.bid_px[:k][::-1], np.cumsum(snap.bid_vol[:k])[::-1]
            ap, av = snap.ask_px[:k], np.cumsum(snap.ask_vol[:k])
            with bids.hold_sync():
                bids.x, bids.y = bp, bv
            with asks.hold_sync():
                asks.x, asks.y = ap, av

        self._sources.append(
            _Source("depth", inst.code, None, bids, draw, lambda: self.feed.book_store(inst.code))
        )
        self.marks = [*self.marks, bids, asks]
        self._redraw(self._sources[-1])
        return bids, asks

    # ---- updates ----------------------------------------------------------------------------
    def _on_change(self, symbols: set[str]) -> None:
        if self._closed or self._coalescer.pending:
            return
        if any(s.symbol in symbols for s in self._sources):
            self._coalescer.poke()

    def refresh(self) -> int:
        """Redraw every mark whose store changed since its last draw; returns how many.

        The feed's changes call this (coalesced); call it yourself to redraw at once.
        """
        if self._closed:
            return 0
        n = 0
        for src in self._sources:
            if src.lookup().version != src.seen:
                n += self._redraw(src)
        if n:
            self.refreshes += 1
        return n

    def _redraw(self, src: _Source) -> int:
        store = src.lookup()
        src.seen = store.version
        try:
            src.draw(store)
        except Exception:  # a bad user field must not break the feed's callbacks
            log.exception("LiveFigure: drawing %s failed", src.symbol)
            return 0
        self.mark_updates += 1
        return 1

    def close(self) -> None:
        """Stop following the feed, release its subscriptions, close the figure."""
        if not getattr(self, "_closed", True):  # True also after a failed __init__ (from __del__)
            self._closed = True
            self._coalescer.close()
            self._unsub()
            for wch in self._watches:
                wch.close()
            self._watches = []
        super().close()

    def __repr__(self) -> str:
        marks = ", ".join(
            f"{s.kind}:{s.symbol}{':' + s.interval if s.interval else ''}" for s in self._sources
        )
        return f"LiveFigure([{marks}], window={self.window}, refreshes={self.refreshes})"


def depth_figure(feed: Any, symbol: str, **kwargs: Any) -> LiveFigure:
    """A LiveFigure with price on x and the depth chart of ``symbol``."""
    fig = LiveFigure(feed, x="price", **kwargs)
    fig.add_depth(symbol)
    return fig


__all__ = ["LiveFigure", "depth_figure"]
