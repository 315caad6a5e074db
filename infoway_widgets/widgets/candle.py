"""CandleChart: live candlesticks with volume, moving averages, VWAP, price-limit lines, studies in
panes, the user's own lines, markers and price lines; of a feed's symbol or of a DataFrame."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import traitlets as t

from ..errors import BadParameterError, InfowayError
from ..market import LIVE_INTERVALS, parse_interval
from . import _validate as check
from ._base import Frame, LiveWidget, esm, market_info
from ._wire import pack_values
from .chart_analysis import ChartAnalysis
from .chart_series import UserSeries
from .chart_studies import REGISTRY, StudyRequest, StudySet, column_name, parse_item
from .frame_source import DataFrameFeed
from .screenshots import Screenshots
from .vprofile import profile_header, profile_of

#: daily bars watched for the quote (previous close, limit lines)
DAILY_HISTORY = 250
BAR_COLS = ("open", "high", "low", "close", "volume", "turnover")


def newest_only(store: Any, since: int) -> tuple[int, int, list[float]] | None:
    """The newest bar of ``store`` when it is the only bar touched after version ``since``: its
    open time, the previous bar's (-1: none) and its open, high, low, close, volume, turnover.
    None when other bars changed too, or when it cannot tell (then ``store.changed_since``).

    What a live chart's frame nearly always is, read off the store's touch log and rows
    (:class:`~infoway_widgets.feed.stores.BarStore`) in a few attribute reads: the general
    ``changed_since`` + ``last`` cost more than the rest of such a frame.
    """
    touch_v = getattr(store, "_touch_v", None)
    if touch_v is None:
        return None
    k = bisect.bisect_right(touch_v, since)
    a, b = store._a, store._b
    if k == len(touch_v) or b == a:
        return None
    t = int(store._t[b - 1])
    if store._touch_t[k] != t:  # an older bar was touched after `since` as well
        return None
    before = int(store._t[b - 2]) if b - a >= 2 else -1
    return t, before, store._x[b - 1].tolist()


def _changed_study(before: Sequence[Any], proposed: Any) -> str:
    """The name of the first study ``proposed`` adds or changes against ``before`` ('' if none
    can be told: the list itself is malformed)."""

    def parsed(items: Any) -> list[StudyRequest] | None:
        try:
            return [parse_item(x) for x in items]
        except (BadParameterError, TypeError):
            return None

    old, new = parsed(before) or [], parsed(proposed)
    if new is None:
        return ""
    was = {r.name: r.params for r in old}
    for r in new:
        if r.name not in was or was[r.name] != r.params:
            return r.name
    return ""


class CandleChart(ChartAnalysis, LiveWidget):
    """A live candlestick chart of one symbol, drawn by TradingView Lightweight Charts.

    Shows the last ``history`` bars, then keeps up with the live feed; scrolling left pages
    older bars in from the feed. Times are labelled in the exchange's zone by default.

    Studies (``studies=["macd", "kdj"]``, :meth:`add_study`) are computed in Python and drawn on
    the price pane, the volume pane or panes of their own below; :meth:`study_frame` returns
    what the chart shows. :meth:`add_line`, :meth:`add_markers` and :meth:`add_price_line` put
    your own analysis on it.

    Parameters
    ----------
    symbol : str or pandas.DataFrame
        Infoway code, e.g. ``"600519.SH"``, ``"00700.HK"``, ``"AAPL.US"``, ``"BTCUSDT"``; or a
        DataFrame of OHLC[V] bars (any column case, a DatetimeIndex or a ``time`` column; naive
        times are read in ``tz``) to chart with no feed, key or network. Stream more bars into
        it with :meth:`append` and :meth:`update_last`.
    interval : str, optional
        Bar interval: ``"1m"``, ``"5m"``, ``"15m"``, ``"30m"``, ``"1h"`` or ``"1d"`` (default
        ``"1m"``; for a DataFrame, guessed from its times).
    feed : Feed, optional
        The data source; ``None`` means the kernel's shared ``iw.connect()``.
    studies : sequence
        Studies to show: names (``"macd"``, ``"kdj"``, ``"rsi"``, ``"boll"``, ``"ema"``,
        ``"sar"``, ``"vol"``, ``"obv"``, ``"wr"``, ``"bias"``, ``"cci"``, ``"dmi"``) or dicts
        with parameters (``{"name": "macd", "fast": 10}``).
    tz : str
        For a DataFrame: the zone its naive times are in (default UTC).
    name : str
        For a DataFrame: what the chart calls it (default ``df.attrs["symbol"]`` or ``DATA``).
    ma : sequence of int
        Moving-average lengths (default 5, 10, 20, 60); empty for none.
    vwap : bool
        Draw the session VWAP (on intraday intervals: a daily bar is a session of its own, so a
        ``"1d"`` chart shows none while the setting stays on).
    history : int
        Bars to load and show at first.
    **kwargs
        Any trait: ``locale`` ("en" | "zh"), ``theme`` ("auto" | "light" | "dark"), ``timezone``,
        ``up_color``, ``down_color``, ``max_fps``, ``height``, ``show_limits``, ``max_bars``,
        ``convention`` ("cn" | "intl" | "" for the market's).

    Examples
    --------
    >>> chart = iw.CandleChart("600519.SH", interval="1m", studies=["macd", "kdj"])  # doctest: +SKIP
    >>> chart.study_frame("macd").tail()                     # doctest: +SKIP
    >>> chart = iw.CandleChart(pd.read_csv("bars.csv", index_col=0, parse_dates=True))  # doctest: +SKIP
    """

    _esm = esm("candle")
    _kind = "candle"

    symbol = t.Unicode("").tag(sync=True)
    interval = t.Unicode("1m").tag(sync=True)
    intervals = t.List(
        t.Unicode(), list(LIVE_INTERVALS), help="Buttons of the interval switch."
    ).tag(sync=True)
    ma = t.List(t.Int(), [5, 10, 20, 60]).tag(sync=True)
    vwap = t.Bool(True).tag(sync=True)
    show_limits = t.Bool(True, help="Limit-up / limit-down lines where the market has them.").tag(
        sync=True
    )
    history = t.Int(500).tag(sync=True)
    max_bars = t.Int(
        5_000,
        help="Bars a view holds (about; older ones drop off, and scrolling back pages them in).",
    ).tag(sync=True)
    page_size = t.Int(500, help="Bars fetched per scroll-back request.").tag(sync=True)
    snapshot_bars = t.Int(500, help="Bars kept in the saved widget state.").tag(sync=True)
    height = t.Int(420).tag(sync=True)
    show_volume_profile = t.Bool(
        False, help="The day's volume by price on the price pane (see volume_profile())."
    ).tag(sync=True)
    _interval_ms = t.Int(60_000).tag(sync=True)
    _levels = t.Dict().tag(sync=True)
    studies: t.List[Any] = t.List(
        help="Studies shown: names ('macd') or dicts with parameters ({'name': 'macd', 'fast': 10})."
    ).tag(sync=True)
    convention = t.Unicode(
        "", help="Study conventions: 'cn' (通达信), 'intl', or '' for the market's (cn for CN, HK)."
    ).tag(sync=True)
    _study_meta: t.List[Any] = t.List(help="What the front-end draws of each study.").tag(sync=True)
    _study_catalog: t.List[Any] = t.List(
        [
            {"name": name, "title": list(spec.title), "pane": spec.pane}
            for name, spec in REGISTRY.items()
        ],
        help="The built-in studies a view's add menu offers (name, (zh, en) title, pane).",
    ).tag(sync=True)
    _study_refused = t.Dict(
        help="What the chart refused of a view's studies change ({'key', 'message'}); empty "
        "once a change lands."
    ).tag(sync=True)
    _price_lines = t.Dict(help="The user's price lines by id.").tag(sync=True)
    _linked = t.Bool(False, help="Linked to other charts (iw.link): views report.").tag(sync=True)

    # ---- settings are checked before they land ---------------------------------------------
    @t.validate("symbol")
    def _check_symbol(self, proposal: Any) -> str:
        return str(check.library_errors(proposal, lambda s: self._feed.instrument(s).code))

    @t.validate("interval")
    def _check_interval(self, proposal: Any) -> str:
        name = str(check.library_errors(proposal, lambda iv: parse_interval(iv).name))
        own = getattr(self, "_frame_feed", None)
        if own is not None and name != own.interval:
            raise check.refuse(
                f"this chart draws your DataFrame's {own.interval} bars; resample the frame "
                f"(df.resample(...)) and make a new iw.CandleChart for {name} bars"
            )
        return name

    @t.validate("intervals")
    def _check_intervals(self, proposal: Any) -> list[str]:
        names = check.library_errors(proposal, lambda ivs: [parse_interval(iv).name for iv in ivs])
        return list(dict.fromkeys(names))

    @t.validate("ma")
    def _check_ma(self, proposal: Any) -> list[int]:
        lengths = list(proposal["value"])
        if not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 1000 for n in lengths
        ):
            raise check.refuse(
                f"CandleChart.ma takes moving-average lengths from 1 to 1000, e.g. [5, 10, 20], "
                f"not {lengths!r}"
            )
        return lengths

    @t.validate("studies")
    def _check_studies(self, proposal: Any) -> list[Any]:
        try:
            return list(check.library_errors(proposal, self._parse_studies))
        except t.TraitError as exc:
            # set_state says it to the views that asked (the value itself is rolled back)
            self._studies_refusal = str(exc)
            raise

    def _parse_studies(self, items: Any) -> list[Any]:
        reqs = [parse_item(x) for x in items]
        names = [r.name for r in reqs]
        for r in reqs:
            if r.name not in REGISTRY and r.name not in self._study_set.user:
                raise BadParameterError(
                    f"no study {r.name!r}; built in: {', '.join(sorted(REGISTRY))}, or add "
                    "your own with chart.add_study(fn, name=...)"
                )
        if len(set(names)) != len(names):
            raise BadParameterError(f"each study once: {names}")
        # a parameter the study refuses fails here, before the trait changes
        try:
            StudySet().configure(
                [r for r in reqs if r.name in REGISTRY], self._convention(), self._data_tz()
            )
        except InfowayError:
            raise
        except Exception as exc:  # a value no study's check foresaw (a view's odd JSON)
            raise BadParameterError(
                f"studies {items!r}: {type(exc).__name__}: {exc}; give each parameter as a "
                "number (or a list of numbers), e.g. {'name': 'macd', 'fast': 10}"
            ) from None
        return [r.as_item() for r in reqs]

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """A view's settings. Studies the chart refuses (a view's settings popover: fast ≥ slow,
        n = 0) leave the old ones in place, the views are put back on them, and the reason shows
        on the chart (``_study_refused``) until a change lands; nothing is raised into the
        kernel."""
        self._studies_refusal = ""
        before = list(self.studies)
        super().set_state(sync_data)
        if "studies" not in sync_data:
            return
        if self._studies_refusal:
            self._study_refused = {
                "key": _changed_study(before, sync_data["studies"]),
                "message": self._studies_refusal,
            }
        elif self._study_refused:
            self._study_refused = {}

    @t.observe("studies")
    def _studies_landed(self, change: Any) -> None:
        if self._study_refused:
            self._study_refused = {}

    @t.validate("convention")
    def _check_convention(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip().lower()
        if value not in ("", "cn", "intl"):
            raise check.refuse(f"convention is 'cn', 'intl' or '' (the market's), not {value!r}")
        return value

    @t.validate("history", "snapshot_bars")
    def _check_bar_count(self, proposal: Any) -> int:
        return check.integer(proposal, low=0)

    @t.validate("max_bars")
    def _check_max_bars(self, proposal: Any) -> int:
        return check.integer(proposal, low=1)

    @t.validate("page_size")
    def _check_page_size(self, proposal: Any) -> int:
        return check.integer(proposal, low=1, high=5000)

    def __init__(
        self,
        symbol: str | pd.DataFrame,
        interval: str | None = None,
        *,
        feed: Any = None,
        ma: Sequence[int] = (5, 10, 20, 60),
        vwap: bool = True,
        history: int = 500,
        studies: Sequence[Any] = (),
        tz: str = "UTC",
        name: str = "",
        volume_profile: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("show_volume_profile", volume_profile)
        self._closed = (
            True  # until the widget is built: a refused DataFrame leaves nothing to close
        )
        self._study_set = StudySet()
        self._levels_of: tuple[Any, ...] | None = None  # what _levels were read from
        self._series = UserSeries(self._mark_dirty)
        self._frame_feed: DataFrameFeed | None = None
        self._shots = Screenshots()
        self._links: list[Any] = []
        if isinstance(symbol, pd.DataFrame):
            if feed is not None:
                raise BadParameterError("a chart of a DataFrame has no feed: leave feed= out")
            feed = self._frame_feed = DataFrameFeed(symbol, name=name, interval=interval, tz=tz)
            interval = feed.interval
            symbol = feed.code
            kwargs.setdefault("intervals", [interval])
        super().__init__(feed=feed, ma=list(ma), vwap=vwap, history=history, **kwargs)
        self._bar_ver = 0
        self._bar_epoch = -1
        self._studies_ready = False
        self.studies = list(studies)
        self._studies_ready = True
        self._set_symbol(symbol, interval or "1m")
        self.observe(self._on_setting, names=["symbol", "interval"])
        self.observe(self._on_studies, names=["studies", "convention"])

    # ---- settings ---------------------------------------------------------------------------
    def _set_symbol(self, symbol: str, interval: str) -> None:
        inst = self._feed.instrument(symbol)
        iv = parse_interval(interval)
        with self.hold_trait_notifications():
            self._inst = inst
            self._iv = iv
            self.symbol = inst.code
            self.interval = iv.name
            self._interval_ms = iv.ms if iv.seconds else 86_400_000 * 7
            self._market = market_info(inst)
        self._configure_studies()
        self._open()
        self._send_full()

    def _on_setting(self, change: dict[str, Any]) -> None:
        if self._closed:
            return
        if change["name"] == "symbol" and change["new"] == self._inst.code:
            return
        if change["name"] == "interval" and change["new"] == self._iv.name:
            return
        for w in self._watches:
            w.close()
        self._watches = []
        self._set_symbol(self.symbol, self.interval)

    def _subscribe(self) -> None:
        self._watches.append(
            self._feed.watch(self._inst.code, intervals=(self._iv.name,), history=self.history)
        )
        if self._iv.name != "1d":
            # the feed's quote (previous close, limits) comes from daily bars
            self._watches.append(
                self._feed.watch(self._inst.code, intervals=("1d",), history=DAILY_HISTORY)
            )
        self._bar_ver = 0
        self._bar_epoch = -1
        self._update_levels()

    # ---- data ---------------------------------------------------------------------------------
    def _store(self) -> Any:
        return self._feed.bar_store(self._inst.code, self._iv.name)

    def _levels_key(self) -> tuple[Any, ...] | None:
        """What the levels and the name come from in a feed's quote: the symbol's instrument and
        its daily bars' previous close (:func:`~infoway_widgets.feed.quote.quote_view`); a frame
        where that is the same skips the quote. None for a feed whose stores it cannot see."""
        bars = getattr(getattr(self._feed, "state", None), "bars", None)
        if not isinstance(bars, dict):
            return None
        code = self._inst.code
        day = bars.get((code, "1d"))
        # the objects themselves: a tuple compares them by identity first, so this costs little
        key: tuple[Any, ...] = (self._feed.instrument(code), day)
        if day is None or len(day) < 2:
            return (*key, 0 if day is None else len(day))
        return (*key, day.epoch, len(day), float(day.column("close")[-2]))

    def _update_levels(self, *, cached: bool = False) -> None:
        """The previous close and price limits (``_levels``) and the name from the feed's quote;
        ``cached``: not when what they come from is the same as at the last call."""
        key = self._levels_key()
        if cached and key is not None and key == self._levels_of:
            return
        self._levels_of = key
        try:
            q = self._feed.quote(self._inst.code) or {}
        except Exception:
            q = {}
        lv: dict[str, float] = {}
        pc = q.get("prev_close")
        if isinstance(pc, (int, float)) and math.isfinite(pc) and pc > 0:
            lv["prev_close"] = float(pc)
            lim = self._inst.price_limits(float(pc))
            lo = q.get("limit_down") or (lim[0] if lim else None)
            hi = q.get("limit_up") or (lim[1] if lim else None)
            if lo and hi:
                lv["limit_down"], lv["limit_up"] = float(lo), float(hi)
        if lv != self._levels:
            self._levels = lv
        name = q.get("name")
        if isinstance(name, str) and name and self._market.get("name") != name:
            self._market = {**self._market, "name": name}

    def _extra(self, *, delta: bool = False, sent: bool = True) -> dict[str, Any]:
        vp = profile_header(self, changed_only=delta, sent=sent)
        return {"interval": self._iv.name, "symbol": self._inst.code, **vp}

    def volume_profile(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Traded volume by price (buy / sell / neutral, POC, 70 % value area) of the day, or of
        ``start``…``end`` (see :meth:`Feed.volume_profile <infoway_widgets.feed.Feed.volume_profile>`)."""
        return profile_of(self, start, end)

    def _delta(self) -> Frame | None:
        store = self._store()
        self._update_levels(cached=True)
        if store.epoch != self._bar_epoch:
            return self._full_marked(store, keep_range=True)
        if store.version == self._bar_ver:
            return None
        frame = self._newest_delta(store)
        if frame is not None:
            return frame
        ch = store.changed_since(self._bar_ver)
        self._bar_ver = store.version
        if len(ch["t"]) == 0:
            return None
        cols = {"t": ch["t"], **{k: ch[k] for k in BAR_COLS}}
        if self._study_set.active:
            # every study value of a bar in one column, bar by bar, in the order of the full
            # frame's study columns: the names travel once per full frame, not once per frame
            packed = self._study_set.advance_packed(store, ch["t"])
            if packed is None and not self._study_set.reshaped:
                # a completed bar changed (older bars paged in, a correction): every study
                # starts over, and the bars from the first changed one on carry the new values
                values, cols = self._restart_from(store, int(ch["t"][0]))
                names = self._study_set.columns()
                packed = np.column_stack([values[k] for k in names]).ravel()
            if packed is None or self._study_set.reshaped:
                return self._full_marked(store, keep_range=True)
            cols["studies"] = packed
            self._publish_study_errors()
        extra = self._extra(delta=True)
        points = self._series.take_line_appends()
        if points:
            # points appended to lines since the last frame ride in it (t, value, t, value, ...)
            extra["line_points"] = points
        return "bars", cols, extra

    def _newest_delta(self, store: Any) -> Frame | None:
        """The delta of a frame where only the forming bar changed and no bar completed (nearly
        every frame of a live chart): its columns packed straight from floats, one ``peek`` per
        study. None when the frame is another kind (then the general path)."""
        got = newest_only(store, self._bar_ver)
        if got is None:
            return None
        t, before, row = got
        cols: dict[str, Any] = {"t": pack_values((t,))}
        for k, x in zip(BAR_COLS, row):
            cols[k] = pack_values((x,))
        studies = self._study_set
        if studies.active:
            values = studies.peek_newest(t, before, row)
            if values is None:
                return None
            cols["studies"] = pack_values(values)
            if studies.failed:
                self._publish_study_errors()
        self._bar_ver = store.version
        extra = self._extra(delta=True)
        points = self._series.take_line_appends()
        if points:
            extra["line_points"] = points
        return "bars", cols, extra

    def _restart_from(self, store: Any, t0: int) -> tuple[dict[str, Any], dict[str, Any]]:
        a = store.arrays()
        values = self._study_set.restart(a)
        i0 = max(int(np.searchsorted(a["t"], t0)), len(a["t"]) - 4 * self.max_bars)
        cols = {"t": a["t"][i0:], **{k: a[k][i0:] for k in BAR_COLS}}
        return {k: v[i0:] for k, v in values.items()}, cols

    def _bar_columns(self, store: Any, count: int) -> dict[str, Any]:
        """The newest ``count`` bars and their study values (the studies restart over every bar
        held: the more history, the better their warm-up)."""
        if not len(store):
            cols = {k: np.zeros(0) for k in ("t", *BAR_COLS)}
            cols.update({c: np.zeros(0) for c in self._study_set.columns()})
            return cols
        if not self._study_set.active:
            a = store.arrays(-count)
            return {"t": a["t"], **{k: a[k] for k in BAR_COLS}}
        a = store.arrays()
        values = self._study_set.restart(a)
        self._publish_study_errors()
        cut = slice(-count, None) if count else slice(len(a["t"]), None)
        return {
            "t": a["t"][cut],
            **{k: a[k][cut] for k in BAR_COLS},
            **{k: v[cut] for k, v in values.items()},
        }

    def _studies_current(self, store: Any) -> bool:
        """Whether the studies have taken in every bar of ``store`` as it stands (nothing changed
        since the last frame): a full frame then carries the values drawn, with no restart."""
        studies = self._study_set
        if not studies.active or studies.reshaped or len(store) < 2:
            return False
        if store.epoch != self._bar_epoch or store.version != self._bar_ver:
            return False
        t = store.t
        return studies.committed == int(t[-2]) and all(
            s._form_t == int(t[-1]) for s in studies.active
        )

    def _drawn_columns(self, store: Any, count: int) -> dict[str, Any]:
        """The newest ``count`` bars and the study values the chart has drawn at them."""
        a = store.arrays(-count)
        cols = {"t": a["t"], **{k: a[k] for k in BAR_COLS}}
        for s in self._study_set.active:
            vals = s.values_at(a["t"])
            for j, o in enumerate(s.outputs):
                cols[column_name(s.key, o)] = vals[:, j]
        return cols

    def _full_marked(self, store: Any, keep_range: bool = False) -> Frame:
        # a new view's full frame (nothing changed since the last frame) reuses the values drawn:
        # restarting four studies over 100 000 bars would cost a quarter of a second per view
        current = self._studies_current(store)
        self._bar_ver = store.version
        self._bar_epoch = store.epoch
        if current:
            cols = self._drawn_columns(store, self.max_bars)
        else:
            cols = self._bar_columns(store, self.max_bars)
        self._study_set.reshaped = False
        extra = {**self._extra(), "reset": True, **self._series.saved()}
        self._series.clear_pending()  # the full frame holds every line and marker
        if keep_range:
            extra["keep_range"] = True
        return "bars", cols, extra

    def _full(self) -> Frame:
        return self._full_marked(self._store())

    def _snapshot_frame(self) -> Frame:
        store = self._store()
        if self._study_set.active and len(store):
            # the values the chart has drawn, not a restart (that would move the live state)
            if self.snapshot_bars:
                cols = self._drawn_columns(store, self.snapshot_bars)
            else:
                a = store.arrays(0, 0)
                cols = {"t": a["t"], **{k: a[k] for k in BAR_COLS}}
                cols.update({c: np.zeros(0) for c in self._study_set.columns()})
        else:
            cols = self._bar_columns(store, self.snapshot_bars)
        return "bars", cols, {**self._extra(sent=False), **self._series.saved()}

    def _flush(self) -> None:
        # the bars delta (with the lines' new points), then what else changed in lines, markers
        super()._flush()
        if not self._closed and self._lifetime.sending:
            for frame in self._series.frames():
                self._send_frame(*frame)

    # ---- scroll back ----------------------------------------------------------------------------
    def _on_request(self, kind: str, content: dict[str, Any]) -> None:
        if kind == "screenshot":
            self._shots.answer(content)
        elif kind in ("crosshair", "range"):
            for ln in list(self._links):
                ln.relay(self, kind, content)
        elif kind == "load_more":
            before = int(content.get("before") or 0)
            count = max(1, min(int(content.get("count") or self.page_size), 5000))
            self._spawn(self._load_more(before, count))

    async def _load_more(self, before_ms: int, count: int) -> None:
        n = 0
        try:
            n = int(await self._feed.load_more(self._inst.code, self._iv.name, before_ms, count))
        finally:
            if not self._closed:
                self._mark_dirty()
                self._send_control("loaded", count=n, before=before_ms)

    # ---- public -----------------------------------------------------------------------------------
    @property
    def bars(self) -> pd.DataFrame:
        """The bars held by the feed for this symbol and interval, indexed by open time in the
        chart's time zone (the exchange's by default)."""
        tz = self.timezone if self.timezone not in ("", "local") else None
        return self._store().to_pandas(tz)

    @property
    def instrument(self) -> Any:
        return self._inst

    def close(self) -> None:
        """Stop the chart (its pending pictures are cancelled)."""
        if hasattr(self, "_shots"):
            self._shots.close()
        super().close()

    def _repr_fields(self) -> Iterable[str]:
        yield repr(self.symbol)
        yield f"interval={self.interval!r}"
        try:
            yield f"bars={len(self._store())}"
        except Exception:  # pragma: no cover
            pass
