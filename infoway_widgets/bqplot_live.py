"""The old path of the bqplot binding; it lives in :mod:`infoway_widgets.widgets.bqplot`
(``iw.bqplot``). Kept so ``from infoway_widgets.bqplot_live import LiveFigure`` still works."""

from .widgets.bqplot import GREEN_UP, RED_UP, FieldSpec, LiveFigure, depth_figure

__all__ = ["GREEN_UP", "RED_UP", "FieldSpec", "LiveFigure", "depth_figure"]
