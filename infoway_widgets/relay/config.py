"""Settings of a relay, in one place so that the CLI, tests and the benchmark build them alike."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass, field

from ..errors import BadParameterError

#: Interfaces a relay may serve without a token: only this machine can reach them.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    """True only for 127.0.0.1, ``localhost`` and ``::1``.

    Other 127/8 addresses are deliberately *not* loopback here: binding 127.0.0.2 is how tests
    (and cautious admins) exercise the "bound beyond the default interface" rule.
    """
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host) in (
            ipaddress.ip_address("127.0.0.1"),
            ipaddress.ip_address("::1"),
        )
    except ValueError:
        return False


@dataclass
class RelayConfig:
    """How a relay listens, where its upstream is and which limits it enforces.

    Parameters
    ----------
    host, port : str, int
        Interface and port the relay serves its clients on (port 0 picks a free one).
    upstream_url : str
        REST base of the upstream Infoway service (``https://data.infoway.io`` or a local
        server's ``http://127.0.0.1:PORT``); its WebSocket is ``<same host>/ws``.
    upstream_key : str, optional
        The Infoway API key. Used only on the relay's own upstream requests: never sent to
        clients, Redis or logs (``repr`` hides it).
    relay_token : str, optional
        What clients must send as their ``apikey`` (WebSocket query) / ``apiKey`` (REST header).
    require_token : bool, optional
        ``None`` (default): a token is required unless ``host`` is loopback.
    time_scale : float
        Divides every protocol timer the relay applies (client idle close, frame budget window,
        TTL of the newest bars, unsubscribe grace) and is passed to the upstream session, so a
        relay in front of a time-compressed simulated server behaves as in production.
    max_codes_per_client : int
        Distinct codes one client connection may subscribe to (beyond: error 505).
    client_frames_per_min : int
        Frames one client connection may send per (scaled) minute; the protocol's 60.
    max_backlog : int
        Push frames queued for one client before it counts as too slow and is closed, so that a
        stuck notebook cannot grow the relay's memory or delay anyone else.
    unsubscribe_grace_s : float
        How long an upstream subscription outlives its last client, so a client that
        reconnects (or a cell re-run) does not cost two upstream frames.
    latest_ttl_s, history_ttl_s, reference_ttl_s : float
        REST cache lifetimes: answers that include the newest (forming) bar or live trades and
        books; candle pages that are complete; instrument lists and trading days.
    cache_max_bytes : int
        Bound on the REST cache's size.
    redis_url : str, optional
        ``redis://host:port/db``: share one upstream with other relays through Redis.
    redis_prefix : str
        Namespace of the relay group's Redis keys and channels.
    lock_ttl_ms : int
        Expiry of the leader lock; a dead leader is replaced within about this long.
    status_every_s : float, optional
        Print a one-line status to stdout this often (real seconds); ``None``: never.
    relay_id : str
        This relay's name in the group (random by default).
    """

    host: str = "127.0.0.1"
    port: int = 0
    upstream_url: str = "https://data.infoway.io"
    upstream_key: str | None = field(default=None, repr=False)
    relay_token: str | None = field(default=None, repr=False)
    require_token: bool | None = None
    time_scale: float = 1.0
    max_codes_per_client: int = 200
    client_frames_per_min: int = 60
    max_backlog: int = 20_000
    unsubscribe_grace_s: float = 2.0
    latest_ttl_s: float = 0.5
    history_ttl_s: float = 600.0
    reference_ttl_s: float = 3600.0
    cache_max_bytes: int = 64 * 1024 * 1024
    redis_url: str | None = None
    redis_prefix: str = "infoway-relay"
    lock_ttl_ms: int = 3000
    status_every_s: float | None = None
    relay_id: str = field(default_factory=lambda: f"relay-{uuid.uuid4().hex[:10]}")

    def token_required(self) -> bool:
        """Whether clients must present :attr:`relay_token`."""
        if self.relay_token:
            return True  # a configured token is always checked, loopback or not
        if self.require_token is None:
            return not is_loopback(self.host)
        return self.require_token

    def validate(self) -> None:
        """Refuse settings that would expose the upstream key or make no sense.

        Raises
        ------
        BadParameterError
            A token is required (non-loopback bind) but none is set, or a limit is not positive.
        """
        if self.token_required() and not self.relay_token:
            raise BadParameterError(
                f"The relay is bound to {self.host}, which other machines can reach: set a relay "
                "token (--relay-token TOKEN, or INFOWAY_RELAY_TOKEN) that clients send as their "
                "api key, or bind 127.0.0.1."
            )
        if self.relay_token and self.upstream_key and self.relay_token == self.upstream_key:
            raise BadParameterError(
                "The relay token must differ from the Infoway API key: clients "
                "see the token, and the key must never leave the relay."
            )
        if not self.time_scale > 0:
            raise BadParameterError(f"time_scale must be positive, not {self.time_scale!r}.")
        for name in ("max_codes_per_client", "client_frames_per_min", "max_backlog", "lock_ttl_ms"):
            if getattr(self, name) <= 0:
                raise BadParameterError(f"{name} must be positive.")
