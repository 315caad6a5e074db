"""IntervalToggle: bar-interval buttons whose ``value`` a chart or a LiveFigure can follow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from ...errors import BadParameterError
from ...i18n import check_locale, interval_label
from ...market import LIVE_INTERVALS, parse_interval


class IntervalToggle(w.ToggleButtons):  # type: ignore[misc]  # ipywidgets is untyped
    """Bar-interval buttons; ``value`` is the interval name (``"1m"``, ``"5m"``, ``"1d"``, ...).

    Parameters
    ----------
    value : str
    options : sequence of str
        Intervals offered (default: the ones the live feed builds).
    locale : {"en", "zh"}
        Button text: ``5m`` / ``5分``, ``1D`` / ``日K``.

    Examples
    --------
    >>> toggle = iw.IntervalToggle("5m", locale="zh")   # doctest: +SKIP
    >>> toggle.link(chart)            # the chart follows the buttons  # doctest: +SKIP
    """

    def __init__(
        self,
        value: str = "1m",
        options: Sequence[str] = LIVE_INTERVALS,
        *,
        locale: str = "en",
        **kwargs: Any,
    ) -> None:
        loc = check_locale(locale)
        names = [parse_interval(o).name for o in options]
        v = parse_interval(value).name
        if v not in names:
            raise BadParameterError(
                f"interval {value!r} is not among the options {names}; pick one of them or pass "
                "options= that include it"
            )
        kwargs.setdefault("style", {"button_width": "56px"})
        super().__init__(options=[(interval_label(n, loc), n) for n in names], value=v, **kwargs)
        self.locale = loc
        self.add_class("iw-interval-toggle")
        self._links: list[Any] = []

    def link(self, *targets: Any, name: str = "interval") -> IntervalToggle:
        """Keep ``target.<name>`` equal to this toggle's value (a CandleChart's ``interval``, or
        any trait ``name`` of another widget). Returns the toggle, so calls chain."""
        for target in targets:
            self._links.append(w.dlink((self, "value"), (target, name)))
        return self

    def __repr__(self) -> str:
        return f"IntervalToggle(value={self.value!r})"


__all__ = ["IntervalToggle"]
