"""Counters the server keeps, so tests and lessons can observe connections, frames and faults."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ServerStats:
    """What the server has done since start.

    Attributes
    ----------
    connections : int
        WebSocket connections accepted.
    active : int
        WebSocket connections open now.
    refused : int
        Handshakes refused (wrong key, fault window).
    frames_received, frames_sent : int
        WebSocket frames from / to clients (greeting, acks, pushes, errors, fault frames).
    closes : Counter
        Server-side closes by reason: "idle", "frame_budget", "fault_drop", "fault_error",
        "too_big", "slow_consumer", "client", "shutdown".
    faults : Counter
        Faults injected by kind: "drop", "halfopen", "garbage", "prose", "error", "delay",
        "refuse", "rate_limit".
    rest_requests : int
    rest_errors : Counter
        REST answers that were errors, by ``ret`` or HTTP status.
    """

    connections: int = 0
    active: int = 0
    refused: int = 0
    frames_received: int = 0
    frames_sent: int = 0
    closes: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    rest_requests: int = 0
    rest_errors: Counter[int] = field(default_factory=Counter)
