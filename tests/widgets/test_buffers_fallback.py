"""Front-ends that drop binary buffers (Colab): the same frames, their columns base64 in the JSON,
when the front-end reports it, when the kernel runs in Colab, or with INFOWAY_WIDGETS_BUFFERS=0."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from infoway_widgets.widgets import CandleChart, OrderBook, QuoteBoard, TradeTape
from infoway_widgets.widgets._wire import (
    BUFFERS_ENV,
    PROBE_VALUES,
    column_names,
    decode_frame,
    decode_inline,
)

from .test_sync import SYM, mirror, settle


def frames(sent, widget):
    """(header, columns) of every data frame ``widget`` sent, however its columns travelled."""
    out = []
    for c, b, _ in sent.of(widget):
        if c.get("kind") in ("control", "probe"):
            continue
        out.append((c, decode_inline(c) if "b64" in c else decode_frame(c, b)))
    return out


def without_b64(header):
    return {k: v for k, v in header.items() if k != "b64"}


@pytest.fixture(autouse=True)
def no_setting(monkeypatch):
    monkeypatch.delenv(BUFFERS_ENV, raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)


async def test_binary_buffers_by_default(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    feed.trade(SYM, 3)
    await settle(chart)
    assert not chart.frames_base64
    data = [(c, b) for c, b, _ in sent.of(chart) if c.get("kind") == "bars"]
    assert len(data) >= 2
    assert all("b64" not in c and len(b) == len(column_names(c)) for c, b in data)
    chart.close()


@pytest.mark.parametrize("value", ["0", "false", "off"])
async def test_the_setting_sends_the_same_frames_base64(feed, sent, monkeypatch, value):
    binary = [CandleChart(SYM, feed=feed), OrderBook(SYM, feed=feed), TradeTape(SYM, feed=feed)]
    monkeypatch.setenv(BUFFERS_ENV, value)
    inline = [
        CandleChart(SYM, feed=feed),
        OrderBook(SYM, feed=feed),
        TradeTape(SYM, feed=feed),
        QuoteBoard([SYM, "00700.HK"], feed=feed),
    ]
    await settle(inline[0])
    for _ in range(3):
        feed.trade(SYM, 4)
        await settle(inline[0])
    assert all(w.frames_base64 for w in inline) and not any(w.frames_base64 for w in binary)
    for w in inline:
        got = [(c, b) for c, b, _ in sent.of(w) if c.get("kind") != "control"]
        assert got and all(b == [] and len(c["b64"]) == len(column_names(c)) for c, b in got)
    # header for header and value for value what the binary twin sent
    for a, b in zip(binary, inline):
        fa, fb = frames(sent, a), frames(sent, b)
        assert [without_b64(h) for h, _ in fb] == [h for h, _ in fa]
        for (_, ca), (_, cb) in zip(fa, fb):
            assert ca.keys() == cb.keys()
            for k in ca:
                np.testing.assert_array_equal(ca[k], cb[k])
    assert mirror(frames(sent, inline[0])) == mirror(frames(sent, binary[0]))
    for w in binary + inline:
        w.close()


async def test_a_colab_kernel_sends_base64_unless_the_setting_says_buffers(feed, sent, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    guessed = CandleChart(SYM, feed=feed)
    monkeypatch.setenv(BUFFERS_ENV, "1")
    trusted = CandleChart(SYM, feed=feed)
    assert guessed.frames_base64 and not trusted.frames_base64
    guessed.close()
    trusted.close()


async def test_the_probe_and_a_report_of_dropped_buffers(feed, sent):
    chart = CandleChart(SYM, feed=feed)
    await settle(chart)
    before = len(sent.of(chart))
    # a new front-end's first resync asks for the probe: known values first, then a full frame
    chart._on_front_msg(chart, {"type": "resync", "probe": True}, [])
    (probe, buffers, _), (full, _, _) = sent.of(chart)[before : before + 2]
    assert probe == {"kind": "probe", "values": list(PROBE_VALUES)}
    assert np.frombuffer(buffers[0], "<f8").tolist() == list(PROBE_VALUES)
    assert full["kind"] == "bars" and full["reset"] and "b64" not in full
    # it took them: nothing changes
    chart._on_front_msg(chart, {"type": "capabilities", "buffers": True}, [])
    chart._on_front_msg(chart, {"type": "capabilities", "buffers": "no"}, [])  # not a report
    assert not chart.frames_base64 and chart._buffers_reported is True
    # another front-end did not: base64 from now on, starting with a full frame
    n = len(sent.of(chart))
    chart._on_front_msg(chart, {"type": "capabilities", "buffers": False}, [])
    assert chart.frames_base64
    (full, buffers, _) = sent.of(chart)[n]
    assert full["reset"] and buffers == [] and len(full["b64"]) == len(column_names(full))
    feed.trade(SYM, 3)
    await settle(chart)
    later = [c for c, _, _ in sent.of(chart)[n + 1 :] if c.get("kind") == "bars"]
    assert later and all("b64" in c for c in later)
    # a front-end that takes buffers does not switch a widget back: its other views need base64
    chart._on_front_msg(chart, {"type": "capabilities", "buffers": True}, [])
    assert chart.frames_base64
    # a second report sends no second full frame
    n = len(sent.of(chart))
    chart._on_front_msg(chart, {"type": "capabilities", "buffers": False}, [])
    assert len(sent.of(chart)) == n
    chart.close()
