from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infoway_widgets.widgets._base import LiveWidget
from infoway_widgets.widgets._wire import decode_frame

from .fake_feed import FakeFeed


class Sent:
    """Messages a widget sent to its front-end, with the loop time of each."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, dict[str, Any], list[bytes], float]] = []

    def of(self, widget: Any) -> list[tuple[dict[str, Any], list[bytes], float]]:
        return [(c, b, t) for w, c, b, t in self.items if w is widget]

    def frames(self, widget: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [
            (c, decode_frame(c, b)) for c, b, _ in self.of(widget) if c.get("kind") != "control"
        ]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    rec = Sent()

    def send(self: Any, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        try:
            now = asyncio.get_running_loop().time()
        except RuntimeError:
            now = 0.0
        rec.items.append((self, content, list(buffers or []), now))

    monkeypatch.setattr(LiveWidget, "send", send)
    return rec


@pytest.fixture
def feed() -> FakeFeed:
    return FakeFeed()
