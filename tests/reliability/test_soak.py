"""Fault soak, short variant (the hour-long run is ``python benchmarks/soak.py``).

Ten simulated minutes at speed 60 (about 15 s): drops, half-open sockets, error frames
500/501/513/516, refused handshakes and delayed frames against a feed of 20 A-shares (trades,
depth, 1m/5m bars). Every completed bar equals the server's ground truth after settle.
No absolute time is asserted.
"""

from __future__ import annotations

import pytest

from benchmarks.soak import run_soak, table


@pytest.mark.slow
async def test_soak_short():
    r = await run_soak(
        minutes=10, speed=60, n_symbols=20, seed=7, error_every=45, refuse=10, delay_ms=2
    )
    print("\n" + table(r))
    assert r["symbols"] == 20
    assert r["bars_compared"] >= 20 * 9, r["bars_compared"]
    assert (r["bars_lost"], r["bars_doubled"], r["bars_wrong"]) == (0, 0, 0), r["mismatch_examples"]
    kinds = r["fault_events"]
    assert kinds.get("drop", 0) >= 2 and kinds.get("halfopen", 0) >= 2, kinds
    assert {"error 500", "error 501", "error 513", "error 516"} <= set(kinds), kinds
    assert r["server_refused"] >= 1 and r["server_faults"].get("delay", 0) > 0
    assert r["reconnects"] >= 6
    assert r["unrecovered"] == [] and r["recoveries"] >= 6
    assert r["rss_growth_mb"] <= 50
    assert r["feed_stats"]["unparsed"] == 0
