"""Technical studies (技术指标) on OHLCV DataFrames, with named conventions and incremental state.

Every study is a pure function of a bars frame (any column case: ``Open`` or ``open``) returning a
DataFrame on the frame's index::

    import infoway_widgets as iw
    df = iw.history("600519.SH", "1d", 250)
    iw.studies.macd(df)                      # dif, dea, macd (通达信: bar = 2 × (DIF − DEA))
    iw.studies.boll(df, convention="intl")   # Bollinger's population deviation

``convention="cn"`` follows 通达信 (the default for A-shares and Hong Kong), ``"intl"`` the
textbook forms, ``None`` picks by ``df.attrs["symbol"]``. Each function's docstring writes its
formula and says where the conventions differ.

For a live chart, :data:`REGISTRY` describes each study and ``spec.start(convention)`` gives a
:class:`StudyRun` that takes complete bars (``extend``) and prices the forming bar in O(1)
(``peek``), with the same numbers as the frame function. :class:`TailStudy` gives a user's own
function the same shape.
"""

from __future__ import annotations

from .conventions import CONVENTIONS, Convention, convention_for
from .directional import dmi
from .oscillators import bias, cci, kdj, macd, rsi, wr
from .registry import REGISTRY
from .run import StudyRun, StudySpec
from .tail import TailStudy
from .trend import boll, ema, ma, sar
from .volume import obv, vol

__all__ = [
    "CONVENTIONS",
    "REGISTRY",
    "Convention",
    "StudyRun",
    "StudySpec",
    "TailStudy",
    "bias",
    "boll",
    "cci",
    "convention_for",
    "dmi",
    "ema",
    "kdj",
    "ma",
    "macd",
    "obv",
    "rsi",
    "sar",
    "vol",
    "wr",
]
