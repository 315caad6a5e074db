"""Every built-in study against a plain-loop implementation of its formula, written here.

Each reference below is the formula as the studies' docstrings (and 通达信's formula editor, or the
textbook) write it, in Python loops over lists: no numpy windows, no TA-Lib, none of the package's
nodes. The last 100 of 800 bars must agree to 1e-9 after warm-up, in each convention. Where TA-Lib
defines the same study, it is a second witness.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import talib

from infoway_widgets import studies

from .conftest import assert_close

NAN = float("nan")
TAIL = 100
TOL = 1e-9


# ---- the formula text, in loops -------------------------------------------------------------
def cols(df: pd.DataFrame) -> tuple[list[float], ...]:
    return tuple(df[c].astype(float).tolist() for c in ("Open", "High", "Low", "Close", "Volume"))


def tdx_sma(x: list[float], n: int, m: int, start: float | None = None) -> list[float]:
    """通达信 SMA(X, N, M): Y = (M·X + (N − M)·Y′) / N; Y′ = ``start``, or Y = X on the first X."""
    out, y = [], start
    for v in x:
        if math.isnan(v):
            out.append(NAN)
            continue
        y = v if y is None else (m * v + (n - m) * y) / n
        out.append(y)
    return out


def ema_first(x: list[float], n: int) -> list[float]:
    """EMA(X, N) = SMA(X, N + 1, 2), from the first value."""
    return tdx_sma(x, n + 1, 2)


def ema_mean_seed(x: list[float], n: int) -> list[float]:
    """The textbook EMA: NaN for N − 1 values, then their mean, then α = 2/(N + 1)."""
    out: list[float] = []
    seen: list[float] = []
    y = None
    alpha = 2.0 / (n + 1)
    for v in x:
        if math.isnan(v):
            out.append(NAN)
            continue
        if y is None:
            seen.append(v)
            if len(seen) == n:
                y = sum(seen) / n
            out.append(NAN if y is None else y)
            continue
        y = alpha * v + (1 - alpha) * y
        out.append(y)
    return out


def wilder_mean_seed(x: list[float], n: int) -> list[float]:
    """Wilder's smoothing: the mean of the first N values, then Y = Y′ + (X − Y′)/N."""
    out: list[float] = []
    seen: list[float] = []
    y = None
    for v in x:
        if math.isnan(v):
            out.append(NAN)
            continue
        if y is None:
            seen.append(v)
            if len(seen) == n:
                y = sum(seen) / n
            out.append(NAN if y is None else y)
            continue
        y = y + (v - y) / n
        out.append(y)
    return out


def window(x: list[float], n: int, fn, partial: bool = False) -> list[float]:
    out = []
    defined = [i for i, v in enumerate(x) if not math.isnan(v)]
    first = defined[0] if defined else len(x)
    for i in range(len(x)):
        lo = i - n + 1
        if i < first or (lo < first and not partial):
            out.append(NAN)
            continue
        out.append(fn(x[max(lo, first) : i + 1]))
    return out


def mean(w: list[float]) -> float:
    return sum(w) / len(w)


def std(w: list[float], ddof: int) -> float:
    m = mean(w)
    return math.sqrt(sum((v - m) ** 2 for v in w) / (len(w) - ddof))


def ref(x: list[float], k: int) -> list[float]:
    return [x[i - k] if i >= k else NAN for i in range(len(x))]


