"""The ground-truth record file and the ``infoway-widgets serve`` command."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from infoway_widgets.market import LIVE_INTERVALS
from infoway_widgets.sim import read_record

from .conftest import running, sh, wait_for_elapsed, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["truth.jsonl", "truth.jsonl.gz"])
async def test_record_file_holds_every_trade_and_completed_bar(tmp_path, name):
    path = tmp_path / name
    async with running(speed=600, start=sh(10, 20), record=path) as srv:
        await wait_for_elapsed(srv, 11 * 60_000)  # past 10:30: the 09:30 1h bar completes too
        # the beat may trail the clock a little on a busy machine: wait for the release itself
        await wait_until(lambda: any(r["interval"] == "1h" for r in srv.ground_truth.completed))
        trades = srv.ground_truth.trade_count
        completed = list(srv.ground_truth.completed)
    rows = read_record(path)
    assert sum(r["type"] == "trade" for r in rows) >= trades > 0
    bars = [r for r in rows if r["type"] == "bar"]
    assert len(bars) >= len(completed)
    assert {r["interval"] for r in bars} >= set(LIVE_INTERVALS) - {"1d"}
    keys = [(r["s"], r["interval"], r["t"]) for r in bars]
    assert len(keys) == len(set(keys))  # each bar completes once
    # completed 1m bars of a name agree with its recorded trades
    t1 = [r for r in rows if r["type"] == "trade" and r["s"] == "600519.SH"]
    b1 = [r for r in bars if r["s"] == "600519.SH" and r["interval"] == "1m"]
    first = b1[0]
    inside = [r for r in t1 if first["t"] <= r["t"] < first["t"] + 60_000]
    assert first["c"] == inside[-1]["p"] and first["o"] == inside[0]["p"]
    assert sum(int(r["v"]) for r in inside) == int(first["v"])


def _command() -> list[str]:
    script = Path(sys.executable).parent / "infoway-widgets"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "infoway_widgets.cli"]  # not installed as a package yet


async def test_cli_serve_prints_url_serves_and_exits_0_on_sigterm():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [*_command(), "serve", "--port", "0", "--seed", "3", "--speed", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 30)
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split()[-1]
        async with httpx.AsyncClient(base_url=url) as c:
            assert "SIMULATED" in (await c.get("/")).text
            r = await c.get("/stock/batch_trade/600519.SH")
            assert r.json()["ret"] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 15)
        proc.stdout.close()
        proc.stderr.close()
    assert code == 0


def test_cli_warns_when_exposed_without_key(capfd):
    from infoway_widgets.cli import _parser

    args = _parser().parse_args(["serve", "--host", "0.0.0.0", "--faults", "drop=60"])
    assert args.host == "0.0.0.0" and args.faults == "drop=60"
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve", "--clock", "moon"])


def test_cli_help_documents_faults(capsys):
    from infoway_widgets.cli import main

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "halfopen=" in out and "ratelimit" in out
    json.dumps(out)
