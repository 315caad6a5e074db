"""What a symbol is: code parsing and validation, exchange, channel, timezone, tick, lot, price limits."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..errors import InvalidSymbolError


@dataclass(frozen=True)
class Session:
    """A trading session in exchange-local wall time, ``start <= t < end``."""

    start: dt.time
    end: dt.time


def _t(s: str) -> dt.time:
    h, m = s.split(":")
    return dt.time(int(h), int(m))


CN_SESSIONS = (Session(_t("09:30"), _t("11:30")), Session(_t("13:00"), _t("15:00")))
CN_AUCTION = Session(_t("09:15"), _t("09:25"))
HK_SESSIONS = (Session(_t("09:30"), _t("12:00")), Session(_t("13:00"), _t("16:00")))
HK_AUCTION = Session(_t("09:00"), _t("09:20"))
US_SESSIONS = (Session(_t("09:30"), _t("16:00")),)

# HKEX tick-size table (Part A spread table): (upper bound exclusive, tick)
_HK_TICKS = (
    (0.25, 0.001),
    (0.5, 0.005),
    (10, 0.01),
    (20, 0.02),
    (100, 0.05),
    (200, 0.1),
    (500, 0.2),
    (1000, 0.5),
    (2000, 1.0),
    (5000, 2.0),
    (float("inf"), 5.0),
)

CRYPTO_QUOTES = ("USDT", "USDC", "FDUSD", "BUSD", "USD", "BTC", "ETH")
FX_CURRENCIES = frozenset(
    [
        "USD",
        "EUR",
        "JPY",
        "GBP",
        "CHF",
        "AUD",
        "NZD",
        "CAD",
        "CNY",
        "CNH",
        "HKD",
        "SGD",
        "SEK",
        "NOK",
        "DKK",
        "KRW",
        "INR",
        "TWD",
        "THB",
        "MXN",
        "ZAR",
        "TRY",
        "BRL",
        "PLN",
    ]
)
METALS = frozenset(["XAU", "XAG", "XPT", "XPD"])


@dataclass(frozen=True)
class Instrument:
    """Everything the client, the feed, the simulator and the widgets need to know about a code.

    Times are exchange-local in ``sessions``; ``tz`` names the IANA zone. ``price_limit`` is the
    daily limit as a fraction of the previous close (A-shares), or None where there is none.
    """

    code: str
    market: str  # "CN", "HK", "US", "CRYPTO", "FX"
    exchange: str  # "SSE", "SZSE", "BSE", "HKEX", "US", "CRYPTO", "FX"
    business: str  # WebSocket business channel: "stock", "crypto", "common"
    rest_prefix: str  # REST path prefix: "stock", "crypto", "common"
    symbol_type: str  # /common/basic/symbols?type=...
    tz: str
    sessions: tuple[Session, ...]  # empty for 24-hour markets
    auction: Session | None
    calendar: str | None  # exchange-calendars name; None = every day; "24/5" = Mon-Fri
    lot_size: float
    price_limit: float | None
    board: str  # "main", "chinext", "star", "bse", "etf", ... or "" where boards do not apply
    st: bool = False
    up_color: str = "green"  # "red" for the mainland-China convention
    currency: str = ""
    fixed_tick: float | None = None  # None: price-dependent (HK)
    name: str | None = field(default=None, compare=False)

    # ---- prices -------------------------------------------------------------------------
    def tick_size(self, price: float | None = None) -> float:
        """Minimum price step at ``price``."""
        if self.fixed_tick is not None:
            return self.fixed_tick
        p = abs(price or 0.0)
        for bound, tick in _HK_TICKS:
            if p < bound:
                return tick
        return _HK_TICKS[-1][1]  # pragma: no cover

    @property
    def price_decimals(self) -> int:
        t = self.fixed_tick if self.fixed_tick is not None else 0.001
        return max(0, -Decimal(repr(t)).normalize().as_tuple().exponent)  # type: ignore[operator]

    def round_price(self, price: float) -> float:
        """Round to the nearest tick (half up), as exchanges do for limit prices."""
        tick = Decimal(repr(float(self.tick_size(price))))
        q = (Decimal(repr(float(price))) / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP) * tick
        return float(q)

    def price_limits(self, prev_close: float) -> tuple[float, float] | None:
        """(limit-down, limit-up) for the day, from the previous close; None where no limit applies.

        Exchange rule: prev_close × (1 ± limit), rounded half-up to the 0.01 tick.
        """
        if self.price_limit is None or not prev_close or prev_close <= 0:
            return None
        pc = Decimal(repr(float(prev_close)))
        lim = Decimal(repr(self.price_limit))
        cent = Decimal("0.01")
        up = (pc * (1 + lim)).quantize(cent, rounding=ROUND_HALF_UP)
        down = (pc * (1 - lim)).quantize(cent, rounding=ROUND_HALF_UP)
        return float(max(down, cent)), float(up)

    # ---- display --------------------------------------------------------------------------
    @property
    def red_up(self) -> bool:
        return self.up_color == "red"

    @property
    def is_24h(self) -> bool:
        return not self.sessions

    def with_name(self, name: str | None) -> Instrument:
        """A copy carrying a display name; a name starting with ST / *ST marks a special-treatment stock."""
        from dataclasses import replace

        st = self.st or is_st_name(name)
        inst = replace(self, name=name)
        if st and not self.st:
            inst = _cn_instrument(self.code, st=True, name=name)
        return inst


def is_st_name(name: str | None) -> bool:
    if not name:
        return False
    n = name.strip().upper().replace(" ", "")
    return n.startswith("ST") or n.startswith("*ST") or n.startswith("S*ST")


# ------------------------------------------------------------------------------------------
# Constructors per market
# ------------------------------------------------------------------------------------------
def _cn_board(num: str, suffix: str) -> tuple[str, float | None, float]:
    """(board, price limit, tick) for a six-digit mainland code."""
    if suffix == "BJ":
        return "bse", 0.30, 0.01
    if num.startswith(("688", "689")):
        return "star", 0.20, 0.01
    if num.startswith(("300", "301")):
        return "chinext", 0.20, 0.01
    if num.startswith(("51", "56", "58", "15", "16", "18")):
        return "etf", 0.10, 0.001
    return "main", 0.10, 0.01


def _cn_instrument(code: str, *, st: bool = False, name: str | None = None) -> Instrument:
    num, suffix = code.split(".")
    board, limit, tick = _cn_board(num, suffix)
    if st and board == "main":
        limit = 0.05  # ST on the main board: ±5 %; ChiNext/STAR ST keep ±20 %
    return Instrument(
        code=code,
        market="CN",
        exchange={"SH": "SSE", "SZ": "SZSE", "BJ": "BSE"}[suffix],
        business="stock",
        rest_prefix="stock",
        symbol_type="STOCK_CN",
        tz="Asia/Shanghai",
        sessions=CN_SESSIONS,
        auction=CN_AUCTION,
        calendar="XSHG",
        lot_size=100,
        price_limit=limit,
        board=board,
        st=st,
        up_color="red",
        currency="CNY",
        fixed_tick=tick,
        name=name,
    )


def _hk_instrument(code: str) -> Instrument:
    return Instrument(
        code=code,
        market="HK",
        exchange="HKEX",
        business="stock",
        rest_prefix="stock",
        symbol_type="STOCK_HK",
        tz="Asia/Hong_Kong",
        sessions=HK_SESSIONS,
        auction=HK_AUCTION,
        calendar="XHKG",
        lot_size=100,
        price_limit=None,
        board="main",
        currency="HKD",
        fixed_tick=None,
    )


def _us_instrument(code: str) -> Instrument:
    return Instrument(
        code=code,
        market="US",
        exchange="US",
        business="stock",
        rest_prefix="stock",
        symbol_type="STOCK_US",
        tz="America/New_York",
        sessions=US_SESSIONS,
        auction=None,
        calendar="XNYS",
        lot_size=1,
        price_limit=None,
        board="",
        currency="USD",
        fixed_tick=0.01,
    )


def _crypto_instrument(code: str, quote: str) -> Instrument:
    return Instrument(
        code=code,
        market="CRYPTO",
        exchange="CRYPTO",
        business="crypto",
        rest_prefix="crypto",
        symbol_type="CRYPTO",
        tz="UTC",
        sessions=(),
        auction=None,
        calendar=None,
        lot_size=0.00001,
        price_limit=None,
        board="",
        currency=quote,
        fixed_tick=0.01 if quote in ("USDT", "USDC", "FDUSD", "BUSD", "USD") else 0.000001,
    )


def _fx_instrument(code: str) -> Instrument:
    base, quote = code[:3], code[3:]
    if base in METALS:
        tick = 0.01 if base == "XAU" else 0.001
        typ = "METAL"
    else:
        tick = 0.001 if "JPY" in (base, quote) else 0.0001
        typ = "FOREX"
    return Instrument(
        code=code,
        market="FX",
        exchange="FX",
        business="common",
        rest_prefix="common",
        symbol_type=typ,
        tz="UTC",
        sessions=(),
        auction=None,
        calendar="24/5",
        lot_size=1,
        price_limit=None,
        board="",
        currency=quote,
        fixed_tick=tick,
    )


# ------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------
_CN_RE = re.compile(r"^(\d{6})\.(SH|SZ|BJ)$")
_HK_RE = re.compile(r"^(\d{5})\.HK$")
_US_RE = re.compile(r"^([A-Z][A-Z0-9.\-]{0,9})\.US$")
_ALNUM = re.compile(r"^[A-Z0-9]{5,15}$")
_SUFFIX_ALIASES = {
    "SS": "SH",
    "SHA": "SH",
    "XSHG": "SH",
    "SSE": "SH",
    "SHE": "SZ",
    "XSHE": "SZ",
    "SZSE": "SZ",
    "SEHK": "HK",
    "HKEX": "HK",
    "HKG": "HK",
}
_US_ALIASES = {"O", "N", "OQ", "NQ", "A", "NASDAQ", "NYSE", "AMEX", "ARCA", "US"}


def _cn_exchange_for(num: str) -> str | None:
    if num[0] in "69" or num.startswith("5"):
        return "SH"
    if num[0] in "0123":
        return "SZ"
    if num[0] in "48":
        return "BJ"
    return None


def _bad(code: str, why: str, suggestion: str | None) -> InvalidSymbolError:
    msg = f"{code!r} is not a valid Infoway code: {why}."
    if suggestion:
        msg += f" Did you mean {suggestion!r}?"
    msg += " Forms: 600519.SH, 000001.SZ, 00700.HK, AAPL.US, BTCUSDT, USDCNY, XAUUSD."
    return InvalidSymbolError(msg, suggestion=suggestion)


def _crypto_quote(s: str) -> str | None:
    for q in CRYPTO_QUOTES:
        if s.endswith(q) and len(s) > len(q) + 1:
            return q
    return None


@functools.lru_cache(maxsize=4096)
def _parse(code: str) -> Instrument:
    raw = code
    s = code.strip().upper()
    if not s:
        raise _bad(raw, "the code is empty", None)
    # separators people type for pairs: BTC/USDT, BTC-USDT, USD/CNY, BTC_USDT
    pair = re.fullmatch(r"([A-Z]{2,10})[/\-_ ]([A-Z]{3,6})", s)
    if pair:
        s = pair.group(1) + pair.group(2)
    m = _CN_RE.match(s)
    if m:
        num, suffix = m.groups()
        right = _cn_exchange_for(num)
        if right and right != suffix:
            names = {"SH": "Shanghai", "SZ": "Shenzhen", "BJ": "Beijing"}
            raise _bad(
                raw, f"{num} trades in {names[right]}, not {names[suffix]}", f"{num}.{right}"
            )
        return _cn_instrument(s)
    if _HK_RE.match(s):
        return _hk_instrument(s)
    if _US_RE.match(s):
        return _us_instrument(s)
    # prefixed mainland forms: SH600519, sz000001
    m = re.fullmatch(r"(SH|SZ|BJ)\.?(\d{6})", s)
    if m:
        raise _bad(raw, "the exchange goes after the number", f"{m.group(2)}.{m.group(1)}")
    # bare six digits
    if re.fullmatch(r"\d{6}", s):
        ex = _cn_exchange_for(s)
        raise _bad(raw, "mainland codes need an exchange suffix", f"{s}.{ex}" if ex else None)
    # digits with a suffix of the wrong shape
    m = re.fullmatch(r"(\d{1,8})\.([A-Z]{1,5})", s)
    if m:
        num, suffix = m.groups()
        suffix = _SUFFIX_ALIASES.get(suffix, suffix)
        if suffix == "HK":
            n = num.lstrip("0") or "0"
            sug = n.zfill(5) + ".HK" if len(n) <= 5 else None
            raise _bad(raw, "Hong Kong codes have exactly five digits, zero-padded", sug)
        if suffix in ("SH", "SZ", "BJ") and len(num) == 6:
            ex = _cn_exchange_for(num)
            raise _bad(raw, "use the suffix .SH, .SZ or .BJ", f"{num}.{ex or suffix}")
        if suffix in ("SH", "SZ", "BJ"):
            raise _bad(raw, "mainland codes have six digits", None)
        raise _bad(raw, f"unknown market suffix .{m.group(2)}", None)
    # letters with a suffix other than .US
    m = re.fullmatch(r"([A-Z][A-Z0-9\-]{0,9})\.([A-Z]{1,6})", s)
    if m:
        if m.group(2) in _US_ALIASES:
            raise _bad(raw, "US stocks use the suffix .US", f"{m.group(1)}.US")
        raise _bad(raw, f"unknown market suffix .{m.group(2)}", None)
    if _ALNUM.match(s) and s.isalpha():
        base6, quote6 = s[:3], s[3:]
        if len(s) == 6 and (base6 in FX_CURRENCIES or base6 in METALS) and quote6 in FX_CURRENCIES:
            return _fx_instrument(s)
        q = _crypto_quote(s)
        if q:
            return _crypto_instrument(s, q)
    if re.fullmatch(r"[A-Z]{1,5}", s):
        raise _bad(raw, "US stocks need the suffix .US", f"{s}.US")
    if _ALNUM.match(s):
        q = _crypto_quote(s)
        if q:
            return _crypto_instrument(s, q)
    raise _bad(raw, "the code matches no supported market", None)


def parse_symbol(code: str, *, name: str | None = None) -> Instrument:
    """Validate ``code`` and describe it.

    Case and pair separators are normalised (``btc/usdt`` → ``BTCUSDT``, ``aapl.us`` → ``AAPL.US``);
    anything else that is not a valid code raises :class:`~infoway_widgets.errors.InvalidSymbolError`
    with a suggestion where one is likely (``700.HK`` → ``00700.HK``, ``600519.SZ`` → ``600519.SH``).
    A ``name`` starting with ST / *ST marks a special-treatment A-share (±5 % on the main board).
    """
    if not isinstance(code, str):
        raise InvalidSymbolError(
            f"a symbol must be a string like '600519.SH', not {type(code).__name__}"
        )
    inst = _parse(code)
    if name is not None:
        inst = inst.with_name(name)
    return inst


def parse_symbols(codes: str | list[str] | tuple[str, ...]) -> list[Instrument]:
    """Parse one code, a comma-joined string or a sequence; duplicates are dropped, order kept."""
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    seen: dict[str, Instrument] = {}
    for c in items:
        if isinstance(c, str) and not c.strip():
            continue
        inst = parse_symbol(c)
        seen.setdefault(inst.code, inst)
    return list(seen.values())
