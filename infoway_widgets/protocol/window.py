"""A sliding window of event times: how the frame budget is counted at both ends.

The service allows 60 client frames per connection in any 60 s. The client counts what it sent
(holding each frame a little longer than the window, for jitter); a server counts what arrived.
Times are integers in whatever clock the caller uses (ms); they must not go backwards.
"""

from __future__ import annotations

from collections import deque


class SlidingWindow:
    """Times of the events of the last ``span`` time units.

    An event at ``t`` counts until ``t + span`` (exclusive): at ``now`` the window holds the
    events with ``t > now - span``.
    """

    __slots__ = ("_times", "span")

    def __init__(self, span: int) -> None:
        self.span = int(span)
        self._times: deque[int] = deque()

    def add(self, t: int) -> None:
        """Count one event at ``t``."""
        self._times.append(t)

    def count(self, now: int) -> int:
        """Events in the window at ``now`` (older ones are forgotten)."""
        times = self._times
        horizon = now - self.span
        while times and times[0] <= horizon:
            times.popleft()
        return len(times)

    def count_within(self, now: int, span: int) -> int:
        """Events with ``t > now - span`` for a ``span`` no longer than the window's."""
        horizon = now - span
        return sum(1 for t in self._times if t > horizon)

    def oldest(self) -> int | None:
        """The time of the oldest event still held, if any."""
        return self._times[0] if self._times else None

    def restamp_last(self, n: int, t: int) -> None:
        """Move the newest ``n`` events to ``t`` (no earlier than they were): they happened later
        than first recorded, e.g. a socket took a while to send them."""
        times = self._times
        for i in range(max(0, len(times) - n), len(times)):
            if times[i] < t:
                times[i] = t

    def __len__(self) -> int:
        return len(self._times)
