"""The relay: one upstream Infoway connection (one API key) served to many clients over the same
Infoway REST + WebSocket protocol.

::

    Infoway (or a local server) ──WS──> UpstreamPool ──frames──> Fanout ──> client WebSockets
                                ──REST─> RestProxy (cache, coalescing) <── client REST
                                         Coordinator: who holds the upstream
                                           SoloCoordinator  : this relay, always
                                           RedisCoordinator : the group's leader (Redis lock);
                                                              followers get frames via Redis

Examples
--------
>>> async with RelayServer(RelayConfig(upstream_url=sim.url, time_scale=60)) as relay:  # doctest: +SKIP
...     feed = iw.connect(base_url=relay.url, speed=60)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web

from .._web import listen
from ..protocol.handshake import key_matches
from .clients import serve_client
from .config import RelayConfig
from .fanout import Fanout
from .rest import RestProxy
from .upstream import UpstreamPool

log = logging.getLogger("infoway_widgets.relay")


class Coordinator(Protocol):
    """Decides who holds the upstream and keeps it subscribed to what the clients need."""

    role: str

    async def start(self) -> None: ...
    async def stop(self, graceful: bool = True) -> None: ...
    def interest_changed(self) -> None: ...
    def status(self) -> dict[str, Any]: ...


class SoloCoordinator:
    """A relay on its own: it holds the upstream; its clients' interest is the whole interest."""

    role = "solo"

    def __init__(self, relay: RelayServer) -> None:
        self.relay = relay
        self.pool = UpstreamPool(
            relay.cfg.upstream_url,
            relay.cfg.upstream_key,
            relay.cfg.time_scale,
            relay.cfg.relay_id,
            on_frame=relay.fanout.dispatch,
            on_open=relay.fanout.set_epoch,
        )

    async def start(self) -> None:
        self.interest_changed()

    async def stop(self, graceful: bool = True) -> None:
        await self.pool.close()

    def interest_changed(self) -> None:
        self.pool.set_interest(self.relay.fanout.interest())

    def status(self) -> dict[str, Any]:
        return {"role": self.role, "upstream": self.pool.status()}


class RelayServer:
    """A relay serving the Infoway protocol on ``cfg.host:cfg.port``.

    Parameters
    ----------
    cfg : RelayConfig
        Settings; ``cfg.redis_url`` makes this relay a member of a Redis-coordinated group.
    print_fn : callable(str), optional
        Where the periodic status line goes (default: stdout) when ``cfg.status_every_s`` is set.

    Attributes
    ----------
    url : str
        ``http://host:port`` once started: clients use it as ``base_url``.
    fanout : Fanout
        Client connections, their subscriptions and the push fan-out.
    rest : RestProxy
    coord : Coordinator
    """

    def __init__(self, cfg: RelayConfig, print_fn: Callable[[str], None] | None = None) -> None:
        cfg.validate()
        self.cfg = cfg
        self.fanout = Fanout(cfg, self._interest_changed)
        self.rest = RestProxy(cfg)
        self.coord: Coordinator
        if cfg.redis_url:
            from .coord_redis import RedisCoordinator

            self.coord = RedisCoordinator(self)
        else:
            self.coord = SoloCoordinator(self)
        self._print = print_fn or (lambda s: print(s, file=sys.stdout, flush=True))
        self._runner: web.AppRunner | None = None
        self._status_task: asyncio.Task[None] | None = None
        self.url = ""
        self.ws_url = ""
        self.started_at = 0.0

    def _interest_changed(self) -> None:
        self.coord.interest_changed()

    # ---- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> RelayServer:
        """Bind, then join the group (or open the upstream on demand)."""
        cfg = self.cfg
        app = web.Application()
        app.router.add_get("/ws", self._ws)
        app.router.add_get("/relay/status", self._status)
        app.router.add_route("*", "/{tail:.*}", self.rest.handle)
        bound = await listen(app, cfg.host, cfg.port)
        self._runner, cfg.port = bound.runner, bound.port
        self.url, self.ws_url = bound.url, bound.ws_url
        await self.rest.start()
        self.fanout.start()
        await self.coord.start()
        self.started_at = time.time()
        if cfg.status_every_s:
            self._status_task = asyncio.ensure_future(self._status_loop(cfg.status_every_s))
        return self

    async def stop(self) -> None:
        """Leave the group (handing the upstream over at once), close clients and the upstream."""
        await self._stop(graceful=True)

    async def crash(self) -> None:
        """Stop as a killed process would: no goodbye to the group (the leader lock is left to
        expire), sockets cut. For failover tests."""
        await self._stop(graceful=False)

    async def _stop(self, graceful: bool) -> None:
        if self._status_task is not None:
            self._status_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._status_task
            self._status_task = None
        await self.coord.stop(graceful=graceful)
        if graceful:
            await self.fanout.stop()
        else:
            for c in list(self.fanout.conns):
                c.session.closing = True
                transport = getattr(c.ws, "_req", None)
                transport = getattr(transport, "transport", None)
                if transport is not None:
                    transport.abort()
            await self.fanout.stop()
        await self.rest.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> RelayServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        return await serve_client(self.fanout, request)

    # ---- status ------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """What ``GET /relay/status`` answers: role, upstream state, clients, subscriptions,
        REST cache counters. Never the key or the token."""
        fanout = self.fanout
        return {
            "relay": True,
            "id": self.cfg.relay_id,
            "url": self.url,
            "uptime_s": round(time.time() - self.started_at, 3) if self.started_at else 0.0,
            **self.coord.status(),
            "clients": fanout.clients(),
            "subscriptions": fanout.subscriptions(),
            "interest": len(fanout.interest()),
            "fanout": dict(fanout.stats),
            "closes": dict(fanout.stats_closes),
            "rest": self.rest.status(),
        }

    async def _status(self, request: web.Request) -> web.Response:
        cfg = self.cfg
        given = (
            request.headers.get("apiKey")
            or request.headers.get("apikey")
            or request.query.get("apikey")
        )
        if cfg.token_required() and not key_matches(given, cfg.relay_token):
            return web.json_response(
                {"code": 401, "message": "Token invalid", "timestamp": int(time.time() * 1000)},
                status=401,
            )
        return web.json_response(self.status())

    def status_line(self) -> str:
        """One line for the console: role, upstream per business, clients, codes, traffic."""
        st = self.coord.status()
        ups = st.get("upstream") or {}
        up = ",".join(f"{b}:{u['state']}" for b, u in ups.items()) or (
            "via redis" if st.get("role") == "follower" else "idle"
        )
        fanout = self.fanout
        codes = len({s[3] for s in fanout.routes})
        r = self.rest.stats
        return (
            f"relay {self.url} role={st.get('role')} upstream={up} clients={len(fanout.conns)} "
            f"codes={codes} subscriptions={len(fanout.routes)} "
            f"frames_in={fanout.stats['upstream_frames']} pushes_out={fanout.stats['pushes_out']} "
            f"rest={r['requests']} (upstream {r['upstream_requests']}, hits {r['cache_hits']}, "
            f"coalesced {r['coalesced']})"
        )

    async def _status_loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                self._print(self.status_line())
            except Exception:
                log.exception("relay: status line failed")


__all__ = ["Coordinator", "RelayServer", "SoloCoordinator"]
