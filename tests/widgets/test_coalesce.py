"""The one coalescer of the widgets, controls and bqplot figures, stepped on a fake clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Callable

import pytest

import infoway_widgets as iw
from infoway_widgets.widgets import CandleChart
from infoway_widgets.widgets.bqplot import LiveFigure
from infoway_widgets.widgets.coalesce import Coalescer

SYM = "600519.SH"


class Timer:
    def __init__(self, due: float, callback: Callable[[], object]) -> None:
        self.due, self.callback, self.cancelled = due, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """``time()`` and ``call_later()`` of an event loop whose time moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, Timer]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Callable[[], object], /) -> Timer:
        assert delay >= 0
        timer = Timer(self.now + delay, callback)
        heapq.heappush(self._heap, (timer.due, next(self._order), timer))
        return timer

    @property
    def scheduled(self) -> list[Timer]:
        return [t for _, _, t in self._heap if not t.cancelled]

    def advance(self, seconds: float = 0.0) -> None:
        """Move time on by ``seconds``, running every timer that falls due, each at its time."""
        end = self.now + seconds
        while self._heap and self._heap[0][0] <= end:
            due, _, timer = heapq.heappop(self._heap)
            self.now = max(self.now, due)
            if not timer.cancelled:
                timer.callback()
        self.now = end


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def counting(clock: FakeClock) -> tuple[list[float], Callable[[], None]]:
    """A callback that records the clock time of each call."""
    times: list[float] = []
    return times, lambda: times.append(clock.now)


def test_idle_then_poke_fires_at_once(clock):
    times, fn = counting(clock)
    c = Coalescer(fn, 10.0, scheduler=clock)
    c.poke()
    assert times == [] and c.pending  # not inside poke: on the loop's next turn
    clock.advance(0)
    assert times == [0.0] and not c.pending
    clock.advance(5.0)  # long idle: the next poke fires at once again
    c.poke()
    clock.advance(0)
    assert times == [0.0, 5.0]


def test_a_burst_of_1000_pokes_gives_one_call_now_and_one_after_the_period(clock):
    times, fn = counting(clock)
    c = Coalescer(fn, 20.0, scheduler=clock)  # period 0.05 s
    for _ in range(1000):  # 1000 pokes spread over 0.04 s, the clock running between them
        c.poke()
        clock.advance(0.00004)
    assert times == [0.0]
    clock.advance(1.0)
    assert times == [0.0, pytest.approx(0.05)]  # everything after the first folded into one call
    assert c.calls == 2 and not clock.scheduled


def test_pokes_in_one_turn_fold_into_one_call(clock):
    times, fn = counting(clock)
    c = Coalescer(fn, 20.0, scheduler=clock)
    for _ in range(1000):
        c.poke()
    assert len(clock.scheduled) == 1
    clock.advance(1.0)
    assert times == [0.0]


def test_at_most_max_fps_calls_a_second_under_steady_pokes(clock):
    times, fn = counting(clock)
    c = Coalescer(fn, 10.0, scheduler=clock)
    for _ in range(2950):  # a poke every millisecond for 2.95 s
        c.poke()
        clock.advance(0.001)
    assert len(times) == 30  # at 0, 0.1, ... 2.9 s; the one due at 3.0 s is still pending
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) == pytest.approx(0.1)


def test_close_cancels_and_later_pokes_do_nothing(clock):
    times, fn = counting(clock)
    c = Coalescer(fn, 10.0, scheduler=clock)
    c.poke()
    (timer,) = clock.scheduled
    c.close()
    assert timer.cancelled and not c.pending and c.closed
    c.poke()
    clock.advance(10.0)
    assert times == [] and not clock.scheduled
    c.close()  # idempotent


def test_a_failing_callback_is_logged_and_never_propagates(clock, caplog):
    calls = 0

    def boom() -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("a broken redraw")

    c = Coalescer(boom, 10.0, label="Test: redraw", scheduler=clock)
    with caplog.at_level(logging.ERROR, logger="infoway_widgets.widgets"):
        c.poke()
        clock.advance(0)  # would raise here if the coalescer let it through
    assert calls == 1
    assert "Test: redraw failed" in caplog.text and "a broken redraw" in caplog.text
    c.poke()  # still working after the failure, at the rate
    clock.advance(0.05)
    assert calls == 1
    clock.advance(0.06)
    assert calls == 2


def test_the_rate_is_read_at_each_poke(clock):
    times, fn = counting(clock)
    fps = [10.0]
    c = Coalescer(fn, lambda: fps[0], scheduler=clock)
    c.poke()
    clock.advance(0)
    fps[0] = 2.0  # a user lowers max_fps
    c.poke()
    clock.advance(1.0)
    assert times == [0.0, pytest.approx(0.5)]
    assert c.period == pytest.approx(0.5)
    fps[0] = 0.0  # a rate of zero is taken as the floor (0.1 / s), never a division by zero
    assert c.period == pytest.approx(10.0)


async def test_on_the_real_loop_a_poke_from_a_callback_runs_on_the_next_turn():
    ran = asyncio.Event()
    c = Coalescer(ran.set, 20.0)
    c.poke()
    assert not ran.is_set()
    await asyncio.wait_for(ran.wait(), 5)
    c.close()


async def test_widgets_and_figures_share_the_one_coalescer(feed, sent):
    """The live widgets' frames and the bqplot figures' redraws go through the same class."""
    chart = CandleChart(SYM, feed=feed)
    assert isinstance(chart._coalescer, Coalescer)
    detached = iw.Feed.detached()
    fig = LiveFigure(detached)
    assert isinstance(fig._coalescer, Coalescer)
    chart.close()
    fig.close()
    assert chart._coalescer.closed and fig._coalescer.closed
    await detached.aclose()
