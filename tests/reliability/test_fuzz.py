"""Fuzzing: hostile frames and REST bodies through every parsing layer.

Hypothesis generates WebSocket frames (bad JSON, wrong types, missing fields, NaN / Inf /
negative / huge numbers, very long strings, HTML in symbol names, prose, binary) and REST bodies.
They go through ``decode_frame``, ``decode_batch``, ``Feed.ingest`` on a detached feed (no
exception escapes; stores stay consistent) and the ``RestClient`` behind an ``httpx.MockTransport``
(only ``InfowayError`` subclasses escape). ``derandomize=True``: the same examples on every run.

Counts: decode_frame 3000 frames, decode_batch ≥ 3000 frames, ingest ≥ 3000 frames, REST 1500
bodies, plus the live injector (≥ 500 frames): > 10 000 hostile inputs in all (each test checks
its own count).
"""

from __future__ import annotations

import asyncio
import json
import math

import httpx
import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import infoway_widgets as iw
from infoway_widgets.client.rest import RestClient
from infoway_widgets.errors import InfowayError
from infoway_widgets.feed.feed import Feed
from infoway_widgets.protocol.decode import decode_batch, decode_frame
from infoway_widgets.protocol.events import Candle, Depth, Trade, Unparsed

FUZZ = dict(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# 2026-11-24 10:00 Asia/Shanghai (a trading day), in ms: plausible trades land in real bars
T0 = 1_763_949_600_000
HOSTILE_TEXT = [
    "<img src=x onerror=window.__pwned=1>",
    "<script>window.__pwned=1</script>",
    "",
    " ",
    "\x00",
    'Subscribe fail: {"code":516}',
    "Subscribe fail: not json",
    "You have permission to subscribe",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "1e400",
    "-1",
    "0",
    "-0",
    "1,000",
    "0x10",
    "１２３",
    "1e-400",
    "12.5%",
    "null",
    "true",
    "{",
    "[[",
    "\ud7ff",
    "🙂" * 50,
]
SYMBOLS = ["600519.SH", "000001.SZ", "BTCUSDT", "00700.HK", "AAPL.US"]
WATCHED = ["600519.SH", "BTCUSDT"]


def _long(n: int) -> str:
    return "A" * n


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0.01, max_value=5000, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.floats(min_value=0.01, max_value=5000, allow_nan=False),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.integers(min_value=41, max_value=5000).map(_long),
)
symbols = st.one_of(
    st.sampled_from(SYMBOLS),
    st.sampled_from(SYMBOLS),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=30),
    st.integers(),
    st.none(),
    st.integers(min_value=41, max_value=20_000).map(_long),
)
times = st.one_of(
    st.integers(min_value=T0 - 3_600_000, max_value=T0 + 3_600_000),
    st.integers(min_value=T0 // 1000 - 3600, max_value=T0 // 1000 + 3600).map(str),
    numbers,
)


def _maybe(d: dict) -> st.SearchStrategy:
    """Each key present or missing."""
    return st.fixed_dictionaries({}, optional=d)


trade_data = _maybe(
    {
        "s": symbols,
        "t": times,
        "p": numbers,
        "v": numbers,
        "vw": numbers,
        "td": st.one_of(st.sampled_from([0, 1, 2, 3, -1, "1"]), numbers),
    }
)
side = st.one_of(
    st.lists(st.lists(numbers, max_size=6), max_size=3),
    st.tuples(
        st.lists(numbers, min_size=1, max_size=5), st.lists(numbers, min_size=1, max_size=5)
    ).map(list),
    numbers,
)
depth_data = _maybe({"s": symbols, "t": times, "a": side, "b": side})
candle_data = _maybe(
    {
        "s": symbols,
        "t": times,
        "o": numbers,
        "h": numbers,
        "l": numbers,
        "c": numbers,
        "v": numbers,
        "vw": numbers,
        "pca": numbers,
        "pfr": numbers,
        "ty": st.one_of(st.integers(-2, 14), numbers),
    }
)
codes = st.one_of(
    st.sampled_from(
        [
            10002,
            10005,
            10008,
            200,
            10001,
            10004,
            10007,
            11010,
            500,
            501,
            513,
            516,
            506,
            "10002",
            "abc",
            None,
            True,
            1.5,
        ]
    ),
    st.integers(),
)
payload = st.one_of(
    st.fixed_dictionaries({"code": st.just(10002), "data": trade_data}),
    st.fixed_dictionaries({"code": st.just(10005), "data": depth_data}),
    st.fixed_dictionaries({"code": st.just(10008), "data": candle_data}),
    _maybe(
        {
            "code": codes,
            "data": st.one_of(trade_data, depth_data, candle_data, numbers),
            "msg": st.one_of(st.sampled_from(HOSTILE_TEXT), numbers),
            "trace": numbers,
            "traceId": numbers,
        }
    ),
    st.lists(numbers, max_size=4),
    numbers,
)


def _serialize(obj: object, how: int) -> str | bytes:
    if how == 0:
        return json.dumps(obj, default=str)  # NaN/Infinity become JSON-invalid tokens
    try:
        raw = orjson.dumps(obj, default=str)  # NaN → null
    except (TypeError, orjson.JSONEncodeError):
        raw = json.dumps(obj, default=str).encode()
    if how == 1:
        return raw
    if how == 2:
        return raw.decode()
    if how == 3:
        return raw[: max(1, len(raw) // 2)]  # truncated
    if how == 4:
        return b"\xff\xfe" + raw  # invalid UTF-8
    return "Subscribe fail: " + raw.decode()


frames = st.one_of(
    st.builds(_serialize, payload, st.integers(0, 5)),
    st.builds(_serialize, payload, st.integers(0, 5)),
    st.builds(_serialize, payload, st.integers(0, 5)),
    st.text(max_size=200),
    st.binary(max_size=200),
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=1000, max_value=200_000).map(
        lambda n: '{"code":10002,"data":{"s":"' + "x" * n + '"}}'
    ),
)

COUNTS = {"decode_frame": 0, "decode_batch": 0, "ingest": 0, "rest": 0}
EVENT_TYPES = tuple(t for t in (Trade, Depth, Candle, Unparsed))


# ---- codec -------------------------------------------------------------------------------------
@settings(max_examples=3000, **FUZZ)
@given(frames)
def test_decode_frame_never_raises(frame):
    COUNTS["decode_frame"] += 1
    ev = decode_frame(frame)
    assert ev is not None
    if isinstance(ev, Trade):
        assert (
            math.isfinite(ev.price) and ev.price > 0 and math.isfinite(ev.volume) and ev.volume >= 0
        )
        assert math.isfinite(ev.turnover) and ev.turnover >= 0 and ev.direction in (0, 1, 2)
    if isinstance(ev, Candle):
        assert ev.low <= min(ev.open, ev.close) and ev.high >= max(ev.open, ev.close)
        assert all(
            math.isfinite(x) for x in (ev.open, ev.high, ev.low, ev.close, ev.volume, ev.turnover)
        )
    if isinstance(ev, Depth):
        for a in (ev.bid_px, ev.bid_vol, ev.ask_px, ev.ask_vol):
            assert np.isfinite(a).all()
    if isinstance(ev, Unparsed):
        assert isinstance(ev.reason, str) and ev.reason and len(ev.text) <= 2001


def test_decode_frame_count():
    if COUNTS["decode_frame"] == 0:
        pytest.skip("run with the decode_frame fuzz test")
    assert COUNTS["decode_frame"] >= 3000


@settings(max_examples=600, **FUZZ)
@given(st.lists(frames, min_size=5, max_size=15), st.booleans())
def test_decode_batch_never_raises_and_agrees_with_decode_frame(batch, latest_only):
    COUNTS["decode_batch"] += len(batch)
    cols, events = decode_batch(batch, latest_depth_only=latest_only)
    assert np.isfinite(cols.price).all() and (cols.price > 0).all()
    assert np.isfinite(cols.volume).all() and (cols.volume >= 0).all()
    assert np.isfinite(cols.turnover).all()
    # a frame is a trade on one path exactly when it is a trade on the other
    singles = [decode_frame(f) for f in batch]
    assert len(cols) == sum(isinstance(e, Trade) for e in singles)
    n_unparsed = sum(isinstance(e, Unparsed) for e in singles)
    assert sum(isinstance(e, Unparsed) for e in events) == n_unparsed

    # ...and with the same values: every trade, and every problem named alike
    def key(e: Trade) -> tuple:
        return (e.symbol, e.t, e.price, e.volume, e.turnover, e.direction)

    single_trades = [
        Trade(e.symbol, e.t, e.price, e.volume, e.turnover, e.direction)
        for e in singles
        if isinstance(e, Trade)
    ]
    assert sorted(map(key, cols.rows())) == sorted(map(key, single_trades))
    assert sorted(e.reason for e in events if isinstance(e, Unparsed)) == sorted(
        e.reason for e in singles if isinstance(e, Unparsed)
    )
    if not latest_only:
        assert sum(isinstance(e, Depth) for e in events) == sum(
            isinstance(e, Depth) for e in singles
        )


def test_decode_batch_count():
    if COUNTS["decode_batch"] == 0:
        pytest.skip("run with the decode_batch fuzz test")
    assert COUNTS["decode_batch"] >= 3000


# ---- Feed.ingest -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def loop():
    lp = asyncio.new_event_loop()
    yield lp
    lp.close()


def _detached(loop) -> Feed:
    async def make() -> Feed:
        f = Feed.detached()
        for s in WATCHED:
            f.watch(s, trades=True, depth=True, intervals=["1m", "5m"])
        await asyncio.sleep(0)  # let the watch tasks run (they return at once on a detached feed)
        return f

    return loop.run_until_complete(make())


def check_stores(feed: Feed) -> None:
    """The invariants every store keeps whatever arrives."""
    for (sym, iv), st_ in feed.state.bars.items():
        a = st_.arrays()
        t = a["t"]
        assert (np.diff(t) > 0).all(), f"{sym} {iv}: bars not sorted/unique"
        for k in ("open", "high", "low", "close", "volume", "turnover"):
            assert np.isfinite(a[k]).all(), f"{sym} {iv}: NaN/inf in {k}"
        if len(t):
            assert (a["high"] >= np.maximum(a["open"], a["close"])).all(), (
                f"{sym} {iv}: high < max(o, c)"
            )
            assert (a["low"] <= np.minimum(a["open"], a["close"])).all(), (
                f"{sym} {iv}: low > min(o, c)"
            )
            assert (a["volume"] >= 0).all()
    for sym, tape in feed.state.tapes.items():
        d = tape.since(0)
        for k in ("price", "volume", "turnover"):
            assert np.isfinite(d[k]).all(), f"{sym} tape: NaN in {k}"
    for sym, book in feed.state.books.items():
        snap = book.snapshot
        if snap is not None:
            for arr in (snap.bid_px, snap.bid_vol, snap.ask_px, snap.ask_vol):
                assert np.isfinite(arr).all(), f"{sym} book: NaN"


@settings(max_examples=300, **FUZZ)
@given(st.lists(st.lists(frames, min_size=5, max_size=15), min_size=1, max_size=3))
def test_ingest_keeps_stores_consistent(loop, batches):
    feed = _detached(loop)
    try:
        for batch in batches:
            COUNTS["ingest"] += len(batch)
            before = feed.stats["unparsed"]
            changed = feed.ingest(batch)
            assert isinstance(changed, set)
            n_bad = sum(isinstance(decode_frame(f), Unparsed) for f in batch)
            assert feed.stats["unparsed"] - before == n_bad  # each problem counted...
            check_stores(feed)
        if feed.stats["unparsed"]:
            assert feed.warnings and all(
                isinstance(w, str) for w in feed.warnings
            )  # ...and visible
        repr(feed)
    finally:
        loop.run_until_complete(feed.aclose())


def test_ingest_count():
    if COUNTS["ingest"] == 0:
        pytest.skip("run with the ingest fuzz test")
    assert COUNTS["ingest"] >= 3000


def test_ingest_plausible_stream_keeps_ohlc_invariants(loop):
    """Well-formed trades in any order (late, duplicated, out of session) keep bars consistent."""
    feed = _detached(loop)
    rng = np.random.default_rng(7)
    try:
        for _ in range(50):
            batch = []
            for _ in range(40):
                sym = SYMBOLS[int(rng.integers(0, 3))]
                t = int(T0 + rng.integers(-7_200_000, 7_200_000))
                p = float(rng.uniform(1, 2000))
                batch.append(
                    orjson.dumps(
                        {
                            "code": 10002,
                            "data": {
                                "s": sym,
                                "t": t,
                                "p": f"{p:.2f}",
                                "v": str(int(rng.integers(0, 10_000))),
                                "td": int(rng.integers(0, 3)),
                            },
                        }
                    )
                )
            feed.ingest(batch)
            check_stores(feed)
        assert feed.stats["trades"] > 0 and feed.stats["unparsed"] == 0
    finally:
        loop.run_until_complete(feed.aclose())


# ---- REST bodies -------------------------------------------------------------------------------
candle_rows = st.lists(candle_data, max_size=5)
kline_data = st.one_of(
    st.lists(_maybe({"s": symbols, "respList": st.one_of(candle_rows, numbers)}), max_size=3),
    st.lists(
        st.fixed_dictionaries({"s": st.sampled_from(SYMBOLS), "respList": candle_rows}), max_size=2
    ),
    numbers,
    st.dictionaries(st.text(max_size=5), numbers, max_size=3),
)
snapshot_data = st.one_of(st.lists(st.one_of(trade_data, depth_data, numbers), max_size=4), numbers)
rest_json = st.one_of(
    _maybe(
        {
            "ret": st.one_of(st.just(200), st.just("200"), codes, numbers),
            "msg": st.one_of(
                st.sampled_from(
                    [
                        "success",
                        "All product not exists",
                        "Kline quantity exceeds the limit",
                        "Param error：x",
                    ]
                ),
                numbers,
            ),
            "traceId": numbers,
            "data": st.one_of(kline_data, snapshot_data),
        }
    ),
    st.fixed_dictionaries(
        {
            "ret": st.just(200),
            "msg": st.just("success"),
            "data": st.one_of(kline_data, snapshot_data),
        }
    ),
    _maybe({"code": st.one_of(st.just(401), codes), "message": numbers, "timestamp": numbers}),
    _maybe(
        {
            "type": numbers,
            "title": numbers,
            "status": numbers,
            "detail": st.one_of(st.just("Rate limit exceeded"), numbers),
            "instance": numbers,
        }
    ),
    numbers,
    st.lists(numbers, max_size=3),
)
bodies = st.one_of(
    st.builds(
        lambda o, h: _serialize(o, h) if h != 5 else _serialize(o, 1), rest_json, st.integers(0, 5)
    ),
    st.builds(
        lambda o, h: _serialize(o, h) if h != 5 else _serialize(o, 1), rest_json, st.integers(0, 2)
    ),
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b"null", b"<html><body>502 Bad Gateway</body></html>", b"Rate limit exceeded"]
    ),
    st.integers(min_value=1000, max_value=300_000).map(
        lambda n: b'{"ret":200,"data":"' + b"x" * n + b'"}'
    ),
)
statuses = st.one_of(
    st.sampled_from([200, 200, 200, 200, 400, 401, 403, 404, 429, 500, 502, 503]),
    st.integers(min_value=100, max_value=599),
)
retry_after = st.one_of(st.none(), st.sampled_from(["1", "abc", "-5", "1e9", "nan", ""]))
calls = st.sampled_from(
    ["klines1", "klinesN", "history", "trades", "depth", "symbols", "trading_days"]
)


