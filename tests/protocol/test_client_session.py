"""The pure client session, stepped through integer time without sockets."""

from __future__ import annotations

import random
from collections import deque

import orjson
import pytest

from infoway_widgets.errors import AuthError, BadParameterError, PlanLimitError
from infoway_widgets.protocol.client import PUSH, ClientConfig, ClientSession, is_push
from infoway_widgets.protocol.events import (
    Ack,
    CodesAccepted,
    CodesRefused,
    ErrorFrame,
    SubscribeFail,
    UnsubscribeAck,
)

CFG = ClientConfig.scaled(100.0)  # heartbeat 300 ms, window 600 ms, held 910 ms, linger 6 ms
# retries after 1 s (of the driver's clock) doubling to 30 s: deferrals outlast a few heartbeats
DEFER = ClientConfig.scaled(100.0, backoff_initial_s=100.0, backoff_max_s=3000.0)
TRADE = '{"code":10002,"data":{"p":"1","s":"BTCUSDT","t":1,"td":1,"v":"1","vw":"1"}}'


def session(cfg: ClientConfig = CFG, seed: int = 1) -> ClientSession:
    return ClientSession(cfg, name="test", rng=random.Random(seed))


def ack_of(frame: str, echo: bool = True) -> str:
    """What the service answers to a subscription frame."""
    f = orjson.loads(frame)
    code = {10000: 10001, 10003: 10004, 10006: 10007}.get(f["code"], 11010)
    out = {"code": code, "msg": "ok"}
    if echo:
        out["trace"] = f["trace"]
    return orjson.dumps(out).decode()


def codes_of(frame: str) -> list[str]:
    data = orjson.loads(frame).get("data", {})
    if "arr" in data:
        return [c for g in data["arr"] for c in g["codes"].split(",")]
    return data["codes"].split(",") if "codes" in data else []


def step(s: ClientSession, start: int, end: int) -> list[str]:
    """Call the session at each of its deadlines from ``start`` to ``end`` (pongs keep the link
    alive); returns the (un)subscription frames sent, heartbeats left out."""
    t = start
    out: list[str] = []
    while True:
        out += [f for f in s.frames_to_send(t) if orjson.loads(f)["code"] != 10010]
        s.activity(t)
        deadline = s.next_deadline()
        if deadline is None or deadline > end:
            return out
        assert deadline > t
        t = deadline


def run_until_quiet(s: ClientSession, now: int, answer: bool = True) -> tuple[int, list[str]]:
    """Step the session through its deadlines, acking every (un)subscription, until it is in
    sync; returns the time reached and everything sent."""
    sent: list[str] = []
    for _ in range(10_000):
        out = s.frames_to_send(now)
        sent += out
        if answer:
            for f in out:
                if orjson.loads(f)["code"] != 10010:
                    s.receive(ack_of(f), now)
        if s.synced:
            return now, sent
        deadline = s.next_deadline()
        assert deadline is not None and deadline > now
        now = deadline
    raise AssertionError("never in sync")


def test_config_scales_every_timer_and_keeps_real_time_floors() -> None:
    assert CFG.heartbeat_ms == 300 and CFG.budget_window_ms == 600
    assert CFG.hold_ms == 660 + 250  # 10 % margin plus 250 ms of real-time slack
    assert CFG.silence_ms == 600 and CFG.ack_timeout_ms == 1000  # 10 s / 100 floored at 1 s
    assert CFG.linger_ms == 6 and CFG.ping_every_ms == 150
    assert ClientConfig.scaled(1.0).linger_ms == 20
    with pytest.raises(BadParameterError):
        ClientConfig.scaled(0)
    with pytest.raises(BadParameterError):
        ClientConfig.scaled(float("nan"))
    with pytest.raises(BadParameterError, match="budget_frames"):
        ClientConfig.scaled(1.0, budget_frames=5)


