"""A chart's own series: the user's lines, markers and price lines.

Each is a handle the user keeps (``chart.add_line``, ``chart.add_markers``,
``chart.add_price_line``). Only a change travels: an appended point or marker goes in the next
coalesced flush as one small ``line`` or ``markers`` frame holding just that change; the whole set
travels only in full frames and in the saved state (the ``lines`` and ``markers`` header fields of
a bars frame). Times are kept as given (UTC ms); the front-end puts each point on the bar that
holds its time, so lines and markers follow an interval switch. Price lines are few and small:
they are the ``_price_lines`` trait.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import BadParameterError

if TYPE_CHECKING:  # pragma: no cover
    from .chart_analysis import ChartAnalysis as CandleChart

LINE_STYLES = ("solid", "dashed", "dotted")
SHAPES = ("arrowUp", "arrowDown", "circle", "square")
POSITIONS = ("above", "below", "inBar")
SIDE_SHAPES = {"buy": ("arrowUp", "below"), "sell": ("arrowDown", "above")}


def to_ms(times: Any, tz: str) -> np.ndarray:
    """UTC epoch ms of ``times`` (timestamps, datetimes, strings; naive ones read in ``tz``;
    numbers are taken as UTC epoch ms already)."""
    arr = np.atleast_1d(np.asarray(times, dtype=object))
    if arr.size and all(
        isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
        for x in arr
    ):
        return arr.astype(np.float64).astype(np.int64)
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(list(arr)))
    except (TypeError, ValueError) as exc:
        raise BadParameterError(
            f"times must be timestamps (pandas, datetime, ISO strings) or UTC epoch ms: {exc}"
        ) from None
    if idx.tz is None:
        idx = idx.tz_localize(tz)
    return np.asarray(idx.tz_convert("UTC").as_unit("ms").asi8, dtype=np.int64)


def _check_choice(what: str, value: str, choices: Iterable[str]) -> str:
    options = tuple(choices)
    if value not in options:
        raise BadParameterError(f"{what} must be one of {', '.join(options)}, not {value!r}")
    return value


class _Handle:
    """What the three kinds of handle share: the chart, an id, and whether it was removed."""

    def __init__(self, chart: CandleChart, hid: str) -> None:
        self._chart = chart
        self.id = hid
        self.removed = False

    def _live(self) -> None:
        if self.removed:
            raise BadParameterError(f"{self!r} was removed from its chart; add a new one")


class ChartLine(_Handle):
    """A line of the user's on a chart (``chart.add_line``): ``append``, ``set``, ``remove``."""

    def __init__(
        self,
        chart: CandleChart,
        hid: str,
        *,
        name: str,
        color: str,
        pane: str,
        style: str,
    ) -> None:
        super().__init__(chart, hid)
        self.name = name
        self.color = color
        self.pane = pane
        self.style = _check_choice("style", style, LINE_STYLES)
        self._t = np.zeros(0, np.int64)
        self._v = np.zeros(0)

    def _points(self, series: Any) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(series, pd.DataFrame) and series.shape[1] == 1:
            series = series.iloc[:, 0]
        if not isinstance(series, pd.Series):
            raise BadParameterError(
                "a line is a pandas Series indexed by time, e.g. equity['2024-01-02':]; "
                f"not {type(series).__name__}"
            )
        s = series.sort_index()
        t = to_ms(s.index, self._chart._data_tz())
        v = np.asarray(pd.to_numeric(s, errors="coerce"), dtype=np.float64)
        return t, v

    def _merge(self, t: np.ndarray, v: np.ndarray) -> None:
        # one value per time: a later point at a time already held replaces it
        tt = np.concatenate([self._t, t])
        vv = np.concatenate([self._v, v])
        order = np.argsort(tt, kind="stable")
        tt, vv = tt[order], vv[order]
        keep = np.append(tt[1:] != tt[:-1], True) if len(tt) else np.zeros(0, bool)
        self._t, self._v = tt[keep], vv[keep]

    def set(self, series: pd.Series) -> ChartLine:
        """Replace every point with ``series`` (a time-indexed Series)."""
        self._live()
        self._t, self._v = np.zeros(0, np.int64), np.zeros(0)
        self._merge(*self._points(series))
        self._chart._series.changed(self, "set")
        return self

    def append(self, time: Any, value: float | None = None) -> ChartLine:
        """Add a point (``time, value``) or a Series of points; a point at a time already on the
        line replaces it. Only the new points travel to the front-end."""
        self._live()
        if isinstance(time, (pd.Series, pd.DataFrame)):
            t, v = self._points(time)
        else:
            if value is None:
                raise BadParameterError("line.append(time, value): give the value too")
            t = to_ms([time], self._chart._data_tz())
            v = np.array([float(value)])
        self._merge(t, v)
        self._chart._series.changed(self, "append", (t, v))
        return self

    def remove(self) -> None:
        """Take the line off the chart (its pane goes with it when nothing else is there)."""
        if not self.removed:
            self.removed = True
            self._chart._series.changed(self, "remove")

    @property
    def series(self) -> pd.Series:
        """The line's points, indexed by time in the chart's zone."""
        idx = pd.to_datetime(self._t, unit="ms", utc=True).tz_convert(self._chart._data_tz())
        return pd.Series(self._v, index=idx, name=self.name)

    def meta(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "color": self.color,
            "pane": self.pane,
            "style": self.style,
        }

    def saved(self) -> dict[str, Any]:
        """The line as the saved state holds it."""
        vals = [None if not math.isfinite(x) else x for x in self._v.tolist()]
        return {**self.meta(), "t": self._t.astype(float).tolist(), "v": vals}

    def __repr__(self) -> str:
        return f"ChartLine({self.name!r}, points={len(self._t)}, pane={self.pane!r})"


