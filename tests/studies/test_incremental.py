"""A live chart's path: ``extend`` on complete bars and ``peek`` on the forming one give the
numbers of the whole-frame function, for every study, to 1e-12."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from infoway_widgets.studies import REGISTRY, TailStudy

from .conftest import assert_close, walk_bars

FIELDS = ("Open", "High", "Low", "Close", "Volume")


def arrays(df: pd.DataFrame) -> list[np.ndarray]:
    return [df[f].to_numpy(dtype=float) for f in FIELDS]


@pytest.mark.parametrize("conv", ["cn", "intl"])
@pytest.mark.parametrize("name", list(REGISTRY))
def test_bar_by_bar_with_a_forming_bar_equals_the_whole_frame(name: str, conv: str) -> None:
    df = walk_bars(600, seed=11)
    spec = REGISTRY[name]
    full = spec.compute(df, conv).to_numpy()
    run = spec.start(conv)
    o, h, lo, c, v = arrays(df)
    live = np.empty_like(full)
    for i in range(len(df)):
        # the bar as it forms: first the open alone, then a move, then the final prices
        run.peek(o[i], o[i], o[i], o[i], 0.0)
        run.peek(o[i], max(o[i], c[i]), min(o[i], c[i]), c[i], v[i] / 2)
        forming = run.peek(o[i], h[i], lo[i], c[i], v[i])
        live[i] = run.extend(o[i : i + 1], h[i : i + 1], lo[i : i + 1], c[i : i + 1], v[i : i + 1])[
            0
        ]
        assert_close(forming, live[i], 1e-12)
    assert run.bars == len(df)
    assert_close(live, full, 1e-12)


@pytest.mark.parametrize("conv", ["cn", "intl"])
@pytest.mark.parametrize("name", list(REGISTRY))
def test_blocks_of_any_size_equal_the_whole_frame(name: str, conv: str) -> None:
    df = walk_bars(900, seed=5)
    spec = REGISTRY[name]
    full = spec.compute(df, conv).to_numpy()
    run = spec.start(conv)
    cuts = np.r_[
        0, np.sort(np.random.default_rng(2).choice(np.arange(1, 900), 25, replace=False)), 900
    ]
    cols = arrays(df)
    parts = [run.extend(*(x[a:b] for x in cols)) for a, b in itertools.pairwise(cuts)]
    assert_close(np.vstack(parts), full, 1e-12)
    assert run.extend(*(x[:0] for x in cols)).shape == (0, len(spec.outputs))


def test_a_run_with_non_default_parameters_and_lower_case_columns() -> None:
    df = walk_bars(300).rename(columns=str.lower)
    spec = REGISTRY["macd"]
    full = spec.compute(df, "intl", fast=5, slow=35, signal=5)
    run = spec.start("intl", fast=5, slow=35, signal=5)
    assert run.params == {"fast": 5, "slow": 35, "signal": 5}
    got = run.extend(None, None, None, df["close"].to_numpy())  # macd reads the close only
    assert_close(got, full.to_numpy(), 1e-12)


def test_tail_study_recomputes_the_declared_tail() -> None:
    df = walk_bars(400)
    fn = lambda bars: bars["close"].rolling(20).mean() - bars["close"].rolling(5).mean()  # noqa: E731
    whole = fn(df.rename(columns=str.lower)).to_numpy()
    tail = TailStudy(fn, lookback=20, name="spread")
    o, h, lo, c, v = arrays(df)
    t = (df.index.asi8 // 1_000_000).astype(np.int64)
    first = tail.extend(o[:300], h[:300], lo[:300], c[:300], v[:300], t=t[:300])
    assert tail.outputs == ("close",) and first.shape == (300, 1)
    assert_close(first[:, 0], whole[:300], 1e-12)
    for i in range(300, 400):
        bar = (o[i], h[i], lo[i], c[i], v[i])
        assert_close(tail.peek(*bar, t=t[i]), [whole[i]], 1e-12)
        assert_close(
            tail.extend(*(np.array([x]) for x in bar), t=t[i : i + 1])[0], [whole[i]], 1e-12
        )
    assert tail.bars == 400


def test_tail_study_exceptions_leave_the_state_alone() -> None:
    calls = []

    def fn(bars: pd.DataFrame) -> pd.DataFrame:
        calls.append(len(bars))
        if bars["close"].iloc[-1] < 0:
            raise ZeroDivisionError("boom")
        return pd.DataFrame({"a": bars["close"] * 2, "b": bars["high"]})

    tail = TailStudy(fn, lookback=3)
    tail.extend([1, 2], [1, 2], [1, 2], [1, 2])
    with pytest.raises(ZeroDivisionError):
        tail.peek(1, 1, 1, -1)
    with pytest.raises(ZeroDivisionError):
        tail.extend([1], [1], [1], [-1])
    assert tail.bars == 2
    assert tail.outputs == ("a", "b")
    np.testing.assert_array_equal(tail.peek(5, 6, 4, 5), [10.0, 6.0])
    assert calls[-1] == 3  # two kept bars and the forming one


def _state_size(obj: object, seen: set[int] | None = None) -> int:
    """Numbers a run holds: the lengths of every array and list in its state, recursively."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.size
    if isinstance(obj, (list, tuple)):
        return len(obj) + sum(_state_size(x, seen) for x in obj)
    if hasattr(obj, "__dict__"):
        return sum(_state_size(v, seen) for v in vars(obj).values())
    return 0


@pytest.mark.parametrize("name", list(REGISTRY))
def test_the_state_a_forming_bar_reads_does_not_grow_with_history(name: str) -> None:
    """What makes ``peek`` flat in history length: a run keeps the same few numbers after 1,000
    bars as after 20,000 (windows keep n − 1 values, recursions one)."""
    sizes = []
    for n in (1_000, 20_000):
        run = REGISTRY[name].start("cn")
        run.extend(*arrays(walk_bars(n, seed=n)))
        sizes.append(_state_size(run))
    assert sizes[0] == sizes[1] < 400, sizes


def test_tail_study_without_times_numbers_the_bars() -> None:
    seen: list[list[int]] = []

    def fn(bars: pd.DataFrame) -> pd.Series:
        seen.append(list(bars.index))
        return bars["close"] - bars["open"]

    tail = TailStudy(fn, lookback=2, name="body")
    tail.extend([1.0, 2.0, 3.0], [1, 2, 3], [1, 2, 3], [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(tail.peek(4.0, 5.0, 3.0, 4.5), [0.5])
    assert seen == [[0, 1, 2], [2, 3]] and tail.outputs == ("body",)
