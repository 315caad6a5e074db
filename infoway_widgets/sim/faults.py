"""Fault injection for the local server: the misbehaviours a robust client must survive.

A SPEC string is a comma-separated list of ``key=value`` (times in *simulated* seconds, so they
scale with ``--speed``)::

    drop=60            close every WebSocket every 60 s (close code 1006-like abrupt close)
    halfopen=120       every 120 s, every open socket goes silent: nothing is sent or read, the
                       TCP connection stays up (the client must notice the silence)
    garbage=0.01       probability that a push is preceded by a garbage (non-JSON) frame
    prose=0.01         probability that a push is preceded by a prose frame ("Subscribe fail: …")
    errors=500|516@30  every 30 s send an error frame, codes taken in turn; after 500, 501 and
                       513 the server closes the socket (as production), after 516 it keeps it
    delay=200          delay every outgoing frame by 200 *real* milliseconds (latency)
    refuse=10          after each fault drop (or from start without drop=), refuse WebSocket
                       handshakes for 10 s with HTTP 503, as a gateway does under overload
    ratelimit=1        REST: every request answers HTTP 429 {"detail":"Rate limit exceeded"};
                       ratelimit=N (N > 1): at most N requests per simulated minute
    ratelimitstatus=200  answer rate limiting with HTTP 200 and the same body (production
                       sends both forms)

Example: ``drop=60,halfopen=120,garbage=0.01,errors=500|516@30,delay=200,refuse=10``.
The schedule of timed faults is k × period of simulated time since start (deterministic); the
random ones draw from a generator seeded by (seed, connection number).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

_CLOSING_ERRORS = frozenset({500, 501, 502, 511, 513})


@dataclass
class Faults:
    """Which faults the server injects (mutable at runtime through ``server.faults``).

    Parameters
    ----------
    drop_every : float, optional
        Simulated seconds between forced closes of every WebSocket.
    halfopen_every : float, optional
        Simulated seconds between moments when every open socket goes silent (TCP kept open).
    garbage_prob, prose_prob : float
        Probability per push of an extra garbage / prose frame before it.
    error_codes : tuple of int
        Codes of the timed error frames, used in turn (500, 501, 513, 516, ...).
    error_every : float, optional
        Simulated seconds between error frames.
    delay_ms : float
        Real milliseconds added before every outgoing frame.
    refuse_for : float
        Simulated seconds of HTTP 503 at the handshake after each fault drop.
    rate_limit : bool or int
        REST rate limiting: True answers 429 to everything; an int N > 1 allows N per minute.
    rate_limit_status : int
        HTTP status of a rate-limited answer: 429 (default) or 200 (body ``{"detail": ...}``).
    """

    drop_every: float | None = None
    halfopen_every: float | None = None
    garbage_prob: float = 0.0
    prose_prob: float = 0.0
    error_codes: tuple[int, ...] = (500,)
    error_every: float | None = None
    delay_ms: float = 0.0
    refuse_for: float = 0.0
    rate_limit: bool | int = False
    rate_limit_status: int = 429
    extra: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def active(self) -> bool:
        return any(
            getattr(self, f.name) not in (None, 0, 0.0, False, (500,), {})
            for f in fields(self)
            if f.name not in ("extra", "rate_limit_status")
        )

    @staticmethod
    def closes_after(code: int) -> bool:
        """Does the server close the socket after sending error ``code``?"""
        return code in _CLOSING_ERRORS

    @classmethod
    def parse(cls, spec: str | None) -> Faults:
        """Build from a SPEC string (see the module docstring); empty → no faults."""
        f = cls()
        if not spec:
            return f
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, value = part.partition("=")
            key = key.strip().lower()
            value = value.strip()
            if not sep or not value:
                raise ValueError(f"fault {part!r} needs a value, e.g. drop=60")
            try:
                if key == "drop":
                    f.drop_every = float(value)
                elif key == "halfopen":
                    f.halfopen_every = float(value)
                elif key == "garbage":
                    f.garbage_prob = float(value)
                elif key == "prose":
                    f.prose_prob = float(value)
                elif key == "errors":
                    codes, _, every = value.partition("@")
                    f.error_codes = tuple(int(c) for c in codes.split("|") if c)
                    f.error_every = float(every) if every else 60.0
                elif key == "delay":
                    f.delay_ms = float(value)
                elif key == "refuse":
                    f.refuse_for = float(value)
                elif key == "ratelimitstatus":
                    f.rate_limit_status = int(value)
                elif key == "ratelimit":
                    n = int(value)
                    f.rate_limit = True if n == 1 else n
                else:
                    raise ValueError(
                        f"unknown fault {key!r}; use drop, halfopen, garbage, prose, errors, delay, "
                        "refuse, ratelimit or ratelimitstatus"
                    )
            except ValueError as e:
                if "unknown fault" in str(e):
                    raise
                raise ValueError(f"bad value in fault {part!r}: {e}") from None
        return f
