"""The pure server session and the handshake decisions, stepped through integer time."""

from __future__ import annotations

import orjson
import pytest

from infoway_widgets.protocol.handshake import (
    given_key,
    key_matches,
    refuse_business,
    refuse_key,
)
from infoway_widgets.protocol.server import (
    CLOSE_NORMAL,
    CLOSE_POLICY,
    Close,
    Refuse,
    Send,
    ServerSession,
    Subscribe,
    Unsubscribe,
)

UNIVERSE = {"600519.SH", "000001.SZ", "600000.SH", "BTCUSDT"}


def carries(code: str) -> str | None:
    """A stock channel that knows three A-shares; lower case is accepted and made canonical."""
    c = code.upper()
    return c if c in UNIVERSE and c != "BTCUSDT" else None


def stock(now: int = 0, **kw: object) -> ServerSession:
    return ServerSession("stock", carries, now, greeting="hello", **kw)  # type: ignore[arg-type]


def texts(actions: list[object]) -> list[str]:
    return [a.text for a in actions if isinstance(a, (Send, Refuse))]


def test_hello_greets_only_on_stock() -> None:
    assert stock().hello() == ["hello", '{"code":200,"msg":"ws connect success"}']
    crypto = ServerSession("crypto", carries, 0, greeting="hello", welcome="W")
    assert crypto.hello() == ["W"]


def test_subscribe_acks_echo_the_trace_and_hold_only_carried_codes() -> None:
    s = stock()
    acts = s.receive('{"code":10000,"trace":"336b","data":{"codes":"600519.SH,nope.SH"}}', 1)
    assert texts(acts) == ['{"code":10001,"trace":"336b","msg":"ok"}']
    assert acts[1] == Subscribe([("trades", 0, "600519.SH")], [("trades", 0, "600519.SH")])
    # already held: requested again (a depth subscriber would get the book again), nothing new
    acts = s.receive('{"code":10000,"trace":"x","data":{"codes":["600519.sh"]}}', 2)
    assert acts[1] == Subscribe([("trades", 0, "600519.SH")], [])
    acts = s.receive(
        '{"code":10006,"trace":"k","data":{"arr":[{"type":1,"codes":"000001.SZ"},'
        '{"type":"8","codes":"000001.SZ,BTCUSDT"}]}}',
        3,
    )
    assert texts(acts) == ['{"code":10007,"trace":"k","msg":"ok"}']
    assert s.held == {
        ("trades", 0, "600519.SH"),
        ("candles", 1, "000001.SZ"),
        ("candles", 8, "000001.SZ"),
    }


def test_unsubscribe_candles_per_interval_or_all_and_raw_codes() -> None:
    s = stock()
    s.receive('{"code":10006,"data":{"arr":[{"type":1,"codes":"000001.SZ,600519.SH"}]}}', 0)
    s.receive('{"code":10006,"data":{"arr":[{"type":8,"codes":"000001.SZ"}]}}', 0)
    acts = s.receive('{"code":11002,"trace":"u","data":{"codes":"000001.sz","klineTypes":"1"}}', 1)
    assert acts == [
        Unsubscribe([("candles", 1, "000001.SZ")]),
        Send('{"code":11010,"trace":"u","msg":"ok"}'),
    ]
    acts = s.receive('{"code":11002,"trace":"v","data":{"codes":"000001.SZ"}}', 2)
    assert acts[0] == Unsubscribe([("candles", 8, "000001.SZ")])
    assert s.held == {("candles", 1, "600519.SH")}
    acts = s.receive('{"code":11000,"trace":"w","data":{"codes":"600519.SH"}}', 3)
    assert acts[0] == Unsubscribe([]) and s.held == {("candles", 1, "600519.SH")}


@pytest.mark.parametrize(
    ("frame", "answer"),
    [
        ('{"code":10000,"trace":"408e"}', '{"traceId":"408e","code":507,"msg":"Param lost：data"}'),
        (
            '{"code":12345,"trace":"5bd5"}',
            '{"traceId":"5bd5","code":506,"msg":"Param error：The code is out of range"}',
        ),
        ('{"code":true,"trace":"b"}', '{"traceId":"b","code":506,'),
        ('{"trace":"c","data":{}}', '{"traceId":"c","code":507,"msg":"Param lost：code"}'),
        (
            '{"code":10006,"trace":"k","data":{}}',
            '{"traceId":"k","code":507,"msg":"Param lost：arr"}',
        ),
        (
            '{"code":10006,"trace":"k","data":{"arr":[{"type":99,"codes":"A.SH"}]}}',
            '{"traceId":"k","code":506,"msg":"Param error：type must be 1..12"}',
        ),
        (
            '{"code":10006,"trace":"k","data":{"arr":[{"type":1}]}}',
            '{"traceId":"k","code":507,"msg":"Param lost：codes"}',
        ),
        ('{"code":10003,"trace":"d","data":{"codes":" "}}', '{"traceId":"d","code":507,'),
        ('{"code":11001,"trace":"e","data":{"codes":[]}}', '{"traceId":"e","code":507,'),
        ("hello, not json", '{"traceId":"'),
        ("[1,2]", '{"traceId":"'),
        (None, '{"traceId":"'),
    ],
)
def test_bad_requests_are_answered_as_production_does(frame: str | None, answer: str) -> None:
    s = stock()
    acts = s.receive(frame, 1)
    assert len(acts) == 1 and isinstance(acts[0], Send)
    assert acts[0].text.startswith(answer), acts[0].text
    err = orjson.loads(acts[0].text)
    assert list(err) == ["traceId", "code", "msg"] and isinstance(err["traceId"], str)
    if answer == '{"traceId":"':
        assert err["code"] == 515 and err["msg"].startswith("Param not json：")
    assert s.held == set() and not s.closing


