"""Relays on several machines sharing one upstream connection through Redis.

Who holds the upstream
    A leader lock ``{prefix}:leader`` taken with ``SET key relay_id NX PX ttl`` and renewed every
    ttl/3 by a compare-and-expire script. A relay that finds it free takes it, increments the
    term counter ``{prefix}:term`` (a fencing number: frames of an older term are ignored) and
    opens the upstream. A leader that stops gracefully deletes the lock (compare-and-delete) so a
    follower takes over at its next tick; a dead one loses it when it expires.

What the upstream subscribes
    Each relay keeps its clients' subscriptions (reference-counted locally) in
    ``{prefix}:interest:{relay_id}`` (JSON, expiring after 3 ttl, refreshed every tick; the relay
    ids are in the set ``{prefix}:relays``) and announces a change on channel
    ``{prefix}:interest``. The leader subscribes upstream to the union of its own interest and
    every live relay's record; a dead relay's record expires and its codes are dropped.

How frames travel
    Pub/sub on one channel, ``{prefix}:push``: the leader publishes batches of raw frames
    ``{"t": term, "n": seq, "b": business, "e": epoch, "f": [frame, ...]}`` (one message per
    business per loop turn). JSON strings round-trip exactly, so a follower forwards the very
    text the leader received. Pub/sub rather than Streams: a market-data push is worth nothing
    late, the protocol has no replay, and every client already knows how to recover a gap
    (reconnect, backfill from REST). So instead of storing the stream for late joiners, a
    follower *detects* gaps — a hole in ``n`` (a lost message or a dropped Redis link) or a new
    ``e`` (the leader's upstream reconnected, or a new leader) — and closes its clients of that
    business with error 500; they reconnect and backfill exactly the missing span. Streams
    would add per-frame storage and trimming in Redis for a catch-up that the REST backfill
    gives anyway.

Nothing secret goes to Redis: relay ids, terms, codes and market frames only (the key and the
token stay in the process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .._aio import wait_event
from .fanout import Sub
from .upstream import UpstreamPool

if TYPE_CHECKING:
    from .server import RelayServer

log = logging.getLogger("infoway_widgets.relay")

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisCoordinator:
    """Leader election, shared interest and frame distribution for one relay of a group.

    Parameters
    ----------
    relay : RelayServer
        Its ``cfg`` gives ``redis_url``, ``redis_prefix``, ``lock_ttl_ms`` and ``relay_id``.
    """

    def __init__(self, relay: RelayServer) -> None:
        cfg = relay.cfg
        self.relay = relay
        self.fanout = relay.fanout
        self.id = cfg.relay_id
        p = cfg.redis_prefix
        self.k_leader = f"{p}:leader"
        self.k_term = f"{p}:term"
        self.k_relays = f"{p}:relays"
        self.ch_push = f"{p}:push"
        self.ch_interest = f"{p}:interest"
        self.prefix = p
        self.ttl_ms = int(cfg.lock_ttl_ms)
        self.period = self.ttl_ms / 3000
        self.role = "follower"
        self.term = 0
        self.max_term = 0
        self.pool: UpstreamPool | None = None
        self._r: aioredis.Redis | None = None
        self._ps: Any = None
        self._renew: Any = None
        self._release: Any = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._bg: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._pending: dict[str, list[str]] = {}
        self._flush_scheduled = False
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._seq = 0
        self._epoch: dict[str, str] = {}
        self._last_n: int | None = None
        self._last_ok = 0.0
        self._published_interest = b""
        self.stats = {
            "published": 0,
            "publish_errors": 0,
            "received": 0,
            "gaps": 0,
            "stale_ignored": 0,
            "elections_won": 0,
            "step_downs": 0,
            "redis_errors": 0,
            "max_tick_ms": 0,
        }

    def k_interest(self, relay_id: str) -> str:
        return f"{self.prefix}:interest:{relay_id}"

    # ---- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        url = self.relay.cfg.redis_url
        assert url
        self._r = aioredis.Redis.from_url(url, health_check_interval=max(1, int(self.period * 3)))
        self._renew = self._r.register_script(_RENEW)
        self._release = self._r.register_script(_RELEASE)
        self._ps = self._r.pubsub(ignore_subscribe_messages=True)
        await self._ps.subscribe(self.ch_push, self.ch_interest)
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._elect_loop(), name="relay-elect"),
            loop.create_task(self._read_loop(), name="relay-redis-read"),
            loop.create_task(self._publish_loop(), name="relay-redis-publish"),
        ]

    async def stop(self, graceful: bool = True) -> None:
        self._stopping = True
        for t in self._tasks:
            t.cancel()
        # bounded: a cancellation that lands inside redis-py's read timeout can be swallowed
        # (the loops then see _stopping and end at their next turn)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=3.0)
        self._tasks = []
        if self.pool is not None:
            await self.pool.close()
            self.pool = None
        r = self._r
        if r is None:
            return
        if graceful:
            # hand over at once rather than after the lock's expiry; bounded, as Redis may be
            # the very thing that is down
            waiter = asyncio.ensure_future(self._leave(r))
            done, _ = await asyncio.wait({waiter}, timeout=2.0)
            if not done:
                waiter.cancel()
            with contextlib.suppress(BaseException):
                await waiter
        self.role = "stopped"
        for closing in (self._ps.aclose(), r.aclose()):
            task = asyncio.ensure_future(closing)
            await asyncio.wait({task}, timeout=2.0)
            if not task.done():
                task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self._r = None

    async def _leave(self, r: aioredis.Redis) -> None:
        with contextlib.suppress(RedisError, OSError):
            if self.role == "leader":
                await self._release(keys=[self.k_leader], args=[self.id])
            await r.delete(self.k_interest(self.id))
            await r.srem(self.k_relays, self.id)
            await r.publish(self.ch_interest, self.id)

    # ---- interest ----------------------------------------------------------------------------
    def interest_changed(self) -> None:
        self._wake.set()

    @staticmethod
    def _encode_interest(subs: set[Sub]) -> bytes:
        return orjson.dumps(sorted(list(s) for s in subs))

    async def _union(self) -> set[Sub]:
        """The leader's view: its own interest and every live relay's record."""
        assert self._r is not None
        out = set(self.fanout.interest())
        ids = [
            i.decode() if isinstance(i, bytes) else i for i in await self._r.smembers(self.k_relays)
        ]
        others = [i for i in ids if i != self.id]
        if others:
            vals = await self._r.mget([self.k_interest(i) for i in others])
            gone = []
            for rid, raw in zip(others, vals):
                if raw is None:
                    gone.append(rid)  # its record expired: a dead relay's codes are dropped
                    continue
                try:
                    out.update(
                        (str(b), str(k), int(kt), str(c)) for b, k, kt, c in orjson.loads(raw)
                    )
                except (orjson.JSONDecodeError, ValueError, TypeError):
                    log.warning("relay: malformed interest record of %s ignored", rid)
            if gone:
                await self._r.srem(self.k_relays, *gone)
        return out

    # ---- leadership --------------------------------------------------------------------------
    async def _elect_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            t0 = loop.time()
            try:
                await self._tick(t0)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # never let the elector die: the lock would silently lapse
                self.stats["redis_errors"] += 1
                log.warning(
                    "relay %s: leadership tick failed: %s",
                    self.id,
                    type(e).__name__,
                    exc_info=not isinstance(e, (RedisError, OSError)),
                )
                # keep the upstream while the lock may still be ours; step down once it cannot be
                if self.role == "leader" and loop.time() - self._last_ok > self.ttl_ms / 1000 * 0.9:
                    await self._step_down("lost contact with redis")
            self.stats["max_tick_ms"] = max(
                self.stats["max_tick_ms"], int((loop.time() - t0) * 1000)
            )
            self._wake.clear()
            await wait_event(self._wake, self.period)

    async def _tick(self, now: float) -> None:
        r = self._r
        assert r is not None
        mine = self._encode_interest(self.fanout.interest())
        pipe = r.pipeline(transaction=False)
        pipe.set(self.k_interest(self.id), mine, px=self.ttl_ms * 3)
        pipe.sadd(self.k_relays, self.id)
        if mine != self._published_interest and self.role != "leader":
            pipe.publish(self.ch_interest, self.id)  # wake the leader now, not at its next tick
        await pipe.execute()
        self._published_interest = mine
        if self.role == "leader":
            ok = await self._renew(keys=[self.k_leader], args=[self.id, self.ttl_ms])
            if not ok:
                await self._step_down(
                    f"the leader lock was taken over; last renewed {now - self._last_ok:.2f} s ago"
                )
                return
            self._last_ok = now
        elif await r.set(self.k_leader, self.id, nx=True, px=self.ttl_ms):
            self._last_ok = now
            self.term = int(await r.incr(self.k_term))
            self.max_term = max(self.max_term, self.term)
            self._last_n = None
            self._seq = 0
            self.role = "leader"
            self.stats["elections_won"] += 1
            log.info("relay %s: leader (term %d)", self.id, self.term)
            cfg = self.relay.cfg
            self.pool = UpstreamPool(
                cfg.upstream_url,
                cfg.upstream_key,
                cfg.time_scale,
                f"{self.id}#{self.term}",
                on_frame=self._on_frame,
                on_open=self._on_open,
            )
        if self.role == "leader" and self.pool is not None:
            self.pool.set_interest(await self._union())

    async def _step_down(self, why: str) -> None:
        log.warning("relay %s: no longer the leader (%s)", self.id, why)
        self.stats["step_downs"] += 1
        self.role = "follower"
        pool, self.pool = self.pool, None
        self._pending.clear()
        if pool is not None:
            await pool.close()

    # ---- leader: publish -----------------------------------------------------------------------
    def _on_frame(self, business: str, frame: str) -> None:
        if self.role != "leader":
            return  # deposed: the new leader's frames are the ones to serve
        self.fanout.dispatch(business, frame)
        self._pending.setdefault(business, []).append(frame)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _on_open(self, business: str, epoch: str) -> None:
        self._flush()  # the old connection's frames go out under the old epoch
        self._epoch[business] = epoch
        self.fanout.set_epoch(business, epoch)
        self._enqueue(business, epoch, [])  # followers learn of the new connection at once

    def _flush(self) -> None:
        self._flush_scheduled = False
        pending, self._pending = self._pending, {}
        if self.role != "leader":
            return
        for b, frames in pending.items():
            self._enqueue(b, self._epoch.get(b, ""), frames)

    def _enqueue(self, business: str, epoch: str, frames: list[str]) -> None:
        self._seq += 1
        self._outbox.put_nowait(
            orjson.dumps({"t": self.term, "n": self._seq, "b": business, "e": epoch, "f": frames})
        )

    async def _publish_loop(self) -> None:
        """Publish in order; whatever is queued goes out in one pipeline round trip."""
        while not self._stopping:
            first = await self._outbox.get()
            batch = [first]
            while not self._outbox.empty() and len(batch) < 256:
                batch.append(self._outbox.get_nowait())
            assert self._r is not None
            try:
                pipe = self._r.pipeline(transaction=False)
                for m in batch:
                    pipe.publish(self.ch_push, m)
                await pipe.execute()
                self.stats["published"] += len(batch)
            except (RedisError, OSError) as e:
                # followers see the hole in the sequence numbers and make their clients backfill
                self.stats["publish_errors"] += len(batch)
                log.warning("relay %s: publishing to redis failed: %s", self.id, type(e).__name__)

    # ---- everyone: receive ---------------------------------------------------------------------
    async def _read_loop(self) -> None:
        backoff = 0.1
        while not self._stopping:
            try:
                msg = await self._ps.get_message(ignore_subscribe_messages=True, timeout=1.0)
                backoff = 0.1
            except (RedisError, OSError) as e:
                self.stats["redis_errors"] += 1
                log.warning("relay %s: redis subscription: %s", self.id, type(e).__name__)
                if self.role != "leader":
                    # frames may have been missed while the link was down
                    self._last_n = None
                    self.fanout.drop_all("the relay lost its link to the relay group")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                with contextlib.suppress(Exception):
                    await self._ps.subscribe(self.ch_push, self.ch_interest)
                continue
            if msg is None or msg.get("type") != "message":
                continue
            ch = msg["channel"]
            ch = ch.decode() if isinstance(ch, bytes) else ch
            if ch == self.ch_interest:
                if self.role == "leader":
                    self._wake.set()
                continue
            self._on_message(msg["data"])

    def _on_message(self, raw: bytes) -> None:
        try:
            m = orjson.loads(raw)
            term, n, b, e, frames = int(m["t"]), int(m["n"]), str(m["b"]), str(m["e"]), m["f"]
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("relay %s: malformed message on %s ignored", self.id, self.ch_push)
            return
        self.stats["received"] += 1
        if term < self.max_term:
            self.stats["stale_ignored"] += 1  # a deposed leader still talking: fenced off
            return
        if term > self.max_term:
            self.max_term = term
            self._last_n = None
        if self.role == "leader":
            if term == self.term:
                return  # our own, already delivered locally
            # another relay holds a newer term: we were deposed (paused, partitioned) and did
            # not notice yet; stop serving our upstream's frames now
            self.role = "follower"
            task = asyncio.ensure_future(self._step_down(f"relay term {term} is newer than ours"))
            self._bg.add(task)
            task.add_done_callback(self._bg.discard)
        if self._last_n is not None and n != self._last_n + 1:
            self.stats["gaps"] += 1
            self.fanout.drop_all("frames from the relay group were lost")
        self._last_n = n
        self.fanout.set_epoch(b, e)
        for f in frames:
            self.fanout.dispatch(b, f)

    # ---- status ------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "term": self.term if self.role == "leader" else self.max_term,
            "redis_prefix": self.prefix,
            "upstream": self.pool.status() if self.pool is not None else {},
            "redis": dict(self.stats),
        }
