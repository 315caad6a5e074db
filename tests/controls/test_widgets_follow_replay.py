"""Widgets on a replaying feed follow the controls, including a seek backwards."""

from __future__ import annotations

import asyncio
from typing import Any

import infoway_widgets as iw
from infoway_widgets.widgets._wire import decode_frame
from infoway_widgets.widgets.controls import ReplayControls

SYM = "600519.SH"


class Frames:
    def __init__(self, widget: Any) -> None:
        self.items: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.ev = asyncio.Event()

        def send(content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
            if content.get("kind") != "control":
                self.items.append((content, decode_frame(content, list(buffers or []))))
                self.ev.set()

        widget.send = send

    async def next(self) -> tuple[dict[str, Any], dict[str, Any]]:
        self.ev.clear()
        await asyncio.wait_for(self.ev.wait(), 10)
        return self.items[-1]


async def test_trade_tape_resets_after_a_seek_backwards(recording):
    """After ReplayControls seeks back, the tape must show the trades up to the new position, not
    keep the later ones (the feed replaces the tape store; its total starts again from 0)."""
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        controls = ReplayControls(rp, symbol=SYM)
        controls.pause()
        tape = iw.TradeTape(SYM, feed=rp, max_rows=50)
        frames = Frames(tape)
        controls.seek(rp.replay.end_ms)
        await frames.next()
        controls.seek_fraction(0.5)
        header, cols = await frames.next()
        store = rp.tape_store(SYM)
        assert store.total > 0
        # what the front-end holds after this frame: a reset with the newest rows of the store
        assert header.get("reset") is True, "the tape widget sent a delta after the store restarted"
        assert int(header["total"]) == store.total
        assert list(cols["t"]) == list(store.since(max(0, store.total - 50))["t"])
        tape.close()
    finally:
        await rp.aclose()


async def test_candle_chart_resets_after_a_seek_backwards(recording):
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        controls = ReplayControls(rp, symbol=SYM)
        controls.pause()
        chart = iw.CandleChart(SYM, feed=rp, history=0)
        frames = Frames(chart)
        controls.seek(rp.replay.end_ms)
        await frames.next()
        controls.seek_fraction(0.3)
        header, cols = await frames.next()
        assert header.get("reset") is True
        assert list(cols["t"]) == list(rp.bar_store(SYM, "1m").t)
        chart.close()
    finally:
        await rp.aclose()
