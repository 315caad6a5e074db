"""The wire codec: every frame shape of the protocol notes (incl. the recorded production frames),
a corpus of malformed frames that must never raise, and batch decoding equal to frame decoding."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoway_widgets.protocol.decode import decode_batch, decode_frame
from infoway_widgets.protocol.encode import (
    encode_heartbeat,
    encode_subscribe,
    encode_subscribe_candles,
    encode_unsubscribe,
)
from infoway_widgets.protocol.events import (
    Ack,
    Candle,
    Depth,
    ErrorFrame,
    Greeting,
    SubscribeFail,
    Trade,
    Unparsed,
    UnsubscribeAck,
    Welcome,
)
from infoway_widgets.protocol.payloads import candle_from

# ---- recorded production frames (protocol notes, last section) -------------------------------
GREETING = "You have permission to subscribe to all market data"
WELCOME = '{"code":200,"msg":"ws connect success"}'
ACK = '{"code":10001,"trace":"336b7a","msg":"ok"}'
TRADE = (
    '{"code":10002,"data":{"p":"63039","s":"BTCUSDT","t":1786775227483,"td":1,"v":"0.07933",'
    '"vw":"5000.88387"}}'
)
DEPTH = (
    '{"code":10005,"data":{"a":[["63059.36000000","63059.37000000","63060.00000000","63061.10000000",'
    '"63062.00000000"],["7.03880000","0.10000000","1.00000000","2.00000000","0.50000000"]],'
    '"b":[["63059.35000000","63059.00000000","63058.00000000","63057.00000000","63056.00000000"],'
    '["5.69452000","1.00000000","2.00000000","3.00000000","4.00000000"]],"s":"BTCUSDT","t":1786775732341}}'
)
CANDLE = (
    '{"code":10008,"data":{"c":"63039.00000","h":"63048.00000","l":"63038.99000","o":"63048.00000",'
    '"pca":"-9.00000","pfr":"-0.01%","s":"BTCUSDT","t":"1786775220","ty":1,"v":"19.90087",'
    '"vw":"1254633.2367064"}}'
)
UNSUB_ACK = '{"code":11010,"trace":"u1","msg":"ok"}'
ERR_507 = '{"traceId":"408e","code":507,"msg":"Param lost：data"}'
ERR_506 = '{"traceId":"5bd5","code":506,"msg":"Param error：The code is out of range"}'


def test_recorded_frames() -> None:
    assert decode_frame(GREETING) == Greeting(GREETING)
    assert decode_frame(WELCOME) == Welcome("ws connect success")
    assert decode_frame(ACK) == Ack(10001, "trades", "336b7a", "ok")
    assert decode_frame('{"code":10004,"trace":"d","msg":"ok"}') == Ack(10004, "depth", "d", "ok")
    assert decode_frame('{"code":10007,"trace":"k","msg":"ok"}') == Ack(10007, "candles", "k", "ok")
    assert decode_frame(UNSUB_ACK) == UnsubscribeAck("u1", "ok")
    assert decode_frame(ERR_507) == ErrorFrame(507, "Param lost：data", "408e")
    assert decode_frame(ERR_506) == ErrorFrame(506, "Param error：The code is out of range", "5bd5")

    t = decode_frame(TRADE)
    assert t == Trade("BTCUSDT", 1786775227483, 63039.0, 0.07933, 5000.88387, 1)

    d = decode_frame(DEPTH)
    assert isinstance(d, Depth) and d.symbol == "BTCUSDT" and d.t == 1786775732341
    assert d.ask_px[0] == 63059.36 and d.bid_px[0] == 63059.35 and d.ask_vol[0] == 7.0388
    assert d.ask_px.dtype == np.float64 and len(d.bid_vol) == 5
    assert np.all(np.diff(d.ask_px) >= 0) and np.all(np.diff(d.bid_px) <= 0)

    c = decode_frame(CANDLE)
    assert isinstance(c, Candle)
    assert c.t == 1786775220 * 1000  # seconds as a string → ms
    assert c.interval is not None and c.interval.kline_type == 1
    assert (c.open, c.high, c.low, c.close) == (63048.0, 63048.0, 63038.99, 63039.0)
    assert c.change == -9.0 and c.change_pct == -0.01 and c.turnover == 1254633.2367064


def test_exact_keeps_strings() -> None:
    t = decode_frame(TRADE, exact=True)
    assert isinstance(t, Trade) and t.exact == ("63039", "0.07933", "5000.88387")
    c = decode_frame(CANDLE, exact=True)
    assert isinstance(c, Candle) and c.exact is not None and c.exact[0] == "63048.00000"


def test_rest_shapes() -> None:
    row = {
        "t": "1786737540",
        "h": "305.990",
        "o": "305.830",
        "l": "305.675",
        "c": "305.930",
        "v": "331559",
        "vw": "101402874.954",
        "pc": "0.03%",
        "pca": "0.090",
    }
    c = candle_from(row, symbol="AAPL.US")
    assert c.t == 1786737540000 and c.change_pct == 0.03 and c.change == 0.09 and c.interval is None
    # one documentation example has milliseconds: above 1e11 means ms
    assert candle_from({**row, "t": "1786737540000"}, symbol="AAPL.US").t == 1786737540000
    # a US book with a single level
    d = decode_frame(
        '{"code":10005,"data":{"s":"AAPL.US","t":1786751397726,"a":[["305.800"],["229"]],'
        '"b":[["305.770"],["24"]]}}'
    )
    assert isinstance(d, Depth) and d.ask_px.tolist() == [305.8] and d.bid_vol.tolist() == [24.0]
    # an empty side (a limit-up board has no asks)
    d = decode_frame(
        '{"code":10005,"data":{"s":"600519.SH","t":1786751397726,"a":[[],[]],'
        '"b":[["10.0"],["100"]]}}'
    )
    assert isinstance(d, Depth) and len(d.ask_px) == 0


def test_subscribe_fail_forms() -> None:
    ev = decode_frame('Subscribe fail: {"code":516,"msg":"too many products","trace":"t9"}')
    assert isinstance(ev, SubscribeFail) and ev.code == 516 and ev.detail is not None
    assert ev.detail["trace"] == "t9"
    ev = decode_frame("Subscribe fail: simulated fault frame (prose, not JSON)")
    assert isinstance(ev, SubscribeFail) and ev.code is None and ev.detail is None
    ev = decode_frame("Subscribe fail：全角")  # full-width colon
    assert isinstance(ev, SubscribeFail)


def test_trace_key_variants_and_string_code() -> None:
    assert decode_frame('{"code":"10001","trace":"a","msg":"ok"}') == Ack(
        10001, "trades", "a", "ok"
    )
    assert decode_frame('{"code":516,"trace":"z","msg":"limit"}') == ErrorFrame(516, "limit", "z")
    assert decode_frame('{"code":500,"msg":"x","traceId":123}') == ErrorFrame(500, "x", "123")


def test_client_frames() -> None:
    assert orjson.loads(encode_subscribe("trades", ["A", "B"], "t1")) == {
        "code": 10000,
        "trace": "t1",
        "data": {"codes": "A,B"},
    }
    assert orjson.loads(encode_subscribe("depth", "A", "t2"))["code"] == 10003
    assert orjson.loads(
        encode_subscribe_candles([(1, ["BTCUSDT", "ETHUSDT"]), (8, "BTCUSDT")], "t3")
    ) == {
        "code": 10006,
        "trace": "t3",
        "data": {"arr": [{"type": 1, "codes": "BTCUSDT,ETHUSDT"}, {"type": 8, "codes": "BTCUSDT"}]},
    }
    assert orjson.loads(encode_unsubscribe("candles", "BTCUSDT", "t4", [1])) == {
        "code": 11002,
        "trace": "t4",
        "data": {"codes": "BTCUSDT", "klineTypes": "1"},
    }
    assert orjson.loads(encode_unsubscribe("candles", "BTCUSDT", "t5"))["data"] == {
        "codes": "BTCUSDT"
    }
    assert orjson.loads(encode_unsubscribe("trades", ["A"], "t6"))["code"] == 11000
    assert orjson.loads(encode_unsubscribe("depth", ["A"], "t7"))["code"] == 11001
    assert orjson.loads(encode_heartbeat("h")) == {"code": 10010, "trace": "h"}
    with pytest.raises(ValueError):
        encode_subscribe("candles", "A", "t")


# ---- malformed corpus --------------------------------------------------------------------------
def _trade(**over: object) -> str:
    d: dict[str, object] = {
        "p": "10.5",
        "s": "600519.SH",
        "t": 1786775227483,
        "td": 1,
        "v": "100",
        "vw": "1050",
    }
    d.update(over)
    return orjson.dumps(
        {"code": 10002, "data": {k: v for k, v in d.items() if v is not ...}}
    ).decode()


MALFORMED: list[str | bytes] = [
    "",
    " ",
    "{",
    "}",
    "{not json",
    '{"code":10002',
    "[]",
    "[1,2,3]",
    "null",
    "42",
    '"text"',
    "true",
    '{"code":null}',
    '{"code":true}',
    '{"code":"abc"}',
    '{"code":1.5}',
    '{"nocode":1}',
    '{"code":99999}',
    '{"code":10002}',
    '{"code":10002,"data":null}',
    '{"code":10002,"data":[]}',
    '{"code":10002,"data":"x"}',
    _trade(p=...),
    _trade(s=...),
    _trade(t=...),
    _trade(v=...),
    _trade(p="abc"),
    _trade(p=""),
    _trade(p="NaN"),
    _trade(p="nan"),
    _trade(p="Infinity"),
    _trade(p="-inf"),
    _trade(p="-1"),
    _trade(p="0"),
    _trade(v="-5"),
    _trade(vw="-1"),
    _trade(p="1e400"),
    _trade(v="1" * 60),
    _trade(p=None),
    _trade(p=True),
    _trade(p=[1]),
    _trade(p={"x": 1}),
    _trade(s=""),
    _trade(s=5),
    _trade(s="X" * 100),
    _trade(t="abc"),
    _trade(t=-1),
    _trade(t=0),
    _trade(t=1e20),
    _trade(t=True),
    _trade(t=None),
    _trade(td=7),
    _trade(td="x"),
    _trade(td=-1),
    '{"code":10005,"data":{"s":"A","t":1786775227483,"a":[["1"]],"b":[["1"],["1"]]}}',
    '{"code":10005,"data":{"s":"A","t":1786775227483,"a":[["1","2"],["1"]],"b":[]}}',
    '{"code":10005,"data":{"s":"A","t":1786775227483,"a":"x"}}',
    '{"code":10005,"data":{"s":"A","t":1786775227483,"a":[["-1"],["1"]]}}',
    '{"code":10005,"data":{"s":"A","t":1786775227483,"a":[["NaN"],["1"]]}}',
    '{"code":10005,"data":{"s":"A","t":1786775227483,"a":[['
    + ",".join(['"1"'] * 500)
    + "],["
    + ",".join(['"1"'] * 500)
    + "]]}}",
    '{"code":10008,"data":{"s":"A","t":"1786775220","o":"2","h":"1","l":"1","c":"1","ty":1}}',  # h < o
    '{"code":10008,"data":{"s":"A","t":"1786775220","o":"1","h":"1","l":"1","c":"1","ty":99}}',
    '{"code":10008,"data":{"s":"A","t":"yesterday","o":"1","h":"1","l":"1","c":"1","ty":1}}',
    '{"code":10008,"data":{"s":"A","t":"1786775220","o":"1","h":"inf","l":"1","c":"1","ty":1}}',
    '{"code":10008,"data":{"s":"A","t":"1786775220","ty":1}}',
    '{"code":10002,"data":{"p":"1',  # cut off, as a broken proxy delivers
    "\x00\x01\x02\x03",
    "\ufffd\ufffd",
    b"\xff\xfe\x00\x01",
    b'{"code":10002,"data":\xff}',
    b"",
    "<html><body>502 Bad Gateway</body></html>",
    "Server is busy, please retry later.",
    '{"code":10002,"data":{"p":"' + "9" * 400 + '","s":"A","t":1786775227483,"v":"1","vw":"1"}}',
    '{"code":' + "9" * 50 + "}",
    "{" * 5000 + "}" * 5000,  # deep nesting
]


@pytest.mark.parametrize("frame", MALFORMED, ids=[f"m{i}" for i in range(len(MALFORMED))])
def test_malformed_never_raises(frame: str | bytes) -> None:
    ev = decode_frame(frame)
    assert not isinstance(ev, (Trade, Depth, Candle, Ack)), ev
    assert isinstance(ev, (Unparsed, Greeting, SubscribeFail, ErrorFrame, Welcome, UnsubscribeAck))
    if isinstance(ev, Unparsed):
        assert ev.reason and len(ev.text) <= 2001 + 10


def test_numbers_are_finite_and_positive_when_accepted() -> None:
    for fr in [TRADE, _trade(p="1e-8"), _trade(v="0"), _trade(p="123456789012.5")]:
        ev = decode_frame(fr)
        assert isinstance(ev, Trade)
        assert math.isfinite(ev.price) and ev.price > 0 and ev.volume >= 0


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_fuzz_never_raises(frame: str | bytes) -> None:
    decode_frame(frame)
    decode_batch([frame])


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["code", "data", "msg", "trace", "s", "p", "t"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.text(max_size=20),
            st.lists(st.integers(), max_size=3),
            st.sampled_from([10002, 10005, 10008, 10001, 11010, 200, 516]),
        ),
        max_size=6,
    )
)
def test_fuzz_json_objects_never_raise(obj: dict[str, object]) -> None:
    try:
        frame = orjson.dumps(obj).decode()
    except TypeError:
        return
    decode_frame(frame)
    decode_batch([frame])


# ---- batch decoding equals per-frame decoding ---------------------------------------------------
def _mixed() -> list[str | bytes]:
    frames: list[str | bytes] = []
    for i in range(200):
        frames.append(
            _trade(
                p=f"{10 + i % 7}.{i % 100:02d}",
                t=1786775227483 + i,
                td=i % 3,
                s=["600519.SH", "BTCUSDT"][i % 2],
            )
        )
        if i % 17 == 0:
            frames.append(DEPTH)
        if i % 23 == 0:
            frames.append(CANDLE)
        if i % 11 == 0:
            frames.append(MALFORMED[(i // 11) % len(MALFORMED)])
        if i % 29 == 0:
            frames.append(TRADE.encode())  # bytes frames too
    frames.append(
        '{"s":"BTCUSDT","data":{"p":"63039","s":"BTCUSDT","t":1786775227483,"td":1,"v":"1",'
        '"vw":"63039"},"code":10002}'
    )  # another key order
    return frames


def test_batch_equals_per_frame() -> None:
    frames = _mixed()
    cols, others = decode_batch(frames)
    per = [decode_frame(f) for f in frames]
    trades = [e for e in per if isinstance(e, Trade)]
    rest = [e for e in per if not isinstance(e, Trade)]
    assert cols.rows() == [
        Trade(t.symbol, t.t, t.price, t.volume, t.turnover, t.direction) for t in trades
    ]
    # non-trade events: same multiset (batch puts rejected trade pushes after the others)
    assert sorted(map(repr, others)) == sorted(map(repr, rest))
    assert cols.t.dtype == np.int64 and cols.price.dtype == np.float64


def test_batch_rejects_bad_trades_like_frame_decoder() -> None:
    frames: list[str | bytes] = [_trade(p="NaN"), _trade(td=5), _trade(v="-1"), _trade(t=0), TRADE]
    cols, others = decode_batch(frames)
    assert len(cols) == 1 and cols.rows()[0].symbol == "BTCUSDT"
    assert len(others) == 4 and all(isinstance(e, Unparsed) for e in others)


@pytest.mark.parametrize(
    "over",
    [
        {"p": "1e300"},
        {"p": "1e15"},
        {"v": "1e18"},
        {"vw": "1e30"},
        {"p": "1e14", "v": "1e17", "vw": "1"},
        {"t": 10**14},
    ],
)
def test_batch_and_frame_agree_on_bounds(over: dict[str, object]) -> None:
    frame = _trade(**over)
    single = decode_frame(frame)
    cols, others = decode_batch([frame])
    if isinstance(single, Trade):
        assert cols.rows() == [single] and others == []
    else:
        assert len(cols) == 0 and [type(e) for e in others] == [type(single)]


@pytest.mark.parametrize("side", ["[]", "[[],[]]", "null"])
def test_batch_and_frame_agree_on_empty_sides(side: str) -> None:
    frame = (
        '{"code":10005,"data":{"s":"A","t":1786775227483,"a":' + side + ',"b":[["10.0"],["100"]]}}'
    )
    single = decode_frame(frame)
    _, others = decode_batch([frame])
    assert isinstance(single, Depth) and others == [single]


def test_batch_empty() -> None:
    cols, others = decode_batch([])
    assert len(cols) == 0 and others == []