class ChartMarkers(_Handle):
    """Markers of the user's on a chart (``chart.add_markers``): ``append``, ``remove``."""

    FIELDS = ("shape", "position", "color", "text")

    def __init__(self, chart: CandleChart, hid: str) -> None:
        super().__init__(chart, hid)
        self._t = np.zeros(0, np.int64)
        self._f: dict[str, list[str]] = {k: [] for k in self.FIELDS}

    def _rows(self, df: pd.DataFrame) -> tuple[np.ndarray, dict[str, list[str]]]:
        if isinstance(df, pd.Series):
            df = df.to_frame()
        if not isinstance(df, pd.DataFrame):
            raise BadParameterError(
                "markers are a DataFrame indexed by time with a 'side' ('buy'/'sell') or "
                f"'shape' column; not {type(df).__name__}"
            )
        cols = {str(c).lower(): c for c in df.columns}
        if "side" not in cols and "shape" not in cols:
            raise BadParameterError(
                "markers need a 'side' column ('buy' / 'sell') or a 'shape' column "
                f"({', '.join(SHAPES)}); the frame has {', '.join(map(str, df.columns)) or 'none'}"
            )
        df = df.sort_index()
        t = to_ms(df.index, self._chart._data_tz())
        n = len(df)

        def col(name: str) -> list[str]:
            c = cols.get(name)
            return ["" if pd.isna(x) else str(x) for x in df[c]] if c is not None else [""] * n

        side, shape, pos = col("side"), col("shape"), col("position")
        out: dict[str, list[str]] = {
            "shape": [],
            "position": [],
            "color": col("color"),
            "text": col("text"),
        }
        for i in range(n):
            s = side[i].lower()
            if s and s not in SIDE_SHAPES:
                raise BadParameterError(f"a marker's side is 'buy' or 'sell', not {side[i]!r}")
            default_shape, default_pos = SIDE_SHAPES.get(s, ("circle", "above"))
            out["shape"].append(_check_choice("shape", shape[i] or default_shape, SHAPES))
            out["position"].append(_check_choice("position", pos[i] or default_pos, POSITIONS))
            if s and not out["color"][i]:
                out["color"][i] = s  # the front-end colours buys and sells as rises and falls
        return t, out

    def append(self, df: pd.DataFrame) -> ChartMarkers:
        """Add the markers of ``df`` (same columns as for ``add_markers``); only they travel."""
        self._live()
        t, f = self._rows(df)
        self._t = np.concatenate([self._t, t])
        for k in self.FIELDS:
            self._f[k].extend(f[k])
        self._chart._series.changed(self, "append", (t, f))
        return self

    def remove(self) -> None:
        """Take these markers off the chart."""
        if not self.removed:
            self.removed = True
            self._chart._series.changed(self, "remove")

    @property
    def frame(self) -> pd.DataFrame:
        """The markers, indexed by time in the chart's zone."""
        idx = pd.to_datetime(self._t, unit="ms", utc=True).tz_convert(self._chart._data_tz())
        return pd.DataFrame(self._f, index=idx)

    def saved(self) -> dict[str, Any]:
        return {"id": self.id, "t": self._t.astype(float).tolist(), **self._f}

    def __repr__(self) -> str:
        return f"ChartMarkers(markers={len(self._t)})"


class PriceLine(_Handle):
    """A horizontal line at a price (a stop, a target): set ``price``, ``title`` or ``color``
    to move or restyle it, ``remove()`` to take it off."""

    def __init__(self, chart: CandleChart, hid: str, price: float, title: str, color: str):
        super().__init__(chart, hid)
        self._price = _price(price)
        self._title = str(title)
        self._color = str(color)

    def _push(self) -> None:
        self._live()
        self._chart._put_price_line(self.id, self.saved())

    @property
    def price(self) -> float:
        return self._price

    @price.setter
    def price(self, value: float) -> None:
        self._price = _price(value)
        self._push()

    def move(self, price: float) -> PriceLine:
        """Move the line to ``price``."""
        self.price = price
        return self

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self._title = str(value)
        self._push()

    @property
    def color(self) -> str:
        return self._color

    @color.setter
    def color(self, value: str) -> None:
        self._color = str(value)
        self._push()

    def remove(self) -> None:
        if not self.removed:
            self.removed = True
            self._chart._put_price_line(self.id, None)

    def saved(self) -> dict[str, Any]:
        return {"price": self._price, "title": self._title, "color": self._color}

    def __repr__(self) -> str:
        return f"PriceLine({self._price:g}, title={self._title!r})"


