"""Recording a feed's inputs and playing them back.

A recording is JSON lines (gzip when the name ends ``.gz``). Line kinds:

* ``{"k": "meta", ...}`` first: format version, whether the source was simulated, start time.
* ``{"k": "f", "t": ms, "d": [frame, ...]}``: one batch of WebSocket push frames exactly as received,
  as the feed decoded them together.
* ``{"k": "watch", "t": ms, "s": symbol, "trades": bool, "depth": bool, "intervals": [...]}``: what
  the feed watched, so a replay keeps the same books, tapes and bar series.
* ``{"k": "bars", "t": ms, "s": symbol, "i": interval, "c": [[t,o,h,l,c,v,vw], ...], "st": [settled, ...]}``:
  bars the feed merged from REST (history, backfill, settlement).

Replaying applies the same inputs in the same order through the same code path, so it rebuilds
exactly the bars the recording feed had. The API key is never written.
"""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from .stores import BarStore
from .subscriptions import Subscriptions

FORMAT = "infoway-widgets-recording/1"


def _open(path: Path, mode: str) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "b")  # type: ignore[return-value]
    return open(path, mode + "b")


class Recorder:
    """Appends feed inputs to a file; flushes about once a second and on close."""

    def __init__(
        self, path: str | os.PathLike[str], *, simulated: bool, base_url: str | None = None
    ):
        self.path = Path(path)
        self._fh = _open(self.path, "w")
        self._last_flush = time.monotonic()
        self.lines = 0
        self._write(
            {
                "k": "meta",
                "format": FORMAT,
                "simulated": simulated,
                "started_ms": int(time.time() * 1000),
                "base_url": base_url if simulated else None,
            }
        )

    def _write(self, obj: dict[str, Any]) -> None:
        self._fh.write(orjson.dumps(obj) + b"\n")
        self.lines += 1
        now = time.monotonic()
        if now - self._last_flush > 1.0:
            self._fh.flush()
            self._last_flush = now

    def batch(self, arrival_ms: int, frames: list[str | bytes]) -> None:
        texts = [f if isinstance(f, str) else bytes(f).decode("utf-8", "replace") for f in frames]
        self._write({"k": "f", "t": arrival_ms, "d": texts})

    def watch(
        self, arrival_ms: int, symbol: str, trades: bool, depth: bool, intervals: list[str]
    ) -> None:
        self._write(
            {
                "k": "watch",
                "t": arrival_ms,
                "s": symbol,
                "trades": trades,
                "depth": depth,
                "intervals": intervals,
            }
        )

    def bars(
        self,
        arrival_ms: int,
        symbol: str,
        interval: str,
        rows: list[list[float]],
        settled: list[bool],
    ) -> None:
        self._write(
            {"k": "bars", "t": arrival_ms, "s": symbol, "i": interval, "c": rows, "st": settled}
        )

    def state(self, subs: Subscriptions, bars: Mapping[tuple[str, str], BarStore]) -> None:
        """What a feed watches and the bars it holds so far, so a replay starts where this does."""
        now = int(time.time() * 1000)
        for sym in sorted(subs.symbols()):
            self.watch(
                now, sym, ("trades", sym) in subs, ("depth", sym) in subs, subs.intervals_of(sym)
            )
        for (sym, iv), st in bars.items():
            if len(st):
                a = st.arrays()
                rows = np.column_stack(
                    [a["t"], a["open"], a["high"], a["low"], a["close"], a["volume"], a["turnover"]]
                )
                self.bars(int(time.time() * 1000), sym, iv, rows.tolist(), st.settled.tolist())

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            self._fh.close()


def read_recording(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(meta, records) of a recording, records in file order."""
    p = Path(path)
    if not p.exists():
        from ..errors import BadParameterError

        raise BadParameterError(
            f"no recording at {str(p)!r}; record one with feed.record({str(p)!r})"
        )
    meta: dict[str, Any] = {}
    recs: list[dict[str, Any]] = []
    with _open(p, "r") as fh:
        for line in _lines(fh):
            obj = orjson.loads(line)
            if obj.get("k") == "meta":
                meta = obj
            else:
                recs.append(obj)
    return meta, recs


def _lines(fh: IO[bytes]) -> Iterator[bytes]:
    for line in fh:
        line = line.strip()
        if line:
            yield line