def div(a: float, b: float, fill: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return NAN
    return a / b if b != 0 else fill


# ---- the studies, from their formulas -------------------------------------------------------
def ref_macd(c, fast, slow, signal, conv):
    ema = ema_first if conv == "cn" else ema_mean_seed
    f, s = ema(c, fast), ema(c, slow)
    dif = [a - b for a, b in zip(f, s)]
    dea = ema(dif, signal)
    k = 2.0 if conv == "cn" else 1.0
    return {"dif": dif, "dea": dea, "macd": [k * (a - b) for a, b in zip(dif, dea)]}


def ref_kdj(h, lo, c, n, m1, m2, conv):
    cn = conv == "cn"
    hh = window(h, n, max, partial=cn)
    ll = window(lo, n, min, partial=cn)
    rsv = [div((ci - b) * 100, a - b, 50.0) for ci, a, b in zip(c, hh, ll)]
    if cn:
        k = tdx_sma(rsv, m1, 1, start=50.0)
        d = tdx_sma(k, m2, 1, start=50.0)
    else:
        k = window(rsv, m1, mean)
        d = window(k, m2, mean)
    return {"k": k, "d": d, "j": [3 * a - 2 * b for a, b in zip(k, d)]}


def ref_rsi(c, periods):
    lc = ref(c, 1)
    up = [max(a - b, 0.0) if not math.isnan(b) else NAN for a, b in zip(c, lc)]
    mv = [abs(a - b) if not math.isnan(b) else NAN for a, b in zip(c, lc)]
    out = {}
    for p in periods:
        su, sm = tdx_sma(up, p, 1), tdx_sma(mv, p, 1)
        out[f"rsi{p}"] = [div(a * 100, b, 50.0) for a, b in zip(su, sm)]
    return out


def ref_boll(c, n, k, conv):
    ddof = 1 if conv == "cn" else 0
    mid = window(c, n, mean)
    sd = window(c, n, lambda w: std(w, ddof))
    return {
        "mid": mid,
        "upper": [a + k * b for a, b in zip(mid, sd)],
        "lower": [a - k * b for a, b in zip(mid, sd)],
    }


def ref_ma(c, periods):
    return {f"ma{p}": window(c, p, mean) for p in periods}


def ref_ema(c, periods, conv):
    ema = ema_first if conv == "cn" else ema_mean_seed
    return {f"ema{p}": ema(c, p) for p in periods}


def ref_vol(v, periods):
    return {"vol": list(v), **{f"ma{p}": window(v, p, mean) for p in periods}}


def ref_obv(c, v):
    out, total = [], 0.0
    for i in range(len(c)):
        if i == 0:
            total = v[0]
        elif c[i] > c[i - 1]:
            total += v[i]
        elif c[i] < c[i - 1]:
            total -= v[i]
        out.append(total)
    return {"obv": out}


def ref_wr(h, lo, c, periods, conv):
    cn = conv == "cn"
    out = {}
    for p in periods:
        hh, ll = window(h, p, max, partial=cn), window(lo, p, min, partial=cn)
        sign = 1.0 if cn else -1.0
        out[f"wr{p}"] = [
            div(sign * 100 * (a - ci), a - b, sign * 50) for a, b, ci in zip(hh, ll, c)
        ]
    return out


def ref_bias(c, periods):
    out = {}
    for p in periods:
        m = window(c, p, mean)
        out[f"bias{p}"] = [div((ci - a) * 100, a, 0.0) for ci, a in zip(c, m)]
    return out


def ref_cci(h, lo, c, n):
    tp = [(a + b + d) / 3 for a, b, d in zip(h, lo, c)]
    ma = window(tp, n, mean)
    md = window(tp, n, lambda w: sum(abs(v - mean(w)) for v in w) / len(w))
    return {"cci": [div(t - a, 0.015 * b, 0.0) for t, a, b in zip(tp, ma, md)]}


def ref_dmi(h, lo, c, n, m, conv):
    tr, pdm, mdm = [NAN], [NAN], [NAN]
    for i in range(1, len(c)):
        tr.append(max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(c[i - 1] - lo[i])))
        hd, ld = h[i] - h[i - 1], lo[i - 1] - lo[i]
        pdm.append(hd if hd > 0 and hd > ld else 0.0)
        mdm.append(ld if ld > 0 and ld > hd else 0.0)
    if conv == "cn":
        s_tr, s_p, s_m = (window(x, n, sum) for x in (tr, pdm, mdm))
    else:
        s_tr, s_p, s_m = (wilder_mean_seed(x, n) for x in (tr, pdm, mdm))
    pdi = [div(a * 100, b, 0.0) for a, b in zip(s_p, s_tr)]
    mdi = [div(a * 100, b, 0.0) for a, b in zip(s_m, s_tr)]
    dx = [div(abs(b - a) * 100, a + b, 0.0) for a, b in zip(pdi, mdi)]
    adx = window(dx, m, mean) if conv == "cn" else wilder_mean_seed(dx, m)
    back = ref(adx, m if conv == "cn" else m - 1)
    return {"pdi": pdi, "mdi": mdi, "adx": adx, "adxr": [(a + b) / 2 for a, b in zip(adx, back)]}


