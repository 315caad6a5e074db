"""The relay as a process: ``python -m infoway_widgets.relay`` (what ``serve --upstream`` runs)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import httpx

from .conftest import UPSTREAM_KEY, RawClient, free_port, until


async def _start(args, env=None):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "infoway_widgets.relay",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    assert line.startswith("listening on "), line
    return proc, line.split()[-1]


async def test_relay_process_in_front_of_an_upstream(upstream):
    port = free_port()
    proc, url = await _start(
        [
            "--upstream",
            "infoway",
            "--upstream-url",
            upstream.url,
            "--port",
            str(port),
            "--time-scale",
            "60",
            "--status-every",
            "0.2",
        ],
        env={"INFOWAY_API_KEY": UPSTREAM_KEY},
    )
    out: list[str] = []
    try:
        c = await RawClient(url.replace("http", "ws") + "/ws").open()
        await c.send(10000, {"codes": "600519.SH"})
        await until(lambda: len(c.by_key) >= 1, 10, "pushes through the relay process")
        assert '"msg":"ws connect success (relay)"' in c.controls[1]
        async with httpx.AsyncClient(base_url=url) as http:
            st = (await http.get("/relay/status")).json()
        assert st["role"] == "solo" and st["upstream"]["stock"]["state"] == "open"
        assert len(st["clients"]) == 1
        for _ in range(2):
            out.append((await asyncio.wait_for(proc.stdout.readline(), 10)).decode())
        await c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, err = await asyncio.wait_for(proc.communicate(), 15)
    text = "".join(out) + rest.decode() + err.decode() + json.dumps(st)
    assert proc.returncode == 0, err.decode()
    assert "role=solo" in text and "clients=1" in text
    assert UPSTREAM_KEY not in text


async def test_relay_process_refuses_a_public_bind_without_token():
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "infoway_widgets.relay",
        "--upstream",
        "simulated",
        "--host",
        "127.0.0.2",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2 and b"--relay-token" in err