async def _call(rest: RestClient, which: str):
    if which == "klines1":
        return await rest.klines("600519.SH", "1m", count=5)
    if which == "klinesN":
        return await rest.klines(["600519.SH", "000001.SZ", "BTCUSDT"], "5m", count=2)
    if which == "history":
        return await rest.history("600519.SH", "1m", count=600)
    if which == "trades":
        return await rest.trades(["600519.SH", "BTCUSDT"])
    if which == "depth":
        return await rest.depth(["600519.SH", "AAPL.US"])
    if which == "symbols":
        return await rest.symbols("STOCK_CN")
    return await rest.trading_days("CN", "20261101", "20261130")


@settings(max_examples=1500, **FUZZ)
@given(body=bodies, status=statuses, ra=retry_after, which=calls)
def test_rest_body_parsing_only_raises_infoway_errors(loop, body, status, ra, which):
    COUNTS["rest"] += 1
    if isinstance(body, str):
        body = body.encode()
    headers = {"content-type": "application/json"}
    if ra is not None:
        headers["retry-after"] = ra

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers)

    async def go():
        rest = RestClient(
            "http://127.0.0.1:9", api_key=None, retries=0, transport=httpx.MockTransport(handler)
        )
        try:
            return await _call(rest, which)
        finally:
            await rest.aclose()

    try:
        out = loop.run_until_complete(go())
    except InfowayError as e:
        assert str(e)  # a message to act on
        return
    # an answer that was accepted is well-formed
    if which.startswith("klines"):
        assert isinstance(out, dict)
        for bars in out.values():
            assert all(
                b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in bars
            )
            assert [b.t for b in bars] == sorted({b.t for b in bars})
    elif which in ("trades", "depth", "symbols", "history"):
        assert isinstance(out, list)


