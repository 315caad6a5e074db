"""``iw.history()`` and the widgets use the source the user chose: the kernel's feed with its key
and server, never a freshly started simulator behind its back. A keyed simulated server on
127.0.0.1 stands in for the service (a wrong or missing key gets HTTP 401 there)."""

from __future__ import annotations

import numpy as np
import pytest

import infoway_widgets as iw
from infoway_widgets.client.rest import RestClient
from infoway_widgets.sim import serve

KEY = "hist-test-key-5f0c2a9d71"
SEED = 97  # a market no default simulator has


async def bars_of(url: str, symbol: str, n: int, key: str | None = KEY) -> np.ndarray:
    """The closes of the ``n`` latest daily bars but the newest (it may still be forming)."""
    async with RestClient(url, api_key=key) as rest:
        candles = await rest.history(symbol, "1d", count=n)
    return np.array([c.close for c in candles])[:-1]


def closes(df) -> np.ndarray:
    return df["close"].to_numpy()[:-1]


async def test_history_after_connect_with_a_key_comes_from_that_server() -> None:
    async with serve(port=0, seed=SEED, api_key=KEY) as server, serve(port=0) as default:
        expected = await bars_of(server.url, "600519.SH", 30)
        fresh = await bars_of(default.url, "600519.SH", 30, key=None)
        assert not np.allclose(expected, fresh)  # the two markets are told apart by their bars
        feed = iw.connect(api_key=KEY, base_url=server.url, new=True)
        try:
            before = server.stats.rest_requests
            df = await iw.ahistory("600519.SH", "1d", 30)  # no feed=, no key: the kernel's feed
            np.testing.assert_array_equal(closes(df), expected)
            assert server.stats.rest_requests > before and not server.stats.rest_errors
            explicit = await iw.ahistory("600519.SH", "1d", 30, feed=feed)
            np.testing.assert_array_equal(closes(explicit), expected)
            assert not feed.simulated and feed.status != "simulated"
            # a widget without feed= is on the same feed, its bars from the same server
            chart = iw.CandleChart("600519.SH", interval="1d", history=30)
            try:
                assert chart._feed is feed and not chart.simulated
            finally:
                chart.close()
        finally:
            await feed.aclose()


async def test_history_with_the_key_and_server_in_the_environment(monkeypatch) -> None:
    async with serve(port=0, seed=SEED, api_key=KEY) as server:
        expected = await bars_of(server.url, "000001.SZ", 20)
        monkeypatch.setenv("INFOWAY_API_KEY", KEY)
        monkeypatch.setenv("INFOWAY_BASE_URL", server.url)
        df = await iw.ahistory("000001.SZ", "1d", 20)  # no feed on this loop
        np.testing.assert_array_equal(closes(df), expected)
        monkeypatch.setenv("INFOWAY_API_KEY", KEY + "-wrong")
        with pytest.raises(iw.AuthError):  # the key really travels: a wrong one is refused
            await iw.ahistory("000001.SZ", "1d", 20)


async def test_an_explicit_server_wins_over_the_kernels_feed() -> None:
    async with serve(port=0, seed=SEED, api_key=KEY) as keyed, serve(port=0, seed=3) as other:
        feed = iw.connect(api_key=KEY, base_url=keyed.url, new=True)
        try:
            df = await iw.ahistory("BTCUSDT", "1d", 10, base_url=other.url, api_key="")
            np.testing.assert_array_equal(
                closes(df), await bars_of(other.url, "BTCUSDT", 10, key=None)
            )
        finally:
            await feed.aclose()


async def test_simulated_bars_only_where_no_source_was_named(monkeypatch) -> None:
    monkeypatch.delenv("INFOWAY_API_KEY", raising=False)
    monkeypatch.delenv("INFOWAY_BASE_URL", raising=False)
    df = await iw.ahistory("600519.SH", "1d", 5)  # nothing anywhere: a simulator for the call
    assert len(df) == 5
    sim = iw.connect(new=True, seed=SEED)  # the kernel's simulated feed answers when there is one
    try:
        await sim.ready()
        got = await iw.ahistory("600519.SH", "1d", 5)
        np.testing.assert_array_equal(
            closes(got), await bars_of(sim.base_url, "600519.SH", 5, key=None)
        )
        assert not np.allclose(closes(got), closes(df))
    finally:
        await sim.aclose()
