"""Checks shared by the relay tests."""

from __future__ import annotations

from collections import defaultdict

from .conftest import key_of, until

SYMS = ["600519.SH", "000001.SZ", "300750.SZ", "688981.SH", "600200.SH"]


class Tap:
    """Every push frame a relay received from its upstream, per (kind, code, klineType)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple, list[str]] = defaultdict(list)

    def __call__(self, business: str, frame: str) -> None:
        k = key_of(frame)
        if k is not None:
            self.by_key[k].append(frame)

    def mark(self) -> dict[tuple, int]:
        return {k: len(v) for k, v in self.by_key.items()}


async def subscribe_raw(client, i: int) -> set[tuple]:
    """Client ``i`` subscribes a mix of trades, depth and 1m candles; returns its push keys."""
    a, b = SYMS[i % len(SYMS)], SYMS[(i + 1) % len(SYMS)]
    t1 = await client.send(10000, {"codes": f"{a},{b}"})
    keys = {(10002, a, 0), (10002, b, 0)}
    traces = [t1]
    if i % 3 == 0:
        traces.append(await client.send(10003, {"codes": a}))
        keys.add((10005, a, 0))
    if i % 5 == 0:
        traces.append(await client.send(10006, {"arr": [{"type": 1, "codes": b}]}))
        keys.add((10008, b, 1))
    for t in traces:
        await client.wait_control(lambda c, t=t: f'"trace":"{t}"' in c and '"ok"' in c)
    return keys


async def check_every_push(clients_keys, tap: Tap, since: dict[tuple, int], timeout: float = 15.0):
    """Each client received every upstream push of its subscriptions after ``since``: the same
    frames (byte for byte), in the same order, none doubled, none missing."""
    end = tap.mark()
    checked = 0
    for client, keys in clients_keys:
        for k in keys:
            want = tap.by_key[k][since.get(k, 0) : end.get(k, 0)]
            assert want, f"no upstream frames for {k} in the window"

            def have_all(client=client, k=k, want=want) -> bool:
                got = client.by_key[k]
                return want[0] in got and len(got) - got.index(want[0]) >= len(want)

            await until(have_all, timeout, f"client frames for {k}", client.changed)
            got = client.by_key[k]
            i = got.index(want[0])
            assert got[i : i + len(want)] == want, f"{k}: frames differ, out of order or doubled"
            checked += len(want)
    return checked
