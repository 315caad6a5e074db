from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import infoway_widgets as iw


async def until(feed: Any, pred: Callable[[], bool], timeout: float, what: str) -> None:
    """Await ``pred()`` becoming true, re-checked on every feed change (no polling sleeps)."""
    ev = asyncio.Event()
    unsub = feed.on_change(lambda _s: ev.set())
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    try:
        while not pred():
            left = end - loop.time()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            ev.clear()
            waiter = asyncio.ensure_future(ev.wait())
            try:
                await asyncio.wait({waiter}, timeout=left)
            finally:
                waiter.cancel()
    finally:
        unsub()


async def until_trait(
    obj: Any, name: str, pred: Callable[[], bool], timeout: float, what: str
) -> None:
    """Await ``pred()`` becoming true, re-checked whenever trait ``name`` of ``obj`` changes."""
    ev = asyncio.Event()

    def poke(_change: Any) -> None:
        ev.set()

    obj.observe(poke, names=name)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    try:
        while not pred():
            left = end - loop.time()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            ev.clear()
            waiter = asyncio.ensure_future(ev.wait())
            try:
                await asyncio.wait({waiter}, timeout=left)
            finally:
                waiter.cancel()
    finally:
        obj.unobserve(poke, names=name)


async def _record(path: Path) -> dict[str, pd.DataFrame]:
    feed = iw.connect(new=True, speed=60.0, history=20)
    try:
        await feed.ready()
        feed.record(path)
        feed.watch("600519.SH", depth=True, intervals=["1m", "5m"])
        start = feed.sim.now_ms("600519.SH")
        await until(
            feed,
            lambda: feed.sim.now_ms("600519.SH") > start + 3 * 60_000,
            30,
            "3 simulated minutes",
        )
        await feed.settle()
        feed.stop_recording()
        return {iv: feed.bar_store("600519.SH", iv).to_pandas() for iv in ("1m", "5m")}
    finally:
        await feed.aclose()


@pytest.fixture(scope="session")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """A 3-minute simulated session of 600519.SH (trades, depth, 1m and 5m bars) and its live bars."""
    path = tmp_path_factory.mktemp("rec") / "session.jsonl.gz"
    live = asyncio.run(_record(path))
    return path, live
