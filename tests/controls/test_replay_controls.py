"""ReplayControls drive the replay (play/pause/seek/speed), follow it, and keep replays deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

import infoway_widgets as iw
from infoway_widgets.widgets.controls import ReplayControls
from infoway_widgets.widgets.controls.replay import recorded_symbol

from .conftest import until, until_trait

SYM = "600519.SH"


async def test_buttons_and_sliders_change_the_replay(recording):
    path, _live = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        rc = ReplayControls(rp, symbol=SYM)
        r = rp.replay
        assert r.playing and rc.playing
        rc.play_button.click()  # pause
        assert not r.playing and not rc.playing
        assert "Play" in rc.play_button.description

        span = r.end_ms - r.start_ms
        rc.seek_slider.value = span // 2  # what dragging the slider does
        assert r.position_ms == r.start_ms + span // 2 and rc.position_ms == r.position_ms
        n_mid = rp.tape_store(SYM).total
        assert n_mid > 0 and not r.playing
        assert rc.market_ms == r.market_ms > 0
        assert rc.clock.value.startswith("<b>") and "Asia/Shanghai" in rc.clock.value

        rc.speed_slider.value = 50.0
        assert r.speed == 50.0 and rc.speed == 50.0

        rc.restart_button.click()
        assert r.position_ms == r.start_ms and rp.tape_store(SYM).total < n_mid

        rc.play_button.click()  # play
        assert r.playing and "Pause" in rc.play_button.description
        await r.wait_done(timeout=60)
        await until_trait(
            rc,
            "position_ms",
            lambda: rc.position_ms == r.end_ms,
            10,
            "the controls to follow the end",
        )
        assert "end of recording" in rc.position_label.value and not rc.playing
        rc.play_button.click()  # play at the end starts again from the beginning
        assert r.playing and r.position_ms < r.end_ms
        await r.wait_done(timeout=60)
        rc.close()
    finally:
        await rp.aclose()


async def test_seeking_back_moves_the_exchange_clock_back(recording):
    """Regression: Replay.seek backwards left feed._market_ms at the newest time ever applied."""
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        rc = ReplayControls(rp, symbol=SYM)
        rc.pause()
        rc.seek(rp.replay.end_ms)
        late = rc.market_ms
        rc.seek_fraction(0.25)
        assert 0 < rc.market_ms < late
        assert rc.market_ms == int(
            rp.tape_store(SYM).since(0)["t"].max()
        )  # the newest trade applied
    finally:
        await rp.aclose()


async def test_seek_market_lands_on_the_first_moment_at_that_exchange_time(recording):
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        rc = ReplayControls(rp, symbol=SYM, locale="zh")
        rc.pause()
        index = rc._market_index()
        target = index[len(index) // 2][1]
        pos = rc.seek_market(target)
        assert rc.market_ms >= target and rp.replay.position_ms == pos
        before = [m for p, m in index if p < pos]
        assert not before or before[-1] < target
        when = (
            pd.Timestamp(target, unit="ms", tz="UTC")
            .tz_convert("Asia/Shanghai")
            .strftime("%H:%M:%S")
        )
        rc.seek_market(when)
        assert (
            pd.Timestamp(rc.market_ms, unit="ms", tz="UTC")
            .tz_convert("Asia/Shanghai")
            .strftime("%H:%M:%S")
            >= when
        )
    finally:
        await rp.aclose()


async def test_same_bars_whatever_the_controls_did(recording):
    """Pause, seek back and forth, change speed mid-way: the bars at the end equal a straight
    replay at 1000x and the live feed's."""
    path, live = recording
    rp = iw.connect(replay=path, speed=2.0)
    straight = iw.connect(replay=path, speed=1000.0)
    try:
        rc = ReplayControls(rp)
        rc.pause()
        rc.seek_fraction(0.6)
        rc.seek_fraction(0.2)
        rc.set_speed(20)
        rc.play()
        await until(
            rp,
            lambda: (
                rp.replay.position_ms
                > rp.replay.start_ms + (rp.replay.end_ms - rp.replay.start_ms) // 2
            ),
            60,
            "half the recording",
        )
        rc.speed_slider.value = 50.0
        await rp.replay.wait_done(timeout=60)
        await straight.replay.wait_done(timeout=60)
        for iv in ("1m", "5m"):
            got = rp.bar_store(SYM, iv).to_pandas()
            pd.testing.assert_frame_equal(got, straight.bar_store(SYM, iv).to_pandas())
            pd.testing.assert_frame_equal(got, live[iv])
        pd.testing.assert_frame_equal(
            rp.tape_store(SYM).to_pandas(), straight.tape_store(SYM).to_pandas()
        )
    finally:
        await rp.aclose()
        await straight.aclose()


