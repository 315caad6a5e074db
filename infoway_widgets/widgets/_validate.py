"""Checks of widget settings, run by traitlets before a trait changes: a refused value never lands.

Each check raises the library's own error (an :class:`~infoway_widgets.errors.InfowayError` whose
message says what to do) made a :class:`traitlets.TraitError` too: traitlets rolls back only
``TraitError``\\ s when a change made inside ``hold_trait_notifications`` fails its final check (a
front-end's ``set_state``, several settings at once), so that refused values never stick there
either. ``except BadIntervalError`` and ``except TraitError`` both catch it.
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Iterable
from typing import Any

import traitlets as t

from ..errors import BadParameterError, InfowayError

_TRAIT_ERROR_CLASSES: dict[type[InfowayError], type[InfowayError]] = {}


def _trait_error_class(cls: type[InfowayError]) -> type[InfowayError]:
    made = _TRAIT_ERROR_CLASSES.get(cls)
    if made is None:
        # same name, module and docstring as ``cls``: tracebacks read as the library's error
        attrs = {
            "__module__": cls.__module__,
            "__doc__": cls.__doc__,
            "__qualname__": cls.__qualname__,
        }
        made = type(cls.__name__, (cls, t.TraitError), attrs)
        _TRAIT_ERROR_CLASSES[cls] = made
    return made


def rejected(exc: InfowayError) -> InfowayError:
    """``exc`` as an instance of a subclass of its own class and of :class:`traitlets.TraitError`."""
    if isinstance(exc, t.TraitError):
        return exc
    cls = _trait_error_class(type(exc))
    out = cls.__new__(cls, *exc.args)
    out.args = exc.args
    out.__dict__.update(exc.__dict__)
    return out


def refuse(message: str) -> InfowayError:
    """A :class:`~infoway_widgets.errors.BadParameterError` that traitlets treats as a TraitError."""
    return rejected(BadParameterError(message))


def _owner(proposal: Any) -> str:
    return f"{type(proposal['owner']).__name__}.{proposal['trait'].name}"


def choice(proposal: Any, choices: Iterable[str]) -> str:
    """The proposed value if it is one of ``choices``."""
    options = list(choices)
    value = proposal["value"]
    if value not in options:
        raise refuse(
            f"{_owner(proposal)} must be one of {', '.join(map(repr, options))}, not {value!r}"
        )
    return str(value)


def number(proposal: Any, *, low: float, high: float = math.inf, low_open: bool = False) -> float:
    """The proposed value if it is a finite number in ``[low, high]`` (``(low, high]`` with
    ``low_open``)."""
    value = proposal["value"]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and value <= high
    if not ok:
        lo = f"more than {low:g}" if low_open else f"at least {low:g}"
        hi = f" and at most {high:g}" if math.isfinite(high) else ""
        raise refuse(f"{_owner(proposal)} must be a number {lo}{hi}, not {value!r}")
    return float(value)


def integer(proposal: Any, *, low: int, high: int | None = None) -> int:
    """The proposed value if it is a whole number in ``[low, high]``."""
    value = proposal["value"]
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        hi = f" and at most {high}" if high is not None else ""
        raise refuse(f"{_owner(proposal)} must be a whole number at least {low}{hi}, not {value!r}")
    return int(value)


def time_zone(proposal: Any) -> str:
    """``''`` (the exchange's zone), ``'local'`` (the browser's) or a known IANA zone name."""
    value = proposal["value"]
    if value in ("", "local"):
        return str(value)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise refuse(
            f"{_owner(proposal)}: unknown time zone {value!r}; use '' for the exchange's, 'local' "
            "for the browser's, or an IANA name such as 'Asia/Shanghai' or 'America/New_York'"
        ) from None
    return str(value)


def library_errors(proposal: Any, fn: Any) -> Any:
    """``fn(value)``, its :class:`~infoway_widgets.errors.InfowayError` raised as a TraitError too."""
    try:
        return fn(proposal["value"])
    except InfowayError as exc:
        raise rejected(exc) from None


__all__ = ["choice", "integer", "library_errors", "number", "refuse", "rejected", "time_zone"]
