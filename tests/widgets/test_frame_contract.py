"""The frames the Python widgets send match the types the front-end declares for them.

``js/src/lib/frames.js`` types the header (and the columns) of every frame kind in one place;
this test parses those typedefs and checks them against the headers each widget really sends —
full frames, deltas, the ``_snapshot`` trait and control replies — so that neither side can
drift from the other without a failing test.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

import infoway_widgets as iw
from infoway_widgets.sim import serve
from infoway_widgets.widgets import CandleChart, OrderBook, QuoteBoard, TradeTape
from infoway_widgets.widgets._wire import USUAL_COLUMNS, column_names

from ..feed.conftest import wait_for
from .test_sync import SYM, settle

FRAMES_JS = Path(__file__).resolve().parents[2] / "js" / "src" / "lib" / "frames.js"
HEADER_OF = {
    "bars": "BarsHeader",
    "book": "BookHeader",
    "tape": "TapeHeader",
    "quotes": "QuotesHeader",
    "intraday": "IntradayHeader",
    "line": "LineHeader",
    "markers": "MarkersHeader",
    "heatmap": "HeatmapHeader",
    "moneyflow": "MoneyFlowHeader",
    "control": "ControlHeader",
    "probe": "ProbeHeader",
}

Typedefs = dict[str, dict[str, Any]]


def parse_typedefs(text: str) -> Typedefs:
    """Every ``@typedef`` of the JSDoc blocks in ``text``: its type expression and, for object
    typedefs, its ``@property`` names (required and optional)."""
    out: Typedefs = {}
    for block in re.findall(r"/\*\*(.*?)\*/", text, flags=re.S):
        body = " ".join(line.strip().lstrip("*").strip() for line in block.splitlines())
        current: dict[str, Any] | None = None
        for tag in re.split(r"\s(?=@\w)", " " + body):
            m = re.match(r"@typedef\s+\{(?P<type>[^}]*)\}\s+(?P<name>\w+)", tag)
            if m:
                current = {"type": m["type"].strip(), "required": set(), "optional": set()}
                out[m["name"]] = current
                continue
            m = re.match(r"@property\s+\{[^}]*\}\s+(?P<opt>\[)?(?P<name>\w+)", tag)
            if m and current is not None:
                current["optional" if m["opt"] else "required"].add(m["name"])
    return out


def fields(defs: Typedefs, name: str) -> tuple[set[str], set[str]]:
    """Required and optional property names of ``name``, through ``A & B`` intersections."""
    d = defs[name]
    if "&" in d["type"]:
        req: set[str] = set()
        opt: set[str] = set()
        for part in d["type"].split("&"):
            r, o = fields(defs, part.strip())
            req |= r
            opt |= o
        return req, opt
    return set(d["required"]), set(d["optional"])


def literals(defs: Typedefs, name: str) -> set[str]:
    """The string literals of a union typedef such as ``"t"|"open"|...``."""
    return set(re.findall(r'"(\w+)"', defs[name]["type"]))


@pytest.fixture(scope="module")
def defs() -> Typedefs:
    return parse_typedefs(FRAMES_JS.read_text(encoding="utf-8"))


def check(defs: Typedefs, header: dict[str, Any]) -> None:
    kind = header["kind"]
    name = HEADER_OF[kind]
    req, opt = fields(defs, name)
    keys = set(header)
    assert keys <= req | opt, f"{kind}: sent but not in {name}: {sorted(keys - req - opt)}"
    assert req <= keys, f"{kind}: in {name} but not sent: {sorted(req - keys)}"
    if kind in ("control", "probe"):
        return
    cols = literals(defs, name.replace("Header", "Column"))
    sent = set(column_names(header))
    usual = USUAL_COLUMNS.get(kind)
    if usual:  # "*" stands for the kind's usual columns, the same ones the front-end expands
        assert set(usual) <= cols, f"{kind}: USUAL_COLUMNS names {sorted(set(usual) - cols)}"
    if kind == "bars":
        # a study's columns are "<study>.<output>" (StudyColumn); the bar columns are all there
        assert "StudyColumn" in defs
        studies = {c for c in sent if re.fullmatch(r"[a-z0-9_]+\.[A-Za-z0-9_]+|studies", c)}
        assert "studies" not in studies or not header.get("reset"), "full frames name them"
        sent -= studies
    assert sent == cols, f"{kind} columns: {sorted(sent ^ cols)}"
    assert header["v"] == 1 and isinstance(header["seq"], int) and isinstance(header["n"], int)
    if kind == "book":
        stats_req, stats_opt = fields(defs, "BookStats")
        assert set(header["stats"]) == stats_req | stats_opt


def test_the_parser_reads_the_typedefs(defs: Typedefs) -> None:
    req, opt = fields(defs, "BarsHeader")
    assert {"kind", "v", "seq", "n", "cols", "interval", "symbol"} <= req
    assert {"reset", "keep_range"} <= opt
    assert literals(defs, "QuotesColumn") >= {"last", "spark", "spark_len"}
    assert fields(defs, "ControlHeader")[0] == {"kind", "what", "count", "before"}
    with pytest.raises(AssertionError, match="not in BarsHeader"):
        check(defs, {"kind": "bars", "v": 1, "seq": 1, "n": 0, "cols": [], "surprise": 1})
    with pytest.raises(AssertionError, match="not sent"):
        check(defs, {"kind": "tape", "v": 1, "seq": 1, "n": 0, "cols": []})


def headers(sent: Any, widget: Any) -> list[dict[str, Any]]:
    """What ``widget`` sent, and its ``_snapshot`` trait's header."""
    out = [dict(c) for c, _, _ in sent.of(widget)]
    snap = widget._snapshot.get("header")
    assert snap, "no snapshot"
    return [*out, dict(snap)]


