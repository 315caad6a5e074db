"""infoway-widgets: live Jupyter widgets for real-time market data from the Infoway API.

Quick start (no key needed: a simulated market runs on 127.0.0.1)::

    import infoway_widgets as iw
    iw.CandleChart("600519.SH")          # a live candlestick chart
    df = iw.history("600519.SH", "1d", 250)   # bars as a pandas DataFrame
    iw.studies.macd(df)                  # indicators (技术指标) on any OHLCV DataFrame

Set ``INFOWAY_API_KEY`` (or pass ``api_key=`` to :func:`connect`) for live data.
"""

from __future__ import annotations

from typing import Any

from . import errors, market
from .errors import *  # noqa: F403  (every exception class is part of the face: errors.__all__)
from .feed import Feed, aconnect, ahistory, connect, history
from .market import parse_interval, parse_symbol

__version__ = "0.1.0"

_WIDGETS = {
    "CandleChart",
    "OrderBook",
    "TradeTape",
    "QuoteBoard",
    "Dashboard",
    "IntradayChart",
    "link",
    "Practice",
    "Leaderboard",
    "DepthHeatmap",
    "MoneyFlow",
}
_CONTROLS = {"ReplayControls", "SymbolPicker", "IntervalToggle", "LessonPanel"}
_EXPORT = {"export_html"}
_CLASSROOM = {"Classroom"}


def __getattr__(name: str) -> Any:
    # widgets import anywidget/ipywidgets: load them on first use so the data layer stays light
    if name in _WIDGETS:
        from . import widgets

        return getattr(widgets, name)
    if name in _CONTROLS:
        from .widgets import controls

        return getattr(controls, name)
    if name in ("sim", "controls", "widgets", "relay", "studies", "practice", "classroom"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name == "bqplot":
        from .widgets import bqplot

        return bqplot
    if name in _CLASSROOM:
        from . import classroom

        return getattr(classroom, name)
    if name in _EXPORT:
        from .widgets import export

        return getattr(export, name)
    raise AttributeError(f"module 'infoway_widgets' has no attribute {name!r}")


__all__ = [
    *errors.__all__,
    "Feed",
    "aconnect",
    "ahistory",
    "connect",
    "errors",
    "history",
    "market",
    "parse_interval",
    "parse_symbol",
    *sorted(_WIDGETS),
    *sorted(_CONTROLS),
    *sorted(_EXPORT),
    *sorted(_CLASSROOM),
]