def ref_sar(h, lo, step, top):
    """Wilder's parabolic SAR as TA-Lib steps it (first direction from the first two bars)."""
    out = [NAN]
    down, up = lo[0] - lo[1], h[1] - h[0]
    long = not (down > 0 and up < down)
    sar, ep = (lo[0], h[1]) if long else (h[0], lo[1])
    af = step
    for i in range(1, len(h)):
        ph, pl = (h[i], lo[i]) if i == 1 else (h[i - 1], lo[i - 1])
        if long and lo[i] <= sar:
            long, sar = False, max(ep, ph, h[i])
            out.append(sar)
            af, ep = step, lo[i]
            sar = max(sar + af * (ep - sar), ph, h[i])
        elif long:
            out.append(sar)
            if h[i] > ep:
                ep, af = h[i], min(af + step, top)
            sar = min(sar + af * (ep - sar), pl, lo[i])
        elif h[i] >= sar:
            long, sar = True, min(ep, pl, lo[i])
            out.append(sar)
            af, ep = step, h[i]
            sar = min(sar + af * (ep - sar), pl, lo[i])
        else:
            out.append(sar)
            if lo[i] < ep:
                ep, af = lo[i], min(af + step, top)
            sar = max(sar + af * (ep - sar), ph, h[i])
    return {"sar": out}


CASES = {
    "ma": (lambda o, h, lo, c, v, conv: ref_ma(c, (5, 10, 20, 60))),
    "ema": (lambda o, h, lo, c, v, conv: ref_ema(c, (12, 50), conv)),
    "boll": (lambda o, h, lo, c, v, conv: ref_boll(c, 20, 2, conv)),
    "sar": (lambda o, h, lo, c, v, conv: ref_sar(h, lo, 0.02, 0.2)),
    "vol": (lambda o, h, lo, c, v, conv: ref_vol(v, (5, 10))),
    "macd": (lambda o, h, lo, c, v, conv: ref_macd(c, 12, 26, 9, conv)),
    "kdj": (lambda o, h, lo, c, v, conv: ref_kdj(h, lo, c, 9, 3, 3, conv)),
    "rsi": (lambda o, h, lo, c, v, conv: ref_rsi(c, (6, 12, 24))),
    "obv": (lambda o, h, lo, c, v, conv: ref_obv(c, v)),
    "wr": (lambda o, h, lo, c, v, conv: ref_wr(h, lo, c, (10, 6), conv)),
    "bias": (lambda o, h, lo, c, v, conv: ref_bias(c, (6, 12, 24))),
    "cci": (lambda o, h, lo, c, v, conv: ref_cci(h, lo, c, 14)),
    "dmi": (lambda o, h, lo, c, v, conv: ref_dmi(h, lo, c, 14, 6 if conv == "cn" else 14, conv)),
}


@pytest.mark.parametrize("conv", ["cn", "intl"])
@pytest.mark.parametrize("name", list(CASES))
def test_each_study_matches_its_formula(bars: pd.DataFrame, name: str, conv: str) -> None:
    got = getattr(studies, name)(bars, convention=conv)
    assert got.index.equals(bars.index)
    want = CASES[name](*cols(bars), conv)
    assert list(got.columns) == list(want)
    for col, values in want.items():
        expected = np.asarray(values)[-TAIL:]
        assert np.isfinite(expected).all(), f"{name}.{col}: still warming up at the tail"
        assert_close(got[col].to_numpy()[-TAIL:], expected, TOL)
        # the warm-up too: NaN exactly where the formula has no value yet
        assert np.array_equal(np.isnan(got[col].to_numpy()), np.isnan(np.asarray(values))), col


