"""The volume profile a chart shows: the feed's profile of the chart's symbol, regrouped into a
few price bands for the front-end (``js/src/lib/vprofile.js`` draws it on the price pane's right
side). Kept apart from the chart module so the chart needs one trait and one call. Full frames
carry the bands; a delta carries them only when they changed since the last frame sent."""

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


def _day_version(chart: Any) -> tuple[int, int] | None:
    """Which count of the feed's day profile of the chart's symbol is current (None: unknown)."""
    profiles = getattr(getattr(chart._feed, "state", None), "profiles", None)
    day = profiles.get(chart._inst.code) if isinstance(profiles, dict) else None
    return None if day is None else (id(day), int(day.version))


def profile_header(chart: Any, *, changed_only: bool = False, sent: bool = True) -> dict[str, Any]:
    """``{"vp": ...}`` for a frame header when the chart shows the profile, else nothing.

    Parameters
    ----------
    chart : CandleChart
    changed_only : bool
        For a delta: nothing when the profile is the one last sent (most bar updates bring no
        new trade, and the bands are about a kilobyte).
    sent : bool
        Whether the frame goes to the front-ends (the saved-state frame does not: what they
        hold stays what they were sent).
    """
    memo: dict[str, Any] = chart.__dict__.setdefault("_vp_memo", {"vp": None, "version": None})
    if not getattr(chart, "show_volume_profile", False):
        if sent:
            memo.update(vp=None, version=None)
        return {}
    version = _day_version(chart)
    if changed_only and version is not None and version == memo["version"]:
        return {}
    try:
        vp = compact(profile_of(chart), ROWS)
    except Exception:  # a feed hiccup must not stop the candles
        return {}
    if changed_only and vp == memo["vp"]:
        memo["version"] = version
        return {}
    if sent:
        memo.update(vp=vp, version=version)
    return {"vp": vp}
