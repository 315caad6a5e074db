"""The volume profile a chart shows: the feed's profile of the chart's symbol, regrouped into a
few price bands for the front-end (``js/src/lib/vprofile.js`` draws it on the price pane's right
side). Kept apart from the chart module so the chart needs one trait and one call."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..feed.volume_profile import compact

#: price bands sent to the front-end
ROWS = 48


def profile_of(chart: Any, start: Any = None, end: Any = None) -> pd.DataFrame:
    """The chart's symbol's volume profile (see :meth:`Feed.volume_profile
    <infoway_widgets.feed.Feed.volume_profile>`); empty from a feed without one."""
    fn = getattr(chart._feed, "volume_profile", None)
    if fn is None:
        return pd.DataFrame(columns=["buy", "sell", "neutral", "volume"])
    out: pd.DataFrame = fn(chart._inst.code, start=start, end=end)
    return out


def profile_header(chart: Any) -> dict[str, Any]:
    """``{"vp": ...}`` for a frame header when the chart shows the profile, else nothing."""
    if not getattr(chart, "show_volume_profile", False):
        return {}
    try:
        return {"vp": compact(profile_of(chart), ROWS)}
    except Exception:  # a feed hiccup must not stop the candles
        return {}
