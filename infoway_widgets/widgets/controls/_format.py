"""Text of times, spans and speeds as the controls show them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def clock_text(ms: int | None, tz: str, with_date: bool = False) -> str:
    """``"10:31:05"`` (or ``"2026-05-11 10:31:05"``) of UTC ms ``ms`` in zone ``tz``; dashes for none."""
    if not ms:
        return "--:--:--"
    d = dt.datetime.fromtimestamp(ms / 1000, ZoneInfo(tz))
    return d.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def span_text(ms: int) -> str:
    """A duration as ``"m:ss"``, or ``"h:mm:ss"`` from an hour on."""
    s = max(0, int(ms // 1000))
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def speed_text(x: float) -> str:
    """A replay speed as a multiple: ``"0.5×"``, ``"10×"``."""
    return f"{x:g}×"
