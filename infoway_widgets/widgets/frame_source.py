"""A chart's source when it draws the user's own DataFrame instead of a feed.

:class:`DataFrameFeed` offers the few members of a feed a chart uses (``instrument``,
``bar_store``, ``watch``, ``quote``, ``on_change``, ``on_status``, ``load_more``) over one
:class:`~infoway_widgets.feed.stores.BarStore`, with no key, connection or network. Its status is
``"data"``: the chart says it shows your data, not live or simulated prices. ``append`` and
``update_last`` write bars and poke the chart, which sends them through its usual coalescer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..errors import BadParameterError
from ..feed.stores import BarStore
from ..market import Instrument, parse_interval, parse_symbol

PRICE_COLS = ("open", "high", "low", "close")
ALIASES = {
    "vol": "volume",
    "amount": "turnover",
    "value": "turnover",
    "o": "open",
    "h": "high",
    "l": "low",
    "c": "close",
    "v": "volume",
}
TIME_COLS = ("time", "date", "datetime", "timestamp", "trade_date")


def _columns(df: pd.DataFrame) -> dict[str, Any]:
    """The frame's columns by lower-case name (``Open`` and ``open`` alike, a few aliases)."""
    out: dict[str, Any] = {}
    for c in df.columns:
        low = str(c).strip().lower()
        out.setdefault(ALIASES.get(low, low), c)
    return out


def _times(df: pd.DataFrame, cols: dict[str, Any], tz: str) -> np.ndarray:
    idx: Any = df.index
    if not isinstance(idx, pd.DatetimeIndex):
        found = next((cols[c] for c in TIME_COLS if c in cols), None)
        source = df[found] if found is not None else idx
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(source))
        except (TypeError, ValueError):
            raise BadParameterError(
                "the bars need times: a DatetimeIndex, or a 'time' / 'date' column "
                "(naive times are read in tz=, default UTC)"
            ) from None
    if idx.tz is None:
        idx = idx.tz_localize(tz)
    return np.asarray(idx.tz_convert("UTC").as_unit("ms").asi8, dtype=np.int64)


def read_bars(data: Any, tz: str = "UTC") -> dict[str, np.ndarray]:
    """Columns ``t`` (UTC ms) and open/high/low/close/volume/turnover of an OHLC[V] DataFrame, a
    Series-like row or a mapping of one bar; sorted by time, one bar per time (the last wins)."""
    if isinstance(data, pd.Series):
        data = data.to_frame().T
    elif isinstance(data, Mapping):
        data = pd.DataFrame([dict(data)])
        cols = _columns(data)
        if not any(c in cols for c in TIME_COLS):
            raise BadParameterError("a bar given as a dict needs its 'time' too")
    if not isinstance(data, pd.DataFrame):
        raise BadParameterError(
            f"give bars as a pandas DataFrame with open/high/low/close[/volume] columns, "
            f"not {type(data).__name__}"
        )
    cols = _columns(data)
    missing = [c for c in PRICE_COLS if c not in cols]
    if missing:
        raise BadParameterError(
            f"the bars need {', '.join(missing)} column(s) (any case: Open or open); "
            f"the frame has {', '.join(map(str, data.columns)) or 'none'}"
        )
    t = _times(data, cols, tz)
    out = {"t": t}
    for k in (*PRICE_COLS, "volume", "turnover"):
        if k in cols:
            out[k] = np.asarray(pd.to_numeric(data[cols[k]], errors="coerce"), dtype=np.float64)
        else:
            out[k] = np.zeros(len(t))
    if "turnover" not in cols:
        with np.errstate(invalid="ignore"):
            out["turnover"] = out["volume"] * (out["high"] + out["low"] + out["close"]) / 3
    order = np.argsort(t, kind="stable")
    out = {k: v[order] for k, v in out.items()}
    keep = np.append(out["t"][1:] != out["t"][:-1], True) if len(t) else np.zeros(0, bool)
    return {k: v[keep] for k, v in out.items()}


def guess_interval(t: np.ndarray) -> str:
    """The bar interval of open times ``t`` (the most common step; ``1d`` for a single bar)."""
    if len(t) < 2:
        return "1d"
    steps = np.diff(t)
    step = int(np.median(steps[steps > 0])) if (steps > 0).any() else 86_400_000
    for name in ("1m", "5m", "15m", "30m", "1h", "2h", "4h"):
        if parse_interval(name).ms == step:
            return name
    day = 86_400_000
    return "1d" if step <= 4 * day else "1w" if step <= 10 * day else "1M"


