"""WsSession against a strict local server over real 127.0.0.1 sockets, time compressed 100x."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest

from infoway_widgets.client.ws import WsSession
from infoway_widgets.errors import AuthError, BadParameterError, PlanLimitError
from infoway_widgets.protocol.events import (
    CodeOutcome,
    CodesAccepted,
    CodesRefused,
    ErrorFrame,
    Event,
    Greeting,
    SubscribeFail,
    Unparsed,
    Welcome,
)

from .fakeserver import FakeServer

KEY = "ws-test-SECRET-abcdef0123456789"
SCALE = 100.0


class Sink:
    """Collects the session's callbacks; tests await conditions on it (woken on every call)."""

    def __init__(self) -> None:
        self.pushes: list[dict[str, Any]] = []
        self.raw: list[str | bytes] = []
        self.symbols: set[str] = set()
        self.states: list[tuple[str, str | None]] = []
        self.events: list[Event] = []
        self.reconnects: list[tuple[int, int]] = []
        self._changed = asyncio.Event()

    def on_push(self, frame: str | bytes, ms: int) -> None:
        assert isinstance(ms, int) and ms > 1_600_000_000_000
        self.raw.append(frame)
        self.pushes.append(orjson.loads(frame))
        self.symbols.add(self.pushes[-1]["data"]["s"])
        self._changed.set()

    def on_state(self, state: str, msg: str | None) -> None:
        self.states.append((state, msg))
        self._changed.set()

    def on_event(self, ev: Event) -> None:
        self.events.append(ev)
        self._changed.set()

    def on_reconnect(self, down: int, up: int) -> None:
        self.reconnects.append((down, up))
        self._changed.set()

    def pushed(self, code: int, sym: str, ty: int | None = None) -> bool:
        return any(
            p["code"] == code
            and p["data"]["s"] == sym
            and (ty is None or p["data"].get("ty") == ty)
            for p in self.pushes
        )

    async def until(self, pred: Callable[[], bool], timeout: float, what: str) -> None:
        async def loop() -> None:
            while not pred():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(loop(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(
                f"timed out after {timeout} s waiting for: {what}; states={self.states[-5:]}"
            ) from None


def session(
    server: FakeServer, sink: Sink, business: str = "crypto", key: str | None = KEY, **kw: Any
) -> WsSession:
    kw.setdefault("time_scale", SCALE)
    return WsSession(
        server.ws_url,
        business,
        key,
        on_push=sink.on_push,
        on_state=sink.on_state,
        on_event=sink.on_event,
        on_reconnect=sink.on_reconnect,
        **kw,
    )


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    async with FakeServer(api_key=KEY, speed=SCALE) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.DEBUG)
    yield
    gc.collect()  # a pending task that was dropped would be reported now
    assert KEY not in caplog.text, "the API key leaked into a log line"
    assert "Task was destroyed" not in caplog.text
    assert "internal error" not in caplog.text, "a session task crashed"
    assert "was never retrieved" not in caplog.text


async def test_subscribe_receive_unsubscribe_each_channel(server: FakeServer) -> None:
    sink = Sink()
    async with session(server, sink, "stock") as s:
        await s.wait_open(5)
        s.subscribe("trades", ["600519.SH", "00700.HK"])
        s.subscribe("depth", "AAPL.US")
        s.subscribe("candles", ["600519.SH"], kline_types=["1m", 8])
        await s.wait_synced(5)
        await sink.until(
            lambda: (
                sink.pushed(10002, "00700.HK")
                and sink.pushed(10005, "AAPL.US")
                and sink.pushed(10008, "600519.SH", 1)
                and sink.pushed(10008, "600519.SH", 8)
            ),
            5,
            "a push of every channel",
        )
        assert any(isinstance(e, Greeting) for e in sink.events)  # plain-text greeting skipped
        assert any(isinstance(e, Welcome) for e in sink.events)
        # merged: one frame per kind, both intervals in one candle frame
        assert server.count(10000) == 1 and server.count(10003) == 1 and server.count(10006) == 1
        candle_sub = next(f for c in server.conns for f in c.received if f["code"] == 10006)
        assert candle_sub["data"]["arr"] == [
            {"type": 1, "codes": "600519.SH"},
            {"type": 8, "codes": "600519.SH"},
        ]

        s.unsubscribe("candles", "600519.SH", kline_types=[1])  # per-interval unsubscribe
        s.unsubscribe("trades", "00700.HK")
        await s.wait_synced(5)
        assert server.codes("candles", 1) == set() and server.codes("candles", 8) == {"600519.SH"}
        assert server.codes("trades") == {"600519.SH"}
        unsub = next(f for c in server.conns for f in c.received if f["code"] == 11002)
        assert unsub["data"] == {"codes": "600519.SH", "klineTypes": "1"}
        n = len(sink.pushes)
        await sink.until(lambda: len(sink.pushes) > n + 6, 5, "more pushes")
        later = sink.pushes[n + 3 :]
        assert not any(p["code"] == 10008 and p["data"]["ty"] == 1 for p in later)
        assert not any(p["code"] == 10002 and p["data"]["s"] == "00700.HK" for p in later)
        assert s.subscriptions == {
            "trades": ["600519.SH"],
            "depth": ["AAPL.US"],
            "candles": {8: ["600519.SH"]},
        }
        assert KEY not in repr(s)
    assert s.state == "closed"
    assert [st for st, _ in sink.states] == ["connecting", "open", "closed"]


async def test_heartbeat_keeps_idle_link_alive(server: FakeServer) -> None:
    sink = Sink()
    async with session(server, sink) as s:
        await s.wait_open(5)
        # the server closes after 60 s (0.6 s here) without a client frame; wait 3 such periods
        await server.until(lambda: server.count(10010) >= 5, 5, "five heartbeats")
        assert server.idle_closes == 0 and s.stats["reconnects"] == 0 and s.state == "open"
        assert len(server.conns) == 1


async def test_without_heartbeat_server_closes(server: FakeServer) -> None:
    """Control: the server's idle rule is real (a session with a too slow heartbeat is dropped,
    then reconnects)."""
    sink = Sink()
    async with session(server, sink, heartbeat_s=200.0, silence_s=400.0) as s:
        await s.wait_open(5)
        await sink.until(lambda: s.stats["reconnects"] >= 1, 5, "a reconnect after the idle close")
        assert server.idle_closes >= 1
        assert any(isinstance(e, ErrorFrame) and e.code == 513 for e in sink.events)


async def test_budget_never_exceeded_with_500_codes_in_many_calls(server: FakeServer) -> None:
    sink = Sink()
    codes = [f"{600000 + i:06d}.SH" for i in range(500)]
    async with session(server, sink, "stock") as s:
        await s.wait_open(5)
        for i in range(0, 500, 5):  # 100 calls of 5 codes, yielding to the loop between them
            s.subscribe("trades", codes[i : i + 5])
            s.subscribe("depth", codes[i : i + 5])
            s.subscribe("candles", codes[i : i + 5], kline_types=[1])
            await asyncio.sleep(0)
        for i in range(0, 100, 2):  # and churn: drop and re-add
            s.unsubscribe("depth", codes[i : i + 2])
            await asyncio.sleep(0)
            s.subscribe("depth", codes[i : i + 2])
            await asyncio.sleep(0.001)
        await s.wait_synced(10)
        assert server.codes("trades") == set(codes) and server.codes("depth") == set(codes)
        assert server.codes("candles", 1) == set(codes)
        assert server.violations == 0
        assert server.max_frames_in_window <= 60, server.max_frames_in_window
        assert s.stats["max_frames_in_window"] <= 60
        assert all(
            len(str(f.get("data", {}).get("codes", "")).split(",")) <= 100
            for c in server.conns
            for f in c.received
        )


async def test_budget_queues_when_frames_run_out(server: FakeServer) -> None:
    """A tiny codes_per_frame forces 250 frames: they must queue across several windows."""
    sink = Sink()
    codes = [f"{600000 + i:06d}.SH" for i in range(250)]
    async with session(server, sink, "stock", codes_per_frame=1) as s:
        await s.wait_open(5)
        s.subscribe("trades", codes)
        await s.wait_synced(15)
        assert server.violations == 0 and server.max_frames_in_window <= 60
        assert server.codes("trades") == set(codes)
        assert len(server.conns) == 1  # never dropped for the budget


async def test_reconnect_and_resubscribe_after_drop(server: FakeServer) -> None:
    sink = Sink()
    async with session(server, sink, data_silence_s=None) as s:
        await s.wait_open(5)
        s.subscribe("trades", ["BTCUSDT", "ETHUSDT"])
        s.subscribe("candles", ["BTCUSDT"], kline_types=[1, 2])
        await s.wait_synced(5)
        await sink.until(lambda: sink.pushed(10002, "BTCUSDT"), 5, "first trade")
        for n in (1, 2):
            server.drop_all()
            await sink.until(lambda n=n: len(sink.reconnects) >= n, 5, f"reconnect #{n}")
            await s.wait_synced(5)
            assert server.codes("trades") == {"BTCUSDT", "ETHUSDT"}
            assert server.codes("candles", 1) == {"BTCUSDT"} == server.codes("candles", 2)
            m = len(sink.pushes)
            await sink.until(lambda m=m: len(sink.pushes) > m, 5, "pushes after the reconnect")
        down, up = sink.reconnects[-1]
        assert down <= up
        assert s.stats["reconnects"] == 2
        # resubscription merged: one trade frame and one candle frame per connection
        assert all(sum(1 for f in c.received if f["code"] == 10000) == 1 for c in server.conns)
        assert "reconnecting" in [st for st, _ in sink.states]


async def test_half_open_socket_detected(server: FakeServer) -> None:
    sink = Sink()
    async with session(server, sink) as s:
        await s.wait_open(5)
        s.subscribe("trades", ["BTCUSDT"])
        await s.wait_synced(5)
        server.halfopen_all()
        await sink.until(lambda: len(sink.reconnects) >= 1, 5, "reconnect after half-open")
        assert any("half-open" in (m or "") for st, m in sink.states if st == "reconnecting")
        await s.wait_synced(5)
        m = len(sink.pushes)
        await sink.until(lambda: len(sink.pushes) > m, 5, "pushes on the new socket")


async def test_516_retried_on_same_socket(server: FakeServer) -> None:
    sink = Sink()
    server.fail_next = [
        (516, "The number of products subscribed by the account exceeds the limit"),
        (516, "again"),
    ]
    async with session(server, sink) as s:
        await s.wait_open(5)
        s.subscribe("trades", ["BTCUSDT"])
        await s.wait_synced(5)
        assert server.codes("trades") == {"BTCUSDT"}
        assert len(server.conns) == 1 and s.stats["reconnects"] == 0
        assert server.count(10000) == 3 and s.stats["deferred"] == 2
        assert sum(isinstance(e, ErrorFrame) and e.code == 516 for e in sink.events) == 2


async def test_subscribe_fail_prose_is_an_event_and_retried(server: FakeServer) -> None:
    sink = Sink()
    server.fail_next = [(None, "something went wrong, try later")]
    async with session(server, sink) as s:
        await s.wait_open(5)
        s.subscribe("depth", ["ETHUSDT"])
        await s.wait_synced(5)
        assert any(isinstance(e, SubscribeFail) for e in sink.events)
        assert server.codes("depth") == {"ETHUSDT"} and len(server.conns) == 1


@pytest.mark.parametrize(
    ("code", "exc"), [(505, PlanLimitError), (509, AuthError), (506, BadParameterError)]
)
async def test_terminal_error_frames_stop(
    server: FakeServer, code: int, exc: type[Exception]
) -> None:
    sink = Sink()
    async with session(server, sink) as s:
        await s.wait_open(5)
        await server.send_error(code, f"failure {code} apikey={KEY}")
        await sink.until(lambda: s.state == "failed", 5, "failed state")
        assert isinstance(s.error, exc) and s.error.code == code
        assert KEY not in str(s.error)
        with pytest.raises(exc):
            await s.wait_open(1)
        await asyncio.sleep(0.05)  # nothing reconnects (a real wait: asserting an absence)
        assert server.handshakes == 1
    assert s.state == "failed"


async def test_a_plan_limit_refuses_one_subscription_and_the_stream_goes_on(
    server: FakeServer,
) -> None:
    sink = Sink()
    outcomes: list[CodeOutcome] = []

    def on_outcome(o: CodeOutcome) -> None:
        outcomes.append(o)
        sink._changed.set()

    async with session(server, sink, on_outcome=on_outcome) as s:
        await s.wait_open(5)
        s.subscribe("trades", ["BTCUSDT"])
        await s.wait_synced(5)
        server.fail_next = [(505, "Products quantity exceeds the limit：1 codes")]
        s.subscribe("trades", ["ETHUSDT"])
        await sink.until(
            lambda: any(isinstance(o, CodesRefused) for o in outcomes), 5, "the refusal"
        )
        await s.wait_synced(5)  # in sync with what the plan allows
        n = len(sink.pushes)
        await sink.until(lambda: len(sink.pushes) >= n + 3, 5, "BTCUSDT streaming on")
        assert s.state == "open" and s.error is None and s.stats["reconnects"] == 0
        assert isinstance(outcomes[0], CodesAccepted) and outcomes[0].codes == ("BTCUSDT",)
        [refusal] = [o for o in outcomes if isinstance(o, CodesRefused)]
        assert refusal.codes == ("ETHUSDT",) and isinstance(refusal.error, PlanLimitError)
        assert set(s.refused) == {"ETHUSDT"} and sink.symbols == {"BTCUSDT"}
        assert server.count(10000) == 2 and len(server.conns) == 1  # not resent


async def test_500_reconnects(server: FakeServer) -> None:
    sink = Sink()
    async with session(server, sink) as s:
        await s.wait_open(5)
        await server.send_error(500, "Server error, please try again later")
        await sink.until(lambda: len(sink.reconnects) == 1, 5, "reconnect after 500")
        assert s.state == "open" and s.error is None


async def test_bad_key_401_fails_without_retry(server: FakeServer) -> None:
    sink = Sink()
    bad = KEY + "-wrong"
    s = session(server, sink, key=bad)
    await s.start()
    with pytest.raises(AuthError) as info:
        await s.wait_open(5)
    assert s.state == "failed" and isinstance(s.error, AuthError)
    assert bad not in str(info.value) and bad not in repr(s)
    assert all(bad not in (m or "") for _, m in sink.states)
    await asyncio.sleep(0.05)  # asserting that nothing retries
    assert server.refused == 1 and server.handshakes == 1
    await s.close()
    assert s.state == "failed"


async def test_unreachable_server_retries_then_gives_up() -> None:
    sink = Sink()
    async with FakeServer(speed=SCALE) as srv:
        url = srv.ws_url
    s = WsSession(
        url,
        "crypto",
        None,
        on_push=sink.on_push,
        on_state=sink.on_state,
        time_scale=SCALE,
        max_retries=3,
    )
    await s.start()
    with pytest.raises(Exception, match="could not be re-established"):
        await s.wait_open(5)
    assert s.state == "failed"
    await s.close()


async def test_unparsed_frames_never_end_the_stream(server: FakeServer) -> None:
    sink = Sink()
    async with session(server, sink) as s:
        await s.wait_open(5)
        for c in server.live:
            for junk in (
                "{not json",
                "\x00\x01\x02",
                "[1,2]",
                '{"code":"x"}',
                "",
                "42",
                '{"code":10002,"data":{"s":"BTCUSDT","p":"NaN"}}',
            ):
                await c.ws.send(junk)
            await c.ws.send(b"\xff\xfe binary")
        # 5 unparsable; control characters and binary prose are greetings; the NaN trade has the
        # push shape and goes to on_push (the Feed's decoder rejects it)
        await sink.until(
            lambda: (
                sum(isinstance(e, Unparsed) for e in sink.events) >= 5
                and sum(isinstance(e, Greeting) for e in sink.events) >= 2
                and sink.pushed(10002, "BTCUSDT")
            ),
            5,
            "unparsed events",
        )
        s.subscribe("trades", "BTCUSDT")
        await s.wait_synced(5)
        assert s.state == "open" and s.stats["reconnects"] == 0


async def test_wrong_channel_refused_and_bad_kinds() -> None:
    s = WsSession("ws://127.0.0.1:9/ws", "crypto", None, on_push=lambda f, m: None)
    with pytest.raises(BadParameterError, match="channel"):
        s.subscribe("trades", "600519.SH")
    with pytest.raises(BadParameterError):
        s.subscribe("quotes", "BTCUSDT")
    with pytest.raises(BadParameterError, match="kline_types"):
        s.subscribe("candles", "BTCUSDT")
    await s.close()
    assert s.state == "closed"


async def test_callbacks_that_raise_do_not_break_the_session(server: FakeServer) -> None:
    got: list[str] = []

    def bad_push(frame: str | bytes, ms: int) -> None:
        got.append("x")
        raise RuntimeError("feed bug")

    s = WsSession(
        server.ws_url, "crypto", KEY, on_push=bad_push, time_scale=SCALE, on_event=lambda ev: 1 / 0
    )
    async with s:
        await s.wait_open(5)
        s.subscribe("trades", "BTCUSDT")
        await s.wait_synced(5)
        await server.until(lambda: server.pushes >= 3, 5, "pushes")
        assert s.state == "open"


async def test_acks_without_trace_are_matched_in_order() -> None:
    sink = Sink()
    async with (
        FakeServer(api_key=KEY, speed=SCALE, echo_trace=False) as srv,
        session(srv, sink) as s,
    ):
        await s.wait_open(5)
        s.subscribe("trades", ["BTCUSDT"])
        s.subscribe("depth", ["BTCUSDT"])
        s.subscribe("candles", ["BTCUSDT"], kline_types=[1])
        await s.wait_synced(5)
        s.unsubscribe("depth", ["BTCUSDT"])
        await s.wait_synced(5)
        assert s.stats["ack_timeouts"] == 0
