"""REST error mapping against every production error shape, answered verbatim by a mock transport."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import orjson
import pytest

from infoway_widgets.client.rest import RestClient, SyncRestClient
from infoway_widgets.errors import (
    AuthError,
    BadParameterError,
    ConnectionLostError,
    PlanLimitError,
    ProtocolError,
    RateLimitError,
    ServerError,
    UnknownSymbolError,
)

KEY = "sk-test-SECRET-0123456789abcdef"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=orjson.dumps(body),
        headers={"content-type": "application/json", **(headers or {})},
    )


class Recorder:
    """A transport answering from a list (the last answer repeats) and counting requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        a = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
        if isinstance(a, Exception):
            raise a
        return a


def client(rec: Recorder, **kw: Any) -> RestClient:
    kw.setdefault("backoff", 0.001)
    return RestClient("https://data.example", KEY, transport=httpx.MockTransport(rec), **kw)


OK_TRADES = _json(
    200,
    {
        "ret": 200,
        "msg": "success",
        "traceId": "t",
        "data": [
            {"s": "AAPL.US", "t": 1786751999691, "p": "305.771", "v": "1", "vw": "305.771", "td": 0}
        ],
    },
)

CASES = [
    # (answer, exception class, retried?)
    (
        _json(401, {"code": 401, "message": "Token invalid", "timestamp": 1786778697472}),
        AuthError,
        False,
    ),
    (
        _json(200, {"ret": 500, "msg": "All product not exists", "traceId": "x", "data": None}),
        UnknownSymbolError,
        False,
    ),
    (
        _json(
            200,
            {
                "ret": 500,
                "msg": "Kline quantity exceeds the limit: 600",
                "traceId": "x",
                "data": None,
            },
        ),
        PlanLimitError,
        False,
    ),
    (
        _json(200, {"ret": 500, "msg": "Products quantity exceeds the limit", "data": None}),
        PlanLimitError,
        False,
    ),
    (_json(200, {"ret": 500, "msg": "Param error：codes", "data": None}), BadParameterError, False),
    (_json(200, {"ret": 507, "msg": "Param lost", "data": None}), BadParameterError, False),
    (_json(200, {"ret": 508, "msg": "no such product", "data": None}), UnknownSymbolError, False),
    (_json(200, {"ret": 509, "msg": "expired", "data": None}), AuthError, False),
    (_json(200, {"ret": 502, "msg": "daily limit", "data": None}), RateLimitError, False),
    (_json(200, {"ret": 501, "msg": "minute limit", "data": None}), RateLimitError, True),
    (_json(200, {"ret": 500, "msg": "internal", "data": None}), ServerError, True),
    (
        _json(
            400,
            {
                "type": "about:blank",
                "title": "Bad Request",
                "status": 400,
                "detail": "Required parameter 'type' is not present.",
                "instance": "/common/basic/symbols",
            },
        ),
        BadParameterError,
        False,
    ),
    (
        _json(
            404,
            {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "detail": "No static resource",
                "instance": "/nope",
            },
        ),
        ProtocolError,
        False,
    ),
    (_json(429, {"detail": "Rate limit exceeded"}), RateLimitError, True),
    (_json(200, {"detail": "Rate limit exceeded"}), RateLimitError, True),
    (_json(503, {"error": "unavailable"}), ServerError, True),
    (httpx.Response(502, text="<html>bad gateway</html>"), ServerError, True),
    (_json(200, [1, 2, 3]), ProtocolError, False),
    (httpx.Response(200, text="not json at all"), ProtocolError, False),
]


@pytest.mark.parametrize(("answer", "exc", "retried"), CASES)
async def test_error_shapes(
    answer: httpx.Response, exc: type[Exception], retried: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(answer)
    async with client(rec, retries=2) as rest:
        with pytest.raises(exc) as info:
            await rest.trades("AAPL.US")
    assert len(rec.requests) == (3 if retried else 1)
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert KEY not in caplog.text
    assert rec.requests[0].headers["apiKey"] == KEY  # the key does travel, in the header only
    assert KEY not in str(rec.requests[0].url)


async def test_retry_then_success_and_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(d: float) -> None:
        slept.append(d)

    monkeypatch.setattr("infoway_widgets.client.rest.asyncio.sleep", fake_sleep)
    rec = Recorder(
        _json(429, {"detail": "Rate limit exceeded"}, {"Retry-After": "7"}),
        _json(500, {"x": 1}),
        OK_TRADES,
    )
    async with client(rec, retries=3, backoff=0.01) as rest:
        trades = await rest.trades(["AAPL.US"])
    assert [t.symbol for t in trades] == ["AAPL.US"]
    assert len(rec.requests) == 3
    assert slept[0] >= 7.0  # Retry-After honoured
    assert slept[1] < 1.0  # plain exponential backoff otherwise
    assert rest.stats == {"requests": 3, "retries": 2}


async def test_network_errors_retried_then_connection_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.ConnectError(f"connect failed apikey={KEY}"))
    async with client(rec, retries=2) as rest:
        with pytest.raises(ConnectionLostError) as info:
            await rest.trades("AAPL.US")
    assert len(rec.requests) == 3
    assert KEY not in str(info.value)
    assert KEY not in caplog.text
    rec2 = Recorder(httpx.ReadTimeout("slow"), OK_TRADES)
    async with client(rec2, retries=2) as rest:
        assert len(await rest.trades("AAPL.US")) == 1


async def test_auth_never_retried_even_with_many_retries() -> None:
    rec = Recorder(_json(401, {"code": 401, "message": "Token invalid", "timestamp": 1}))
    async with client(rec, retries=10) as rest:
        with pytest.raises(AuthError, match="INFOWAY_API_KEY"):
            await rest.klines("AAPL.US", "1m", 10)
    assert len(rec.requests) == 1


async def test_key_from_env_and_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOWAY_API_KEY", KEY + "-env")
    rec = Recorder(OK_TRADES)
    async with RestClient("https://data.example", transport=httpx.MockTransport(rec)) as rest:
        await rest.trades("AAPL.US")
        assert KEY not in repr(rest)
    assert rec.requests[0].headers["apikey"] == KEY + "-env"


async def test_no_key_sends_no_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFOWAY_API_KEY", raising=False)
    rec = Recorder(OK_TRADES)
    async with RestClient("https://data.example", transport=httpx.MockTransport(rec)) as rest:
        await rest.trades("AAPL.US")
    assert "apikey" not in rec.requests[0].headers


async def test_closed_client_refuses() -> None:
    rest = client(Recorder(OK_TRADES))
    await rest.aclose()
    await rest.aclose()
    with pytest.raises(ConnectionLostError):
        await rest.trades("AAPL.US")


def test_sync_wrapper() -> None:
    rec = Recorder(OK_TRADES)
    with SyncRestClient("https://data.example", KEY, transport=httpx.MockTransport(rec)) as rest:
        assert rest.trades("AAPL.US")[0].price == 305.771
        assert KEY not in repr(rest)


async def test_sync_wrapper_refuses_in_running_loop() -> None:
    rest = SyncRestClient(
        "https://data.example", KEY, transport=httpx.MockTransport(Recorder(OK_TRADES))
    )
    with pytest.raises(RuntimeError, match="running event loop"):
        rest.trades("AAPL.US")
    rest._loop.close()  # close() would need the loop; this test only checks the refusal