def _decimals(prices: np.ndarray) -> int:
    sample = prices[np.isfinite(prices)][-500:]
    for d in range(0, 7):
        if np.allclose(sample, np.round(sample, d), rtol=0, atol=10 ** -(d + 3)):
            return d
    return 6


def data_instrument(name: str, tz: str, prices: np.ndarray) -> Instrument:
    """The instrument of a DataFrame: the code's own where ``name`` is an Infoway code, else a
    24-hour one named ``name`` whose price step comes from the data."""
    try:
        return parse_symbol(name)
    except BadParameterError:
        pass
    d = _decimals(prices)
    return Instrument(
        code=name,
        market="DATA",
        exchange="",
        business="",
        rest_prefix="",
        symbol_type="",
        tz=tz,
        sessions=(),
        auction=None,
        calendar=None,
        lot_size=1.0,
        price_limit=None,
        board="",
        fixed_tick=float(Decimal(1).scaleb(-d)),
        name=name,
    )


class _NoWatch:
    def close(self) -> None:
        pass


class DataFrameFeed:
    """The feed of a chart of your own bars: one store, no network."""

    simulated = False
    status = "data"
    status_message = ""

    def __init__(
        self, df: Any, *, name: str = "", interval: str | None = None, tz: str = "UTC"
    ) -> None:
        bars = read_bars(df, tz)
        attrs = getattr(df, "attrs", {}) or {}
        label = name or str(attrs.get("symbol") or attrs.get("name") or "DATA")
        self.tz = tz
        self._inst = data_instrument(label, tz, bars["close"])
        self.interval = parse_interval(interval or guess_interval(bars["t"])).name
        self.store = BarStore(self._inst, self.interval, capacity=max(100_000, len(bars["t"])))
        self.symbol_errors: dict[str, str] = {}
        self._change: list[Callable[[set[str]], None]] = []
        self._write(bars)

    @property
    def code(self) -> str:
        return self._inst.code

    # ---- what a chart asks of a feed ---------------------------------------------------------
    def instrument(self, symbol: str) -> Instrument:
        if str(symbol).strip().upper() not in (self._inst.code.upper(), ""):
            raise BadParameterError(
                f"this chart draws your DataFrame {self._inst.code!r}; make a new "
                f"iw.CandleChart(df) for other bars, or iw.CandleChart({symbol!r}) for live ones"
            )
        return self._inst

    def bar_store(self, symbol: str, interval: str) -> BarStore:
        return self.store

    def watch(self, *args: Any, **kwargs: Any) -> _NoWatch:
        return _NoWatch()

    def quote(self, symbol: str) -> dict[str, Any]:
        return {}

    def on_change(self, cb: Callable[[set[str]], None]) -> Callable[[], None]:
        self._change.append(cb)
        return lambda: self._change.remove(cb) if cb in self._change else None

    def on_status(self, cb: Callable[[str, str], None]) -> Callable[[], None]:
        return lambda: None

    async def load_more(self, symbol: str, interval: str, before_ms: int, count: int) -> int:
        return 0  # all of the frame is held already

    # ---- writes ------------------------------------------------------------------------------
    def _write(self, bars: dict[str, np.ndarray]) -> None:
        if len(bars["t"]):
            cols = [bars[k] for k in ("open", "high", "low", "close", "volume", "turnover")]
            self.store.merge(bars["t"], *cols, settled=True)

    def _notify(self) -> None:
        for cb in list(self._change):
            cb({self._inst.code})

    def append(self, data: Any) -> int:
        """Write bars (a DataFrame, a row Series or a dict with ``time``); a bar at a time already
        held replaces it. Returns how many bars were written."""
        bars = read_bars(data, self.tz)
        self._write(bars)
        self._notify()
        return len(bars["t"])

    def update_last(self, **fields: float) -> None:
        """Change fields of the newest bar (``close=``, ``high=``, ...)."""
        last = self.store.last()
        if last is None:
            raise BadParameterError("there is no bar to update yet: chart.append(...) one first")
        unknown = set(fields) - {"open", "high", "low", "close", "volume", "turnover"}
        if unknown:
            raise BadParameterError(
                f"update_last takes open, high, low, close, volume, turnover; not {sorted(unknown)}"
            )
        row = {**last, **{k: float(v) for k, v in fields.items()}}
        if "close" in fields and "high" not in fields:
            row["high"] = max(row["high"], row["close"])
        if "close" in fields and "low" not in fields:
            row["low"] = min(row["low"], row["close"])
        self.store.upsert(
            int(row["t"]),
            row["open"],
            row["high"],
            row["low"],
            row["close"],
            row["volume"],
            row["turnover"],
            settled=True,
        )
        self._notify()
