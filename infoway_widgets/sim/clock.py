"""The simulated clock: session time (each market replays its latest trading day) or wall time.

``elapsed`` simulated time is the same for every market; each market maps it to an instant from
its own anchor. In "session" mode the A-share anchor is 09:30 Asia/Shanghai of the last trading
day, Hong Kong's is 09:30 of its last trading day, New York's 09:30 of its last; crypto and FX
share the A-share anchor. Session time *skips breaks* for the exchanges with sessions: at 11:30 the
A-share clock goes on at 13:00, at 15:00 at the next trading day's open (after its call auction),
so 60x plays an A-share day in 4 minutes and a class at any hour sees trading. Crypto and FX run
continuously. In "wall" mode every anchor is the real time at start and time runs straight.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections.abc import Callable

from ..market import last_session_day, parse_symbol, session_bounds

#: one representative instrument per market with sessions
_SESSION_REPS = {"CN": "600519.SH", "HK": "00700.HK", "US": "AAPL.US"}
MODES = ("session", "wall")


def _to_ms(start: int | float | dt.datetime) -> int:
    if isinstance(start, dt.datetime):
        if start.tzinfo is None:
            raise ValueError(
                "start must be timezone-aware, e.g. datetime(..., tzinfo=ZoneInfo('Asia/Shanghai'))"
            )
        return int(start.timestamp() * 1000)
    return int(start)


class SimClock:
    """Simulated time in UTC epoch milliseconds.

    Parameters
    ----------
    mode : {"session", "wall"}
    speed : float
        Simulated seconds per real second (60 plays an A-share day in about 4 minutes).
    start : int or datetime, optional
        Simulated start instant (UTC ms or aware datetime) for every market; overrides the anchors.
    wall_ms : callable, optional
        Real wall time source (tests); default ``time.time``.
    monotonic : callable, optional
        Real monotonic source, seconds; default ``time.monotonic``.
    skip_breaks : bool, optional
        Jump over lunch breaks, nights and holidays of CN/HK/US (default: True in session mode).
    """

    def __init__(
        self,
        mode: str = "session",
        speed: float = 1.0,
        start: int | float | dt.datetime | None = None,
        *,
        wall_ms: Callable[[], int] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        skip_breaks: bool | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"clock mode must be 'session' or 'wall', not {mode!r}")
        if not speed or speed <= 0:
            raise ValueError(
                f"speed must be a positive number of simulated seconds per second, not {speed!r}"
            )
        self.mode = mode
        self.speed = float(speed)
        self._mono = monotonic
        wall = wall_ms() if wall_ms else int(time.time() * 1000)
        self.anchors: dict[str, int] = {}
        if start is not None:
            s = _to_ms(start)
            self.anchors = {m: s for m in ("CN", "HK", "US", "CRYPTO", "FX")}
        elif mode == "wall":
            self.anchors = {m: wall for m in ("CN", "HK", "US", "CRYPTO", "FX")}
        else:
            for market, code in _SESSION_REPS.items():
                inst = parse_symbol(code)
                day = last_session_day(inst, wall)
                self.anchors[market] = session_bounds(inst, day)[0][0]
            self.anchors["CRYPTO"] = self.anchors["FX"] = self.anchors["CN"]
        self.skip_breaks = (mode == "session") if skip_breaks is None else bool(skip_breaks)
        # per market: segment starts, ends and cumulative elapsed at each start
        self._segs: dict[str, tuple[list[int], list[int], list[int], dt.date]] = {}
        self._t0 = monotonic()
        self._frozen: float | None = None

    def restart(self) -> None:
        """Start counting simulated time from now (the server calls this once it listens)."""
        self._t0 = self._mono()

    # ---- reading -------------------------------------------------------------------------
    def elapsed_ms(self) -> int:
        """Simulated milliseconds since start (the same for every market)."""
        real = (self._frozen if self._frozen is not None else self._mono()) - self._t0
        return int(real * self.speed * 1000)

    def now_ms(self, market: str = "CN") -> int:
        """Simulated now for ``market`` ("CN", "HK", "US", "CRYPTO", "FX"), UTC ms."""
        return self.at(market, self.elapsed_ms())

    def at(self, market: str, elapsed_ms: int) -> int:
        """The instant of ``market`` after ``elapsed_ms`` of simulated time."""
        if not self.skip_breaks or market not in _SESSION_REPS:
            return self.anchors[market] + elapsed_ms
        starts, _ends, cum, _ = self._segments(market, elapsed_ms)
        i = bisect.bisect_right(cum, elapsed_ms) - 1
        return starts[i] + (elapsed_ms - cum[i])

    def _segments(
        self, market: str, elapsed_ms: int
    ) -> tuple[list[int], list[int], list[int], dt.date]:
        """Trading segments from the anchor on, extended until they cover ``elapsed_ms``.

        The first segment starts at the anchor, or at most 30 minutes before the open that
        follows it (so a start before the open plays the call auction live); every later one is
        a continuous session.
        """
        inst = parse_symbol(_SESSION_REPS[market])
        anchor = self.anchors[market]
        got = self._segs.get(market)
        if got is None:
            got = ([], [], [], last_session_day(inst, anchor) - dt.timedelta(days=1))
        starts, ends, cum, day = got
        while not starts or cum[-1] + (ends[-1] - starts[-1]) <= elapsed_ms:
            day = day + dt.timedelta(days=1)
            for a, b in session_bounds(inst, day):
                if b <= anchor:
                    continue
                if not starts:
                    a = max(anchor, a - 30 * 60_000)
                cum.append(cum[-1] + (ends[-1] - starts[-1]) if starts else 0)
                starts.append(a)
                ends.append(b)
        self._segs[market] = (starts, ends, cum, day)
        return starts, ends, cum, day

    def start_ms(self, market: str = "CN") -> int:
        return self.anchors[market]

    def real_seconds(self, sim_seconds: float) -> float:
        """Real seconds that ``sim_seconds`` of simulated time take."""
        return sim_seconds / self.speed

    def __repr__(self) -> str:
        now = dt.datetime.fromtimestamp(self.now_ms() / 1000, dt.timezone.utc)
        return (
            f"SimClock(mode={self.mode!r}, speed={self.speed:g}, cn_now={now:%Y-%m-%d %H:%M:%S}Z)"
        )
