"""Widgets nobody sees stop sending, then release their feed subscriptions; a view brings them back.

The state machine (:class:`ViewLifetime`) and whole widgets on a fake feed, stepped on a fake clock
(the coalescing and the lifetime timers share it): no sleeps, no browser.
"""

from __future__ import annotations

import pytest

from infoway_widgets.widgets import CandleChart, OrderBook, QuoteBoard, TradeTape
from infoway_widgets.widgets._base import LiveWidget
from infoway_widgets.widgets.lifetime import MAX_FRONTENDS, ViewLifetime

from .test_coalesce import FakeClock

SYM = "600519.SH"


class Calls:
    def __init__(self) -> None:
        self.log: list[str] = []

    def lifetime(self, clock: FakeClock, pause: float = 1.5, release: float = 60.0) -> ViewLifetime:
        return ViewLifetime(
            on_pause=lambda: self.log.append("pause"),
            on_release=lambda: self.log.append("release"),
            on_show=lambda reopen: self.log.append(f"show reopen={reopen}"),
            pause_after=pause,
            release_after=release,
            scheduler=clock,
        )


# ---- the state machine ---------------------------------------------------------------------------
def test_without_any_report_it_keeps_everything_forever():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    clock.advance(10_000)
    assert life.state == "headless" and life.sending and life.subscribed and life.headless
    assert calls.log == [] and clock.scheduled == []


def test_last_view_gone_pauses_after_the_short_grace_and_releases_after_the_long_one():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    life.report("page-a", 1)
    assert life.state == "shown" and life.views == 1
    life.report("page-a", 0)
    assert life.state == "hidden" and life.sending  # a view that is only moving misses nothing
    clock.advance(1.4)
    assert life.sending and calls.log == []
    clock.advance(0.1)
    assert life.state == "paused" and not life.sending and life.subscribed
    assert calls.log == ["pause"]
    clock.advance(58.4)
    assert life.subscribed
    clock.advance(0.1)
    assert life.state == "released" and not life.subscribed
    assert calls.log == ["pause", "release"]


def test_a_view_back_within_the_grace_changes_nothing():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    life.report("page-a", 1)
    life.report("page-a", 0)
    clock.advance(1)
    life.report("page-a", 1)
    clock.advance(100)
    assert life.state == "shown" and calls.log == [] and clock.scheduled == []


def test_a_view_back_after_a_pause_asks_for_a_full_frame_and_after_a_release_to_reopen():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    life.report("a", 1)
    life.report("a", 0)
    clock.advance(2)
    life.report("a", 1)
    assert calls.log == ["pause", "show reopen=False"] and life.sending
    life.report("a", 0)
    clock.advance(61)
    life.report("b", 2)  # another page
    assert calls.log[-3:] == ["pause", "release", "show reopen=True"]
    assert life.state == "shown" and life.subscribed and life.views == 2


def test_views_off_screen_pause_it_but_keep_the_subscriptions():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    life.report("a", 2)
    life.report("a", 2, 0)  # both scrolled out of sight
    assert life.state == "hidden" and life.sending and life.views == 2 and life.on_screen == 0
    clock.advance(1.5)
    assert life.state == "paused" and not life.sending
    clock.advance(3600)
    assert life.subscribed and calls.log == ["pause"]  # still views: nothing released
    life.report("a", 2, 1)  # one scrolled back
    assert life.state == "shown" and calls.log == ["pause", "show reopen=False"]
    # off screen, then gone: the release waits from when the last view went
    life.report("a", 1, 0)
    clock.advance(30)
    life.report("a", 0, 0)
    clock.advance(59.9)
    assert life.subscribed
    clock.advance(0.1)
    assert life.state == "released" and calls.log[-2:] == ["pause", "release"]
    # a view off screen does not bring it back; one on screen does, reopening the subscriptions
    life.report("b", 1, 0)
    assert life.state == "released"
    life.report("b", 1, 1)
    assert calls.log[-1] == "show reopen=True" and life.state == "shown"


def test_a_view_back_off_screen_cancels_the_release():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    life.report("a", 1)
    life.report("a", 0)
    clock.advance(10)
    life.report("a", 1, 0)  # the output reattached below the fold
    clock.advance(3600)
    assert life.state == "paused" and life.subscribed and calls.log == ["pause"]


def test_views_count_over_every_front_end():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    life.report("a", 1)
    life.report("b", 2)
    life.report("a", 0)
    clock.advance(100)
    assert life.state == "shown" and life.views == 2 and calls.log == []
    life.report("b", 0)
    clock.advance(2)
    assert life.state == "paused"


