"""Charts that follow each other: the crosshair and the visible time range of one move the others.

A view reports its crosshair time and visible time range (UTC ms) to its chart; the link passes
them on to the other charts, whose views put the crosshair on the bar holding that time and show
the same span of time. Charts of different intervals line up by time, not by bar number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import BadParameterError

if TYPE_CHECKING:  # pragma: no cover
    from .candle import CandleChart

#: what a view reports, and the fields of each
FOLLOWED = {"crosshair": ("t",), "range": ("from_t", "to_t")}


class ChartLink:
    """Charts linked by :func:`link`; ``unlink()`` lets them go their own ways again."""

    def __init__(
        self, charts: list[CandleChart], follow: tuple[str, ...] = tuple(FOLLOWED)
    ) -> None:
        self.charts = charts
        self.follow = follow
        for c in charts:
            c._links.append(self)
            c._linked = True

    def relay(self, source: CandleChart, what: str, content: dict[str, Any]) -> None:
        """Pass what a view of ``source`` reported on to the other charts' views."""
        if what not in self.follow:
            return
        fields = {k: _ms(content.get(k)) for k in FOLLOWED[what]}
        for c in self.charts:
            if c is not source and not c.closed:
                c._send_control(what, count=0, before=0, **fields)

    def unlink(self) -> None:
        """Stop following each other."""
        for c in self.charts:
            if self in c._links:
                c._links.remove(self)
            c._linked = bool(c._links)
        self.charts = []

    def __repr__(self) -> str:
        return f"ChartLink({', '.join(repr(c.symbol) for c in self.charts)})"


def _ms(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and value == value else None


def link(*charts: Any, crosshair: bool = True, range: bool = True) -> ChartLink:
    """Make charts follow each other: moving the crosshair or scrolling and zooming one moves the
    others to the same time (charts of different intervals line up by time).

    Parameters
    ----------
    *charts : CandleChart or Dashboard
        Two or more charts; a :class:`Dashboard` stands for its charts.
    crosshair : bool
        The crosshair of one puts the others' on the bar holding the same time.
    range : bool
        Scrolling or zooming one shows the same span of time in the others. Leave it off for
        charts of very different intervals (a daily chart showing the two days a 5-minute chart
        shows is no use): each keeps its own zoom and the crosshair still lines them up.

    Returns
    -------
    ChartLink
        ``unlink()`` undoes it.

    Examples
    --------
    >>> daily, minute = iw.CandleChart("600519.SH", "1d"), iw.CandleChart("600519.SH", "5m")  # doctest: +SKIP
    >>> iw.link(daily, minute)                                                               # doctest: +SKIP
    """
    from .candle import CandleChart

    charts = tuple(c for x in charts for c in (getattr(x, "charts", None) or [x]))
    if len(charts) < 2 or not all(isinstance(c, CandleChart) for c in charts):
        raise BadParameterError(
            "iw.link takes two or more CandleCharts (or Dashboards): iw.link(chart_a, chart_b)"
        )
    if len(set(map(id, charts))) != len(charts):
        raise BadParameterError("iw.link: each chart once")
    follow = tuple(k for k, on in (("crosshair", crosshair), ("range", range)) if on)
    if not follow:
        raise BadParameterError("iw.link: follow the crosshair, the range or both")
    return ChartLink(list(charts), follow)
