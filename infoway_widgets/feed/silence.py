"""Which subscribed codes are acked but silent: production's answer to an unknown code.

The service acks a subscription of a code it does not know, then sends nothing for it, ever. A
quiet market (a closed session, a thin stock) looks the same on the socket, so silence only
raises a question; the feed answers it with one REST request per code (an unknown code gets
"All product not exists" there).

A code is asked about once per subscription, when it has pushed nothing since its ack for

* ``quick_ms`` while other codes of its channel pushed (they prove the channel alive), or
* ``period_ms`` in any case.

Pure bookkeeping driven by integer time (ms of the caller's clock); :meth:`next_deadline` says
when :meth:`due` may have something.
"""

from __future__ import annotations

from collections.abc import Iterable


class SilenceWatch:
    """Acked codes waiting for their first push, per channel."""

    def __init__(self, quick_ms: int, period_ms: int) -> None:
        self.quick_ms = quick_ms
        self.period_ms = period_ms
        self._waiting: dict[str, int] = {}  # code -> when acked
        self._channel: dict[str, str] = {}
        self._last_push: dict[str, int] = {}  # channel -> time of its latest push
        self._streaming: set[str] = set()
        self._asked: set[str] = set()

    @property
    def waiting(self) -> dict[str, int]:
        """Codes acked and silent so far, with the time of their ack."""
        return dict(self._waiting)

    def acked(self, code: str, channel: str, now: int) -> None:
        """The service acked a subscription of ``code`` on ``channel``."""
        self._channel[code] = channel
        if code in self._streaming or code in self._asked or code in self._waiting:
            return
        self._waiting[code] = now

    def pushed(self, codes: Iterable[str], now: int) -> None:
        """Data arrived for ``codes``."""
        for code in codes:
            channel = self._channel.get(code)
            if channel is None:
                continue
            self._last_push[channel] = now
            self._streaming.add(code)
            self._waiting.pop(code, None)
            self._asked.discard(code)

    def forget(self, code: str) -> None:
        """``code`` is no longer subscribed: a new subscription starts afresh."""
        self._waiting.pop(code, None)
        self._channel.pop(code, None)
        self._streaming.discard(code)
        self._asked.discard(code)

    def _deadline(self, code: str, acked: int) -> int:
        others = self._last_push.get(self._channel[code], acked - 1)
        return acked + (self.quick_ms if others > acked else self.period_ms)

    def due(self, now: int) -> list[str]:
        """The codes to ask about now, each once (sorted)."""
        out = sorted(c for c, a in self._waiting.items() if now >= self._deadline(c, a))
        for c in out:
            del self._waiting[c]
            self._asked.add(c)
        return out

    def next_deadline(self) -> int | None:
        """When :meth:`due` has something, unless data comes first; None when nothing waits."""
        if not self._waiting:
            return None
        return min(self._deadline(c, a) for c, a in self._waiting.items())


__all__ = ["SilenceWatch"]
