"""What a server answers at the WebSocket handshake ``GET /ws?business=...&apikey=...``.

Pure decisions, shared by the simulated server and the relay: whether the key (or a relay's
token) is right, and whether the channel exists. A refusal is an HTTP answer with a plain-text
body, as production sends a bad key: 401 with ``www-authenticate: apikey realm="key"``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from .codes import BUSINESSES


@dataclass(frozen=True)
class Refusal:
    """An HTTP answer instead of the WebSocket upgrade."""

    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)


def given_key(query: Mapping[str, str]) -> str | None:
    """The key a client sent: ``apikey`` (production's spelling) or ``apiKey``."""
    return query.get("apikey") or query.get("apiKey")


def key_matches(given: str | None, expected: str | None) -> bool:
    """Whether ``given`` is ``expected``, in constant time (no timing oracle on a LAN-facing
    server). With nothing expected every client is let in."""
    if not expected:
        return True
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def refuse_key(
    query: Mapping[str, str],
    expected: str | None,
    *,
    realm: str = "key",
    what: str = "apikey",
) -> Refusal | None:
    """HTTP 401 when the query's key is not ``expected`` (``None``: no key needed)."""
    if key_matches(given_key(query), expected):
        return None
    return Refusal(
        401,
        f"Unauthorized: the {what} is missing or invalid",
        {"www-authenticate": f'apikey realm="{realm}"'},
    )


def refuse_business(query: Mapping[str, str]) -> Refusal | None:
    """HTTP 400 for a channel that does not exist."""
    if query.get("business", "") in BUSINESSES:
        return None
    return Refusal(400, f"business must be one of {', '.join(BUSINESSES)}, e.g. /ws?business=stock")


__all__ = ["Refusal", "given_key", "key_matches", "refuse_business", "refuse_key"]
