"""Each watched code's own problems, found where they show: a stream the plan refused (the
session's outcome), a history or a book the service does not have, a code acked and then silent.

The silence needs a timer and a question to the service; the rest is bookkeeping in
:class:`~.symbols.SymbolErrors`, which the widgets of each code read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from ..errors import InfowayError, UnknownSymbolError
from ..protocol.events import CodeOutcome, CodesAccepted, CodesRefused
from .instruments import InstrumentRegistry
from .silence import SilenceWatch
from .sources import Source
from .subscriptions import Subscriptions
from .symbols import SymbolErrors, history_message, refused_message, suggest, unknown_message

#: an acked code silent this long (service seconds) while others of its channel stream, or this
#: long in any case, is checked on REST; never sooner than the real-time floors (a loop stall or
#: a slow first trade must not look like an unknown code)
SILENT_QUICK_S, SILENT_PERIOD_S = 15.0, 60.0
SILENT_QUICK_FLOOR_MS, SILENT_PERIOD_FLOOR_MS = 1_500, 5_000


class SymbolProblems:
    """Finds each code's problems and files them in :attr:`errors`."""

    def __init__(
        self,
        *,
        source: Source,
        subscriptions: Subscriptions,
        instruments: InstrumentRegistry,
        run: Callable[[Coroutine[Any, Any, Any]], object],
        warn: Callable[[str], None],
        time_scale: float,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._source = source
        self._subs = subscriptions
        self._instruments = instruments
        self._run = run
        self._warn = warn
        self._loop = loop
        self.errors = SymbolErrors()
        self.silence = SilenceWatch(
            max(SILENT_QUICK_FLOOR_MS, round(SILENT_QUICK_S * 1000 / time_scale)),
            max(SILENT_PERIOD_FLOOR_MS, round(SILENT_PERIOD_S * 1000 / time_scale)),
        )
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: int | None = None
        self._closed = False

    def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._timer_at = None

    # ---- what was found ---------------------------------------------------------------------------
    def unknown(self, code: str) -> None:
        """The service knows no ``code``."""
        hint = suggest(code, self._instruments.universe())
        self.errors.set(code, "unknown", unknown_message(code, hint))

    def history(self, code: str, err: InfowayError | None) -> None:
        """A history load of ``code`` failed with ``err``, or succeeded (None)."""
        if err is None:
            self.errors.clear(code, "history")
        elif isinstance(err, UnknownSymbolError):
            self.unknown(code)
        else:
            self.errors.set(code, "history", history_message(code, err))

    def outcome(self, business: str, outcome: CodeOutcome) -> None:
        """What ``business``'s session concluded about codes."""
        watched = self._subs.symbols()
        if isinstance(outcome, CodesRefused):
            for code in outcome.codes:
                self._warn(f"{business}: {outcome.kind} of {code} refused: {outcome.error}")
                if code in watched:
                    msg = refused_message(code, outcome.kind, outcome.error)
                    self.errors.set(code, f"refused:{outcome.kind}", msg)
        elif isinstance(outcome, CodesAccepted) and outcome.kind in ("trades", "depth"):
            for code in outcome.codes:
                self.errors.clear(code, f"refused:{outcome.kind}")
                if code in watched:
                    self.silence.acked(code, business, outcome.at)
            self._arm()

    def released(self, code: str) -> None:
        """Nothing watches ``code`` any more: its problems go with it."""
        self.silence.forget(code)
        self.errors.clear(code)

    def data(self, symbols: set[str]) -> None:
        """Data arrived for ``symbols`` (they are not silent)."""
        if self.silence.waiting:
            self.silence.pushed(symbols, self._now())
            self._arm()

    # ---- silence ----------------------------------------------------------------------------------
    def _now(self) -> int:
        # the sessions' clock (their outcomes are stamped with it): the loop's, in ms
        return int(self._loop.time() * 1000)

    def _arm(self) -> None:
        """Wake up when the next acked code has been silent long enough to be checked."""
        at = self.silence.next_deadline()
        if at is None or self._closed:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._timer_at = None
            return
        if self._timer is not None and self._timer_at is not None:
            if self._timer_at <= at:
                return
            self._timer.cancel()
        self._timer_at = at
        self._timer = self._loop.call_at(at / 1000, self._due)

    def _due(self) -> None:
        self._timer = self._timer_at = None
        codes = [
            c for c in self.silence.due(self._now()) if self.errors.cause(c, "unknown") is None
        ]
        if codes and not self._closed:
            self._run(self._check(codes))
        self._arm()

    async def _check(self, codes: list[str]) -> None:
        """Ask the service about codes acked and silent: it answers "All product not exists" for
        an unknown one; one it knows is merely quiet (a closed market), which is no error."""
        for code in codes:
            try:
                await self._source.klines([code], "1d", count=1)
            except UnknownSymbolError:
                if code in self._subs.symbols():
                    self.unknown(code)
            except InfowayError as e:
                self._warn(f"checking the silent code {code}: {e}")


__all__ = ["SymbolProblems"]
