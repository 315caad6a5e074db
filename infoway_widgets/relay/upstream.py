"""The relay's own upstream connections: one :class:`~infoway_widgets.client.ws.WsSession` per
business channel, subscribed to the union of what the relay (or the relay group) needs.

The session already merges codes into few frames, keeps within the service's 60 frames/min,
heartbeats, reconnects and resubscribes; this module only turns a *set* of wanted subscriptions
into subscribe/unsubscribe calls and reports each new upstream connection as a new "epoch", so
that clients served across a reconnect can be told to backfill.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ..client.ws import WsSession
from .fanout import Sub

log = logging.getLogger("infoway_widgets.relay")


def ws_base_of(rest_url: str) -> str:
    """``https://data.infoway.io`` → ``wss://data.infoway.io/ws`` (same rule as the Feed)."""
    return rest_url.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/ws"


class UpstreamPool:
    """Upstream WebSocket sessions, created lazily per business channel.

    Parameters
    ----------
    rest_url : str
        The upstream's REST base; the WebSocket is derived from it.
    api_key : str or None
        The Infoway key (kept inside the sessions; they redact it everywhere).
    time_scale : float
        Passed to each session (a time-compressed simulated upstream).
    tag : str
        Prefix of the epoch names (the relay's id and leadership term).
    on_frame : callable(business, frame)
        Every push frame, exactly as received.
    on_open : callable(business, epoch)
        Each time a session (re)connects.
    """

    def __init__(
        self,
        rest_url: str,
        api_key: str | None,
        time_scale: float,
        tag: str,
        *,
        on_frame: Callable[[str, str], None],
        on_open: Callable[[str, str], object],
    ) -> None:
        self.ws_base = ws_base_of(rest_url)
        # "" rather than None: a keyless upstream must not fall back to INFOWAY_API_KEY twice
        self._key = api_key or ""
        self.time_scale = time_scale
        self.tag = tag
        self._on_frame = on_frame
        self._on_open = on_open
        self.sessions: dict[str, WsSession] = {}
        self.wanted: set[Sub] = set()
        self._starting: set[asyncio.Future[None]] = set()

    def _session(self, business: str) -> WsSession:
        s = self.sessions.get(business)
        if s is None:
            on_frame = self._on_frame

            def push(frame: str | bytes, _ms: int, b: str = business) -> None:
                on_frame(b, frame if isinstance(frame, str) else frame.decode())

            def state(st: str, _msg: str | None, b: str = business) -> None:
                if st == "open":
                    sess = self.sessions[b]
                    self._on_open(b, f"{self.tag}/{b}/{sess.stats['connects']}")

            s = WsSession(
                self.ws_base,
                business,
                self._key,
                on_push=push,
                on_state=state,
                time_scale=self.time_scale,
            )
            self.sessions[business] = s
            # start() only creates the session's task; keep it referenced until it has
            task = asyncio.ensure_future(s.start())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)
        return s

    def set_interest(self, wanted: set[Sub]) -> None:
        """Subscribe what is new in ``wanted`` and unsubscribe what left it, grouped so that each
        (business, kind, interval) costs one call (the session merges the frames)."""
        adds = wanted - self.wanted
        drops = self.wanted - wanted
        self.wanted = set(wanted)
        for op, subs in (("unsubscribe", drops), ("subscribe", adds)):
            groups: dict[tuple[str, str, int], list[str]] = defaultdict(list)
            for b, kind, kt, code in subs:
                groups[(b, kind, kt)].append(code)
            for (b, kind, kt), codes in sorted(groups.items()):
                sess = self._session(b)
                try:
                    if kind == "candles":
                        getattr(sess, op)(kind, codes, kline_types=[kt])
                    else:
                        getattr(sess, op)(kind, codes)
                except Exception as e:  # a code the session refuses must not stop the others
                    log.warning("relay: upstream %s %s %s: %s", op, b, kind, e)

    async def close(self) -> None:
        for s in list(self.sessions.values()):
            try:
                await s.close()
            except Exception:
                log.exception("relay: closing an upstream session failed")
        self.sessions.clear()
        self.wanted = set()

    def status(self) -> dict[str, Any]:
        return {
            b: {
                "state": s.state,
                "connects": s.stats["connects"],
                "reconnects": s.stats["reconnects"],
                "pushes": s.stats["pushes"],
                "frames_sent": s.stats["frames_sent"],
                "subscriptions": s.subscriptions,
                "error": None if s.error is None else str(s.error),
            }
            for b, s in sorted(self.sessions.items())
        }
