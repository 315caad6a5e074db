"""The chart of a practice round, on a feed that only the round fills.

A :class:`RoundChart` is an ordinary :class:`~.candle.CandleChart` on a feed of its own whose
source brings nothing: the round writes each bar into its stores as the clock reveals it, with the
day's bar so far (the chart's previous close and limit lines come from it). Bars after the clock
are in no store, so no frame and no saved state can carry them.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pandas as pd

from ..feed import Feed
from ..feed.sources import Source
from ..market import bar_opens
from ..practice import PracticeRound
from ..practice.market import COLUMNS
from .candle import CandleChart
from .chart_series import ChartMarkers


class _RoundSource(Source):
    """What the chart's feed says it is: a replay of the round, fed by the round alone."""

    kind = "practice"

    async def start(self) -> tuple[str, str] | None:
        return "replay", "practice round"


def _trade_marks(trades: pd.DataFrame) -> pd.DataFrame:
    """``trades`` (a round's ``trades_frame``) as chart markers: a buy's up arrow below its bar,
    a sell's down arrow above it, each with its side and size."""
    return pd.DataFrame(
        {
            "side": list(trades["side"]),
            "text": [f"{s[0].upper()} {n}" for s, n in zip(trades["side"], trades["shares"])],
        },
        index=pd.DatetimeIndex(trades["time"]),
    )


class RoundChart:
    """A chart of ``symbol`` at ``interval`` that shows what :meth:`publish` revealed, no more.

    Parameters
    ----------
    symbol, interval : str
    **chart_options
        Passed to :class:`~.candle.CandleChart` (``locale``, ``height``).
    """

    def __init__(self, symbol: str, interval: str, **chart_options: Any) -> None:
        self.feed = Feed(api_key=None, base_url=None, simulated=False, source=_RoundSource())
        self.feed.start()
        self.chart = CandleChart(
            symbol,
            interval,
            feed=self.feed,
            history=0,
            intervals=[interval],  # the round has bars of its own interval only
            **chart_options,
        )
        self._published = 0
        self._trades = 0
        self._marks: ChartMarkers | None = None

    def publish(self, r: PracticeRound) -> None:
        """Write the bars ``r`` has revealed since the last call, and mark its trades."""
        m = r.market
        n = r.revealed
        if n > self._published:
            lo = self._published
            rows = np.column_stack([m.bars[c][lo:n] for c in COLUMNS])
            self._apply(m.interval, rows)
            if not m.daily:
                self._apply("1d", self._day_rows(r, lo, n))
            self._published = n
        if len(r.account.fills) > self._trades:
            # only the new fills travel: one small message per trade
            new = _trade_marks(r.trades_frame().iloc[self._trades :])
            if self._marks is None:
                self._marks = self.chart.add_markers(new)
            else:
                self._marks.append(new)
            self._trades = len(r.account.fills)

    def _apply(self, interval: str, rows: np.ndarray) -> None:
        st = self.feed.bar_store(self.chart.symbol, interval)
        self.feed.apply_bar_rows(st, rows, np.ones(len(rows), dtype=bool))

    @staticmethod
    def _day_rows(r: PracticeRound, lo: int, n: int) -> np.ndarray:
        """Daily bars of the days touched by bars ``lo:n``, each as far as bar ``n - 1``."""
        m = r.market
        rows = []
        for d in sorted(set(m.day[lo:n].tolist())):
            i = min(int(np.searchsorted(m.day, d, side="right")) - 1, n - 1)
            b = m.day_bar(i)
            t0 = int(bar_opens(m.inst, "1d", np.array([int(m.bars["t"][i])]))[0])
            rows.append([t0, b["o"], b["h"], b["l"], b["c"], b["v"], b["vw"]])
        return np.array(rows, dtype=np.float64)

    async def aclose(self) -> None:
        self.chart.close()
        await self.feed.aclose()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.chart.close()
        if not self.feed.closed:
            with contextlib.suppress(RuntimeError):  # the loop is gone (interpreter exit)
                self.feed.close()


__all__ = ["RoundChart"]