def test_the_conventions_differ_where_documented(bars: pd.DataFrame) -> None:
    cn, intl = studies.macd(bars, convention="cn"), studies.macd(bars, convention="intl")
    assert_close(cn["dif"].iloc[-TAIL:], intl["dif"].iloc[-TAIL:], 1e-9)  # the seed has faded
    assert_close(cn["macd"].iloc[-TAIL:], 2 * intl["macd"].iloc[-TAIL:], 1e-9)
    assert cn["dif"].notna().all() and intl["dif"].isna().sum() == 25
    b_cn, b_intl = studies.boll(bars, convention="cn"), studies.boll(bars, convention="intl")
    assert_close(b_cn["mid"], b_intl["mid"], 1e-12)
    width = ((b_cn["upper"] - b_cn["mid"]) / (b_intl["upper"] - b_intl["mid"])).dropna()
    flat = (b_intl["upper"] - b_intl["mid"]).dropna() == 0
    assert_close(width[~flat], math.sqrt(20 / 19), 1e-9)  # sample vs population deviation
    w_cn, w_intl = studies.wr(bars, convention="cn"), studies.wr(bars, convention="intl")
    assert_close(w_cn.iloc[-TAIL:], -w_intl.iloc[-TAIL:], 1e-12)
    assert_close(
        studies.rsi(bars, convention="cn"), studies.rsi(bars, convention="intl"), 0
    )  # the same recursion


# ---- TA-Lib, where it defines the same thing ---------------------------------------------------
def test_intl_forms_agree_with_ta_lib(bars: pd.DataFrame) -> None:
    _, h, lo, c, v = (np.asarray(x) for x in cols(bars))
    b = studies.boll(bars, convention="intl")
    upper, _, lower = talib.BBANDS(c, 20, 2, 2)
    assert_close(b["upper"], upper, 1e-9)
    assert_close(b["lower"], lower, 1e-9)
    assert_close(studies.ema(bars, convention="intl")["ema12"], talib.EMA(c, 12), 1e-9)
    assert_close(studies.ma(bars)["ma20"], talib.SMA(c, 20), 1e-9)
    assert_close(studies.sar(bars)["sar"], talib.SAR(h, lo, 0.02, 0.2), 1e-12)
    assert_close(studies.obv(bars)["obv"], talib.OBV(c, v), 1e-12)
    assert_close(studies.cci(bars)["cci"], talib.CCI(h, lo, c, 14), 1e-9)
    wr = studies.wr(bars, convention="intl")
    ok = (talib.MAX(h, 10) - talib.MIN(lo, 10)) != 0  # TA-Lib gives 0 for no range, we the midpoint
    assert_close(wr["wr10"][ok], talib.WILLR(h, lo, c, 10)[ok], 1e-9)
    slowk, slowd = talib.STOCH(h, lo, c, 9, 3, 0, 3, 0)
    k = studies.kdj(bars, convention="intl")
    spans = talib.MAX(h, 9) - talib.MIN(lo, 9)
    ok = ~np.isnan(slowd) & (talib.MIN(spans, 5) > 0)  # no flat window in what K and D average
    assert_close(k["k"][ok], slowk[ok], 1e-9)
    assert_close(k["d"][ok], slowd[ok], 1e-9)
    # recursive ones start from another seed, whose weight has faded by the tail
    r = studies.rsi(bars, convention="intl")
    assert_close(r["rsi12"].iloc[-TAIL:], talib.RSI(c, 12)[-TAIL:], 1e-9)
    d = studies.dmi(bars, convention="intl")
    assert_close(d["pdi"].iloc[-TAIL:], talib.PLUS_DI(h, lo, c, 14)[-TAIL:], 1e-9)
    assert_close(d["mdi"].iloc[-TAIL:], talib.MINUS_DI(h, lo, c, 14)[-TAIL:], 1e-9)
    assert_close(d["adx"].iloc[-TAIL:], talib.ADX(h, lo, c, 14)[-TAIL:], 1e-9)
    assert_close(d["adxr"].iloc[-TAIL:], talib.ADXR(h, lo, c, 14)[-TAIL:], 1e-9)