def _price(value: Any) -> float:
    try:
        p = float(value)
    except (TypeError, ValueError):
        p = math.nan
    if not math.isfinite(p):
        raise BadParameterError(f"a price line needs a finite price, not {value!r}")
    return p


Frame = tuple[str, dict[str, Any], dict[str, Any]]


class UserSeries:
    """The lines and markers of one chart, and their changes not yet sent."""

    def __init__(self, on_change: Any) -> None:
        self.lines: dict[str, ChartLine] = {}
        self.markers: dict[str, ChartMarkers] = {}
        self._on_change = on_change
        self._pending: dict[str, list[tuple[str, Any]]] = {}
        self._made = 0

    def new_id(self, prefix: str) -> str:
        self._made += 1
        return f"{prefix}{self._made}"

    def add(self, handle: ChartLine | ChartMarkers) -> None:
        if isinstance(handle, ChartLine):
            self.lines[handle.id] = handle
        else:
            self.markers[handle.id] = handle

    def changed(self, handle: ChartLine | ChartMarkers, op: str, data: Any = None) -> None:
        """Queue a change for the next flush: a ``set`` or ``remove`` supersedes what was queued,
        appends after a queued ``set`` are already in it."""
        queue = self._pending.setdefault(handle.id, [])
        if op in ("set", "remove"):
            queue[:] = [(op, None)]
        elif not (queue and queue[-1][0] == "set"):
            queue.append((op, data))
        if op == "remove":
            self.lines.pop(handle.id, None)
            self.markers.pop(handle.id, None)
        self._on_change()

    def pane_names(self) -> set[str]:
        """Panes the lines opened (``pane="new"``: the line's name)."""
        return {ln.name for ln in self.lines.values() if ln.pane == "new"}

    def clear_pending(self) -> None:
        self._pending.clear()

    def take_line_appends(self) -> dict[str, list[float | None]]:
        """Points appended to lines since the last frame, taken off the queue: a bars frame
        carries them (``line_points``: id -> t, value, t, value, ...) instead of a frame each."""
        out: dict[str, list[float | None]] = {}
        for hid, queue in list(self._pending.items()):
            if hid not in self.lines or not queue or any(op != "append" for op, _ in queue):
                continue
            for _, (t, v) in _merged(queue):
                flat: list[float | None] = []
                for ti, vi in zip(t.tolist(), v.tolist()):
                    flat += [float(ti), vi if math.isfinite(vi) else None]
                out[hid] = flat
            del self._pending[hid]
        return out

    def frames(self) -> list[Frame]:
        """One frame per line or marker set changed since the last call."""
        out: list[Frame] = []
        for hid, queue in self._pending.items():
            line = self.lines.get(hid)
            marks = self.markers.get(hid)
            for op, data in _merged(queue):
                if op == "remove":
                    kind = "line" if hid.startswith("l") else "markers"
                    cols = (
                        {"t": np.zeros(0), "value": np.zeros(0)}
                        if kind == "line"
                        else {"t": np.zeros(0)}
                    )
                    out.append((kind, cols, {"id": hid, "op": "remove"}))
                elif line is not None:
                    t, v = (line._t, line._v) if op == "set" else data
                    extra = {"op": op, **(line.meta() if op == "set" else {"id": hid})}
                    out.append(("line", {"t": t, "value": v}, extra))
                elif marks is not None:
                    t, f = (marks._t, marks._f) if op == "set" else data
                    out.append(("markers", {"t": t}, {"id": hid, "op": op, **f}))
        self._pending.clear()
        return out

    def saved(self) -> dict[str, Any]:
        """The ``lines`` and ``markers`` fields of a full frame (and of the saved state)."""
        return {
            "lines": [ln.saved() for ln in self.lines.values()],
            "markers": [m.saved() for m in self.markers.values()],
        }


def _merged(queue: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Consecutive appends of one handle as one append (one frame per flush)."""
    out: list[tuple[str, Any]] = []
    for op, data in queue:
        if op == "append" and out and out[-1][0] == "append":
            a, b = out[-1][1], data
            if isinstance(a[1], dict):
                merged: Any = (np.concatenate([a[0], b[0]]), {k: a[1][k] + b[1][k] for k in a[1]})
            else:
                merged = (np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]))
            out[-1] = ("append", merged)
        else:
            out.append((op, data))
    return out
