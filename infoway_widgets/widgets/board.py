"""QuoteBoard: one row per symbol with last, change, volume, turnover, range and a sparkline; the
``cn`` preset adds the columns of a Chinese brokerage list (涨跌幅, 涨跌额, 成交量 in 手, 成交额,
振幅, 量比, 最高/最低, 今开/昨收) and a 涨停 / 跌停 badge on the row."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..market import LOT_MARKETS
from . import _validate as check
from ._base import Frame, LiveWidget, esm, market_info

QUOTE_FIELDS = (
    "last",
    "prev_close",
    "open",
    "high",
    "low",
    "volume",
    "turnover",
    "change",
    "change_pct",
    "t",
)
#: per-row numbers from ``feed.ashare`` (computed in the feed; NaN where the market has none)
ASHARE_FIELDS = ("amplitude", "volume_ratio", "limit_up", "limit_down")
#: every column a board can show, in the order of the ``cn`` preset (js/src/lib/columns.js draws them)
BOARD_COLUMNS = (
    "symbol",
    "last",
    "change_pct",
    "change",
    "volume_lots",
    "volume",
    "turnover",
    "amplitude",
    "volume_ratio",
    "high_low",
    "high",
    "low",
    "open",
    "prev_close",
    "main_net",
    "spark",
)
#: what ``sort_by`` takes: "" (the given order), a sortable column or a quote field
SORT_KEYS = tuple(
    dict.fromkeys(
        [
            "",
            *(c for c in BOARD_COLUMNS if c not in ("spark", "high_low", "volume_lots")),
            "name",
            *QUOTE_FIELDS,
            *ASHARE_FIELDS,
        ]
    )
)


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _main_net(feed: Any, code: str) -> float:
    """主力净流入 of ``code`` today (tushare preset; an estimate), NaN from a feed without it."""
    fn = getattr(feed, "money_flow_day", None)
    try:
        return float(fn(code).main_net_total) if fn is not None else math.nan
    except Exception:
        return math.nan


class QuoteBoard(LiveWidget):
    """A live quote board: a row per symbol, sortable, cells flash on change.

    Clicking a row sets :attr:`selected` (an observable trait) and calls the callbacks given to
    :meth:`on_select`, so a chart can follow the board.

    Parameters
    ----------
    symbols : sequence of str
        Infoway codes, any market mix.
    feed : Feed, optional
        The data source; ``None`` means ``iw.connect()``.
    sort_by : str
        Column to sort by (``"change_pct"``, ``"volume"``, ``"symbol"``, ...); empty keeps the
        given order. Clicking a column header sorts by it (again: reverses).
    preset : {"auto", "compact", "cn"}
        Column set. ``"compact"``: symbol, last, change, change %, volume, turnover, high / low,
        trend. ``"cn"``: 代码/名称, 最新, 涨跌幅, 涨跌额, 成交量 (手 for A-shares), 成交额, 振幅,
        量比, 最高, 最低, 今开, 昨收, 走势. ``"auto"`` (default): ``"cn"`` when ``locale="zh"``,
        else ``"compact"``.
    columns : sequence of str, optional
        Explicit column keys (any of :data:`BOARD_COLUMNS`); overrides ``preset`` when given.
    **kwargs
        Any common trait: ``locale``, ``theme``, ``up_color``, ``down_color``, ``max_fps``, ``height``.

    Notes
    -----
    A symbol with a problem (an unknown code, one the plan refused) says so on its own row
    (:attr:`symbol_errors`); the other rows stay live and the board keeps the feed's status.

    Rows at their daily price limit carry a 涨停 / 跌停 (Limit up / Limit down) badge; the numbers
    (振幅, 量比, 手, the limit state) come from :meth:`Feed.ashare
    <infoway_widgets.feed.Feed.ashare>`, the front-end only formats them.
    """

    _esm = esm("board")
    _kind = "board"
    _errors_per_row = True

    symbols = t.List(t.Unicode()).tag(sync=True)
    selected = t.Unicode("", help="The symbol last clicked.").tag(sync=True)
    sort_by = t.Unicode("").tag(sync=True)
    sort_desc = t.Bool(True).tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    preset = t.Unicode(
        "auto", help="Column set: cn (brokerage), compact, or auto (cn for locale zh)."
    ).tag(sync=True)
    columns = t.List(
        t.Unicode(), help="Explicit column keys; overrides preset when not empty."
    ).tag(sync=True)
    spark_points = t.Int(60).tag(sync=False)
    #: what each row's front-end needs about its instrument (units, decimals), by code
    _markets = t.Dict().tag(sync=True)

    @t.validate("columns")
    def _check_columns(self, proposal: Any) -> list[str]:
        cols = list(proposal["value"])
        bad = [c for c in cols if c not in BOARD_COLUMNS]
        if bad:
            raise check.refuse(
                f"unknown QuoteBoard column(s) {bad}; choose from {list(BOARD_COLUMNS)}"
            )
        return cols

    @t.validate("preset")
    def _check_preset(self, proposal: Any) -> str:
        return check.choice(proposal, ("auto", "compact", "cn"))

    @t.validate("sort_by")
    def _check_sort_by(self, proposal: Any) -> str:
        return check.choice(proposal, SORT_KEYS)

    @t.validate("symbols")
    def _check_symbols(self, proposal: Any) -> list[str]:
        codes = check.library_errors(
            proposal, lambda syms: [self._feed.instrument(s).code for s in syms]
        )
        return list(dict.fromkeys(codes))

    @t.validate("spark_points")
    def _check_spark_points(self, proposal: Any) -> int:
        return check.integer(proposal, low=0, high=10_000)

    def __init__(
        self,
        symbols: Sequence[str] | str,
        *,
        feed: Any = None,
        sort_by: str = "",
        title: str = "",
        preset: str = "auto",
        columns: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(feed=feed, sort_by=sort_by, preset=preset, columns=list(columns), **kwargs)
        self._select_cbs: list[Callable[[str], None]] = []
        self._pending: set[str] = set()
        self._insts: dict[str, Any] = {}
        self.title = title or ("报价" if self.locale == "zh" else "Quotes")
        self._set_symbols([symbols] if isinstance(symbols, str) else list(symbols))
        self.observe(
            lambda ch: (
                self._set_symbols(list(ch["new"])) if list(ch["new"]) != list(self._insts) else None
            ),
            names=["symbols"],
        )

    def _set_symbols(self, symbols: list[str]) -> None:
        if self._closed:
            return
        insts = {}
        for s in symbols:
            inst = self._feed.instrument(s)
            insts[inst.code] = inst
        for w in self._watches:
            w.close()
        self._watches = []
        self._insts = insts
        self._markets = {code: market_info(inst) for code, inst in insts.items()}
        self.symbols = list(insts)
        self._open()
        self._send_full()

    def _symbols(self) -> set[str]:
        return set(self._insts)

    def _subscribe(self) -> None:
        for code in self._insts:
            self._watches.append(
                self._feed.watch(code, trades=True, intervals=("1m", "1d"), history=250)
            )

    def _on_change(self, symbols: set[str]) -> None:
        mine = self._symbols() & set(symbols)
        if self._closed or not mine:
            return
        self._pending |= mine
        self._mark_dirty()

    def _rows(self, codes: list[str]) -> Frame:
        cols: dict[str, list[float]] = {
            k: []
            for k in (
                *QUOTE_FIELDS,
                *ASHARE_FIELDS,
                "volume_lots",
                "at_limit",
                "decimals",
                "red_up",
                "spark_len",
                "main_net",
            )
        }
        spark: list[float] = []
        names: list[str] = []
        ashare = getattr(self._feed, "ashare", None)
        for code in codes:
            try:
                q = self._feed.quote(code) or {}
            except Exception:
                q = {}
            try:
                a = (ashare(code) or {}) if ashare is not None else {}
            except Exception:
                a = {}
            inst = self._insts[code]
            for k in QUOTE_FIELDS:
                cols[k].append(_num(q.get(k)))
            for k in ASHARE_FIELDS:
                cols[k].append(_num(a.get(k)))
            # 手 only where the market counts in lots (A-shares); NaN tells the view to show shares
            cols["volume_lots"].append(
                _num(a.get("volume_lots")) if inst.market in LOT_MARKETS else math.nan
            )
            cols["at_limit"].append({"up": 1.0, "down": -1.0}.get(a.get("at_limit") or "", 0.0))
            cols["main_net"].append(_main_net(self._feed, code))
            cols["decimals"].append(float(inst.price_decimals))
            cols["red_up"].append(1.0 if inst.red_up else 0.0)
            s = [_num(x) for x in list(q.get("spark") or [])[-self.spark_points :]]
            cols["spark_len"].append(float(len(s)))
            spark.extend(s)
            names.append(str(q.get("name") or inst.name or ""))
        out: dict[str, Any] = {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}
        out["spark"] = np.asarray(spark, dtype=np.float64)
        return "quotes", out, {"symbols": codes, "names": names}

    def _delta(self) -> Frame | None:
        codes = [c for c in self._insts if c in self._pending]
        self._pending.clear()
        return self._rows(codes) if codes else None

    def _full(self) -> Frame:
        self._pending.clear()
        return self._rows(list(self._insts))

    # ---- selection ----------------------------------------------------------------------------
    def _on_request(self, kind: str, content: dict[str, Any]) -> None:
        if kind == "select":
            sym = str(content.get("symbol") or "")
            if sym in self._insts:
                self.select(sym)

    def select(self, symbol: str) -> None:
        """Select ``symbol`` as if its row were clicked (sets :attr:`selected`, calls callbacks)."""
        self.selected = symbol
        for cb in list(self._select_cbs):
            cb(symbol)

    def on_select(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(symbol)`` whenever a row is clicked; returns a function that removes it."""
        self._select_cbs.append(callback)
        return lambda: self._select_cbs.remove(callback) if callback in self._select_cbs else None

    @property
    def quotes(self) -> pd.DataFrame:
        """The latest quote of each symbol, one row per symbol (sparkline excluded)."""
        rows = []
        for code in self._insts:
            q = dict(self._feed.quote(code) or {})
            q.pop("spark", None)
            q["symbol"] = code
            rows.append(q)
        return pd.DataFrame(rows).set_index("symbol") if rows else pd.DataFrame()

    def _repr_fields(self) -> Iterable[str]:
        yield repr(list(self._insts))
