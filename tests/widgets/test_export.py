"""iw.export_html: one page with every script inside it and the widgets' current state (no
browser here; tests/browser/test_export_browser.py opens the pages with the network off)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import ipywidgets
import nbformat
import pandas as pd
import pytest

import infoway_widgets as iw
from infoway_widgets.widgets import CandleChart, OrderBook, QuoteBoard
from infoway_widgets.widgets import export as export_mod

from .test_sync import SYM, settle

STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"


class Page(HTMLParser):
    """Every tag's attributes, and the text of every script element, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def assert_self_contained(page: Page) -> None:
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert not value or value.startswith(("#", "data:")), (tag, name, value)
        assert tag not in ("link", "iframe"), (tag, attrs)
    labels = [a.get("data-iw-inline") for a, _ in page.scripts if a.get("data-iw-inline")]
    assert labels == ["require.js", "name-anywidget", "anywidget", "restore-define", "html-manager"]
    sizes = {a["data-iw-inline"]: len(t) for a, t in page.scripts if a.get("data-iw-inline")}
    assert sizes["html-manager"] > 1_000_000 and sizes["require.js"] > 10_000


def state_of(page: Page) -> dict:
    (text,) = [t for a, t in page.scripts if a.get("type") == STATE]
    return json.loads(text)["state"]


async def test_widgets_become_one_page_with_every_script_and_their_state(feed, tmp_path):
    chart = CandleChart(SYM, feed=feed)
    book = OrderBook(SYM, feed=feed)
    board = QuoteBoard([SYM, "00700.HK"], feed=feed)
    # network text that would end a script element early, in a widget's state
    note = ipywidgets.HTML(value="</script><script>alert(1)</script><!-- x")
    await settle(chart)
    feed.trade(SYM, 5)
    await settle(chart)
    out = iw.export_html(tmp_path / "page.html", chart, book, board, note, title="A <lesson>")
    page = parse(out.read_text(encoding="utf-8"))
    assert_self_contained(page)
    assert [t for t, a in page.tags if t == "title"] and "A &lt;lesson&gt;" in out.read_text()
    views = [json.loads(t) for a, t in page.scripts if a.get("type") == VIEW]
    assert [v["model_id"] for v in views] == [w.model_id for w in (chart, book, board, note)]
    state = state_of(page)
    assert state[note.model_id]["state"]["value"] == note.value
    snap = state[chart.model_id]["state"]["_snapshot"]
    # the state is current: the snapshot holds the bars the widget holds now
    assert snap["header"]["kind"] == "bars" and snap["header"]["seq"] == chart._seq
    store = feed.bar_store(SYM, "1m")
    assert len(snap["cols"]["t"]) == min(chart.snapshot_bars, len(store))
    assert snap["cols"]["t"][-1] == float(store.t[-1])
    assert state[chart.model_id]["state"]["_esm"]  # the bundle travels in the state
    # the page says its live widgets show saved state, and of when; the widgets keep theirs
    for w in (chart, book, board):
        saved = state[w.model_id]["state"]
        assert saved["status"] == "saved" and w.status != "saved"
        assert re.fullmatch(r"(\w+, )?\d{4}-\d\d-\d\d \d\d:\d\d UTC", saved["status_message"])
    assert "status" not in state[note.model_id]["state"]
    assert state[board.model_id]["state"]["_snapshot"]["header"]["kind"] == "quotes"
    for w in (chart, book, board):
        w.close()


async def test_a_dashboard_brings_the_widgets_it_is_made_of(feed, tmp_path):
    dash = iw.Dashboard([SYM, "00700.HK"], feed=feed)
    await settle(dash.chart)
    page = parse(iw.export_html(tmp_path / "dash.html", dash).read_text(encoding="utf-8"))
    state = state_of(page)
    for w in (dash, dash.chart, dash.book, dash.tape, dash.board):
        assert w.model_id in state
    assert {s["model_name"] for s in state.values()} >= {"AnyModel", "HBoxModel", "VBoxModel"}
    dash.close()


