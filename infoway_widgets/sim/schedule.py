"""When an instrument trades: continuous sessions and opening-auction instants, walked forward.

Built on :func:`infoway_widgets.market.session_bounds` / :func:`auction_bounds`; this module only
enumerates them day by day so the tick engine can ask "which day does this second belong to?".
"""

from __future__ import annotations

import datetime as dt

from ..market import Instrument, auction_bounds, local_date, session_bounds


class Schedule:
    """Sessions ``(start_ms, end_ms, day)`` and auction uncrossing instants of one instrument."""

    def __init__(self, inst: Instrument, from_ms: int) -> None:
        self.inst = inst
        self._day = local_date(inst, from_ms) - dt.timedelta(days=2)
        self.sessions: list[tuple[int, int, dt.date]] = []
        self.auctions: list[tuple[int, dt.date]] = []
        self._ensure(from_ms + 120_000)

    @staticmethod
    def _midnight_ms(d: dt.date) -> int:
        return int(dt.datetime.combine(d, dt.time(), tzinfo=dt.timezone.utc).timestamp() * 1000)

    def _ensure(self, until_ms: int) -> None:
        # a local day's sessions lie within a day of its UTC midnight (FX days start 17:00 New York
        # the evening before), so enumerating until midnight passes until_ms + 1 day covers it
        while self._midnight_ms(self._day) < until_ms + 86_400_000:
            d = self._day
            for a, b in session_bounds(self.inst, d):
                self.sessions.append((a, b, d))
            auc = auction_bounds(self.inst, d)
            if auc is not None:
                # the call auction uncrosses once, at its end (09:25:00 on the mainland)
                self.auctions.append((auc[1], d))
            self._day = d + dt.timedelta(days=1)

    def block(
        self, m0: int, length: int = 60_000
    ) -> tuple[list[dt.date | None], list[tuple[int, dt.date]]]:
        """Per-second trading day (None = no continuous trading) and auctions in ``[m0, m0+length)``."""
        end = m0 + length
        self._ensure(end + 120_000)
        while self.sessions and self.sessions[0][1] <= m0 - 86_400_000:
            self.sessions.pop(0)
        while self.auctions and self.auctions[0][0] < m0 - 86_400_000:
            self.auctions.pop(0)
        n = length // 1000
        days: list[dt.date | None] = [None] * n
        for a, b, d in self.sessions:
            if b <= m0 or a >= end:
                continue
            lo = max(0, -(-(a - m0) // 1000))
            hi = min(n, -(-(b - m0) // 1000))
            for s in range(lo, hi):
                days[s] = d
        aucs = [(t, d) for t, d in self.auctions if m0 <= t < end]
        return days, aucs

    def next_activity(self, t_ms: int) -> int:
        """The first instant ``>= t_ms`` with continuous trading or an auction print."""
        self._ensure(t_ms + 10 * 86_400_000)
        best = t_ms + 10 * 86_400_000
        for a, b, _d in self.sessions:
            if a <= t_ms < b:
                return t_ms
            if t_ms < a < best:
                best = a
        for at, _d in self.auctions:
            if t_ms <= at < best:
                best = at
        return best

    def day_of(self, t_ms: int) -> dt.date | None:
        """The trading day whose continuous session holds ``t_ms``."""
        self._ensure(t_ms + 120_000)
        for a, b, d in self.sessions:
            if a <= t_ms < b:
                return d
        return None
