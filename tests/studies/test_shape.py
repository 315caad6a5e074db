"""The registry and the StudyRun shape a chart codes against."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import infoway_widgets as iw
from infoway_widgets.studies import REGISTRY, StudyRun, StudySpec

BUILT_IN = [
    "ma",
    "ema",
    "boll",
    "sar",
    "vol",
    "macd",
    "kdj",
    "rsi",
    "obv",
    "wr",
    "bias",
    "cci",
    "dmi",
]


def _frame(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    h = c * (1 + abs(rng.normal(0, 0.004, n)))
    lo = c * (1 - abs(rng.normal(0, 0.004, n)))
    v = rng.integers(1, 50, n) * 100.0
    return pd.DataFrame(
        {"open": (h + lo) / 2, "high": h, "low": lo, "close": c, "volume": v},
        index=pd.date_range("2026-01-05", periods=n, freq="D", tz="Asia/Shanghai"),
    )


def test_every_built_in_is_registered_with_its_pane_and_outputs() -> None:
    assert list(REGISTRY) == BUILT_IN
    panes = {name: spec.pane for name, spec in REGISTRY.items()}
    assert {n for n, p in panes.items() if p == "price"} == {"ma", "ema", "boll", "sar"}
    assert panes["vol"] == "volume"
    assert REGISTRY["macd"].outputs == ("dif", "dea", "macd")
    assert REGISTRY["kdj"].outputs == ("k", "d", "j")
    assert REGISTRY["rsi"].outputs == ("rsi6", "rsi12", "rsi24")
    assert REGISTRY["boll"].outputs == ("mid", "upper", "lower")
    assert REGISTRY["dmi"].outputs == ("pdi", "mdi", "adx", "adxr")
    for spec in REGISTRY.values():
        assert isinstance(spec, StudySpec)
        assert spec.title_in("zh") and spec.title_in("en") and spec.label == spec.name.upper()
        for conv in ("cn", "intl"):
            assert spec.columns(conv) == spec.outputs


def test_defaults_follow_the_convention() -> None:
    assert REGISTRY["macd"].defaults("cn") == {"fast": 12, "slow": 26, "signal": 9}
    assert REGISTRY["dmi"].defaults("cn") == {"n": 14, "m": 6}
    assert REGISTRY["dmi"].defaults("intl") == {"n": 14, "m": 14}
    assert REGISTRY["ma"].columns("cn", periods=(7, 30)) == ("ma7", "ma30")


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_run_extends_and_peeks_with_the_frame_functions_numbers(name: str) -> None:
    df = _frame()
    spec = REGISTRY[name]
    full = spec.compute(df, "cn")
    assert list(full.columns) == list(spec.outputs) and full.index.equals(df.index)
    run = spec.start("cn")
    assert isinstance(run, StudyRun)
    cols = [df[f].to_numpy() for f in ("open", "high", "low", "close", "volume")]
    head = run.extend(*(x[:-1] for x in cols))
    assert head.shape == (len(df) - 1, len(spec.outputs))
    forming = run.peek(*(float(x[-1]) for x in cols))
    assert forming.shape == (len(spec.outputs),)
    np.testing.assert_allclose(forming, full.to_numpy()[-1], rtol=1e-12)
    assert run.bars == len(df) - 1  # peek committed nothing
    np.testing.assert_allclose(run.peek(*(float(x[-1]) for x in cols)), forming, rtol=0)


def test_the_package_face_resolves_studies_lazily() -> None:
    assert iw.studies.macd is not None
    assert "macd" in iw.studies.__all__


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_fresh_run_prices_a_first_forming_bar(name: str) -> None:
    run = REGISTRY[name].start("cn")
    first = run.peek(10.0, 10.5, 9.5, 10.2, 1000.0)
    assert first.shape == (len(run.outputs),) and run.bars == 0
    # what the whole-frame function says of a one-bar frame (allowed below min_bars on a run)
    one = run.extend([10.0], [10.5], [9.5], [10.2], [1000.0])
    np.testing.assert_array_equal(np.isnan(first), np.isnan(one[0]))
    np.testing.assert_allclose(first, one[0], rtol=1e-12)


def test_start_without_a_convention_is_intl() -> None:
    assert REGISTRY["macd"].start(None).convention == "intl"  # type: ignore[arg-type]
    assert REGISTRY["dmi"].start("intl").params == {"n": 14, "m": 14}


def test_start_from_gives_the_frame_and_a_run_that_goes_on_from_it() -> None:
    df = _frame(200)
    run, frame = REGISTRY["kdj"].start_from(df.iloc[:150], "cn")
    assert run.bars == 150
    cols = [df[f].to_numpy()[150:] for f in ("open", "high", "low", "close", "volume")]
    rest = run.extend(*cols)
    np.testing.assert_allclose(
        np.vstack([frame.to_numpy(), rest]),
        REGISTRY["kdj"].compute(df, "cn").to_numpy(),
        rtol=1e-12,
    )
    # a chart's short history: NaN until the window fills instead of an error
    run, short = REGISTRY["boll"].start_from(df.iloc[:5], "cn", min_bars=False)
    assert short["mid"].isna().all() and run.bars == 5


def test_a_run_is_labelled_as_trading_software_writes_it() -> None:
    assert REGISTRY["macd"].start("cn").label == "MACD(12,26,9)"
    assert REGISTRY["rsi"].start("cn").label == "RSI(6,12,24)"
    assert REGISTRY["boll"].start("cn", k=2.5).label == "BOLL(20,2.5)"
    assert REGISTRY["sar"].start("cn").label == "SAR(0.02,0.2)"
    assert REGISTRY["obv"].start("cn").label == "OBV"
