"""Every built-in study by name, in the order a chart's settings list them."""

from __future__ import annotations

from . import directional, oscillators, trend, volume
from .run import StudySpec

#: name -> StudySpec: the price-pane studies, the volume pane's, then the own-pane ones
REGISTRY: dict[str, StudySpec] = {
    spec.name: spec
    for spec in (
        trend.MA,
        trend.EMA,
        trend.BOLL,
        trend.SAR,
        volume.VOL,
        oscillators.MACD,
        oscillators.KDJ,
        oscillators.RSI,
        volume.OBV,
        oscillators.WR,
        oscillators.BIAS,
        oscillators.CCI,
        directional.DMI,
    )
}
