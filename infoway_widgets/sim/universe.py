"""The default simulated universe: one or more names per market, with bilingual names.

Each entry also carries the parameters of its price process (start price, volatility, trading
rate, typical order size), chosen to look like the real instrument, not to forecast it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..market import Instrument, parse_symbol


@dataclass(frozen=True)
class Profile:
    """One simulated instrument: identity and price-process parameters.

    Parameters
    ----------
    inst : Instrument
    name_cn, name_en : str
    price : float
        Price at the start of the simulated history.
    vol : float
        Annualised volatility (fraction).
    beta : float
        Loading on the market's common factor (0..1).
    rate : float
        Mean trades per second of continuous trading.
    size : float
        Median order size in volume units (shares, coins, ounces).
    group : str
        Which common factor drives it (one per market).
    """

    inst: Instrument
    name_cn: str
    name_en: str
    price: float
    vol: float
    beta: float
    rate: float
    size: float
    group: str


def _p(
    code: str, cn: str, en: str, price: float, vol: float, beta: float, rate: float, size: float
) -> Profile:
    inst = parse_symbol(code, name=cn)
    return Profile(inst, cn, en, price, vol, beta, rate, size, inst.market)


def default_profiles() -> list[Profile]:
    """Every market once or more: A-shares (main, ChiNext, STAR, ST), HK, US, crypto, FX, gold."""
    return [
        _p("600519.SH", "贵州茅台", "Kweichow Moutai", 1480.0, 0.24, 0.6, 0.6, 200),
        _p("000001.SZ", "平安银行", "Ping An Bank", 11.50, 0.22, 0.7, 1.0, 20000),
        _p("300750.SZ", "宁德时代", "CATL", 252.0, 0.40, 0.6, 0.8, 800),
        _p("688981.SH", "中芯国际", "SMIC", 88.0, 0.50, 0.5, 0.9, 1500),
        _p("600200.SH", "*ST 示范", "*ST Demo", 3.20, 0.45, 0.3, 0.4, 6000),
        _p("00700.HK", "腾讯控股", "Tencent", 482.0, 0.30, 0.6, 0.8, 400),
        _p("AAPL.US", "苹果", "Apple", 231.0, 0.25, 0.6, 2.0, 100),
        _p("BTCUSDT", "比特币/泰达币", "Bitcoin / Tether", 95000.0, 0.55, 0.8, 3.0, 0.02),
        _p("USDCNY", "美元/人民币", "US dollar / Chinese yuan", 7.15, 0.04, 0.3, 1.0, 100000),
        _p("XAUUSD", "黄金/美元", "Gold / US dollar", 2650.0, 0.15, 0.3, 1.5, 10),
    ]


def stable_int(*parts: object) -> int:
    """A 63-bit integer from ``parts`` that is the same in every process (unlike ``hash``)."""
    h = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") >> 1


def extra_profiles(n: int, taken: set[str]) -> list[Profile]:
    """``n`` generated A-shares (Shanghai 603xxx and Shenzhen 002xxx alternately), named 模拟/Sim."""
    out: list[Profile] = []
    i = 0
    while len(out) < n:
        code = f"{603000 + i // 2:06d}.SH" if i % 2 == 0 else f"{2000 + i // 2:06d}.SZ"
        i += 1
        if code in taken:
            continue
        h = stable_int("extra", code)
        price = 5.0 + (h % 9500) / 100.0
        vol = 0.25 + (h >> 20) % 25 / 100.0
        k = len(out) + 1
        out.append(_p(code, f"模拟股份{k}", f"Sim Holdings {k}", price, vol, 0.5, 0.5, 3000))
    return out