async def test_candle_book_tape_board_frames(defs, feed, sent) -> None:
    chart = CandleChart(SYM, feed=feed)
    book = OrderBook(SYM, feed=feed)
    tape = TradeTape(SYM, feed=feed)
    board = QuoteBoard([SYM, "00700.HK"], feed=feed)
    widgets = [chart, book, tape, board]
    await settle(chart)
    feed.trade(SYM, 5)
    feed.trade("00700.HK", 2)
    await settle(chart)
    # a full frame after the feed's store started over keeps the scroll position
    feed.bar_store(SYM, "1m").clear()
    feed.trade(SYM, 2)
    await settle(chart)
    # older bars paged in, and the control reply that says so
    first = int(feed.bar_store(SYM, "1m").t[0])
    chart._on_front_msg(chart, {"type": "load_more", "before": first, "count": 50}, [])
    await settle(chart)
    seen: dict[str, set[str]] = {}
    for w in widgets:
        for h in headers(sent, w):
            check(defs, h)
            what = "control" if h["kind"] == "control" else "reset" if h.get("reset") else "delta"
            seen.setdefault(h["kind"], set()).add(what)
            if h.get("keep_range"):
                seen[h["kind"]].add("keep_range")
    assert seen == {
        "bars": {"reset", "delta", "keep_range"},
        "control": {"control"},
        "book": {"reset", "delta"},
        "tape": {"reset", "delta"},
        "quotes": {"reset", "delta"},
    }
    for w in widgets:
        w.close()