def test_front_ends_that_never_said_goodbye_are_bounded():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    for i in range(MAX_FRONTENDS + 10):
        life.report(f"page-{i}", 1)
    assert life.views == MAX_FRONTENDS
    life.report("x" * 1000, 1)  # ids are cut, counts clamped
    life.report("y", 10**9)
    assert life.views <= MAX_FRONTENDS - 1 + 10_000


def test_close_cancels_the_timers_and_ignores_later_reports():
    clock, calls = FakeClock(), Calls()
    life = calls.lifetime(clock)
    life.report("a", 1)
    life.report("a", 0)
    life.close()
    assert clock.scheduled == []
    life.report("a", 1)
    clock.advance(100)
    assert life.state == "closed" and calls.log == [] and not life.sending


def test_grace_times_are_read_when_the_last_view_goes():
    clock, calls = FakeClock(), Calls()
    grace = {"pause": 1.5, "release": 60.0}
    life = ViewLifetime(
        on_pause=lambda: calls.log.append("pause"),
        on_release=lambda: calls.log.append("release"),
        on_show=lambda reopen: None,
        pause_after=lambda: grace["pause"],
        release_after=lambda: grace["release"],
        scheduler=clock,
    )
    grace["release"] = 0.5  # shorter than the pause: both happen at once
    life.report("a", 1)
    life.report("a", 0)
    clock.advance(0.5)
    assert calls.log == ["pause", "release"] and life.state == "released"


# ---- whole widgets ---------------------------------------------------------------------------------
@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(LiveWidget, "_scheduler", fake)
    return fake


def views(widget, n: int, page: str = "page-1", on: int | None = None) -> None:
    """A front-end's report: ``n`` views, ``on`` of them on screen (unsaid: an older front-end)."""
    msg = {"type": "views", "id": page, "n": n}
    if on is not None:
        msg["on"] = on
    widget._on_front_msg(widget, msg, [])


def data_frames(sent, widget) -> list[dict]:
    return [h for h, _ in sent.frames(widget)]


def test_a_hidden_chart_stops_sending_then_lets_go_and_a_new_view_gets_a_full_frame(
    feed, sent, clock
):
    chart = CandleChart(SYM, feed=feed)
    clock.advance(0)
    views(chart, 1)
    feed.trade(SYM, 3)
    clock.advance(1)
    assert not data_frames(sent, chart)[-1].get("reset")  # a delta: it is shown
    refs = feed.refs[SYM]
    assert refs >= 1

    views(chart, 0)  # the output was cleared or the cell re-run
    clock.advance(2)
    n = len(sent.of(chart))
    for _ in range(20):
        feed.trade(SYM, 5)
        clock.advance(0.5)
    assert len(sent.of(chart)) == n  # nobody sees it: not one message
    assert feed.refs[SYM] == refs  # the subscriptions stay for a while
    chart._on_front_msg(chart, {"type": "resync"}, [])
    assert len(sent.of(chart)) == n  # nothing to resync for

    clock.advance(60)
    assert feed.refs[SYM] == 0  # released
    feed.trade(SYM, 5)
    clock.advance(1)
    assert len(sent.of(chart)) == n

    views(chart, 1, page="page-2")  # a view comes back (another page, another store)
    assert feed.refs[SYM] == refs
    header, cols = sent.frames(chart)[-1]
    assert header["reset"] is True
    assert cols["t"][-1] == feed.bar_store(SYM, "1m").t[-1]
    seq = header["seq"]
    feed.trade(SYM, 2)
    clock.advance(1)
    assert data_frames(sent, chart)[-1]["seq"] == seq + 1  # deltas again
    chart.close()


def test_a_chart_scrolled_out_of_sight_sends_nothing_and_a_full_frame_when_back(feed, sent, clock):
    chart = CandleChart(SYM, feed=feed)
    clock.advance(0)
    views(chart, 1, page="p", on=1)
    feed.trade(SYM, 3)
    clock.advance(1)
    refs = feed.refs[SYM]
    views(chart, 1, page="p", on=0)
    clock.advance(2)
    n = len(sent.of(chart))
    for _ in range(200):
        feed.trade(SYM, 5)
        clock.advance(0.5)
    assert len(sent.of(chart)) == n  # off screen for 100 s: not one message
    assert feed.refs[SYM] == refs  # and the subscriptions stay
    views(chart, 1, page="p", on=1)
    header, cols = sent.frames(chart)[-1]
    assert header["reset"] is True
    assert cols["t"][-1] == feed.bar_store(SYM, "1m").t[-1]
    chart.close()