def test_linger_merges_a_burst_into_one_frame_per_kind() -> None:
    s = session()
    s.connection_made(0)
    for i in range(50):
        s.want("trades", [f"{600000 + i}.SH"])
        assert s.frames_to_send(i // 10) == []  # lingering: a burst of calls merges
    s.want("candles", ["600519.SH"], [1, 8])
    assert s.next_deadline() == 4 + 1  # a change: call again at once
    assert s.frames_to_send(5) == []
    assert s.next_deadline() == CFG.linger_ms
    out = s.frames_to_send(CFG.linger_ms)
    assert [orjson.loads(f)["code"] for f in out] == [10000, 10006]
    assert len(codes_of(out[0])) == 50
    assert orjson.loads(out[1])["data"]["arr"] == [
        {"type": 1, "codes": "600519.SH"},
        {"type": 8, "codes": "600519.SH"},
    ]
    assert s.stats["sub_frames"] == 2 and s.stats["frames_sent"] == 2


def test_codes_per_frame_and_unsubscribe_first() -> None:
    s = session(ClientConfig.scaled(100.0, codes_per_frame=100))
    s.connection_made(0)
    codes = [f"{600000 + i}.SH" for i in range(250)]
    s.want("depth", codes)
    now, sent = run_until_quiet(s, 0)
    assert [len(codes_of(f)) for f in sent if orjson.loads(f)["code"] == 10003] == [100, 100, 50]
    s.unwant("depth", codes[:120])
    s.want("trades", ["600519.SH"])
    s.want("candles", ["600519.SH"], [1])
    s.unwant("candles", ["600519.SH"], [1])  # wanted and dropped before sending: nothing
    now, sent = run_until_quiet(s, now)
    assert [orjson.loads(f)["code"] for f in sent] == [11001, 11001, 10000]
    assert orjson.loads(sent[0])["data"] == {"codes": ",".join(sorted(codes[:120])[:100])}
    assert s.subscriptions == {"trades": ["600519.SH"], "depth": sorted(codes[120:]), "candles": {}}


def test_candles_unsubscribe_per_interval_or_all() -> None:
    s = session()
    s.connection_made(0)
    s.want("candles", ["BTCUSDT", "ETHUSDT"], [1, 2])
    now, _ = run_until_quiet(s, 0)
    s.unwant("candles", ["BTCUSDT"], [1])
    now, sent = run_until_quiet(s, now)
    assert [orjson.loads(f)["data"] for f in sent] == [{"codes": "BTCUSDT", "klineTypes": "1"}]
    s.unwant("candles", ["ETHUSDT"])  # every interval of it
    now, sent = run_until_quiet(s, now)
    assert sorted(orjson.loads(f)["data"]["klineTypes"] for f in sent) == ["1", "2"]
    assert s.subscriptions["candles"] == {2: ["BTCUSDT"]}
    with pytest.raises(BadParameterError, match="kline_types"):
        s.want("candles", ["BTCUSDT"], [])
    with pytest.raises(BadParameterError, match="kind"):
        s.want("quotes", ["BTCUSDT"])


def test_budget_never_exceeded_over_thousands_of_random_operations() -> None:
    """Random want/unwant bursts, acks and errors for 20 simulated minutes; an independent
    sliding count over the unmargined window never sees more than the budget."""
    rnd = random.Random(7)
    cfg = ClientConfig.scaled(100.0, codes_per_frame=7)  # small frames: many of them
    s = session(cfg, seed=3)
    universe = [f"{600000 + i}.SH" for i in range(300)]
    s.connection_made(0)
    sent_at: deque[int] = deque()
    worst = 0
    now = 0
    ops = 0
    next_op = 0
    end = 60 * cfg.budget_window_ms
    while now < end:
        if now >= next_op:
            for _ in range(rnd.randint(1, 8)):
                kind = rnd.choice(["trades", "depth", "candles"])
                codes = rnd.sample(universe, rnd.randint(1, 12))
                kts = rnd.sample([1, 2, 8], rnd.randint(1, 2)) if kind == "candles" else []
                if rnd.random() < 0.6:
                    s.want(kind, codes, kts)
                else:
                    s.unwant(kind, codes, kts or None)
                ops += 1
            next_op = now + rnd.randint(1, 40)
        for f in s.frames_to_send(now):
            sent_at.append(now)
            while sent_at and sent_at[0] <= now - cfg.budget_window_ms:
                sent_at.popleft()
            worst = max(worst, len(sent_at))
            code = orjson.loads(f)["code"]
            if code == 10010:
                continue
            r = rnd.random()
            if r < 0.03 and code in (10000, 10003, 10006):
                s.receive('{"traceId":"x","code":516,"msg":"limit"}', now)
            elif r < 0.9:
                s.receive(ack_of(f, echo=r < 0.5), now)  # some acks carry no trace
            # else: never acked (counted as late, the frame stays pending)
        s.receive(TRADE, now)  # keep the watchdog happy
        deadline = s.next_deadline()
        assert deadline is not None and deadline > now, (deadline, now)
        now = min(deadline, next_op)
    assert ops > 1000 and worst <= cfg.budget_frames, (ops, worst)
    assert s.stats["max_frames_in_window"] == worst
    assert s.stats["frames_sent"] > 500  # the budget was really under pressure
    assert s.terminal is None and s.drop_reason is None


def test_ack_by_trace_and_without_trace_oldest_of_that_kind() -> None:
    s = session()
    s.connection_made(0)
    s.want("trades", ["BTCUSDT"])
    s.want("depth", ["BTCUSDT"])
    s.frames_to_send(0)
    out = s.frames_to_send(CFG.linger_ms)
    assert len(out) == 2 and not s.synced
    # a depth ack without a trace answers the depth frame, not the older trade frame
    s.receive('{"code":10004,"msg":"ok"}', 10)
    assert "1 frames unacked" in s.describe_sync()
    assert isinstance(s.receive(ack_of(out[0]), 11), Ack)
    assert s.synced and s.stats["acks"] == 2
    s.unwant("trades", ["BTCUSDT"])
    s.frames_to_send(12)
    [unsub] = s.frames_to_send(12 + CFG.linger_ms)
    assert isinstance(s.receive('{"code":11010,"msg":"ok"}', 20), UnsubscribeAck)
    assert s.synced and orjson.loads(unsub)["code"] == 11000


def test_deferral_on_516_backs_off_and_retries_on_the_same_socket() -> None:
    s = session(DEFER, seed=5)
    s.connection_made(0)
    s.want("trades", ["BTCUSDT", "ETHUSDT"])
    [first] = step(s, 0, CFG.linger_ms)
    ev = s.receive('{"traceId":"srv1","code":516,"msg":"The number of products ..."}', 10)
    assert isinstance(ev, ErrorFrame) and s.drop_reason is None and s.terminal is None
    [(key, until)] = [(k, set(v.values())) for k, v in s.held_back.items()]
    (t1,) = until
    b0 = DEFER.backoff_initial_ms
    assert key == ("trades", 0) and 10 + b0 // 2 <= t1 <= 10 + b0
    assert s.stats["deferred"] == 2
    assert step(s, 10, t1 - 1) == []  # held back, heartbeats only
    [again] = step(s, t1, t1)
    assert codes_of(again) == ["BTCUSDT", "ETHUSDT"] and again != first
    s.receive('{"traceId":"srv2","code":516,"msg":"again"}', t1 + 1)
    (t2,) = {t for v in s.held_back.values() for t in v.values()}
    assert t1 + 1 + b0 <= t2 <= t1 + 1 + 2 * b0  # the backoff doubled
    s.want("trades", ["BTCUSDT"])  # an explicit request retries it at once
    [now_] = step(s, t1 + 2, t1 + 2 + CFG.linger_ms)
    assert codes_of(now_) == ["BTCUSDT"]
    s.receive(ack_of(now_), t1 + 20)
    assert s.held_back == {("trades", 0): {"ETHUSDT": t2}} and not s.synced
    assert step(s, t1 + 20, t2 - 1) == []
    [last] = step(s, t2, t2)
    s.receive(ack_of(last), t2 + 5)
    assert codes_of(last) == ["ETHUSDT"] and s.synced and s.held_back == {}


def test_subscribe_fail_prose_is_retried_and_blames_the_oldest_subscription() -> None:
    s = session()
    s.connection_made(0)
    s.want("depth", ["ETHUSDT"])
    s.frames_to_send(0)
    s.frames_to_send(CFG.linger_ms)
    ev = s.receive("Subscribe fail: something went wrong, try later", 10)
    assert isinstance(ev, SubscribeFail)
    assert s.drop_reason is None and list(s.held_back) == [("depth", 0)]


@pytest.mark.parametrize(
    ("frame", "outcome"),
    [
        # a plan limit refuses the codes of its frame, not the session (the others stream on)
        ('{"code":505,"msg":"Products quantity exceeds the limit"}', "refused"),
        ('{"code":509,"msg":"bad key"}', AuthError),
        ('{"code":502,"msg":"daily"}', "terminal"),
        ('{"code":500,"msg":"Server error"}', "reconnect"),
        ('{"code":501,"msg":"per minute"}', "reconnect"),
        ('{"code":513,"msg":"Heartbeat timeout"}', "reconnect"),
        ('{"code":599,"msg":"new code"}', "reconnect"),
        ('{"code":516,"msg":"account-wide"}', "retry"),
        ('Subscribe fail: {"code":505,"msg":"too many"}', "refused"),
        ('{"code":508,"msg":"All product not exists"}', AuthError),  # 508 on the socket: expired
    ],
)
def test_error_verdicts(frame: str, outcome: object) -> None:
    s = session()
    s.connection_made(0)
    s.want("trades", ["BTCUSDT"])
    s.frames_to_send(0)
    s.frames_to_send(CFG.linger_ms)
    s.receive(frame, 10)
    if outcome == "reconnect":
        reason = s.drop_reason
        assert reason and s.terminal is None
        assert s.frames_to_send(11) == [] and s.next_deadline() is None
        assert s.connection_lost(12, "closed by the server") == reason
    elif outcome == "retry":
        assert s.drop_reason is None and s.terminal is None and s.held_back
    elif outcome == "refused":
        assert s.drop_reason is None and s.terminal is None and not s.held_back
        assert list(s.refused) == ["BTCUSDT"] and isinstance(s.refused["BTCUSDT"], PlanLimitError)
        assert step(s, 11, 11 + 20 * CFG.hold_ms) == []  # never sent again
        assert s.synced and s.drop_reason is None and s.terminal is None
    else:
        assert s.terminal is not None and s.drop_reason is None
        if isinstance(outcome, type):
            assert isinstance(s.terminal, outcome)
        assert s.frames_to_send(11) == [] and s.next_deadline() is None


def test_connection_lost_reason_prefers_the_sessions_own() -> None:
    s = session()
    s.connection_made(0)
    assert s.connection_lost(5, "closed by the server (code 1000)") == (
        "closed by the server (code 1000)"
    )
    s.connection_made(10)
    s.receive('{"code":500,"msg":"Server error"}', 11)
    assert "500" in s.connection_lost(12, "closed by the server (code 1000)")
    assert s.connection_lost(13) == "connection closed"


def test_heartbeat_cadence_when_idle() -> None:
    s = session()
    s.connection_made(1000)
    beats = []
    now = 1000
    while now < 1000 + 10 * CFG.heartbeat_ms:
        for f in s.frames_to_send(now):
            assert orjson.loads(f)["code"] == 10010
            beats.append(now)
        s.activity(now)  # pongs keep the link alive
        now = s.next_deadline()  # type: ignore[assignment]
    assert beats == [1000 + k * CFG.heartbeat_ms for k in range(1, 10)]
    assert s.stats["heartbeats"] == 9


# heartbeat 1.5 s, silence and ack timeout 4 s of the driver's clock: the budget's deadlines come first
SLOW_BEAT = ClientConfig.scaled(
    100.0, codes_per_frame=1, heartbeat_s=150.0, silence_s=400.0, ack_timeout_s=400.0
)


def test_budget_full_waits_for_the_oldest_frame_and_keeps_the_heartbeat_reserve() -> None:
    cfg = SLOW_BEAT
    s = session(cfg)
    s.connection_made(0)
    s.want("trades", [f"{600000 + i}.SH" for i in range(200)])
    assert s.frames_to_send(0) == []
    out = s.frames_to_send(cfg.linger_ms)
    assert len(out) == cfg.budget_frames - cfg.heartbeat_reserve  # the reserve stays free
    slot = cfg.linger_ms + cfg.hold_ms
    assert s.next_deadline() == slot  # when the oldest frame has left the (held) window
    assert s.frames_to_send(slot - 1) == []
    assert len(s.frames_to_send(slot)) == cfg.budget_frames - cfg.heartbeat_reserve
    [hb] = s.frames_to_send(cfg.heartbeat_ms)  # the heartbeat takes a reserved slot
    assert orjson.loads(hb)["code"] == 10010
    assert s.stats["max_frames_in_window"] <= cfg.budget_frames


def test_watchdog_deadlines_silence_and_data_silence() -> None:
    cfg = ClientConfig.scaled(100.0, data_silence_s=120.0)
    s = session(cfg)
    s.connection_made(0)
    assert s.next_deadline() == 1  # the connection's first change
    s.frames_to_send(0)
    assert s.next_deadline() == cfg.heartbeat_ms
    s.activity(250)  # a pong
    s.frames_to_send(300)
    s.frames_to_send(600)
    assert s.next_deadline() == 250 + cfg.silence_ms
    assert s.frames_to_send(249 + cfg.silence_ms) == [] and s.drop_reason is None
    s.frames_to_send(250 + cfg.silence_ms)
    assert "nothing received for 60 s" in (s.drop_reason or "") and s.silent
    assert s.next_deadline() is None
    # data silence counts only while something is wanted
    s.connection_lost(900)
    s.connection_made(10_000)
    quiet_until = 10_000 + cfg.data_silence_ms + 5_000
    assert step(s, 10_000, quiet_until) == []
    assert s.drop_reason is None  # nothing wanted: a quiet market is fine
    t = quiet_until + 1
    assert s.receive(TRADE, t) is PUSH  # a push restarts the data-silence clock
    s.want("trades", ["BTCUSDT"])
    [sub] = step(s, t, t + cfg.linger_ms)
    s.receive(ack_of(sub), t + 10)
    assert s.synced
    t_end = t + cfg.data_silence_ms - 1
    assert step(s, t + 10, t_end) == [] and s.drop_reason is None
    s.activity(t_end + 1)
    assert "no market data for 120 s" in (s.watchdog(t_end + 1) or "")
    assert s.silent and s.next_deadline() is None


def test_ack_timeout_is_counted_once_and_keeps_the_frame_pending() -> None:
    s = session()
    s.connection_made(0)
    s.want("trades", ["BTCUSDT"])
    s.frames_to_send(0)
    [sub] = s.frames_to_send(CFG.linger_ms)
    for t in range(CFG.linger_ms, CFG.linger_ms + 3 * CFG.ack_timeout_ms, 100):
        s.activity(t)
        s.frames_to_send(t)
    assert s.stats["ack_timeouts"] == 1 and not s.synced
    s.receive(ack_of(sub), 5000)
    assert s.synced


def test_reconnect_sends_everything_again_and_keeps_deferrals() -> None:
    s = session(DEFER)
    s.connection_made(0)
    s.want("trades", ["BTCUSDT", "ETHUSDT"])
    s.want("candles", ["BTCUSDT"], [1, 2])
    now, _ = run_until_quiet(s, 0)
    s.want("depth", ["BTCUSDT"])
    [depth] = step(s, now, now + CFG.linger_ms)
    s.receive('{"code":516,"msg":"account-wide"}', now + 10)  # no trace: the oldest pending
    (until,) = s.held_back[("depth", 0)].values()
    s.connection_lost(now + 20)
    assert not s.synced and s.describe_sync() == "no connection" and s.next_deadline() is None
    s.connection_made(now + 100)
    sent = step(s, now + 100, until - 1)
    assert [orjson.loads(f)["code"] for f in sent] == [10000, 10006]  # merged again
    assert orjson.loads(depth)["code"] == 10003 and step(s, until, until) != []


def test_receive_marks_pushes_without_decoding() -> None:
    s = session()
    s.connection_made(0)
    assert is_push(TRADE) and is_push(TRADE.encode())
    assert s.receive(TRADE, 1) is PUSH
    other_order = '{"data":{"s":"BTCUSDT","t":1,"p":"1","v":"1","vw":"1","td":1},"code":10002}'
    assert not is_push(other_order) and s.receive(other_order, 2) is PUSH
    assert s.stats["pushes"] == 2 and s.stats["frames_received"] == 2
    ev = s.receive("{not json", 3)
    assert type(ev).__name__ == "Unparsed" and s.stats["unparsed"] == 1


def test_sent_restamps_the_last_batch() -> None:
    cfg = SLOW_BEAT
    s = session(cfg)
    s.connection_made(0)
    s.want("trades", [f"{600000 + i}.SH" for i in range(100)])
    s.frames_to_send(0)
    out = s.frames_to_send(cfg.linger_ms)
    assert len(out) == 56
    s.sent(cfg.linger_ms + 400)  # the socket took 400 ms to send them
    assert s.next_deadline() == cfg.linger_ms + 400 + cfg.hold_ms
    assert s.frames_to_send(cfg.linger_ms + cfg.hold_ms) == []  # they still count


def test_traces_and_jitter_are_deterministic_with_a_seeded_rng() -> None:
    def frames(seed: int) -> tuple[list[str], list[int]]:
        s = session(seed=seed)
        s.connection_made(0)
        s.want("trades", ["BTCUSDT"])
        s.frames_to_send(0)
        return s.frames_to_send(CFG.linger_ms), [s.backoff_ms(n) for n in range(8)]

    a, b = frames(11), frames(11)
    assert a == b and frames(12)[0] != a[0]
    delays = a[1]
    assert all(
        CFG.backoff_initial_ms * 2**n // 2 <= d <= CFG.backoff_initial_ms * 2**n
        for n, d in enumerate(delays[:4])
    )
    assert max(delays) <= CFG.backoff_max_ms


def test_a_plan_limit_refuses_the_codes_of_its_frame_and_the_stream_goes_on() -> None:
    s = session()
    s.connection_made(0)
    s.want("trades", ["600000.SH", "600001.SH", "600002.SH"])
    now, _ = run_until_quiet(s, 0)
    [accepted] = s.take_outcomes()
    assert accepted == CodesAccepted(
        "trades", 0, ("600000.SH", "600001.SH", "600002.SH"), accepted.at
    )
    s.want("trades", ["600003.SH"])
    [sub] = step(s, now, now + CFG.linger_ms)
    trace = orjson.loads(sub)["trace"]
    refusal = orjson.dumps(
        {"traceId": trace, "code": 505, "msg": "Products quantity exceeds the limit：3 codes"}
    ).decode()
    assert isinstance(s.receive(refusal, now + 10), ErrorFrame)
    [refused] = s.take_outcomes()
    assert isinstance(refused, CodesRefused) and refused.codes == ("600003.SH",)
    assert isinstance(refused.error, PlanLimitError) and refused.error.code == 505
    assert "3 codes" in str(refused.error) and "upgrade the plan" in str(refused.error)
    # nothing is resent, over many budget windows and heartbeats; nothing ends
    assert step(s, now + 11, now + 30 * CFG.hold_ms) == []
    assert s.terminal is None and s.drop_reason is None and s.synced
    assert s.stats["refused"] == 1 and "1 refused" in s.describe_sync()
    # the three still held stream on: a push is a push
    assert s.receive(TRADE, now + 31 * CFG.hold_ms) is PUSH
    # a reconnect sends what is wanted, the refused code aside
    s.connection_lost(now + 32 * CFG.hold_ms)
    t = now + 33 * CFG.hold_ms
    s.connection_made(t)
    [again] = step(s, t, t + CFG.linger_ms)
    assert codes_of(again) == ["600000.SH", "600001.SH", "600002.SH"]
    # wanting it again is an explicit request: asked once more
    s.receive(ack_of(again), t + 5)
    s.want("trades", ["600003.SH"])
    [retry] = step(s, t + 6, t + 6 + CFG.linger_ms)
    assert codes_of(retry) == ["600003.SH"] and s.refused == {}


def test_a_plan_limit_without_a_request_to_blame_ends_the_session() -> None:
    s = session()
    s.connection_made(0)
    s.receive('{"code":505,"msg":"Products quantity exceeds the limit"}', 10)
    assert isinstance(s.terminal, PlanLimitError) and s.refused == {}


def test_a_refused_frame_of_several_codes_is_halved_until_only_the_excess_is_refused() -> None:
    s = session()
    s.connection_made(0)
    codes = [f"60000{i}.SH" for i in range(5)]
    s.want("trades", codes)
    [whole] = step(s, 0, CFG.linger_ms)
    assert codes_of(whole) == codes
    held: list[str] = []
    limit = 3
    sent = [whole]
    now = CFG.linger_ms
    while sent:  # a server that holds at most three codes and refuses a frame beyond them
        frame, sent = sent[0], sent[1:]
        f = orjson.loads(frame)
        cs = codes_of(frame)
        if len(set(held) | set(cs)) > limit:
            s.receive(orjson.dumps({"traceId": f["trace"], "code": 505, "msg": "x"}).decode(), now)
        else:
            held += cs
            s.receive(ack_of(frame), now)
        now += 1
        sent += step(s, now, now + CFG.linger_ms)
        now += CFG.linger_ms + 1
    assert sorted(held) == codes[:3]
    assert sorted(s.refused) == codes[3:]
    assert s.stats["sub_frames"] <= 1 + 2 * 4  # each halving asks each code at most once more
    assert s.synced and s.terminal is None
    assert step(s, now, now + 20 * CFG.hold_ms) == []
