"""The classroom: ten students on one server get the same bars, follow the teacher's clock, and
the leaderboard lists them all by P&L; the command line; rounds from a recording."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import sys
from typing import Any

import httpx
import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.classroom import ClassroomServer
from infoway_widgets.classroom.recording import recorded_market
from infoway_widgets.classroom.state import Board
from infoway_widgets.errors import BadParameterError
from infoway_widgets.practice import simulate
from infoway_widgets.practice.market import COLUMNS

SYM = "000001.SZ"


@pytest.fixture
async def server():
    srv = ClassroomServer(simulate(SYM, days=2, seed=21), token="teacher-token", speed=50.0)
    await srv.start()
    yield srv
    await srv.stop()


async def _until(widget: Any, trait: str, cond: Any, what: str, timeout: float = 10.0) -> None:
    """Wait until ``cond()`` holds, checked whenever ``widget``'s ``trait`` changes."""
    done = asyncio.get_running_loop().create_future()

    def check(_: Any = None) -> None:
        if cond() and not done.done():
            done.set_result(True)

    widget.observe(check, names=trait)
    try:
        check()
        await asyncio.wait_for(done, timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    finally:
        widget.unobserve(check, names=trait)


async def test_ten_students_see_the_same_bars_and_the_board_ranks_them(server):
    feeds = [iw.connect(base_url=server.url, new=True) for _ in range(10)]
    students = [iw.Practice(SYM, feed=f, name=f"学生{i}") for i, f in enumerate(feeds)]
    board = iw.Leaderboard(base_url=server.url, locale="zh")
    try:
        for p in students:
            await p.ready()
        ref = students[0].market
        for p in students:
            assert p.market.days == ref.days
            assert all(np.array_equal(p.market.bars[k], ref.bars[k]) for k in COLUMNS)
        assert ref.days == server.market.days
        # each at their own pace, each trading differently
        for i, p in enumerate(students):
            p.step(10 + 20 * i)
            if i % 3:
                p.buy(lots=i + 1)
            p.step(240)
            if i % 3:
                p.sell(lots=i + 1)
            p.reveal()
            assert p.chart.bars.equals(students[0].chart.bars)  # revealed: the same bars
        answers = await asyncio.gather(*(p.submit() for p in students))
        assert all(a["ok"] for a in answers)
        await _until(board, "version", lambda: len(board.table) == 10, "the board to list ten")
        table = board.table
        assert list(table.columns) == ["name", "pnl", "return_pct", "trades"]
        assert sorted(table["name"]) == sorted(p.name for p in students)
        assert list(table["pnl"]) == sorted(table["pnl"], reverse=True)
        by_name = {p.name: p.score for p in students}
        for row in table.itertuples():
            assert row.pnl == pytest.approx(float(by_name[row.name].pnl))
            assert row.trades == by_name[row.name].trades
        assert board._title.value == "10 名学生"
        # the server keeps the name and the three numbers, nothing else
        assert set(server.board.rows["学生1"]) == {"name", "pnl", "return_pct", "trades"}
    finally:
        await board.aclose()
        for p in students:
            await p.aclose()
        for f in feeds:
            await f.aclose()


async def test_students_who_follow_move_with_the_teacher(server):
    feed = iw.connect(base_url=server.url, new=True)
    follower = iw.Practice(SYM, feed=feed, follow=True)
    alone = iw.Practice(SYM, feed=feed)
    teacher = iw.Classroom(server.url, token="teacher-token")
    try:
        await follower.ready()
        await alone.ready()
        first = server.market.first
        with pytest.raises(BadParameterError):
            follower.step()  # the teacher's clock decides
        assert follower.step_button.disabled and not follower.buy_button.disabled
        await teacher.seek(first + 30)
        await _until(
            follower,
            "revealed",
            lambda: follower.round.cursor == first + 30,
            "the follower to seek",
        )
        assert alone.round.cursor == first
        clock = await teacher.resume(speed=100)
        assert clock["playing"]
        await _until(
            follower,
            "revealed",
            lambda: follower.round.cursor >= first + 40,
            "the follower to play along",
        )
        stopped = await teacher.pause()
        await _until(
            follower,
            "revealed",
            lambda: follower.round.cursor == stopped["index"],
            "the follower to stop",
        )
        # a follower who leaves steps alone; one who comes back catches up
        follower.follow = False
        follower.step(5)
        moved = await teacher.seek(stopped["index"] + 50)
        assert moved["index"] == server.clock.index == stopped["index"] + 50
        assert follower.round.cursor == stopped["index"] + 5
        follower.follow = True
        await _until(
            follower, "revealed", lambda: follower.round.cursor == moved["index"], "catching up"
        )
        # without the token nobody moves the class
        async with httpx.AsyncClient() as http:
            r = await http.post(f"{server.url}/classroom/clock", json={"action": "pause"})
        assert r.status_code == 403
        with pytest.raises(iw.InfowayError):
            await iw.Classroom(server.url, token="wrong").pause()
    finally:
        await teacher.aclose()
        await follower.aclose()
        await alone.aclose()
        await feed.aclose()


async def test_a_server_that_is_no_classroom_says_so():
    sim = iw.sim.SimServer(port=0, seed=1)
    await sim.start()
    feed = iw.connect(base_url=sim.url, new=True)
    p = iw.Practice(SYM, feed=feed)
    try:
        with pytest.raises(BadParameterError, match="not a classroom server"):
            await p.ready()
        assert "serve --classroom" in p.message
    finally:
        await p.aclose()
        await feed.aclose()
        await sim.stop()


def test_the_board_checks_what_it_keeps():
    b = Board()
    with pytest.raises(BadParameterError):
        b.submit({"name": " ", "pnl": 1.0, "return_pct": 0.1, "trades": 1})
    with pytest.raises(BadParameterError):
        b.submit({"name": "Li", "pnl": float("nan"), "return_pct": 0.1, "trades": 1})
    row = b.submit({"name": "Li\x00", "pnl": 1.234, "return_pct": 0.1, "trades": 2, "extra": "x"})
    assert row == {"name": "Li", "pnl": 1.23, "return_pct": 0.1, "trades": 2}
    b.submit({"name": "Li", "pnl": -5.0, "return_pct": -0.1, "trades": 3})  # replaces
    b.submit({"name": "Wang", "pnl": 9.0, "return_pct": 0.2, "trades": 1})
    assert [r["name"] for r in b.table()] == ["Wang", "Li"]


async def test_a_round_from_a_recording(tmp_path):
    m = simulate(SYM, days=2, seed=4)
    path = tmp_path / "two-days.jsonl.gz"
    rows = np.column_stack([m.bars[c] for c in COLUMNS]).tolist()
    lines = [
        {"k": "meta", "format": "infoway-widgets-recording/1", "simulated": True, "started_ms": 0},
        {"k": "watch", "t": 1, "s": SYM, "trades": True, "depth": False, "intervals": ["1m"]},
        {"k": "bars", "t": 2, "s": SYM, "i": "1m", "c": rows, "st": [True] * len(rows)},
    ]
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(json.dumps(x) for x in lines) + "\n")
    got = await recorded_market(path, SYM, days=1)
    assert got.days == m.days[:2] and got.first == m.first
    assert np.array_equal(got.bars["c"], m.bars["c"][: got.first + 240])
    p = iw.Practice(SYM, replay=path, days=2)
    try:
        await p.ready()
        assert len(p.market) == len(m) and len(p.chart.bars) == m.first + 1
    finally:
        await p.aclose()


async def test_serve_classroom_prints_where_it_listens_and_serves_the_round():
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from infoway_widgets.cli import main; sys.exit(main(sys.argv[1:]))",
        "serve",
        "--classroom",
        "--seed",
        "5",
        "--port",
        "0",
        "--symbol",
        SYM,
        "--days",
        "2",
        "--scenario",
        "limit_up",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ},
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert line.startswith("listening on http://127.0.0.1:"), line
        url = line.split()[-1]
        info = (await proc.stdout.readline()).decode()
        assert "classroom: 000001.SZ 1m" in info and "SIMULATED, seed 5" in info
        token = (await proc.stdout.readline()).decode().split()[-1]
        async with httpx.AsyncClient() as http:
            got = (await http.get(f"{url}/classroom")).json()
            moved = await http.post(
                f"{url}/classroom/clock",
                json={"action": "seek", "index": got["clock"]["index"] + 3},
                headers={"Authorization": f"Bearer {token}"},
            )
        want = simulate(SYM, days=2, seed=5, scenario="limit_up")
        assert got["market"]["bars"]["c"] == want.bars["c"].tolist()
        assert moved.json()["index"] == want.first + 3
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0 and b"stopped" in out