def test_rest_count():
    if COUNTS["rest"] == 0:
        pytest.skip("run with the REST fuzz test")
    assert COUNTS["rest"] >= 1500


# ---- live: a flaky, noisy server plus an injector of hostile frames ---------------------------------
async def test_live_feed_survives_garbage_prose_and_injected_frames():
    from infoway_widgets.sim import serve

    from ..feed.conftest import wait_for

    rng = np.random.default_rng(3)
    # a fixed pool drawn deterministically from the frame strategy's building blocks
    pool: list[str | bytes] = []
    for i in range(600):
        k = i % 6
        if k == 0:
            pool.append("<img src=x onerror=window.__pwned=1>")
        elif k == 1:
            pool.append(b"\xff\xfe\x00garbage" + bytes(rng.integers(0, 256, 20, dtype=np.uint8)))
        elif k == 2:
            pool.append('{"code":10002,"data":{"s":"600519.SH","t":"x","p":"NaN","v":"-1"}}')
        elif k == 3:
            pool.append('{"code":10005,"data":{"s":"600519.SH","t":1,"a":[["inf"],["1"]],"b":5}}')
        elif k == 4:
            pool.append(
                '{"code":10008,"data":{"s":"600519.SH","t":"1e400","o":"1","h":"0.5","l":"2","c":"1","ty":1}}'
            )
        else:
            pool.append('{"code": 10002, "data": ' + "[" * 5000)
    async with serve(port=0, seed=21, speed=60, faults="garbage=0.02,prose=0.02") as server:
        feed = iw.connect(base_url=server.url, speed=60, new=True, history=20)
        try:
            feed.watch("600519.SH", depth=True, intervals=["1m"])
            feed.watch("BTCUSDT", intervals=["1m"])
            await wait_for(
                lambda: feed.stats["trades"] > 50 and server.connections(), 30, "live trades"
            )
            sent = 0
            for i in range(0, len(pool), 50):
                for c in server.connections():
                    for fr in pool[i : i + 50]:
                        c.send(fr if isinstance(fr, str) else fr.decode("utf-8", errors="replace"))
                        sent += 1
                trades = feed.stats["trades"]
                await wait_for(
                    lambda t=trades: feed.stats["trades"] > t, 20, "trades after injection"
                )
            assert sent >= 500
            bad = sum(isinstance(decode_frame(f), Unparsed) for f in pool) * len(
                server.connections()
            )
            assert bad >= 300
            await wait_for(lambda: feed.stats["unparsed"] >= bad, 30, "the injected frames counted")
            assert feed.status in ("simulated", "live"), (feed.status, feed.status_message)
            assert any("unparsed" in w for w in feed.warnings)
            check_stores(feed)
            trades = feed.stats["trades"]
            await wait_for(lambda: feed.stats["trades"] > trades + 20, 20, "the feed still running")
            await feed.settle()
        finally:
            await feed.aclose()
