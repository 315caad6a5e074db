"""A study's shape: its incremental run (``StudyRun``) and its description for a chart (``StudySpec``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from ..errors import BadParameterError
from .conventions import Convention, resolve
from .frame import Bars, read_bars

Pane = Literal["price", "volume", "own"]


def period(study: str, name: str, value: Any, *, low: int = 1, high: int = 1000) -> int:
    """``value`` as a whole number of bars in ``[low, high]``, or a BadParameterError saying so."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not low <= value <= high
    ):
        raise BadParameterError(
            f"{study}: {name}={value!r} must be a whole number of bars from {low} to {high}"
        )
    return int(value)


def periods(study: str, name: str, value: Any) -> tuple[int, ...]:
    """A tuple of periods (``(5, 10, 20)``); one number is a tuple of one."""
    items = (value,) if isinstance(value, (int, np.integer)) else value
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise BadParameterError(f"{study}: {name}={value!r} must be periods such as (5, 10, 20)")
    out = tuple(period(study, name, v) for v in items)
    if not out or len(set(out)) != len(out):
        raise BadParameterError(
            f"{study}: {name}={value!r} must be one or more different periods, e.g. (5, 10, 20)"
        )
    return out


def number(study: str, name: str, value: Any, *, low: float, high: float) -> float:
    """``value`` as a float in ``(low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise BadParameterError(f"{study}: {name}={value!r} must be a number")
    v = float(value)
    if not low < v <= high:
        raise BadParameterError(f"{study}: {name}={value!r} must be above {low} and at most {high}")
    return v


class StudyRun:
    """A study's incremental state over a stream of bars.

    ``extend`` consumes complete bars (oldest first) and returns their values; ``peek`` gives the
    values the forming bar has now without changing the state, in O(1) whatever the length of the
    history. ``extend`` of a whole history in one block, or in pieces, or bar by bar, gives the
    same numbers as the study's function on the whole frame.

    Attributes
    ----------
    name
        The study's registry name (``"macd"``).
    convention
        ``"cn"`` or ``"intl"``.
    params
        The parameters in force, defaults filled in.
    outputs
        The column names of the values, in order (``("dif", "dea", "macd")``).
    min_bars
        Bars the study's longest window spans: the frame functions refuse shorter frames.
    needs
        The bar fields read (``("close",)``; ``"volume"`` only where the study uses it).
    """

    name: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ("close",)

    def __init__(self, convention: Convention, params: dict[str, Any]) -> None:
        self.convention = convention
        self.params = params
        self.outputs: tuple[str, ...] = ()
        self.min_bars = 1
        self.bars = 0

    # subclasses: the formula, once, over nodes called with `commit`
    def _step(self, b: Bars, commit: bool) -> tuple[Any, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _bars(self, open_: Any, high: Any, low: Any, close: Any, volume: Any, block: bool) -> Bars:
        if not block:  # the forming bar, on every frame: no dict, no keywords
            bar = Bars(open_, high, low, close, volume)
            for key in self.needs:
                x = getattr(bar, key)
                if x is None:
                    raise BadParameterError(f"{self.name}: pass the bar's {key} (it is None)")
                setattr(bar, key, float(x))
            return bar
        fields = {"open": open_, "high": high, "low": low, "close": close, "volume": volume}
        if block:
            n = None
            for key in self.needs:
                arr = fields[key]
                if arr is None:
                    raise BadParameterError(f"{self.name}: pass the bars' {key} (it is None)")
                arr = np.asarray(arr, dtype=np.float64).reshape(-1)
                if n is not None and len(arr) != n:
                    raise BadParameterError(
                        f"{self.name}: the bar arrays differ in length; pass one value per bar in each"
                    )
                n = len(arr)
                fields[key] = arr
        else:
            for key in self.needs:
                if fields[key] is None:
                    raise BadParameterError(f"{self.name}: pass the bar's {key} (it is None)")
                fields[key] = float(fields[key])
        return Bars(**fields)

    def extend(self, open_: Any, high: Any, low: Any, close: Any, volume: Any = None) -> np.ndarray:
        """Commit complete bars and return their values.

        Parameters
        ----------
        open_, high, low, close, volume
            Arrays of the bars' open, high, low, close and volume, oldest first, one value per
            bar (a field the study does not read may be None).

        Returns
        -------
        numpy.ndarray
            Shape ``(bars, len(outputs))``; NaN where a value is not defined yet (warm-up).
        """
        return self._extend(self._bars(open_, high, low, close, volume, block=True))

    def _extend(self, b: Bars) -> np.ndarray:
        values = self._step(b, commit=True)
        n = len(getattr(b, self.needs[0]))
        self.bars += n
        out = np.empty((n, len(values)))
        for i, col in enumerate(values):
            out[:, i] = col
        return out

    def peek(self, open_: Any, high: Any, low: Any, close: Any, volume: Any = None) -> np.ndarray:
        """The values of the forming bar, without committing it.

        Parameters
        ----------
        open_, high, low, close, volume
            The forming bar's open, high, low, close and volume so far (floats; a field the study
            does not read may be None).

        Returns
        -------
        numpy.ndarray
            Shape ``(len(outputs),)``.
        """
        return np.array(
            self._step(self._bars(open_, high, low, close, volume, block=False), commit=False),
            dtype=float,
        )

    def peek_bar(self, bar: Bars) -> tuple[float, ...]:
        """:meth:`peek` for a caller that holds the forming bar as floats already (a chart, on
        every frame, one :class:`~infoway_widgets.studies.frame.Bars` for all its studies): the
        values as a tuple, with no checks of the inputs and no array. ``bar`` is only read."""
        return self._step(bar, commit=False)

    @property
    def label(self) -> str:
        """The legend's name with the parameters, as trading software writes it: ``MACD(12,26,9)``."""
        values: list[str] = []
        for v in self.params.values():
            items = v if isinstance(v, (tuple, list)) else (v,)
            values += [f"{x:g}" if isinstance(x, float) else str(x) for x in items]
        return f"{self.name.upper()}({','.join(values)})" if values else self.name.upper()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return (
            f"<{type(self).__name__} {self.name}({args}) {self.convention} after {self.bars} bars>"
        )


