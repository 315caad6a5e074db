"""What a classroom server keeps: the teacher's clock and the class's results. No I/O.

Both carry a ``version`` that rises on every change, so a student's kernel can ask for "anything
newer than version N" and wait for it instead of asking again and again.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..errors import BadParameterError

#: longest name a student may submit under
MAX_NAME = 40
#: students one class may list (a name submitting again replaces its row)
MAX_STUDENTS = 500


@dataclass
class ClassClock:
    """The teacher's clock: the bar the class stands on, and whether it advances by itself.

    Attributes
    ----------
    index : int
        Index of the bar the clock stands on.
    playing : bool
    speed : float
        Bars per second while playing.
    last : int
        Index of the last bar (the clock stops there).
    version : int
    """

    index: int
    last: int
    playing: bool = False
    speed: float = 1.0
    version: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "playing": self.playing,
            "speed": self.speed,
            "version": self.version,
            "last": self.last,
        }

    def _bump(self) -> None:
        self.version += 1

    def pause(self) -> None:
        self.playing = False
        self._bump()

    def resume(self, speed: float | None = None) -> None:
        if speed is not None:
            self.speed = check_speed(speed)
        self.playing = self.index < self.last
        self._bump()

    def seek(self, index: int) -> None:
        self.index = max(0, min(int(index), self.last))
        if self.index >= self.last:
            self.playing = False
        self._bump()

    def tick(self) -> bool:
        """One bar forward while playing; False when there was nothing to do."""
        if not self.playing or self.index >= self.last:
            return False
        self.index += 1
        if self.index >= self.last:
            self.playing = False
        self._bump()
        return True


def check_speed(speed: Any) -> float:
    try:
        x = float(speed)
    except (TypeError, ValueError):
        x = math.nan
    if not (0.05 <= x <= 1000):
        raise BadParameterError(f"speed is in bars per second, from 0.05 to 1000, not {speed!r}")
    return x


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_name(name: Any) -> str:
    """A student's name as shown on the board: trimmed, normalised, at most ``MAX_NAME`` long."""
    if not isinstance(name, str):
        raise BadParameterError("a result needs the student's name as text: Practice(name='Li')")
    s = _CONTROL.sub("", unicodedata.normalize("NFC", name)).strip()
    if not s:
        raise BadParameterError("a result needs the student's name: Practice(..., name='Li')")
    if len(s) > MAX_NAME:
        raise BadParameterError(f"a name is at most {MAX_NAME} characters; {len(s)} is too long")
    return s


def _number(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise BadParameterError(f"a result's {what} must be a finite number, not {x!r}")
    return float(x)


@dataclass
class Board:
    """The class's results, one row per name, best P&L first."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 0

    def submit(self, body: Any) -> dict[str, Any]:
        """Add or replace a student's result (``name``, ``pnl``, ``return_pct``, ``trades``)."""
        if not isinstance(body, dict):
            raise BadParameterError("a result is a JSON object: name, pnl, return_pct, trades")
        name = check_name(body.get("name"))
        trades = body.get("trades")
        if isinstance(trades, bool) or not isinstance(trades, int) or trades < 0:
            raise BadParameterError(f"a result's trades must be a count, not {trades!r}")
        row = {
            "name": name,
            "pnl": round(_number(body.get("pnl"), "pnl"), 2),
            "return_pct": _number(body.get("return_pct"), "return_pct"),
            "trades": trades,
        }
        if name not in self.rows and len(self.rows) >= MAX_STUDENTS:
            raise BadParameterError(f"this class lists at most {MAX_STUDENTS} students")
        self.rows[name] = row
        self.version += 1
        return row

    def table(self) -> list[dict[str, Any]]:
        return sorted(self.rows.values(), key=lambda r: (-r["pnl"], r["name"]))

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "rows": self.table()}


__all__ = ["MAX_NAME", "Board", "ClassClock", "check_name", "check_speed"]
