"""Feed surface: embedded default, history(), record/replay, errors and keys."""

import asyncio
import logging
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import infoway_widgets as iw
from infoway_widgets.sim import serve

from .conftest import wait_for

KEY = "test-key-7d1c5e9a0b"


async def test_embedded_default_is_simulated_and_labelled():
    feed = iw.connect(new=True, speed=30.0)
    try:
        await feed.ready()
        assert feed.simulated and feed.server is not None
        assert feed.base_url.startswith("http://127.0.0.1:")
        assert "simulated" in repr(feed) and "simulated" in feed._repr_html_().lower()
        inst = feed.instrument("600519.SH")
        assert inst.name  # names come from the simulated market's symbol list
        ev = asyncio.Event()
        feed.on_change(lambda s: ev.set())
        w = feed.watch("600519.SH", depth=True, intervals=["1m"])
        await wait_for(
            lambda: (
                feed.tape_store("600519.SH").total > 0
                and feed.book_store("600519.SH").snapshot is not None
            ),
            20,
            "trades and a book",
            ev,
        )
        assert feed.status == "simulated"
        q = feed.quote("600519.SH")
        assert q["last"] and q["symbol"] == "600519.SH"
        w.close()
    finally:
        await feed.aclose()
    assert feed.status == "closed"


async def test_connect_is_shared_per_loop():
    a = iw.connect(speed=30.0)
    b = iw.connect(speed=30.0)
    try:
        assert a is b
    finally:
        await a.aclose()
    c = iw.connect(speed=30.0)
    assert c is not a
    await c.aclose()


def test_connect_outside_a_loop_says_what_to_do():
    with pytest.raises(iw.InfowayError, match="aconnect"):
        iw.connect()


async def test_history_in_a_running_loop_pages_past_500():
    async with serve(port=0, seed=2, speed=1.0) as server:
        df = await iw.ahistory("600519.SH", "1m", 1200, base_url=server.url, progress=False)
    assert len(df) == 1200
    assert list(df.columns) == ["open", "high", "low", "close", "volume", "turnover", "vwap"]
    assert str(df.index.tz) == "Asia/Shanghai"
    assert df.index.is_monotonic_increasing and df.index.is_unique
    minutes = df.index.hour * 60 + df.index.minute
    assert not ((minutes >= 11 * 60 + 30) & (minutes < 13 * 60)).any()  # nothing in the lunch break
    assert (df["high"] >= df[["open", "close"]].max(axis=1)).all()
    np.testing.assert_allclose(df["vwap"], df["turnover"] / df["volume"])


async def test_history_daily_with_start_end():
    async with serve(port=0, seed=2) as server:
        df = await iw.ahistory(
            "000001.SZ", "1d", None, start="2026-09-01", end="2026-10-31", base_url=server.url
        )
    assert len(df) > 20
    assert df.index[0] >= pd.Timestamp("2026-09-01", tz="Asia/Shanghai")
    assert df.index[-1] < pd.Timestamp("2026-11-01", tz="Asia/Shanghai")
    assert not (df.index.day_of_week >= 5).any()