async def test_studies_lines_and_markers_frames(defs, feed, sent) -> None:
    import pandas as pd

    chart = CandleChart(SYM, feed=feed, studies=["macd", "boll"])
    await settle(chart)
    bars = chart.bars
    line = chart.add_line(bars.close.iloc[-20:], name="eq", pane="new")
    marks = chart.add_markers(pd.DataFrame({"side": ["buy"]}, index=bars.index[-3:-2]))
    await settle(chart)
    feed.trade(SYM, 3)
    line.append(bars.index[-1], 1.0)
    marks.append(pd.DataFrame({"shape": ["circle"], "text": ["x"]}, index=bars.index[-2:-1]))
    await settle(chart)
    line.append(bars.index[-2], 2.0)  # no bar changed: a line frame of its own
    await settle(chart)
    line.remove()
    marks.remove()
    await settle(chart)
    chart._on_front_msg(chart, {"type": "resync"}, [])
    await settle(chart)
    seen: set[tuple[str, str]] = set()
    for h in headers(sent, chart):
        check(defs, h)
        seen.add((h["kind"], h.get("op") or ("reset" if h.get("reset") else "delta")))
        if h["kind"] == "bars" and h.get("reset"):
            assert {"macd.dif", "macd.dea", "macd.macd", "boll.mid"} <= set(column_names(h))
        elif h["kind"] == "bars":
            assert "studies" in h["cols"]
            if "line_points" in h:
                seen.add(("bars", "line_points"))
    assert seen >= {
        ("bars", "reset"),
        ("bars", "delta"),
        ("bars", "line_points"),
        *((k, op) for k in ("line", "markers") for op in ("set", "append", "remove")),
    }
    chart.close()


async def test_base64_frames_and_the_probe(defs, feed, sent, monkeypatch) -> None:
    monkeypatch.setenv("INFOWAY_WIDGETS_BUFFERS", "0")
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    chart._on_front_msg(chart, {"type": "resync", "probe": True}, [])
    feed.trade(SYM, 3)
    await settle(chart)
    hs = headers(sent, chart)
    assert {h["kind"] for h in hs} == {"bars", "probe"}
    assert all("b64" in h for h in hs if h["kind"] == "bars" and h is not hs[-1])
    for h in hs:
        check(defs, h)
    chart.close()


async def test_intraday_frames(defs, sent) -> None:
    async with serve(port=0, seed=5, speed=120.0) as server:
        feed = iw.connect(base_url=server.url, speed=120.0, new=True)
        try:
            w = iw.IntradayChart("600519.SH", feed=feed)
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            await wait_for(
                lambda: any(not c.get("reset") for c, _, _ in sent.of(w)), 40, "a delta", ev
            )
            hs = headers(sent, w)
            assert {bool(h.get("reset")) for h in hs} == {True, False}
            for h in hs:
                check(defs, h)
            w.close()
        finally:
            await feed.aclose()


async def test_heatmap_and_money_flow_frames(defs, sent) -> None:
    async with serve(port=0, seed=6, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True)
        try:
            ws = [iw.DepthHeatmap("600519.SH", feed=feed), iw.MoneyFlow("600519.SH", feed=feed)]
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            await wait_for(
                lambda: all(any(not c.get("reset") for c, _, _ in sent.of(w)) for w in ws),
                40,
                "a delta of each",
                ev,
            )
            for w in ws:
                hs = headers(sent, w)
                assert {bool(h.get("reset")) for h in hs} == {True, False}
                for h in hs:
                    check(defs, h)
                w.close()
        finally:
            await feed.aclose()


def test_the_usual_columns_are_the_same_table_in_python_and_javascript() -> None:
    import json

    text = (Path(__file__).resolve().parents[2] / "js" / "src" / "lib" / "wire.js").read_text()
    body = re.search(r"export const USUAL_COLUMNS = \{(.*?)\};", text, re.S)
    assert body, "wire.js defines USUAL_COLUMNS"
    js = {k: tuple(json.loads(v)) for k, v in re.findall(r"(\w+): (\[[^\]]*\])", body.group(1))}
    assert js == USUAL_COLUMNS
    # a chart delta's header names them "*" and the rest after it; anything else stays as it is
    assert column_names({"kind": "bars", "cols": ["*", "studies"]})[-1] == "studies"
    assert column_names({"kind": "quotes", "cols": ["last"]}) == ["last"]
