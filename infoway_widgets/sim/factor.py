"""The common factor that correlates moves across names of one market.

One standard-normal shock per simulated second per market group, keyed by (seed, group, minute),
so every instrument sees the same factor no matter when or in which order it is generated.
"""

from __future__ import annotations

import numpy as np

from .universe import stable_int


class FactorSource:
    """Per-second common shocks, 60 per minute, cached per (group, minute)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._cache: dict[tuple[str, int], list[float]] = {}

    def minute(self, group: str, minute_index: int) -> list[float]:
        key = (group, minute_index)
        got = self._cache.get(key)
        if got is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            rng = np.random.Generator(
                np.random.PCG64([self.seed, stable_int("factor", group), minute_index])
            )
            got = rng.standard_normal(60).tolist()
            self._cache[key] = got
        return got
