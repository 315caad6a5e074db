"""The client session's limits and timers, and how they scale with a time-compressed server."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import BadParameterError
from .codes import BUDGET_WINDOW_MS, FRAME_BUDGET, HEARTBEAT_MS, IDLE_MS

# The service documents no per-frame symbol cap on the socket. 100 codes per frame matches its
# REST cap, keeps a frame around 1-2 KB (far below gateway frame limits), and bounds what one
# refused frame (505/516) takes down; 500 codes still need only 5 frames of the 60 per minute.
CODES_PER_FRAME = 100
# Frames of the budget kept free for heartbeats (2 per minute) with room to spare, so that a
# burst of subscriptions can never starve the keepalive.
HEARTBEAT_RESERVE = 4
# The server measures the window on its own clock from frame arrival; network jitter and a busy
# server can make two frames look closer than we sent them. Count a sent frame for 10 % longer
# than the window plus a fixed slack of real time (jitter does not shrink with time_scale; in
# production the slack is negligible next to 60 s, under a 100x compressed test it matters).
WINDOW_MARGIN = 1.10
WINDOW_SLACK_MS = 250
# Wait this long (real ms) after a change of the wanted subscriptions before building frames, so
# that a burst of calls (a notebook cell subscribing symbol by symbol) is merged into few frames.
LINGER_MS = 20


@dataclass(frozen=True)
class ClientConfig:
    """The session's limits and timers, in ms of the driver's clock (see :meth:`scaled`).

    ``time_scale`` is only used to report durations in service seconds in messages.
    """

    heartbeat_ms: int = HEARTBEAT_MS
    budget_frames: int = FRAME_BUDGET
    budget_window_ms: int = BUDGET_WINDOW_MS
    #: how long a sent frame counts against the budget (the window plus margin and slack)
    hold_ms: int = round(BUDGET_WINDOW_MS * WINDOW_MARGIN) + WINDOW_SLACK_MS
    heartbeat_reserve: int = HEARTBEAT_RESERVE
    codes_per_frame: int = CODES_PER_FRAME
    backoff_initial_ms: int = 1_000
    backoff_max_ms: int = 30_000
    silence_ms: int = IDLE_MS
    data_silence_ms: int | None = None
    ack_timeout_ms: int = 10_000
    linger_ms: int = LINGER_MS
    #: how often the driver pings between heartbeats (a pong proves the link on a quiet market)
    ping_every_ms: int = 15_000
    time_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.budget_frames <= self.heartbeat_reserve + 1:
            raise BadParameterError(f"budget_frames must exceed {self.heartbeat_reserve + 1}.")

    @classmethod
    def scaled(
        cls,
        time_scale: float = 1.0,
        *,
        heartbeat_s: float = 30.0,
        budget_frames: int = FRAME_BUDGET,
        budget_window_s: float = 60.0,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 30.0,
        silence_s: float = 60.0,
        data_silence_s: float | None = None,
        ack_timeout_s: float = 10.0,
        codes_per_frame: int = CODES_PER_FRAME,
    ) -> ClientConfig:
        """The service's durations (in service seconds) divided by ``time_scale``, for a driver
        whose clock runs in real ms against a time-compressed server.

        What is a matter of real time does not compress: the budget's slack (network jitter),
        the linger (a burst of calls), and the ack timeout (a round trip; at least 1 s).
        """
        if not (isinstance(time_scale, (int, float)) and time_scale > 0) or not math.isfinite(
            time_scale
        ):
            raise BadParameterError(f"time_scale must be a positive number, not {time_scale!r}.")

        def ms(seconds: float) -> int:
            return max(1, round(seconds * 1000 / time_scale))

        hb = ms(heartbeat_s)
        window = ms(budget_window_s)
        silence = ms(silence_s)
        return cls(
            heartbeat_ms=hb,
            budget_frames=int(budget_frames),
            budget_window_ms=window,
            hold_ms=round(window * WINDOW_MARGIN) + WINDOW_SLACK_MS,
            codes_per_frame=max(1, int(codes_per_frame)),
            backoff_initial_ms=ms(backoff_initial_s),
            backoff_max_ms=ms(backoff_max_s),
            silence_ms=silence,
            data_silence_ms=None if data_silence_s is None else ms(data_silence_s),
            ack_timeout_ms=max(ms(ack_timeout_s), 1_000),
            linger_ms=min(LINGER_MS, window // 100),
            ping_every_ms=max(min(hb // 2, silence // 4), 5),
            time_scale=float(time_scale),
        )

    def service_s(self, ms: int) -> float:
        """A duration of the driver's clock in service seconds (for messages)."""
        return ms * self.time_scale / 1000


__all__ = [
    "CODES_PER_FRAME",
    "HEARTBEAT_RESERVE",
    "LINGER_MS",
    "WINDOW_MARGIN",
    "WINDOW_SLACK_MS",
    "ClientConfig",
]
