"""ipywidgets controls and lesson helpers that sit next to the live widgets.

* :class:`ReplayControls` — play / pause, speed, seek and an exchange-time clock for a feed that
  replays a recording (``iw.connect(replay=path)``).
* :class:`LessonPanel` — buttons that make the simulated market do something on cue.
* :class:`SymbolPicker` — search the symbol list by code, Chinese or English name.
* :class:`IntervalToggle` — bar-interval buttons with an observable ``value``.
* :func:`exchange_now`, :func:`wait_until`, :func:`next_bars` — small awaitables for notebooks.

Everything runs on the kernel's asyncio loop: display refreshes are coalesced
(:class:`~infoway_widgets.widgets.coalesce.Coalescer`) from the feed's ``on_change`` callbacks,
never driven from a thread.
"""

from .awaitables import exchange_now, next_bars, wait_until
from .interval_toggle import IntervalToggle
from .lesson import LessonPanel
from .replay import SPEEDS, ReplayControls
from .symbol_picker import SYMBOL_TYPES, SymbolPicker

__all__ = [
    "SPEEDS",
    "SYMBOL_TYPES",
    "IntervalToggle",
    "LessonPanel",
    "ReplayControls",
    "SymbolPicker",
    "exchange_now",
    "next_bars",
    "wait_until",
]
