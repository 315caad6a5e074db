"""The two sessions talking to each other through integer time, no sockets: what the client
wants is what the server ends up holding, and the server never has to close the connection.

(The session tests over sockets use an independent fake server, so that a bug shared by these
two sessions cannot pass there.)
"""

from __future__ import annotations

import random

from infoway_widgets.errors import PlanLimitError
from infoway_widgets.protocol.client import ClientConfig, ClientSession
from infoway_widgets.protocol.server import Close, Refuse, Send, ServerSession

SCALE = 100.0


def test_random_subscriptions_converge_and_never_trip_the_server() -> None:
    rnd = random.Random(11)
    codes = [f"{600000 + i}.SH" for i in range(200)]
    client = ClientSession(
        ClientConfig.scaled(SCALE, codes_per_frame=2), name="stock", rng=random.Random(2)
    )
    server = ServerSession(
        "stock",
        lambda c: c if c.endswith(".SH") else None,
        0,
        window_ms=round(60_000 / SCALE),
        idle_ms=round(60_000 / SCALE),
    )
    client.connection_made(0)
    now = 0
    closes: list[Close] = []
    for round_ in range(400):
        for _ in range(rnd.randint(0, 6)):
            kind = rnd.choice(["trades", "depth", "candles"])
            cs = rnd.sample(codes, rnd.randint(1, 10))
            kts = [rnd.choice([1, 5, 8])] if kind == "candles" else []
            (client.want if rnd.random() < 0.65 else client.unwant)(kind, cs, kts or None)
        until = now + rnd.randint(1, 60)
        while now <= until:
            for frame in client.frames_to_send(now):
                for action in server.receive(frame, now):
                    if isinstance(action, Send):
                        client.receive(action.text, now)
                    elif isinstance(action, Close):
                        closes.append(action)
            closes += [a for a in server.poll(now) if isinstance(a, Close)]
            client.activity(now)  # pongs
            deadline = client.next_deadline()
            assert deadline is not None and deadline > now
            now = min(deadline, until + 1)
        assert not closes, (round_, closes)
    # let it settle, then both ends agree
    for _ in range(2_000):
        if client.synced:
            break
        for frame in client.frames_to_send(now):
            for action in server.receive(frame, now):
                if isinstance(action, Send):
                    client.receive(action.text, now)
        client.activity(now)
        now = client.next_deadline() or now + 1
    assert client.synced and not closes
    wanted = client.subscriptions
    held = server.held
    assert {c for k, _, c in held if k == "trades"} == set(wanted["trades"])
    assert {c for k, _, c in held if k == "depth"} == set(wanted["depth"])
    assert {(kt, c) for k, kt, c in held if k == "candles"} == {
        (kt, c) for kt, cs in wanted["candles"].items() for c in cs
    }
    assert client.stats["heartbeats"] > 10
    # the budget was the limit for a while (the client keeps a margin below the server's 60)
    assert 50 <= client.stats["max_frames_in_window"] <= 60, client.stats


def test_a_per_client_code_limit_refuses_only_the_codes_beyond_it() -> None:
    """A server that holds at most three codes per client, a client that wants five across two
    kinds: three stream, two are refused (and said so), nothing is resent, nothing closes."""
    client = ClientSession(ClientConfig.scaled(SCALE), name="stock", rng=random.Random(4))
    server = ServerSession(
        "stock",
        lambda c: c,
        0,
        window_ms=round(60_000 / SCALE),
        idle_ms=round(60_000 / SCALE),
        max_codes=3,
    )
    client.connection_made(0)
    client.want("trades", ["600000.SH", "600001.SH", "600002.SH", "600003.SH"])
    client.want("depth", ["600000.SH", "600009.SH"])
    now, sub_frames, closes = 0, [], []
    end = 40 * round(60_000 / SCALE)  # forty budget windows
    while now <= end:
        for frame in client.frames_to_send(now):
            if '"code":10010' not in frame:
                sub_frames.append((now, frame))
            for action in server.receive(frame, now):
                if isinstance(action, (Send, Refuse)):
                    client.receive(action.text, now)
                elif isinstance(action, Close):
                    closes.append(action)
        closes += [a for a in server.poll(now) if isinstance(a, Close)]
        client.activity(now)
        deadline = client.next_deadline()
        assert deadline is not None and deadline > now
        now = deadline
    assert not closes and client.terminal is None and client.synced
    held = {c for _, _, c in server.held}
    refused = client.refused
    assert len(held) == 3 and set(refused).isdisjoint(held)
    assert held | set(refused) == {"600000.SH", "600001.SH", "600002.SH", "600003.SH", "600009.SH"}
    assert all(isinstance(e, PlanLimitError) and e.code == 505 for e in refused.values())
    # every subscription frame went out while the limit was being found, none afterwards
    assert sub_frames and max(t for t, _ in sub_frames) < 2 * round(60_000 / SCALE)
