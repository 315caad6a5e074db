"""Dashboard: chart, book, tape and quote board laid out with ipywidgets and linked by symbol."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import traitlets as t

from ..errors import BadParameterError, InfowayError
from ..market import LIVE_INTERVALS
from ._base import default_feed
from .board import QuoteBoard
from .book import OrderBook
from .candle import CandleChart
from .link import ChartLink, link
from .tape import TradeTape


class Dashboard(w.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """A trading screen: candle chart, order book, trade tape and quote board, linked by symbol.

    Picking a symbol (the picker, or a click on a board row) points the chart, book and tape
    at it; the interval toggle switches the chart's bars. With ``second_interval`` a second chart
    of the same symbol sits under the first, linked to it by time (:func:`iw.link`): the crosshair
    over one marks the bar holding that time in the other (the 5-minute crosshair marks its day on
    a daily chart); each chart keeps a zoom that suits its interval. Beside the picker, a message says
    what is wrong with the symbol picked: a code that is not valid, or one the service has no
    data for ("no data for 999999.SH: check the code").

    Parameters
    ----------
    symbols : str or sequence of str
        The board's symbols; the first is shown first.
    interval : str
        The chart's first interval.
    second_interval : str, optional
        The interval of a second, linked chart under the first (e.g. ``"1d"`` beside ``"5m"``);
        ``None`` (the default) shows one chart.
    feed : Feed, optional
        The data source; ``None`` means ``iw.connect()``.
    locale, theme : str
        Passed to every part (``"en"`` | ``"zh"``; ``"auto"`` | ``"light"`` | ``"dark"``).
    **kwargs
        Passed to :class:`CandleChart` (``ma``, ``vwap``, ``history``, ``height``, ...).
    """

    symbol = t.Unicode("")

    def __init__(
        self,
        symbols: str | Sequence[str] = "600519.SH",
        *,
        interval: str = "1m",
        second_interval: str | None = None,
        feed: Any = None,
        locale: str = "en",
        theme: str = "auto",
        **kwargs: Any,
    ) -> None:
        syms = [symbols] if isinstance(symbols, str) else list(symbols)
        if not syms:
            raise BadParameterError(
                "Dashboard needs at least one symbol, e.g. Dashboard('600519.SH')."
            )
        self.feed = default_feed(feed)
        codes = [self.feed.instrument(s).code for s in syms]
        common = {"feed": self.feed, "locale": locale, "theme": theme}
        first = codes[0]
        kwargs.setdefault("height", 520)
        self.chart = CandleChart(first, interval, intervals=[], **common, **kwargs)
        self.second_chart: CandleChart | None = None
        self._chart_link: ChartLink | None = None
        if second_interval is not None:
            below = {**kwargs, "height": max(200, int(kwargs["height"]) // 2)}
            self.second_chart = CandleChart(first, second_interval, intervals=[], **common, **below)
            # the crosshair only: each chart keeps a zoom that suits its interval
            self._chart_link = link(self.chart, self.second_chart, range=False)
        self.book = OrderBook(first, height=260, **common)
        self.tape = TradeTape(first, height=260, **common)
        self.board = QuoteBoard(codes, height=200, **common)
        self.picker = w.Combobox(
            value=first,
            options=codes,
            placeholder="600519.SH",
            ensure_option=False,
            continuous_update=False,
            layout=w.Layout(width="180px"),
        )
        self.interval_toggle = w.ToggleButtons(
            options=list(LIVE_INTERVALS), value=self.chart.interval, style={"button_width": "52px"}
        )
        # HTML, not a Label: a Label's tooltip goes on its (hidden) description
        self.message = w.HTML("")
        self.message.add_class("iw-dash-message")
        self.interval_toggle.add_class("iw-dash-toggle")
        w.link((self.interval_toggle, "value"), (self.chart, "interval"))
        self.picker.observe(self._on_pick, names="value")
        self._unselect = self.board.on_select(self._set_symbol)
        on_symbol_error = getattr(self.feed, "on_symbol_error", None)
        self._unwatch_errors = (
            on_symbol_error(self._on_symbol_error) if on_symbol_error is not None else None
        )

        # sizes live in widgets.css (classes, not inline layouts) so that a container query can
        # stack the chart over book and tape in a narrow output area
        charts: Any = self.chart
        if self.second_chart is not None:
            charts = w.VBox([self.chart, self.second_chart])
        charts.add_class("iw-dash-chart")
        side = w.VBox([self.book, self.tape])
        side.add_class("iw-dash-side")
        top = w.HBox([self.picker, self.interval_toggle, self.message])
        top.add_class("iw-dash-top")
        main = w.HBox([charts, side], layout=w.Layout(width="100%"))
        main.add_class("iw-dash-main")
        super().__init__([top, main, self.board], layout=w.Layout(width="100%"))
        self.add_class("iw-dashboard")
        self.symbol = first
        self._say(self._problem_of(first))
        self.board.selected = first

    def _on_pick(self, change: dict[str, Any]) -> None:
        value = str(change["new"] or "").strip()
        if value and value != self.symbol:
            self._set_symbol(value)

    def _set_symbol(self, symbol: str) -> None:
        try:
            code = self.feed.instrument(symbol).code
        except InfowayError as exc:
            self._say(str(exc))
            return
        self._say(self._problem_of(code))
        self.symbol = code
        for part in [*self.charts, self.book, self.tape]:
            part.symbol = code
        if self.picker.value != code:
            self.picker.value = code
        if code in self.board.symbols:
            self.board.selected = code

    @property
    def charts(self) -> list[CandleChart]:
        """The dashboard's charts: the main one, and the linked second one when there is one."""
        return [self.chart, *([self.second_chart] if self.second_chart is not None else [])]

    def _problem_of(self, code: str) -> str:
        errors = getattr(self.feed, "symbol_errors", None) or {}
        return str(errors.get(code, ""))

    def _on_symbol_error(self, code: str, message: str | None) -> None:
        if code == self.symbol:
            self._say(message or "")

    def _say(self, text: str) -> None:
        """Show ``text`` on the status line: one row, elided, the whole of it on hover."""
        t = html.escape(text)
        self.message.value = f'<span title="{t}">{t}</span>' if text else ""
        self.message.tooltip = text

    def close(self) -> None:
        """Close every part (each releases its feed subscriptions)."""
        # also called by __del__ after a failed __init__: close the parts that were made
        for name in ("_unselect", "_unwatch_errors"):
            undo = getattr(self, name, None)
            if undo is not None:
                undo()
        chart_link = getattr(self, "_chart_link", None)
        if chart_link is not None:
            chart_link.unlink()
        parts = ("chart", "second_chart", "book", "tape", "board", "picker", "interval_toggle")
        for name in (*parts, "message"):
            part = getattr(self, name, None)
            if part is not None:
                part.close()
        super().close()

    def __repr__(self) -> str:
        second = f", second_interval={self.second_chart.interval!r}" if self.second_chart else ""
        return (
            f"Dashboard({self.symbol!r}, interval={self.chart.interval!r}{second}, "
            f"symbols={list(self.board.symbols)!r})"
        )
