"""A practice market from a recording (``feed.record(...)``): its minute bars, grouped by day.

The recording is played, all at once, into a detached feed watching the symbol's minute bars;
the first recorded day is the context, the next ``days`` the round (fewer if the recording
holds fewer).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import BadParameterError
from ..feed import Feed
from ..feed.replay import Replay
from ..market import parse_interval
from ..market.sessions import local_date
from ..practice.market import COLUMNS, PracticeMarket
from ..sim.bars import aggregate_minutes
from ..sim.history import Bars


async def recorded_market(
    path: str | os.PathLike[str], symbol: str, *, days: int = 1, interval: str = "1m"
) -> PracticeMarket:
    """The practice market of ``symbol`` in the recording at ``path``.

    Raises
    ------
    BadParameterError
        The recording holds no bars of ``symbol``, or fewer than two trading days of them (one
        to show before the round, one to play).
    """
    feed = Feed.detached()
    try:
        inst = feed.instrument(symbol)
        watch = feed.watch(inst.code, intervals=("1m",))
        replay = Replay(path, speed=10_000)
        replay.attach(feed)
        replay.seek(replay.end_ms)
        await replay.aclose()
        store = feed.bar_store(inst.code, "1m")
        a = store.arrays() if len(store) else None
        watch.close()
    finally:
        await feed.aclose()
    if a is None:
        raise BadParameterError(
            f"the recording {str(path)!r} holds no minute bars of {inst.code}: record a feed that "
            f"watched it (e.g. a CandleChart of {inst.code}), or pick a symbol it holds"
        )
    t = a["t"].astype(np.int64)
    dates = [local_date(inst, int(x)) for x in t]
    uniq = sorted(set(dates))
    if len(uniq) < 2:
        raise BadParameterError(
            f"the recording {str(path)!r} holds one trading day of {inst.code}; a practice round "
            "needs two (the day before, shown, and a day to play): record across two sessions"
        )
    uniq = uniq[: 1 + max(1, days)]
    iv = parse_interval(interval)
    cols: dict[str, list[np.ndarray]] = {c: [] for c in COLUMNS}
    day_idx: list[np.ndarray] = []
    prev: list[float] = []
    last_close = float(a["open"][0])
    keys = {"o": "open", "h": "high", "l": "low", "c": "close", "v": "volume", "vw": "turnover"}
    for d, day in enumerate(uniq):
        sel = np.array([x == day for x in dates])
        b = Bars(t[sel], *(a[keys[c]][sel] for c in COLUMNS[1:]))
        if iv.name != "1m":
            b = aggregate_minutes(inst, iv, b)
        for c in COLUMNS:
            cols[c].append(np.asarray(getattr(b, c), dtype=np.float64))
        day_idx.append(np.full(len(b), d, dtype=np.int64))
        prev.append(last_close)
        last_close = float(b.c[-1])
    return PracticeMarket(
        inst=inst,
        interval=iv.name,
        bars={c: np.concatenate(cols[c]) for c in COLUMNS},
        day=np.concatenate(day_idx),
        days=tuple(uniq),
        prev_close=tuple(prev),
        first=len(day_idx[0]),
        source="recording",
    )


__all__ = ["recorded_market"]
