"""The session clock skips breaks: 60x plays an A-share day in four minutes."""

from __future__ import annotations

from infoway_widgets.sim import SimClock

from .conftest import DAY, FakeMono, ms, sh


def test_session_clock_crosses_lunch_and_night():
    mono = FakeMono()
    clock = SimClock("session", 60.0, sh(9, 30), monotonic=mono)
    assert clock.now_ms("CN") == ms(sh(9, 30))
    mono.t = 2 * 60  # two real minutes = two trading hours
    assert clock.now_ms("CN") == ms(sh(13, 0))  # 11:30 goes on at 13:00
    mono.t = 4 * 60 - 1
    assert clock.now_ms("CN") == ms(sh(14, 59, 0))
    mono.t = 4 * 60
    import datetime as dt

    assert clock.now_ms("CN") == ms(sh(9, 30, day=DAY + dt.timedelta(days=1)))  # next open
    assert clock.now_ms("CRYPTO") == ms(sh(9, 30)) + 4 * 3_600_000  # 24/7 runs straight


def test_start_before_the_open_plays_the_auction_live():
    mono = FakeMono()
    clock = SimClock("session", 1.0, sh(9, 20), monotonic=mono)
    mono.t = 300
    assert clock.now_ms("CN") == ms(sh(9, 25))
    mono.t = 600
    assert clock.now_ms("CN") == ms(sh(9, 30))


def test_wall_clock_runs_straight():
    mono = FakeMono()
    clock = SimClock("wall", 1.0, sh(11, 29), monotonic=mono)
    mono.t = 120
    assert clock.now_ms("CN") == ms(sh(11, 31))
