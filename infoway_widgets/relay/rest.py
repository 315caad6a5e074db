"""REST through the relay: every request is forwarded upstream with the relay's key, answers are
cached and identical requests in flight are coalesced.

Thirty students opening the same chart ask for the same 500 bars within a second: the first
request goes upstream, the other twenty-nine wait for its answer (coalescing) and later ones are
served from the cache. Answers are passed through byte for byte (status, body, content type).

Lifetimes
    A candle page whose newest bar is older than the newest bar this relay has seen for that
    code and interval is complete history and never changes: ``history_ttl_s``. A page that
    contains the newest (possibly forming) bar, latest trades and books: ``latest_ttl_s``
    (half a second by default, scaled with time_scale: short enough that the Feed's settlement
    of a just-completed bar, 1.5 s after it sees the next one, never gets a stale answer).
    Instrument lists and trading days: ``reference_ttl_s``. Errors are coalesced, not cached.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
from aiohttp import web
from yarl import URL

from ..protocol import encode as wire
from ..protocol.handshake import key_matches

if TYPE_CHECKING:
    from .config import RelayConfig

log = logging.getLogger("infoway_widgets.relay")

#: request headers passed upstream (the client's own apiKey is replaced by the relay's key)
_PASS_HEADERS = ("content-type", "accept", "accept-language")


@dataclass
class Answer:
    """An upstream answer as passed to clients."""

    status: int
    body: bytes
    content_type: str
    expires: float = 0.0


class RestProxy:
    """Forwarding, caching and coalescing of the Infoway REST API.

    Parameters
    ----------
    cfg : RelayConfig
    """

    def __init__(self, cfg: RelayConfig) -> None:
        self.cfg = cfg
        self.base = cfg.upstream_url.rstrip("/")
        self._http: aiohttp.ClientSession | None = None
        self._cache: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._cache_bytes = 0
        self._inflight: dict[tuple[Any, ...], asyncio.Future[Answer]] = {}
        #: newest candle open time (s) seen per (prefix, klineType, code): older pages are complete
        self._frontier: dict[tuple[str, int, str], int] = {}
        self.stats = {
            "requests": 0,
            "upstream_requests": 0,
            "cache_hits": 0,
            "coalesced": 0,
            "upstream_errors": 0,
            "refused": 0,
        }

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=30),
            auto_decompress=True,
            # no cookies: answers for one client must not depend on another's session
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        for f in self._inflight.values():
            f.cancel()

    # ---- the route -------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Any path but ``/ws`` and ``/relay/...``: forward (or answer from the cache)."""
        cfg = self.cfg
        self.stats["requests"] += 1
        if (
            cfg.token_required()
            and request.path != "/"
            and not key_matches(
                request.headers.get("apiKey") or request.headers.get("apikey"), cfg.relay_token
            )
        ):
            self.stats["refused"] += 1
            return web.Response(
                body=wire.dumps(
                    {"code": 401, "message": "Token invalid", "timestamp": int(time.time() * 1000)}
                ),
                status=401,
                content_type="application/json",
            )
        body = await request.read()
        key = self._key(request.method, request.raw_path, body, request.headers)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit.expires > now:
            self._cache.move_to_end(key)
            self.stats["cache_hits"] += 1
            return self._respond(hit, "hit")
        fut = self._inflight.get(key)
        if fut is not None:
            self.stats["coalesced"] += 1
            return self._respond(await asyncio.shield(fut), "coalesced")
        fut = asyncio.get_running_loop().create_future()
        self._inflight[key] = fut
        try:
            ans = await self._forward(request.method, request.raw_path, body, request.headers)
        except Exception as e:
            fut.set_exception(e)
            fut.exception()  # retrieved: the waiters re-raise it themselves
            raise
        else:
            fut.set_result(ans)
        finally:
            self._inflight.pop(key, None)
        self._store(key, request.method, request.raw_path, body, ans)
        return self._respond(ans, "miss")

    @staticmethod
    def _respond(ans: Answer, how: str) -> web.Response:
        return web.Response(
            body=ans.body,
            status=ans.status,
            headers={"Content-Type": ans.content_type, "X-Infoway-Relay": how},
        )

    @staticmethod
    def _key(method: str, raw_path: str, body: bytes, headers: Any) -> tuple[Any, ...]:
        # JSON bodies that differ only in key order or spacing ask for the same thing
        if body:
            try:
                body = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
            except orjson.JSONDecodeError:
                pass
        return method, raw_path, body, headers.get("accept-language", "")

    async def _forward(self, method: str, raw_path: str, body: bytes, headers: Any) -> Answer:
        assert self._http is not None, "RestProxy.start() was not awaited"
        out = {k: headers[k] for k in _PASS_HEADERS if k in headers}
        if self.cfg.upstream_key:
            out["apiKey"] = self.cfg.upstream_key
        self.stats["upstream_requests"] += 1
        try:
            async with self._http.request(
                method,
                URL(self.base + raw_path, encoded=True),
                data=body or None,
                headers=out,
                allow_redirects=False,
            ) as resp:
                data = await resp.read()
                ctype = resp.headers.get("Content-Type", "application/json")
                return Answer(resp.status, data, ctype)
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            self.stats["upstream_errors"] += 1
            log.warning(
                "relay: upstream REST %s failed: %s", raw_path.split("?")[0], type(e).__name__
            )
            # the shape production's gateway uses for its own failures, so clients classify it
            return Answer(
                502,
                wire.dumps(
                    wire.problem(
                        502,
                        "Bad Gateway",
                        "The relay could not reach the Infoway service; retry later.",
                        raw_path.split("?")[0],
                    )
                ).encode(),
                "application/json",
            )

    # ---- cache -----------------------------------------------------------------------------
    def _ttl(self, method: str, raw_path: str, body: bytes, ans: Answer) -> float:
        """How long ``ans`` may be served again (0: not cached)."""
        if ans.status != 200:
            return 0.0
        try:
            doc = orjson.loads(ans.body)
        except orjson.JSONDecodeError:
            return 0.0
        if not isinstance(doc, dict) or doc.get("ret") != 200:
            return 0.0  # business errors and rate limits ({"detail": ...}) are never cached
        cfg = self.cfg
        latest = cfg.latest_ttl_s / cfg.time_scale
        path = raw_path.split("?")[0]
        if path.startswith("/common/basic/"):
            return cfg.reference_ttl_s
        if "batch_kline" in path:
            return cfg.history_ttl_s if self._complete(path, body, doc) else latest
        return latest

    def _complete(self, path: str, body: bytes, doc: dict[str, Any]) -> bool:
        """True when every code's newest bar in ``doc`` is older than one seen before."""
        parts = path.strip("/").split("/")
        prefix = parts[0] if parts else ""
        try:
            # POST /{prefix}/v2/batch_kline (JSON body) or GET /{prefix}/batch_kline/{type}/...
            kt = int(orjson.loads(body).get("klineType")) if "v2" in parts else int(parts[2])
        except Exception:
            return False
        data = doc.get("data")
        if not isinstance(data, list) or not data:
            return False
        complete = True
        for item in data:
            if not isinstance(item, dict):
                return False
            rows = item.get("respList") or []
            code = str(item.get("s"))
            try:
                newest = max(int(r["t"]) for r in rows) if rows else None
            except (KeyError, TypeError, ValueError):
                return False
            if newest is None:
                complete = False
                continue
            if newest > 10**11:  # milliseconds (one documentation example): compare in seconds
                newest //= 1000
            k = (prefix, kt, code)
            front = self._frontier.get(k)
            if front is None or newest >= front:
                complete = False
                self._frontier[k] = newest if front is None else max(front, newest)
        return complete

    def _store(
        self, key: tuple[Any, ...], method: str, raw_path: str, body: bytes, ans: Answer
    ) -> None:
        ttl = self._ttl(method, raw_path, body, ans)
        if ttl <= 0:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._cache_bytes -= len(old.body)
        ans.expires = time.monotonic() + ttl
        self._cache[key] = ans
        self._cache_bytes += len(ans.body)
        while self._cache_bytes > self.cfg.cache_max_bytes and self._cache:
            _, dropped = self._cache.popitem(last=False)
            self._cache_bytes -= len(dropped.body)

    def status(self) -> dict[str, Any]:
        return {
            **self.stats,
            "cached": len(self._cache),
            "cache_bytes": self._cache_bytes,
            "in_flight": len(self._inflight),
        }
