"""What the studies accept, what they refuse (with a message saying what to pass), and which
convention ``None`` picks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from infoway_widgets import BadParameterError, studies
from infoway_widgets.studies import REGISTRY, convention_for

from .conftest import assert_close, walk_bars


def test_any_column_case_gives_the_same_numbers() -> None:
    df = walk_bars(200)
    want = studies.kdj(df)
    assert_close(studies.kdj(df.rename(columns=str.lower)), want, 0)
    assert_close(studies.kdj(df.rename(columns=str.upper)), want, 0)
    # volume is optional where a study does not read it
    assert_close(studies.macd(df.drop(columns="Volume")), studies.macd(df), 0)


def test_too_few_bars_says_how_many_and_what_to_pass() -> None:
    with pytest.raises(
        BadParameterError, match=r"at least 26 bars and the frame has 10.*longer history"
    ):
        studies.macd(walk_bars(10))
    with pytest.raises(BadParameterError, match="at least 20 bars"):
        studies.boll(walk_bars(300).iloc[:19])


def test_a_missing_column_names_it_and_the_columns_there_are() -> None:
    df = walk_bars(100)
    with pytest.raises(BadParameterError, match=r"needs a 'high' column.*Open, Low, Close, Volume"):
        studies.kdj(df.drop(columns="High"))
    with pytest.raises(BadParameterError, match="needs a 'volume' column"):
        studies.obv(df.drop(columns="Volume"))


def test_nan_volume_says_where_and_how_to_fill() -> None:
    df = walk_bars(100)
    df.iloc[40, df.columns.get_loc("Volume")] = np.nan
    with pytest.raises(BadParameterError, match=r"'Volume' has 1 NaN.*dropna\(\) or df.ffill\(\)"):
        studies.vol(df)
    with pytest.raises(BadParameterError, match="NaN"):
        studies.obv(df)
    studies.macd(df)  # the close is all there: MACD does not read the volume


def test_bad_arguments_are_refused_with_the_fix() -> None:
    df = walk_bars(100)
    with pytest.raises(BadParameterError, match="DataFrame of bars"):
        studies.rsi(df["Close"])  # type: ignore[arg-type]
    with pytest.raises(BadParameterError, match="convention='cn', 'intl', or None"):
        studies.boll(df, convention="tdx")
    with pytest.raises(BadParameterError, match="fast=26 must be shorter than slow=12"):
        studies.macd(df, fast=26, slow=12)
    with pytest.raises(BadParameterError, match="whole number of bars"):
        studies.rsi(df, periods=(6, 0))
    with pytest.raises(BadParameterError, match="whole number of bars"):
        studies.boll(df, n=2.5)
    with pytest.raises(BadParameterError, match="takes fast, slow, signal, not window"):
        REGISTRY["macd"].start("cn", window=3)
    df2 = df.astype({"Close": object})
    df2.iloc[3, df2.columns.get_loc("Close")] = "n/a"
    with pytest.raises(BadParameterError, match="not numbers"):
        studies.ma(df2)


def test_a_run_refuses_missing_or_ragged_arrays() -> None:
    run = REGISTRY["kdj"].start("cn")
    with pytest.raises(BadParameterError, match="pass the bars' high"):
        run.extend(None, None, [1.0], [1.0])
    with pytest.raises(BadParameterError, match="differ in length"):
        run.extend(None, [1.0, 2.0], [1.0], [1.0])
    with pytest.raises(BadParameterError, match="pass the bar's volume"):
        REGISTRY["obv"].start("cn").peek(1.0, 1.0, 1.0, 1.0)


def test_convention_none_picks_by_the_frames_symbol() -> None:
    assert convention_for("600519.SH") == "cn"
    assert convention_for("00700.HK") == "cn"
    assert convention_for("AAPL.US") == "intl"
    assert convention_for("BTCUSDT") == "intl"
    assert convention_for(None) == "intl"
    assert convention_for("not a code!") == "intl"
    df = walk_bars(200)
    cn, intl = studies.macd(df, convention="cn"), studies.macd(df, convention="intl")
    df.attrs["symbol"] = "600519.SH"
    assert_close(studies.macd(df, convention=None), cn, 0)
    df.attrs["symbol"] = "AAPL.US"
    assert_close(studies.macd(df, convention=None), intl, 0)
    assert_close(studies.macd(df.copy().drop(columns=[]).pipe(_no_attrs), convention=None), intl, 0)


def _no_attrs(df: pd.DataFrame) -> pd.DataFrame:
    df.attrs.clear()
    return df


def test_outputs_stay_on_the_frames_index_with_gaps() -> None:
    df = walk_bars(300)
    for name in REGISTRY:
        out = getattr(studies, name)(df)
        assert out.index.equals(df.index), name
        assert out.dtypes.eq(np.float64).all(), name
