"""The old path of the controls; they live in :mod:`infoway_widgets.widgets.controls`. Kept so
``import infoway_widgets.controls`` and ``from infoway_widgets.controls import ...`` still work."""

from .widgets.controls import (
    SPEEDS,
    SYMBOL_TYPES,
    IntervalToggle,
    LessonPanel,
    ReplayControls,
    SymbolPicker,
    exchange_now,
    next_bars,
    wait_until,
)

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