def test_history_sync_from_a_script_without_key():
    code = (
        "import infoway_widgets as iw; df = iw.history('600519.SH', '1d', 30, progress=False); "
        "print(len(df), df.index.tz)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "."},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["30", "Asia/Shanghai"]


def test_history_sync_inside_a_running_loop_uses_nest_asyncio_only_there():
    import nest_asyncio  # noqa: F401

    async def cell():  # a notebook cell: the loop is running, code is synchronous
        assert not hasattr(asyncio.get_running_loop(), "_nest_patched")
        async with serve(port=0, seed=4) as server:
            df = iw.history("BTCUSDT", "1h", 10, base_url=server.url, progress=False)
            return df

    df = asyncio.run(cell())
    assert len(df) == 10 and str(df.index.tz) == "UTC"


@pytest.mark.parametrize("count", [0, -5, 1.5, True])
async def test_bad_count_is_a_clear_error(count):
    with pytest.raises(iw.BadParameterError, match="count"):
        await iw.ahistory("600519.SH", "1d", count, base_url="http://127.0.0.1:9")


async def test_unknown_symbol_history_is_specific():
    async with serve(port=0, seed=2) as server:
        with pytest.raises(iw.UnknownSymbolError):
            await iw.ahistory("601999.SH", "1d", 10, base_url=server.url)


async def test_record_then_replay_rebuilds_the_same_bars(tmp_path):
    path = tmp_path / "session.jsonl.gz"
    async with serve(port=0, seed=8, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True, history=20)
        try:
            feed.record(path)
            for s in ("600519.SH", "BTCUSDT"):
                feed.watch(s, depth=True, intervals=["1m", "5m"])
            start = server.market.now_ms("600519.SH")
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            await wait_for(
                lambda: server.market.now_ms("600519.SH") > start + 4 * 60_000,
                30,
                "4 simulated minutes",
                ev,
            )
            await feed.settle()
            live = {k: st.to_pandas() for k, st in feed.state.bars.items()}
            live_tape = feed.tape_store("600519.SH").to_pandas()
            feed.stop_recording()
        finally:
            await feed.aclose()
    assert path.stat().st_size > 1000
    for speed in (50.0, 1000.0):
        rp = iw.connect(replay=path, speed=speed)
        try:
            await rp.replay.wait_done(timeout=60)
            for k, df in live.items():
                pd.testing.assert_frame_equal(rp.bar_store(*k).to_pandas(), df)
            pd.testing.assert_frame_equal(rp.tape_store("600519.SH").to_pandas(), live_tape)
            assert rp.status == "replay"
        finally:
            await rp.aclose()


async def test_replay_pause_seek_and_speed(tmp_path):
    path = tmp_path / "s.jsonl"
    async with serve(port=0, seed=9, speed=60.0) as server:
        feed = iw.connect(base_url=server.url, speed=60.0, new=True, history=5)
        feed.record(path)
        feed.watch("600519.SH", intervals=["1m"])
        ev = asyncio.Event()
        feed.on_change(lambda s: ev.set())
        await wait_for(lambda: feed.tape_store("600519.SH").total > 200, 30, "200 trades", ev)
        await feed.aclose()
    rp = iw.connect(replay=path, speed=1.0)
    try:
        r = rp.replay
        r.pause()
        mid = (r.start_ms + r.end_ms) // 2
        r.seek(mid)
        n_mid = rp.tape_store("600519.SH").total
        assert n_mid > 0 and r.position_ms == mid and not r.playing
        r.seek(r.start_ms)
        assert rp.tape_store("600519.SH").total < n_mid
        r.seek(mid)
        assert rp.tape_store("600519.SH").total == n_mid  # deterministic
        r.speed = 1000
        r.resume()
        await r.wait_done(timeout=30)
        assert rp.tape_store("600519.SH").total > n_mid
        with pytest.raises(iw.BadParameterError):
            r.speed = 0
    finally:
        await rp.aclose()


async def test_wrong_key_stops_with_auth_error_and_key_never_leaks(caplog):
    caplog.set_level(logging.DEBUG)
    async with serve(port=0, seed=2, api_key="the-right-key-123") as server:
        feed = iw.connect(KEY, base_url=server.url, new=True)
        try:
            statuses = []
            feed.on_status(lambda st, msg: statuses.append((st, msg)))
            feed.watch("600519.SH", intervals=["1m"])
            await wait_for(lambda: feed.status == "error", 20, "error status")
            assert "key" in feed.status_message.lower()
            with pytest.raises(iw.AuthError) as ei:
                await iw.ahistory("600519.SH", "1d", 5, api_key=KEY, base_url=server.url)
            texts = [
                repr(feed),
                str(ei.value),
                feed.status_message,
                *map(str, statuses),
                *(r.getMessage() for r in caplog.records),
                *feed.warnings,
            ]
            assert all(KEY not in t for t in texts)
            assert server.stats.refused >= 1
            sess = feed.source.sessions["stock"]
            assert sess.stats["connects"] == 0  # a 401 is never retried
        finally:
            await feed.aclose()


async def test_instruments_are_named_before_the_embedded_server_is_up():
    feed = iw.connect(new=True)
    try:
        assert feed.server is None  # still starting
        assert feed.instrument("600519.SH").name == "贵州茅台"
        w = feed.watch(
            "600519.SH", intervals=["1m"]
        )  # a widget built in the same cell as connect()
        await feed.ready()
        assert feed.server is not None and feed.server.market is not None
        ev = asyncio.Event()
        feed.on_change(lambda s: ev.set())
        await wait_for(lambda: len(feed.bar_store("600519.SH", "1m")) > 0, 20, "bars", ev)
        w.close()
    finally:
        await feed.aclose()


async def test_a_later_watch_tops_up_history():
    async with serve(port=0, seed=2) as server:
        feed = iw.connect(base_url=server.url, new=True)
        try:
            ev = asyncio.Event()
            feed.on_change(lambda s: ev.set())
            a = feed.watch("600519.SH", intervals=["1d"], history=5)
            await wait_for(
                lambda: len(feed.bar_store("600519.SH", "1d")) >= 5, 20, "5 daily bars", ev
            )
            b = feed.watch("600519.SH", intervals=["1d"], history=120)
            await wait_for(
                lambda: len(feed.bar_store("600519.SH", "1d")) >= 120, 20, "120 daily bars", ev
            )
            a.close()
            b.close()
        finally:
            await feed.aclose()


async def test_bare_connect_returns_the_feed_the_user_made():
    mine = iw.connect(speed=20.0)
    try:
        assert iw.connect() is mine  # what a widget without feed= gets
        other = iw.connect(speed=30.0)
        assert iw.connect() is other
        await other.aclose()
        assert iw.connect() is mine  # back to the one still open
    finally:
        await mine.aclose()
