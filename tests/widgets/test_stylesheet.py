"""The widgets' stylesheet travels as anywidget's ``_css``: one string for every widget class."""

from __future__ import annotations

import pathlib

import pytest

from infoway_widgets.widgets import (
    CandleChart,
    IntradayChart,
    OrderBook,
    QuoteBoard,
    TradeTape,
    _esm,
)


def test_every_widget_carries_the_built_stylesheet() -> None:
    assert _esm.STYLESHEET.exists(), "run `npm run build` in js/"
    css = _esm.STYLESHEET.read_text(encoding="utf-8")
    assert ".iw-root" in css and ".iw-badge" in css
    for cls in (CandleChart, OrderBook, TradeTape, QuoteBoard, IntradayChart):
        assert cls._css == css


async def test_the_stylesheet_is_in_the_widget_state(feed, sent) -> None:
    chart = CandleChart("600519.SH", feed=feed)
    state = chart.get_state()
    assert state["_css"] == _esm.STYLESHEET.read_text(encoding="utf-8")
    chart.close()


def test_hot_reload_passes_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYWIDGET_HMR", "1")
    assert _esm.stylesheet() == _esm.STYLESHEET
    monkeypatch.delenv("ANYWIDGET_HMR")
    assert isinstance(_esm.stylesheet(), str)


def test_a_missing_stylesheet_is_empty(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(_esm, "STYLESHEET", pathlib.Path(tmp_path) / "widgets.css")
    assert _esm.stylesheet() == ""
