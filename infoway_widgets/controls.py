"""The old path of the controls; they live in :mod:`infoway_widgets.widgets.controls`. Kept so
``import infoway_widgets.controls`` and ``from infoway_widgets.controls import ...`` still work."""

from .widgets import controls as _controls
from .widgets.controls import *  # noqa: F403  (the same names: _controls.__all__)

__all__ = list(_controls.__all__)
