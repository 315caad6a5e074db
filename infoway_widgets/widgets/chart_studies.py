"""The studies a CandleChart shows: which ones, their parameters, and their values per bar.

Built-in studies come from :mod:`infoway_widgets.studies` (its ``REGISTRY``); their values are
computed in Python, so ``chart.study_frame(name)`` is what the chart draws. A live chart never
recomputes the history per frame: completed bars go through the study's incremental
``StudyRun.extend`` once, the forming bar through ``peek`` on every frame. A user's own study
(``fn(bars) -> Series | DataFrame``) is recomputed on its declared tail (``lookback`` bars) at
display rate; what it raises is kept as the study's error and its values are NaN until it works.

The values travel as more columns of the chart's bars frames, named ``"<study>.<output>"``
(``"macd.dif"``); what the front-end needs to draw them (pane, outputs, styles, errors) is the
chart's ``_study_meta`` trait.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import BadParameterError
from ..studies import REGISTRY
from ..studies.conventions import Convention
from ..studies.frame import Bars

log = logging.getLogger("infoway_widgets.widgets")

OHLCV = ("open", "high", "low", "close", "volume")
#: how an output is drawn where it is not a line
OUTPUT_STYLES = {("macd", "macd"): "histogram", ("vol", "vol"): "hidden", ("sar", "sar"): "dots"}
#: where a study of each registry pane is drawn
PANE_OF = {"price": "main", "volume": "volume", "own": "new"}

UserFn = Callable[[pd.DataFrame], Any]


@dataclass
class StudyRequest:
    """One entry of ``chart.studies``: a study's name and the parameters that differ from its
    defaults."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_item(self) -> str | dict[str, Any]:
        """The form ``chart.studies`` shows: the bare name where the defaults hold."""
        return {"name": self.name, **self.params} if self.params else self.name


@dataclass
class UserStudy:
    """A study the user gave as a function (``chart.add_study(fn, name=...)``)."""

    fn: UserFn
    pane: str = "new"
    lookback: int = 100
    outputs: tuple[str, ...] = ()


def parse_item(item: Any) -> StudyRequest:
    """One entry of ``chart.studies`` (``"macd"`` or ``{"name": "macd", "fast": 10}``)."""
    if isinstance(item, str) and item.strip():
        return StudyRequest(item.strip().lower())
    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
        params = {str(k): v for k, v in item.items() if k != "name"}
        return StudyRequest(str(item["name"]).strip().lower(), params)
    raise BadParameterError(
        f"a study is a name such as 'macd' or a dict like {{'name': 'macd', 'fast': 10}}, "
        f"not {item!r}; built in: {', '.join(sorted(REGISTRY))}"
    )


def _as_2d(values: Any, n: int, k: int) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(n, k) if a.size == n * k else a.reshape(-1, 1)
    return a