async def test_a_notebook_with_this_kernels_widgets_and_saved_ones(feed, tmp_path):
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    saved_id = "0123456789abcdef0123456789abcdef"
    saved = ipywidgets.Label(value="saved with the notebook").get_state()
    old_chart_id = "fedcba9876543210fedcba9876543210"
    entry = export_mod._widgets_state([chart])["state"][chart.model_id]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["widgets"] = {
        STATE: {
            "version_major": 2,
            "version_minor": 0,
            "state": {
                saved_id: {
                    "model_name": saved["_model_name"],
                    "model_module": saved["_model_module"],
                    "model_module_version": saved["_model_module_version"],
                    "state": saved,
                },
                # a live widget of an earlier session, saved with the notebook
                old_chart_id: {**entry, "state": {**entry["state"], "status": "live"}},
            },
        }
    }
    shown = nbformat.v4.new_code_cell("chart")
    shown.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "CandleChart", VIEW: chart.get_view_spec()}
        )
    ]
    old = nbformat.v4.new_code_cell("label")
    old.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/plain": "Label",
                VIEW: {"version_major": 2, "version_minor": 0, "model_id": saved_id},
            },
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Moutai, minute by minute"), shown, old]
    nbformat.write(nb, tmp_path / "lesson.ipynb")
    out = iw.export_html(tmp_path / "lesson.html", tmp_path / "lesson.ipynb")
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert_self_contained(page)
    assert "Moutai, minute by minute" in html
    state = state_of(page)
    assert state[saved_id]["state"]["value"] == "saved with the notebook"
    assert state[chart.model_id]["state"]["_snapshot"]["header"]["seq"] == chart._seq
    assert state[chart.model_id]["state"]["status"] == "saved"
    assert state[chart.model_id]["state"]["status_message"].endswith(" UTC")
    earlier = state[old_chart_id]["state"]
    assert (earlier["status"], earlier["status_message"]) == ("saved", "live, from lesson.ipynb")
    views = [json.loads(t)["model_id"] for a, t in page.scripts if a.get("type") == VIEW]
    assert views == [chart.model_id, saved_id]
    chart.close()


async def test_what_cannot_be_exported_says_what_to_do(feed, tmp_path):
    chart = CandleChart(SYM, feed=feed)
    with pytest.raises(iw.BadParameterError, match="pass widgets"):
        iw.export_html(tmp_path / "x.html")
    with pytest.raises(iw.BadParameterError, match="one notebook at a time"):
        iw.export_html(tmp_path / "x.html", "a.ipynb", chart)
    with pytest.raises(iw.BadParameterError, match="save it first"):
        iw.export_html(tmp_path / "x.html", tmp_path / "missing.ipynb")
    with pytest.raises(iw.BadParameterError, match="not DataFrame"):
        iw.export_html(tmp_path / "x.html", pd.DataFrame())
    chart.close()
    with pytest.raises(iw.BadParameterError, match="closed"):
        iw.export_html(tmp_path / "x.html", chart)
    assert not (tmp_path / "x.html").exists()


def test_a_missing_front_end_build_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setattr(export_mod, "STATIC", tmp_path)
    label = ipywidgets.Label(value="x")
    with pytest.raises(iw.InfowayError, match=r"npm ci && npm run build"):
        iw.export_html(tmp_path / "x.html", label)
    assert not (tmp_path / "x.html").exists()


def test_the_saved_badge_says_where_the_numbers_came_from() -> None:
    from infoway_widgets.widgets.export import _saved

    def saved(status: str) -> str:
        entry = {"state": {"_snapshot": {}, "status": status, "status_message": "x"}}
        return str(_saved({"m": entry}, "2026-12-02 08:00 UTC")["m"]["state"]["status_message"])

    assert saved("data") == "your data, 2026-12-02 08:00 UTC"  # a chart of the user's DataFrame
    assert saved("simulated") == "simulated, 2026-12-02 08:00 UTC"
    assert saved("error") == "2026-12-02 08:00 UTC"
