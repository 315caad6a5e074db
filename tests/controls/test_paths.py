"""Every public name of the controls and the bqplot binding works from its old path and the new one."""

from __future__ import annotations

import importlib

import infoway_widgets as iw


def test_old_paths_hold_the_same_objects_as_the_new_ones():
    from infoway_widgets import bqplot_live, controls
    from infoway_widgets.widgets import bqplot
    from infoway_widgets.widgets import controls as widget_controls

    assert sorted(controls.__all__) == sorted(widget_controls.__all__)
    for name in widget_controls.__all__:
        assert getattr(controls, name) is getattr(widget_controls, name), name
        assert getattr(iw.controls, name) is getattr(widget_controls, name), name
    for name in ("LiveFigure", "depth_figure", "RED_UP", "GREEN_UP", "FieldSpec"):
        assert getattr(bqplot_live, name) is getattr(bqplot, name), name
    assert iw.bqplot is bqplot
    for name in ("ReplayControls", "LessonPanel", "SymbolPicker", "IntervalToggle"):
        assert getattr(iw, name) is getattr(widget_controls, name), name
        assert name in iw.__all__


def test_the_old_paths_import_by_name():
    for path in ("infoway_widgets.controls", "infoway_widgets.bqplot_live"):
        module = importlib.import_module(path)
        assert module.__all__ and "old path" in (module.__doc__ or "")
