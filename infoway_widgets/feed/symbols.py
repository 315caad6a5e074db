"""What went wrong per symbol: one channel per code, so that a widget shows its own symbols'
problems and nobody else's.

A problem has a *cause* (the code is unknown, the plan refused one of its streams, its history
failed to load), so that each clears on its own: a history that loads later clears the history
failure, releasing the last watch of a code clears everything about it. The messages say what
happened and what to do; they are built here, in one place.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from ..errors import InfowayError

log = logging.getLogger("infoway_widgets.feed")

#: (code, message or None when it has no problem any more)
SymbolListener = Callable[[str, str | None], None]

#: what a refused stream is called in a message
_STREAMS = {"trades": "trades", "depth": "order book", "candles": "candles"}


def unknown_message(code: str, suggestion: str | None = None) -> str:
    """The message of a code the service does not know (acked, then silent; or "All product not
    exists" on REST)."""
    msg = f"no data for {code}: check the code"
    if suggestion:
        msg += f" (did you mean {suggestion}?)"
    return msg


def refused_message(code: str, kind: str, error: InfowayError) -> str:
    """The message of a stream of ``code`` refused by a plan limit (the error names the limit
    and what to do)."""
    return f"{code}: {_STREAMS.get(kind, kind)} refused by the service. {error}"


def history_message(code: str, error: InfowayError) -> str:
    return f"history of {code} could not be loaded: {error}"


def suggest(code: str, known: Iterable[str]) -> str | None:
    """The known code closest to ``code`` in the same market (same suffix), if one is close."""
    head, _, suffix = code.rpartition(".")
    pool = [k for k in known if k != code and k.rpartition(".")[2] == suffix]
    if not head or not pool:
        return None
    match = difflib.get_close_matches(code, pool, n=1, cutoff=0.8)
    return match[0] if match else None


class SymbolErrors:
    """The problems of each code, by cause, and the listeners that hear of a code's change."""

    def __init__(self) -> None:
        self._causes: dict[str, dict[str, str]] = {}
        self._messages: dict[str, str] = {}
        #: code -> message, read-only (what ``Feed.symbol_errors`` returns)
        self.view: Mapping[str, str] = MappingProxyType(self._messages)
        self._listeners: list[SymbolListener] = []

    def on_change(self, cb: SymbolListener) -> Callable[[], None]:
        """Call ``cb(code, message)`` when a code's message changes (``None``: no problem)."""
        self._listeners.append(cb)
        return lambda: self._listeners.remove(cb) if cb in self._listeners else None

    def cause(self, code: str, cause: str) -> str | None:
        return self._causes.get(code, {}).get(cause)

    def set(self, code: str, cause: str, message: str) -> None:
        causes = self._causes.setdefault(code, {})
        if causes.get(cause) == message:
            return
        causes[cause] = message
        self._changed(code)

    def clear(self, code: str, cause: str | None = None) -> None:
        """Forget ``cause`` of ``code`` (every cause when None)."""
        causes = self._causes.get(code)
        if not causes:
            return
        if cause is None:
            causes.clear()
        elif causes.pop(cause, None) is None:
            return
        self._changed(code)

    def _changed(self, code: str) -> None:
        causes = self._causes.get(code)
        message = "; ".join(causes.values()) if causes else None
        if message is None:
            self._causes.pop(code, None)
            if self._messages.pop(code, None) is None:
                return
        else:
            if self._messages.get(code) == message:
                return
            self._messages[code] = message
        for cb in list(self._listeners):
            try:
                cb(code, message)
            except Exception:
                log.exception("symbol error callback failed")


__all__ = [
    "SymbolErrors",
    "SymbolListener",
    "history_message",
    "refused_message",
    "suggest",
    "unknown_message",
]