def test_heartbeats_are_never_answered() -> None:
    s = stock()
    assert s.receive('{"code":10010,"trace":"hb"}', 1) == []
    assert s.receive('{"code":10010}', 2) == [] and s.last_frame == 2


def test_idle_close_after_60_s_without_a_frame() -> None:
    s = stock(now=1_000)
    assert s.next_deadline() == 1_000 + 60_000 + 1
    assert s.poll(61_000) == []
    s.receive('{"code":10010}', 30_000)
    assert s.next_deadline() == 90_001
    assert s.poll(90_000) == []
    [close] = s.poll(90_001)
    assert isinstance(close, Close) and close.reason == "idle" and close.ws_code == CLOSE_NORMAL
    err = orjson.loads(close.frame)
    assert err["code"] == 513 and "heartbeat" in err["msg"] and err["msg"] == close.message
    assert s.closing and s.next_deadline() is None and s.poll(200_000) == []
    assert s.receive('{"code":10010}', 90_002) == []  # nothing is answered after a close


def test_frame_budget_60_a_minute_then_501_and_close() -> None:
    s = stock()
    for i in range(60):
        assert s.receive('{"code":10010}', i * 999) == []  # 60 frames within 59 s: fine
    [close] = s.receive('{"code":10010}', 59_999)
    assert isinstance(close, Close) and close.reason == "frame_budget"
    assert close.ws_code == CLOSE_POLICY
    assert orjson.loads(close.frame)["msg"] == (
        "Request exceeds the frequency limit per minute (60 frames per minute)"
    )
    assert s.closing


def test_frame_budget_is_a_sliding_window() -> None:
    s = stock(per=" per relay client", budget=10, window_ms=1_000)
    for t in range(0, 5_000, 100):  # 10 per window, for 5 windows
        assert s.receive('{"code":10010}', t) == []
    [close] = s.receive('{"code":10010}', 4_950)
    assert isinstance(close, Close)
    assert "(10 frames per minute per relay client)" in close.message


def test_per_client_code_limit_refuses_with_505() -> None:
    s = stock(max_codes=2, per=" per relay client")
    s.receive('{"code":10000,"data":{"codes":"600519.SH"}}', 0)
    s.receive('{"code":10006,"data":{"arr":[{"type":1,"codes":"600519.SH,000001.SZ"}]}}', 0)
    assert len({c for _, _, c in s.held}) == 2
    [refuse] = s.receive('{"code":10003,"trace":"t","data":{"codes":"600000.SH"}}', 1)
    assert isinstance(refuse, Refuse)
    assert orjson.loads(refuse.text) == {
        "traceId": "t",
        "code": 505,
        "msg": "Products quantity exceeds the limit：2 codes per relay client",
    }
    assert len(s.held) == 3 and not s.closing  # refused, not closed
    # codes it already holds are fine on another stream
    acts = s.receive('{"code":10003,"trace":"u","data":{"codes":"000001.SZ"}}', 2)
    assert isinstance(acts[1], Subscribe) and len(s.held) == 4


def test_handshake_refusals() -> None:
    assert given_key({"apikey": "a", "apiKey": "b"}) == "a" and given_key({"apiKey": "b"}) == "b"
    assert key_matches(None, None) and key_matches("x", "") and key_matches("k", "k")
    assert not key_matches(None, "k") and not key_matches("k2", "k")
    assert refuse_key({"business": "stock"}, None) is None
    assert refuse_key({"apikey": "k"}, "k") is None
    r = refuse_key({"apikey": "wrong"}, "k")
    assert r is not None and r.status == 401
    assert r.text == "Unauthorized: the apikey is missing or invalid"
    assert r.headers == {"www-authenticate": 'apikey realm="key"'}
    r = refuse_key({}, "tok", realm="relay", what="relay token (apikey)")
    assert r is not None and r.headers["www-authenticate"] == 'apikey realm="relay"'
    assert r.text == "Unauthorized: the relay token (apikey) is missing or invalid"
    assert refuse_business({"business": "crypto"}) is None
    r = refuse_business({"business": "forex"})
    assert r is not None and r.status == 400 and "stock, crypto, common" in r.text
    assert refuse_business({}) is not None
