"""A scripted order book for heatmap tests: push frames (depth and trades) with a resting wall at a
known price, ingested into a detached feed. Importable from a test kernel too."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any


class ScriptedBook:
    """A book of ``levels`` per side one tick apart, its mid wandering within ``swing`` ticks of
    ``mid``, with a wall of ``wall_size`` resting at ``wall`` on the ask side (when in the
    levels), and a trade at the touch every frame."""

    def __init__(
        self,
        symbol: str = "BTCUSDT",
        *,
        levels: int = 20,
        tick: float = 0.5,
        mid: float = 60_000.0,
        wall_ticks: int = 8,
        wall_size: float = 400.0,
        swing: int = 3,
        seed: int = 1,
    ) -> None:
        self.symbol = symbol
        self.levels = levels
        self.tick = tick
        self.mid0 = round(mid / tick)
        self.wall = (self.mid0 + wall_ticks) * tick
        self.wall_size = wall_size
        self.swing = swing
        self.offset = 0
        self.rng = random.Random(seed)

    def _px(self, k: int) -> str:
        return f"{k * self.tick:.2f}"

    def frames(self, t_ms: int) -> list[str]:
        """A depth snapshot and one trade at ``t_ms``."""
        r = self.rng
        self.offset = max(-self.swing, min(self.swing, self.offset + r.choice((-1, 0, 1))))
        best_bid = self.mid0 + self.offset
        bids = [best_bid - i for i in range(self.levels)]
        asks = [best_bid + 1 + i for i in range(self.levels)]
        wall_k = round(self.wall / self.tick)
        ask_v = [self.wall_size if k == wall_k else r.uniform(0.5, 4.0) for k in asks]
        bid_v = [r.uniform(0.5, 4.0) for _ in bids]
        depth = {
            "code": 10005,
            "data": {
                "s": self.symbol,
                "t": t_ms,
                "a": [[self._px(k) for k in asks], [f"{v:.4f}" for v in ask_v]],
                "b": [[self._px(k) for k in bids], [f"{v:.4f}" for v in bid_v]],
            },
        }
        buy = r.random() < 0.5
        k = asks[0] if buy else bids[0]
        v = round(r.uniform(0.01, 2.0), 4)
        trade = {
            "code": 10002,
            "data": {
                "s": self.symbol,
                "t": t_ms,
                "p": self._px(k),
                "v": f"{v}",
                "vw": f"{v * k * self.tick:.6f}",
                "td": 1 if buy else 2,
            },
        }
        return [json.dumps(depth), json.dumps(trade)]


async def drive(
    feed: Any, book: ScriptedBook, t0_ms: int, *, hz: float = 20.0, market_ms_per_frame: int = 250,
    frames: int | None = None,
) -> None:  # fmt: skip
    """Push ``book``'s frames into a detached feed at ``hz`` (forever, or ``frames`` of them);
    exchange time advances ``market_ms_per_frame`` per frame."""
    i = 0
    while frames is None or i < frames:
        feed.ingest(book.frames(t0_ms + i * market_ms_per_frame))
        i += 1
        await asyncio.sleep(1 / hz)
