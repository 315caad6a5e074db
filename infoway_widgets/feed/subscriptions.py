"""What a feed's users watch: a reference count per subscription, and the :class:`Watch` handle.

A subscription is a key: ``("trades", code)``, ``("depth", code)`` or ``("bars", code, interval)``.
The first holder of a key makes the feed subscribe (or load history); the last release makes it
unsubscribe. This module only counts and says which keys started or ended; the feed acts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

SubKey = tuple[str, ...]


def keys_for(code: str, *, trades: bool, depth: bool, intervals: Iterable[str]) -> list[SubKey]:
    """The keys a watch of ``code`` holds: bars need trades (they are built from them)."""
    ivs = list(intervals)
    keys: list[SubKey] = []
    if trades or ivs:
        keys.append(("trades", code))
    if depth:
        keys.append(("depth", code))
    keys.extend(("bars", code, iv) for iv in ivs)
    return keys


class Watch:
    """A reference-counted interest in a symbol. ``close()`` releases it (idempotent)."""

    def __init__(
        self,
        release: Callable[[list[SubKey]], None],
        keys: list[SubKey],
        cleanup: Callable[[], None] | None = None,
    ):
        self._release = release
        self._keys = keys
        self._cleanup = cleanup
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self._cleanup is not None:
                self._cleanup()
            self._release(self._keys)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Watch({', '.join(':'.join(k) for k in self._keys)}{', closed' if self.closed else ''})"


class Subscriptions:
    """Reference counts of subscription keys."""

    def __init__(self) -> None:
        self._refs: dict[SubKey, int] = {}

    def acquire(self, keys: Iterable[SubKey]) -> list[tuple[SubKey, bool]]:
        """Count one more holder of each key; each key with True if it has just started."""
        out = []
        for k in keys:
            n = self._refs.get(k, 0) + 1
            self._refs[k] = n
            out.append((k, n == 1))
        return out

    def release(self, keys: Iterable[SubKey]) -> list[SubKey]:
        """Count one holder fewer of each key; returns the keys whose last holder left."""
        ended = []
        for k in keys:
            n = self._refs.get(k, 0) - 1
            if n > 0:
                self._refs[k] = n
            else:
                self._refs.pop(k, None)
                ended.append(k)
        return ended

    def __contains__(self, key: object) -> bool:
        return key in self._refs

    def counts(self) -> dict[str, int]:
        """Each key held, as text (``"trades:600519.SH"``), with its count."""
        return {":".join(k): n for k, n in self._refs.items()}

    def symbols(self) -> set[str]:
        return {k[1] for k in self._refs}

    def intervals_of(self, symbol: str) -> list[str]:
        """The bar intervals watched for ``symbol``, sorted by name."""
        return sorted({k[2] for k in self._refs if k[0] == "bars" and k[1] == symbol})