async def test_needs_a_replaying_feed():
    feed = iw.Feed.detached()
    with pytest.raises(iw.BadParameterError, match="replay"):
        ReplayControls(feed)
    await feed.aclose()


def test_the_clock_shows_the_first_symbol_the_recording_watched_for_trades_or_bars():
    records = [
        {"k": "meta"},
        {"k": "watch", "t": 1, "s": "BTCUSDT", "trades": False, "depth": True, "intervals": []},
        {"k": "f", "t": 2, "d": []},
        {
            "k": "watch",
            "t": 3,
            "s": "00700.HK",
            "trades": False,
            "depth": False,
            "intervals": ["1m"],
        },
        {"k": "watch", "t": 4, "s": SYM, "trades": True, "depth": False, "intervals": []},
    ]
    assert recorded_symbol(records) == "00700.HK"  # a depth-only watch has no trade clock
    assert recorded_symbol(records[:3]) is None


async def test_without_a_symbol_the_controls_clock_uses_the_recordings(recording):
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        rc = ReplayControls(rp)  # no symbol=: the recording watched 600519.SH
        rc.pause()
        pos = rc.seek_market("09:30")
        assert rp.replay.start_ms <= pos <= rp.replay.end_ms
        assert "Asia/Shanghai" in rc.clock.value
        rc.close()
    finally:
        await rp.aclose()


async def test_at_the_end_restart_and_seek_keep_the_replay_paused(recording):
    path, _ = recording
    rp = iw.connect(replay=path, speed=1000.0)
    try:
        rc = ReplayControls(rp, symbol=SYM)
        r = rp.replay
        await r.wait_done(timeout=60)
        assert not r.playing and not rc.playing  # the end counts as paused
        rc.restart_button.click()
        assert r.position_ms == r.start_ms
        assert not r.playing and not rc.playing and "Play" in rc.play_button.description
        rc.seek(r.end_ms)
        assert r.done.is_set() and not r.playing
        span = r.end_ms - r.start_ms
        rc.seek_slider.value = span // 3  # what dragging the slider does, at the end
        assert r.position_ms == r.start_ms + span // 3 and not r.playing
        assert "paused" in rc.position_label.value
        # a paused replay stays paused, a playing one keeps playing
        rc.play()
        rc.seek_fraction(0.1)
        assert r.playing
        rc.restart()
        assert r.playing and r.position_ms < r.end_ms
        rc.close()
    finally:
        await rp.aclose()


async def test_a_closed_replays_controls_are_disabled(recording):
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    rc = ReplayControls(rp, symbol=SYM)
    assert not rc.play_button.disabled and not rc.closed
    await rp.aclose()
    assert rc.closed and not rc.playing
    for c in (rc.play_button, rc.restart_button, rc.speed_slider, rc.seek_slider):
        assert c.disabled, c
    assert "closed" in rc.position_label.value
    position = rp.replay.position_ms
    for action in (rc.play, rc.pause, rc.restart, lambda: rc.set_speed(2.0)):
        with pytest.raises(iw.FeedClosedError, match="connect"):
            action()
    rc.seek_slider.value = rc.seek_slider.max // 2  # a stale front-end's change: ignored
    assert rp.replay.position_ms == position
    # controls made for a feed already closed start disabled
    assert ReplayControls(rp, symbol=SYM).play_button.disabled
    rc.close()
