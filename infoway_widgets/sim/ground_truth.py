"""Ground truth: every trade the market released (and so pushed to its subscribers) and every bar.

Held in memory for tests and lessons, and optionally written as JSON lines (``.gz`` compresses):
one ``{"type":"trade",...}`` per trade and one ``{"type":"bar",...}`` per completed bar of each of
1m, 5m, 15m, 30m, 1h, 1d. The file is flushed at every completed bar and on close.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from ..market import LIVE_INTERVALS, bar_end, bar_open, bar_opens, parse_interval
from .events import Event, SimTrade
from .market import SimMarket
from .units import fmt

_COLS = ["t", "o", "h", "l", "c", "v", "vw"]


class GroundTruth:
    """Trades and bars of the live simulation, per symbol.

    Parameters
    ----------
    market : SimMarket
    record : str or Path, optional
        JSON-lines file to write (gzip when the name ends ``.gz``).
    """

    def __init__(self, market: SimMarket, record: str | Path | None = None) -> None:
        self.market = market
        self._trades: dict[str, list[SimTrade]] = {}
        # (code, interval) -> [open, end, o, h, l, c, v, vw]
        self._open: dict[tuple[str, str], list[int]] = {}
        self.completed: list[dict[str, Any]] = []
        self.path = Path(record) if record else None
        self._fh: IO[str] | None = None
        if self.path is not None:
            # held open for the server's lifetime and closed by close(): no context manager
            opener = gzip.open if self.path.suffix == ".gz" else open
            self._fh = opener(self.path, "wt", encoding="utf-8")
        self.trade_count = 0

    # ---- feeding ---------------------------------------------------------------------------
    def add(self, events: list[Event]) -> None:
        """Take the events just released (trades are kept; book snapshots are not)."""
        for e in events:
            if not isinstance(e, SimTrade):
                continue
            self._trades.setdefault(e.code, []).append(e)
            self.trade_count += 1
            if self._fh is not None:
                self._write_trade(e)
            for name in LIVE_INTERVALS:
                self._fold(e, name)

    def _fold(self, e: SimTrade, name: str) -> None:
        key = (e.code, name)
        b = self._open.get(key)
        if b is not None and b[0] <= e.t < b[1]:
            pass
        else:
            inst = self.market.sim(e.code).inst
            o = bar_open(inst, name, e.t)
            if o is None:
                return
            if b is not None and b[0] == o:
                pass  # an auction print before the bar's nominal start
            else:
                if b is not None:
                    self._complete(e.code, name, b)
                b = [o, bar_end(inst, name, o), e.p, e.p, e.p, e.p, 0, 0]
                self._open[key] = b
        if e.p > b[3]:
            b[3] = e.p
        if e.p < b[4]:
            b[4] = e.p
        b[5] = e.p
        b[6] += e.v
        b[7] += e.p * e.v

    def tick(self) -> None:
        """Complete the bars whose end has passed on the simulated clock."""
        done = []
        for (code, name), b in self._open.items():
            # released_to, not the clock: the clock has moved on since the last release, and a
            # bar must not complete before every trade up to its end has been folded in
            if self.market.sim(code).engine.released_to >= b[1]:
                done.append((code, name, b))
        for code, name, b in done:
            del self._open[(code, name)]
            self._complete(code, name, b)

    def _complete(self, code: str, name: str, b: list[int]) -> None:
        u = self.market.sim(code).units
        rec = {
            "type": "bar",
            "s": code,
            "interval": name,
            "t": b[0],
            "o": fmt(b[2], u.pd),
            "h": fmt(b[3], u.pd),
            "l": fmt(b[4], u.pd),
            "c": fmt(b[5], u.pd),
            "v": fmt(b[6], u.vd),
            "vw": fmt(b[7], u.vw_d),
        }
        self.completed.append(rec)
        if self._fh is not None:
            self._fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
            self._fh.flush()

    def _write_trade(self, e: SimTrade) -> None:
        u = self.market.sim(e.code).units
        assert self._fh is not None
        self._fh.write(
            f'{{"type":"trade","s":"{e.code}","t":{e.t},"p":"{fmt(e.p, u.pd)}",'
            f'"v":"{fmt(e.v, u.vd)}","vw":"{fmt(e.p * e.v, u.vw_d)}","td":{e.td}}}\n'
        )

    def close(self) -> None:
        """Flush and close the file (bars still forming are not written: they are incomplete)."""
        if self._fh is not None:
            self._fh.flush()
            self._fh.close()
            self._fh = None

    # ---- reading ---------------------------------------------------------------------------
    def symbols(self) -> list[str]:
        return sorted(self._trades)

    def trade_list(self, symbol: str) -> list[SimTrade]:
        """The released trades of ``symbol`` (integer units), oldest first."""
        return list(self._trades.get(symbol, []))

    def trades(self, symbol: str) -> pd.DataFrame:
        """Trades of ``symbol``: t (UTC ms), p, v, vw (floats), td."""
        rows = self._trades.get(symbol, [])
        u = self.market.sim(symbol).units
        t = np.array([r.t for r in rows], dtype=np.int64)
        p = np.array([r.p for r in rows], dtype=np.int64) / 10**u.pd
        v = np.array([r.v for r in rows], dtype=np.int64) / 10**u.vd
        td = np.array([r.td for r in rows], dtype=np.int64)
        return pd.DataFrame({"t": t, "p": p, "v": v, "vw": p * v, "td": td})

    def bars(self, symbol: str, interval: str = "1m") -> pd.DataFrame:
        """Bars of ``symbol`` aggregated from its released trades with ``bar_opens``.

        Columns t (bar open, UTC ms), o, h, l, c, v, vw; the last bar may still be forming.
        """
        rows = self._trades.get(symbol, [])
        if not rows:
            return pd.DataFrame({c: [] for c in _COLS})
        inst = self.market.sim(symbol).inst
        u = self.market.sim(symbol).units
        iv = parse_interval(interval)
        t = np.array([r.t for r in rows], dtype=np.int64)
        p = np.array([r.p for r in rows], dtype=np.int64)
        v = np.array([r.v for r in rows], dtype=np.int64)
        opens = bar_opens(inst, iv, t)
        df = pd.DataFrame({"k": opens, "p": p, "v": v, "pv": p * v})
        df = df[df.k >= 0]
        g = df.groupby("k", sort=True)
        out = pd.DataFrame(
            {
                "t": g.k.first().to_numpy(),
                "o": g.p.first().to_numpy() / 10**u.pd,
                "h": g.p.max().to_numpy() / 10**u.pd,
                "l": g.p.min().to_numpy() / 10**u.pd,
                "c": g.p.last().to_numpy() / 10**u.pd,
                "v": g.v.sum().to_numpy() / 10**u.vd,
                "vw": g.pv.sum().to_numpy() / 10**u.vw_d,
            }
        )
        return out.reset_index(drop=True)


def read_record(path: str | Path) -> list[dict[str, Any]]:
    """Read a ``--record`` file (plain or gzip) back as a list of dicts."""
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rt", encoding="utf-8") as raw:
        return [json.loads(line) for line in raw if line.strip()]
