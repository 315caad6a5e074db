"""The instruments a feed has met: each symbol parsed once, named from the simulated universe
when the feed runs (or replays) the simulated market."""

from __future__ import annotations

from collections.abc import Callable

from ..market import Instrument, parse_symbol


class InstrumentRegistry:
    """Validated instruments by the text a user gave and by code.

    ``universe``, when given, is asked once on the first lookup: its instruments carry the
    simulated market's names (and mark its ST names), known even while its server still starts.
    """

    def __init__(self, universe: Callable[[], dict[str, Instrument]] | None = None) -> None:
        self._by_text: dict[str, Instrument] = {}
        self._universe_of = universe
        self._universe: dict[str, Instrument] | None = None

    def get(self, symbol: str) -> Instrument:
        """The :class:`Instrument` for ``symbol`` (raises InvalidSymbolError with a hint)."""
        inst = self._by_text.get(symbol)
        if inst is None:
            inst = parse_symbol(symbol)
            if self._universe_of is not None:
                inst = self.universe().get(inst.code, inst)
            self._by_text[symbol] = inst
            self._by_text[inst.code] = inst
        return inst

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._by_text

    def universe(self) -> dict[str, Instrument]:
        """The simulated universe by code (the same dict each time; empty for a live feed)."""
        if self._universe is None:
            self._universe = self._universe_of() if self._universe_of is not None else {}
        return self._universe

    def known(self) -> dict[str, Instrument]:
        """Every instrument looked up so far, by code."""
        return {k: v for k, v in self._by_text.items() if k == v.code}

    def forget(self, symbol: str) -> None:
        """Drop ``symbol``'s entry so the next lookup parses (and names) it afresh."""
        self._by_text.pop(symbol, None)

    def as_dict(self) -> dict[str, Instrument]:
        """The lookup table itself, by given text and by code."""
        return self._by_text
