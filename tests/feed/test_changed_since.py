"""``BarStore.changed_since`` reads only the tail a version touched, and still names every bar
touched after it: checked against the whole ``rev`` column over random writes of every kind."""

import numpy as np

from infoway_widgets.feed.stores import BarStore
from infoway_widgets.market import parse_symbol

A = parse_symbol("BTCUSDT")
M = 60_000


def _every(st, version):
    return st.t[st.rev > version].tolist()


def test_changed_since_names_every_bar_touched_after_a_version():
    rng = np.random.default_rng(4)
    st = BarStore(A, "1m", capacity=300)
    t0 = 1_700_000_000_000 - 1_700_000_000_000 % M
    n = 200
    st.merge(
        t0 + M * np.arange(n), *np.ones((5, n)), np.ones(n), settled=True
    )  # history, appended in bulk
    readers = [st.version]
    newest = t0 + M * (n - 1)
    for step in range(3000):
        kind = rng.integers(0, 10)
        if kind < 6:  # a live trade into the forming bar, or a new one
            if rng.random() < 0.05:
                newest += M
            st.fold(newest, 1.0, 1.2, 0.9, 1.1, 2.0, 2.2, newest + 1)
        elif kind < 7:  # a late trade into an older bar
            st.fold(newest - M * int(rng.integers(1, 150)), 1.0, 1.3, 0.8, 1.0, 1.0, 1.0, 0)
        elif kind < 8:  # a candle for some bar, maybe a missing one in the middle
            t = newest - M * int(rng.integers(0, 250)) + (M // 2 if rng.random() < 0.1 else 0)
            st.upsert(t, 1.0, 1.5, 0.5, 1.0, 3.0, 3.0, settled=bool(rng.random() < 0.5))
        elif kind < 9:  # a settlement merge of a few bars
            ts = newest - M * rng.integers(1, 100, 4)
            st.merge(ts, *rng.uniform(1, 2, (5, 4)), np.ones(4), settled=True)
        else:  # a reader takes a frame
            readers.append(st.version)
        for v in readers[-5:]:
            assert st.changed_since(v)["t"].tolist() == _every(st, v), step
        assert len(st) <= 300
    st.clear()
    assert st.changed_since(readers[-1])["t"].tolist() == []