class ActiveStudy:
    """One study being drawn: its incremental state and the values the chart has shown."""

    def __init__(self, key: str, pane: str, outputs: Sequence[str], params: dict[str, Any]):
        self.key = key
        self.pane = pane
        self.outputs = tuple(outputs)
        self.params = params
        self.error = ""
        # values of completed bars the chart has drawn (chunks, oldest first), and the forming one
        self._hist_t: list[np.ndarray] = []
        self._hist_v: list[np.ndarray] = []
        self._form_t = -1
        #: the forming bar's values (an array, or a tuple of floats from a frame's peek)
        self._form_v: Any = np.full(len(self.outputs), np.nan)

    # ---- to implement ------------------------------------------------------------------------
    def _restart(self, a: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Values of every bar of ``a`` but the last (completed), and of the last (forming)."""
        raise NotImplementedError

    def _advance(
        self, done: dict[str, np.ndarray], tail: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Values of the newly completed bars ``done`` and of the forming bar, the last of
        ``tail`` (the bars up to it, as many as the study asks for)."""
        raise NotImplementedError

    tail_bars = 1

    # ---- driving -------------------------------------------------------------------------------
    def restart(self, a: dict[str, np.ndarray]) -> np.ndarray:
        """Recompute from ``a`` (every bar held); returns the values of every bar."""
        n = len(a["t"])
        k = len(self.outputs)
        if n == 0:
            self._hist_t, self._hist_v = [], []
            self._form_t = -1
            return np.zeros((0, k))
        done, last = self._guard(lambda: self._restart(a), n)
        self._hist_t = [a["t"][:-1].astype(np.int64)]
        self._hist_v = [done]
        self._form_t = int(a["t"][-1])
        self._form_v = last
        return np.vstack([done, last[None, :]])

    def advance(self, done: dict[str, np.ndarray], tail: dict[str, np.ndarray]) -> np.ndarray:
        """Commit the bars in ``done``, peek the last bar of ``tail``; returns the values of
        ``done`` followed by the forming bar's."""
        vals, last = self._guard(lambda: self._advance(done, tail), len(done["t"]) + 1)
        if len(done["t"]):
            self._hist_t.append(done["t"].astype(np.int64))
            self._hist_v.append(vals)
        self._form_t = int(tail["t"][-1])
        self._form_v = last
        return np.vstack([vals, last[None, :]])

    def _guard(
        self, compute: Callable[[], tuple[np.ndarray, np.ndarray]], n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        k = len(self.outputs)
        try:
            done, last = compute()
            self.error = ""
            return _as_2d(done, n - 1, k), np.asarray(last, dtype=np.float64).reshape(k)
        except Exception as exc:
            # a user's study that fails shows its error on the chart; the stream goes on
            self.error = f"{type(exc).__name__}: {exc}"
            log.info("study %s failed: %s", self.key, self.error)
            return np.full((n - 1, k), np.nan), np.full(k, np.nan)

    @property
    def committed_t(self) -> int:
        """Open time of the newest completed bar the study has taken in (-1: none)."""
        for chunk in reversed(self._hist_t):
            if len(chunk):
                return int(chunk[-1])
        return -1

    def values_at(self, times: np.ndarray) -> np.ndarray:
        """The values the chart has drawn at each bar time (NaN where none)."""
        k = len(self.outputs)
        ht = np.concatenate(self._hist_t) if self._hist_t else np.zeros(0, np.int64)
        hv = np.vstack(self._hist_v) if self._hist_v else np.zeros((0, k))
        if self._form_t >= 0:
            ht = np.append(ht, self._form_t)
            hv = np.vstack([hv, np.asarray(self._form_v, dtype=np.float64).reshape(1, k)])
        self._hist_t, self._hist_v = [ht[:-1]] if len(ht) else [], [hv[:-1]] if len(ht) else []
        out = np.full((len(times), k), np.nan)
        if len(ht):
            i = np.clip(np.searchsorted(ht, times), 0, len(ht) - 1)
            hit = ht[i] == times
            out[hit] = hv[i[hit]]
        return out


def _ohlcv(a: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(a[k], dtype=np.float64) for k in OHLCV)


class BuiltinStudy(ActiveStudy):
    """A study of the registry, driven by its incremental ``StudyRun``."""

    def __init__(self, name: str, convention: Convention, params: dict[str, Any]):
        spec = REGISTRY[name]
        full = {**dict(spec.defaults(convention)), **params}
        run: Any = spec.start(convention, **full)  # checks the parameters
        super().__init__(name, PANE_OF.get(spec.pane, "new"), run.outputs, full)
        self.spec = spec
        self.convention = convention
        self.run = run

    def _restart(self, a: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        self.run = self.spec.start(self.convention, **self.params)
        cols = _ohlcv(a)
        done = self.run.extend(*(c[:-1] for c in cols))
        return done, self.run.peek(*(float(c[-1]) for c in cols))

    def _advance(
        self, done: dict[str, np.ndarray], tail: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        k = len(self.outputs)
        vals = self.run.extend(*_ohlcv(done)) if len(done["t"]) else np.zeros((0, k))
        return vals, self.run.peek(*(float(c[-1]) for c in _ohlcv(tail)))

    def peek_forming(self, t: int, bar: Bars) -> tuple[tuple[float, ...], bool]:
        """The forming bar's values (``bar``: its open, high, low, close, volume as floats) when
        no bar completed since the last frame: one ``peek``, no array. What it raises is the
        study's error and its values NaN (the caller publishes the errors when this is False)."""
        try:
            vals = self.run.peek_bar(bar)
            ok = True
        except Exception as exc:  # pragma: no cover - the registry checks its parameters
            self.error = f"{type(exc).__name__}: {exc}"
            vals = (math.nan,) * len(self.outputs)
            ok = False
        self._form_t = t
        self._form_v = vals
        return vals, ok


class FunctionStudy(ActiveStudy):
    """A user's function, recomputed on the last ``lookback`` bars at display rate."""

    def __init__(self, name: str, user: UserStudy, tz: str):
        super().__init__(name, user.pane, user.outputs or (name,), {"lookback": user.lookback})
        self.user = user
        self.tz = tz
        self.tail_bars = max(1, int(user.lookback))

    def _frame(self, a: dict[str, np.ndarray]) -> pd.DataFrame:
        idx = pd.to_datetime(np.asarray(a["t"], dtype=np.int64), unit="ms", utc=True)
        df = pd.DataFrame({k: a[k] for k in (*OHLCV, "turnover") if k in a}, index=idx)
        df.index = df.index.tz_convert(self.tz)
        df.index.name = "time"
        return df

    def _call(self, a: dict[str, np.ndarray]) -> np.ndarray:
        out = self.user.fn(self._frame(a))
        if isinstance(out, pd.DataFrame):
            if not self.user.outputs:
                self.user.outputs = tuple(str(c) for c in out.columns)
                self.outputs = self.user.outputs
                self._form_v = np.full(len(self.outputs), np.nan)
            out = out[list(self.outputs)]
        vals = np.asarray(out, dtype=np.float64)
        if vals.ndim == 1:
            vals = vals[:, None]
        if vals.shape != (len(a["t"]), len(self.outputs)):
            raise BadParameterError(
                f"{self.key}: the function returned {vals.shape[0]} rows × {vals.shape[1]} "
                f"columns for {len(a['t'])} bars; return a Series or DataFrame on the bars' index"
            )
        return vals

    def _restart(self, a: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        vals = self._call(a)
        return vals[:-1], vals[-1]

    def _advance(
        self, done: dict[str, np.ndarray], tail: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        vals = self._call(tail)
        nd = len(done["t"])
        return vals[-1 - nd : -1], vals[-1]


def column_name(key: str, output: str) -> str:
    return f"{key}.{output}"


def study_meta(s: ActiveStudy, label: str) -> dict[str, Any]:
    """What the front-end needs to draw ``s``."""
    return {
        "key": s.key,
        "label": label,
        "pane": s.pane,
        "outputs": list(s.outputs),
        "styles": [OUTPUT_STYLES.get((s.key, o), "line") for o in s.outputs],
        "params": {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in s.params.items()
            if isinstance(v, (int, float, str, list, tuple))
        },
        "error": s.error,
    }


def study_label(s: ActiveStudy) -> str:
    """``MACD(12,26,9)``: the name and its numeric parameters, as charting tools show it."""
    nums: list[str] = []
    for v in s.params.values():
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            nums.append(f"{v:g}")
        elif isinstance(v, (list, tuple)):
            nums.extend(f"{x:g}" for x in v if isinstance(x, (int, float)))
    return f"{s.key.upper()}({','.join(nums)})" if nums else s.key.upper()


class StudySet:
    """The studies of one chart, advanced together: every study has taken in the same completed
    bars (up to ``committed``), and each frame peeks the forming bar."""

    def __init__(self) -> None:
        self.active: list[ActiveStudy] = []
        self.user: dict[str, UserStudy] = {}
        self.committed = -1
        self._builtin_only = True
        #: the last :meth:`peek_newest` left a study with an error (publish the errors)
        self.failed = False
        #: a user's function changed its columns (it started working, or returns others): the
        #: chart must send a full frame with the new column names
        self.reshaped = False

    def _shape(self) -> list[tuple[str, ...]]:
        return [s.outputs for s in self.active]

    def configure(self, requests: Sequence[StudyRequest], convention: Convention, tz: str) -> None:
        """Build the studies of ``requests`` (a parameter a study refuses raises here)."""
        active: list[ActiveStudy] = []
        for r in requests:
            if r.name in self.user:
                active.append(FunctionStudy(r.name, self.user[r.name], tz))
            else:
                active.append(BuiltinStudy(r.name, convention, r.params))
        self.active = active
        self.committed = -1
        self._builtin_only = all(isinstance(s, BuiltinStudy) for s in active)

    def names(self) -> list[str]:
        return [s.key for s in self.active]

    def columns(self) -> list[str]:
        return [column_name(s.key, o) for s in self.active for o in s.outputs]

    def meta(self) -> list[dict[str, Any]]:
        return [study_meta(s, study_label(s)) for s in self.active]

    def errors(self) -> dict[str, str]:
        return {s.key: s.error for s in self.active if s.error}

    def _spread(self, vals: list[np.ndarray], rows: np.ndarray | slice) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for s, v in zip(self.active, vals):
            for j, o in enumerate(s.outputs):
                out[column_name(s.key, o)] = v[rows, j]
        return out

    def restart(self, a: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Recompute every study over the bars ``a`` (all the chart's bars, oldest first); the
        columns of every bar."""
        before = self._shape()
        vals = [s.restart(a) for s in self.active]
        self.reshaped = self.reshaped or self._shape() != before
        n = len(a["t"])
        self.committed = int(a["t"][-2]) if n >= 2 else -1
        return self._spread(vals, slice(None))

    def advance(self, store: Any, changed_t: np.ndarray) -> dict[str, np.ndarray] | None:
        """The study columns of the bars ``changed_t`` (open times, oldest first) of ``store``,
        from the tail alone; None when a completed bar changed (the caller restarts)."""
        if not self.active or len(changed_t) == 0:
            return {}
        if int(changed_t[0]) <= self.committed:
            return None
        t = store.t
        last = len(t) - 1
        i0 = int(np.searchsorted(t, self.committed, side="right"))
        if i0 > last:
            return None
        done = store.arrays(i0, last)
        back = max(s.tail_bars for s in self.active)
        tail = store.arrays(max(0, last + 1 - back), None)
        before = self._shape()
        vals = [s.advance(done, tail) for s in self.active]
        if self._shape() != before:
            self.reshaped = True
            return None
        if last > i0:
            self.committed = int(t[last - 1])
        rows = np.searchsorted(t[i0:], changed_t)
        return self._spread(vals, rows)

    def peek_newest(self, t: int, before: int, row: Sequence[float]) -> list[float] | None:
        """Every study's values of the forming bar, in the order of :meth:`columns`, when it is
        the only bar changed since the last frame and no bar completed since (``t``: its open
        time, ``before``: the previous bar's, -1 for none; ``row``: open, high, low, close,
        volume as floats): one ``peek`` per study and nothing else. None when that does not hold
        (a bar completed, a user's function is shown): then :meth:`advance_packed`."""
        if not self._builtin_only or t <= self.committed or before > self.committed:
            return None
        out: list[float] = []
        failed = False
        bar = Bars(row[0], row[1], row[2], row[3], row[4])
        for s in self.active:
            vals, ok = s.peek_forming(t, bar)  # type: ignore[attr-defined]
            out += vals
            failed = failed or not ok
        self.failed = failed
        return out

    def advance_packed(self, store: Any, changed_t: np.ndarray) -> np.ndarray | None:
        """:meth:`advance` as one flat array, bar by bar in the order of :meth:`columns` (what a
        delta frame carries). A frame where only the forming bar changed costs one ``peek`` per
        study and nothing else (:meth:`peek_newest`)."""
        if not self.active or len(changed_t) == 0:
            return np.zeros(0)
        t = store.t
        last = len(t) - 1
        if len(changed_t) == 1 and int(changed_t[0]) == int(t[last]):
            row = store.last()
            before = int(t[last - 1]) if last else -1
            vals = self.peek_newest(int(row["t"]), before, tuple(row[k] for k in OHLCV))
            if vals is not None:
                return np.array(vals, dtype=np.float64)
        values = self.advance(store, changed_t)
        if values is None:
            return None
        return np.column_stack([values[k] for k in self.columns()]).ravel()

    def frame(self, key: str, times: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """What the chart shows of study ``key`` at ``times`` (the bars' open times)."""
        for s in self.active:
            if s.key == key:
                return pd.DataFrame(s.values_at(times), index=index, columns=list(s.outputs))
        raise BadParameterError(
            f"the chart shows no study {key!r}; it shows {', '.join(self.names()) or 'none'}"
        )