def test_a_widget_no_front_end_ever_saw_keeps_sending(feed, sent, clock):
    """nbclient, a script: no view count ever comes, so nothing changes from before."""
    tape = TradeTape(SYM, feed=feed)
    clock.advance(0)
    for _ in range(10):
        feed.trade(SYM, 2)
        clock.advance(30)
    frames = data_frames(sent, tape)
    assert len(frames) >= 10 and feed.refs[SYM] >= 1
    tape.close()


def test_every_kind_pauses_and_comes_back(feed, sent, clock):
    widgets = [
        CandleChart(SYM, feed=feed),
        OrderBook(SYM, feed=feed),
        TradeTape(SYM, feed=feed),
        QuoteBoard([SYM, "00700.HK"], feed=feed),
    ]
    clock.advance(0)
    for w in widgets:
        views(w, 1)
        views(w, 0)
    clock.advance(61)
    assert all(n == 0 for n in feed.refs.values())
    before = {id(w): len(sent.of(w)) for w in widgets}
    feed.trade(SYM, 5)
    clock.advance(1)
    assert all(len(sent.of(w)) == before[id(w)] for w in widgets)
    for w in widgets:
        views(w, 1)
        assert sent.frames(w)[-1][0]["reset"] is True, type(w).__name__
    assert feed.refs[SYM] >= 4
    for w in widgets:
        w.close()
    assert all(n == 0 for n in feed.refs.values())


def test_settings_changed_while_released_open_their_subscriptions_with_the_next_view(
    feed, sent, clock
):
    chart = CandleChart(SYM, feed=feed)
    clock.advance(0)
    views(chart, 1)
    views(chart, 0)
    clock.advance(61)
    chart.interval = "5m"
    chart.symbol = "00700.HK"
    assert all(n == 0 for n in feed.refs.values())  # nobody to show it to
    views(chart, 1)
    assert feed.refs["00700.HK"] >= 1 and feed.refs[SYM] == 0
    header, _ = sent.frames(chart)[-1]
    assert header["reset"] and header["interval"] == "5m" and header["symbol"] == "00700.HK"
    chart.close()


def test_close_ends_everything_at_once_even_while_hidden(feed, sent, clock):
    chart = CandleChart(SYM, feed=feed)
    clock.advance(0)
    views(chart, 1)
    views(chart, 0)
    chart.close()
    assert feed.refs[SYM] == 0 and clock.scheduled == []
    assert chart._lifetime.state == "closed"


def test_malformed_view_reports_are_ignored(feed, sent, clock):
    chart = CandleChart(SYM, feed=feed)
    for content in (
        {"type": "views"},
        {"type": "views", "id": 3, "n": 0},
        {"type": "views", "id": "a", "n": "0"},
        {"type": "views", "id": "a", "n": float("nan")},
    ):
        chart._on_front_msg(chart, content, [])
    assert chart._lifetime.headless
    chart.close()


# ---- the saved-state snapshot ------------------------------------------------------------------------
def test_once_a_front_end_reported_python_never_pushes_the_snapshot(feed, sent, clock):
    chart = CandleChart(SYM, feed=feed)
    chart.snapshot_interval = 0.0
    clock.advance(0)
    views(chart, 1)
    pushed = chart._snapshot
    for _ in range(10):
        feed.trade(SYM, 3, dt_ms=30_000)
        clock.advance(1)
    chart._on_front_msg(chart, {"type": "resync"}, [])
    assert chart._snapshot is pushed  # the front-end keeps it from its frames
    assert sent.frames(chart)[-1][0]["reset"]
    # on demand (an export, a new page) the state still carries a fresh one
    snap = chart.get_state()["_snapshot"]
    assert snap["header"]["seq"] == chart._seq
    assert snap["cols"]["t"][-1] == float(feed.bar_store(SYM, "1m").t[-1])
    chart.close()


def test_without_a_front_end_the_snapshot_is_pushed_as_before(feed, sent, clock):
    chart = CandleChart(SYM, feed=feed)
    chart.snapshot_interval = 5.0
    clock.advance(0)
    first = chart._snapshot
    feed.trade(SYM, 3, dt_ms=60_000)
    clock.advance(6)
    assert chart._snapshot is not first
    assert chart._snapshot["cols"]["t"][-1] == float(feed.bar_store(SYM, "1m").t[-1])
    chart.close()
