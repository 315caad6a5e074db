"""Bad user input: every mistake gives a specific exception class or a widget status
whose message says what to do. All network on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import pytest

import infoway_widgets as iw
from infoway_widgets.client.rest import RestClient
from infoway_widgets.sim import serve

from ..feed.conftest import wait_for

KEY = "bad-input-test-key-0f3e"


@pytest.fixture
async def server():
    async with serve(port=0, seed=3, speed=60, api_key=KEY) as srv:
        yield srv


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens


def _actionable(msg: str, *hints: str) -> None:
    low = msg.lower()
    assert any(h.lower() in low for h in hints), f"message does not say what to do: {msg!r}"


# ---- synchronous checks before any request -------------------------------------------------------
@pytest.mark.parametrize(
    "code, hint",
    [
        ("600519.XX", "600519.SH"),  # unknown market suffix: shows the forms
        ("700.HK", "00700.HK"),  # wrong digits: suggests the right code
        ("600519", "600519.SH"),  # no suffix
        ("<img src=x onerror=alert(1)>", "600519.SH"),
        ("", "600519.SH"),
    ],
)
def test_invalid_symbol_is_specific_and_suggests(code, hint):
    with pytest.raises(iw.InvalidSymbolError) as ei:
        iw.parse_symbol(code)
    _actionable(str(ei.value), hint)
    assert isinstance(ei.value, iw.BadParameterError) and isinstance(ei.value, ValueError)


def test_suggestion_attribute():
    with pytest.raises(iw.InvalidSymbolError) as ei:
        iw.parse_symbol("700.HK")
    assert ei.value.suggestion == "00700.HK"


@pytest.mark.parametrize("interval", ["7m", "1x", "", "minute", "0m", "-1m"])
def test_bad_interval(interval):
    with pytest.raises(iw.BadIntervalError) as ei:
        iw.parse_interval(interval)
    _actionable(str(ei.value), "use one of", "1m")


async def test_bad_interval_and_symbol_on_feed_and_widget(server):
    feed = iw.connect(base_url=server.url, api_key=KEY, speed=60, new=True, history=10)
    try:
        await feed.ready()
        with pytest.raises(iw.BadIntervalError, match="use one of"):
            feed.watch("600519.SH", intervals=["7m"])
        with pytest.raises(iw.InvalidSymbolError, match=r"Did you mean '00700\.HK'"):
            feed.watch("700.HK", depth=True)
        with pytest.raises(iw.InvalidSymbolError):
            iw.CandleChart("600519.XX", feed=feed)
        with pytest.raises(iw.BadIntervalError):
            iw.CandleChart("600519.SH", interval="7m", feed=feed)
        assert feed.watched() == {}  # a refused call leaves nothing subscribed
    finally:
        await feed.aclose()


@pytest.mark.parametrize("count", [0, -5, 10**9, 2.5, "100"])
async def test_count_out_of_range(server, count):
    with pytest.raises(iw.BadParameterError) as ei:
        await iw.ahistory("600519.SH", "1m", count=count, base_url=server.url, api_key=KEY)
    _actionable(str(ei.value), "count must be")
    if count == 10**9:
        return  # the low-level client pages until the service has no more: not an error there
    async with RestClient(server.url, api_key=KEY) as rest:
        with pytest.raises(iw.BadParameterError, match="count must be"):
            await rest.klines("600519.SH", "1m", count=count)


# ---- answers from the server -------------------------------------------------------------------------
async def test_unknown_symbol_history(server):
    with pytest.raises(iw.UnknownSymbolError) as ei:
        await iw.ahistory("999999.SH", "1m", count=5, base_url=server.url, api_key=KEY)
    _actionable(str(ei.value), "check the spelling")
    assert "999999.SH" in str(ei.value)


async def test_unknown_symbol_in_a_widget_shows_a_status_message(server):
    feed = iw.connect(base_url=server.url, api_key=KEY, speed=60, new=True, history=10)
    try:
        await feed.ready()
        chart = iw.CandleChart("999999.SH", feed=feed)
        await wait_for(
            lambda: "999999.SH" in chart.status_message, 20, "the widget's status message"
        )
        _actionable(chart.status_message, "check the code", "check the spelling")
        assert chart.status == "error"  # its own problem, not the feed's status
        assert any("999999.SH" in w for w in feed.warnings)
        chart.close()
    finally:
        await feed.aclose()


async def test_wrong_key_history_and_rest(server):
    with pytest.raises(iw.AuthError) as ei:
        await iw.ahistory("600519.SH", "1m", count=5, base_url=server.url, api_key="wrong-key-123")
    _actionable(str(ei.value), "INFOWAY_API_KEY", "api_key")
    assert "wrong-key-123" not in str(ei.value)


async def test_wrong_key_feed_and_widget_status(server):
    feed = iw.connect(base_url=server.url, api_key="wrong-key-456", speed=60, new=True, history=10)
    try:
        await feed.ready()
        chart = iw.CandleChart("600519.SH", feed=feed)
        ev = asyncio.Event()
        off = feed.on_status(lambda s, m: ev.set())
        await wait_for(lambda: feed.status == "error", 30, "the feed's error status", ev)
        off()
        _actionable(feed.status_message, "INFOWAY_API_KEY", "api_key")
        assert chart.status == "error"
        _actionable(chart.status_message, "INFOWAY_API_KEY", "api_key")
        assert "wrong-key-456" not in feed.status_message + chart.status_message + " ".join(
            feed.warnings
        )
        chart.close()
    finally:
        await feed.aclose()


async def test_no_network_history():
    port = _closed_port()
    with pytest.raises(iw.ConnectionLostError) as ei:
        async with RestClient(f"http://127.0.0.1:{port}", api_key="k", retries=0) as rest:
            await rest.klines("600519.SH", "1m", count=5)
    _actionable(str(ei.value), "check the network")
    assert isinstance(ei.value, ConnectionError)


async def test_no_network_feed_status_says_retrying():
    port = _closed_port()
    feed = iw.connect(
        base_url=f"http://127.0.0.1:{port}", api_key="k", speed=60, new=True, history=10
    )
    try:
        await feed.ready()
        chart = iw.CandleChart("600519.SH", feed=feed)
        await wait_for(lambda: "retrying" in chart.status_message, 20, "a 'retrying' status")
        assert chart.status in ("connecting", "reconnecting")
        _actionable(chart.status_message, "retrying")
        await wait_for(
            lambda: any("check the network" in w for w in feed.warnings), 30, "a warning"
        )
        chart.close()
    finally:
        await feed.aclose()


def test_connect_outside_a_loop_says_how():
    with pytest.raises(iw.InfowayError) as ei:
        iw.connect()
    _actionable(str(ei.value), "asyncio.run", "aconnect")