@dataclass(frozen=True)
class StudySpec:
    """What a chart needs to know of a built-in study.

    Attributes
    ----------
    name
        The registry key (``"macd"``).
    pane
        Where it is drawn: ``"price"`` (over the candles), ``"volume"`` (the volume pane) or
        ``"own"`` (a pane of its own below).
    outputs
        Column names with the default parameters (``columns(**params)`` for others).
    run
        The ``StudyRun`` class.
    default_params
        ``convention -> parameters``: the defaults of each convention.
    title
        ``(zh, en)``: what the study is called, for a legend's tooltip or a settings list.
    """

    name: str
    pane: Pane
    outputs: tuple[str, ...]
    run: type[StudyRun]
    default_params: Callable[[Convention], dict[str, Any]]
    title: tuple[str, str] = ("", "")

    @property
    def label(self) -> str:
        """The short name trading software shows (``"MACD"``)."""
        return self.name.upper()

    def title_in(self, lang: str) -> str:
        """The long name in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.title[0] if lang.startswith("zh") else self.title[1]

    def defaults(self, convention: Convention = "cn") -> dict[str, Any]:
        """The default parameters under ``convention``."""
        return dict(self.default_params(resolve(convention)))

    def start(self, convention: Convention = "cn", **params: Any) -> StudyRun:
        """A fresh incremental run; unnamed parameters take the convention's defaults.

        Raises
        ------
        BadParameterError
            A parameter this study does not take, or a value out of range.
        """
        conv = resolve(convention)
        base = self.default_params(conv)
        unknown = sorted(set(params) - set(base))
        if unknown:
            raise BadParameterError(
                f"{self.name} takes {', '.join(base) or 'no parameters'}, not {', '.join(unknown)}"
            )
        return self.run(conv, {**base, **params})

    def columns(self, convention: Convention = "cn", **params: Any) -> tuple[str, ...]:
        """The output column names for these parameters."""
        return self.start(convention, **params).outputs

    def compute(
        self, df: pd.DataFrame, convention: str | None = None, **params: Any
    ) -> pd.DataFrame:
        """The study over a whole frame, on the frame's index (what ``iw.studies.<name>`` does).

        ``convention=None`` picks by ``df.attrs["symbol"]`` (cn for A-shares and Hong Kong), else
        intl.
        """
        return self.start_from(df, convention, **params)[1]

    def start_from(
        self,
        df: pd.DataFrame,
        convention: str | None = None,
        *,
        min_bars: bool = True,
        **params: Any,
    ) -> tuple[StudyRun, pd.DataFrame]:
        """The study over a frame and a run positioned after its last bar, ready for live bars.

        A chart loads its history with this (the frame is what it shows; ``extend`` and ``peek``
        go on from there) instead of computing twice. ``min_bars=False`` accepts a history shorter
        than the study's window (its values are NaN until the window fills), as a chart must.
        """
        run = self.start(resolve(convention, df), **params)
        bars = read_bars(df, self.name, run.needs, run.min_bars if min_bars else 0)
        frame = pd.DataFrame(run._extend(bars), index=df.index, columns=list(run.outputs))
        return run, frame
