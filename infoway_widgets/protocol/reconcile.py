"""Subscriptions a client wants against what one connection holds, and the merged frames that
bring the second to the first. Pure bookkeeping for :class:`~.client.ClientSession`.

State is kept per code: a connection records when each code was acked; a code held back after
a transient refusal carries the time it may be sent again (``None`` holds it back until it is
wanted again); a code refused for good (a plan limit) carries the error, and is not sent again
until it is wanted again. A refused frame of several codes is asked again in two halves (a
*probe* each), so that one code over the limit does not take the others of its frame down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InfowayError
from .encode import encode_subscribe, encode_subscribe_candles, encode_unsubscribe
from .window import SlidingWindow

#: (kind, klineType or 0): one stream of a connection; candles have one per interval
Key = tuple[str, int]


@dataclass
class PendingFrame:
    """A subscription or unsubscription frame waiting for its ack."""

    op: Literal["sub", "unsub"]
    groups: list[tuple[Key, list[str]]]
    at: int
    late: bool = False


@dataclass
class Link:
    """What one connection has been sent, and its clocks; a new connection starts empty."""

    opened: int
    window: SlidingWindow
    last_rx: int
    next_heartbeat: int
    #: per stream, the codes sent, each with the time its ack came (None: not acked yet)
    held: dict[Key, dict[str, int | None]] = field(default_factory=dict)
    pending: dict[str, PendingFrame] = field(default_factory=dict)
    drop_reason: str | None = None
    silent: bool = False
    #: frames returned by the last frames_to_send (restamped when the driver says they left)
    last_batch: int = 0

    def hold(self, key: Key, codes: list[str]) -> None:
        held = self.held.setdefault(key, {})
        for c in codes:
            held[c] = None

    def forget(self, key: Key, codes: list[str]) -> None:
        held = self.held.get(key, {})
        for c in codes:
            held.pop(c, None)

    def extra(self, key: Key, wanted: set[str]) -> list[str]:
        """Codes held on ``key`` that are no longer wanted, in order."""
        return sorted(self.held.get(key, {}).keys() - wanted)

    def acked(self, trace: str | None, op: str, kind: str | None, now: int) -> PendingFrame | None:
        """The pending frame an ack answers: by its trace, or (an ack without a trace of ours)
        the oldest pending frame of that operation and kind (the socket keeps order). Its codes
        are recorded as acked at ``now``."""
        frame = self.pending.pop(trace, None) if trace else None
        if frame is None:
            for t, p in sorted(self.pending.items(), key=lambda tp: tp[1].at):
                if p.op == op and (kind is None or p.groups[0][0][0] == kind):
                    frame = self.pending.pop(t)
                    break
        if frame is not None and frame.op == "sub":
            for key, codes in frame.groups:
                held = self.held.get(key)
                if held:
                    for c in codes:
                        if c in held:
                            held[c] = now
        return frame

    def blamed(self, trace: str | None) -> PendingFrame | None:
        """The subscription an error refers to: by trace, else the oldest pending one."""
        frame = self.pending.pop(trace, None) if trace else None
        if frame is None:  # the error names no trace of ours: blame the oldest pending subscription
            subs = [(t, p) for t, p in self.pending.items() if p.op == "sub"]
            if subs:
                t0, frame = min(subs, key=lambda tp: tp[1].at)
                self.pending.pop(t0, None)
        return frame if frame is not None and frame.op == "sub" else None


class Wanted:
    """The subscriptions wanted, across connections, and the codes held back for now."""

    def __init__(self) -> None:
        self.codes: dict[Key, set[str]] = {}
        #: codes not to be sent before the time given (None: until wanted again)
        self.held_back: dict[Key, dict[str, int | None]] = {}
        #: refusals in a row per stream, for the backoff
        self.attempts: dict[Key, int] = {}
        #: codes refused for good (until wanted again), with the error that refused them
        self.refused: dict[Key, dict[str, InfowayError]] = {}
        #: parts of a refused frame to ask again, each in a frame of its own, before anything else
        self.probes: list[list[tuple[Key, list[str]]]] = []

    def add(self, keys: Iterable[Key], codes: set[str]) -> None:
        """Want ``codes`` on each key; an explicit request releases codes held back."""
        for key in keys:
            self.codes.setdefault(key, set()).update(codes)
            self.release(key, codes)

    def remove(self, keys: Iterable[Key], codes: set[str]) -> None:
        for key in keys:
            self.codes.get(key, set()).difference_update(codes)
            self.release(key, codes)

    def release(self, key: Key, codes: Iterable[str]) -> None:
        back = self.held_back.get(key)
        refused = self.refused.get(key)
        for c in codes:
            if back:
                back.pop(c, None)
            if refused:
                refused.pop(c, None)

    def refuse(self, key: Key, codes: Iterable[str], error: InfowayError) -> list[str]:
        """Refuse the wanted ones of ``codes`` for good (until wanted again); returns them."""
        wanted = self.codes.get(key, set())
        out = [c for c in codes if c in wanted]
        if out:
            into = self.refused.setdefault(key, {})
            for c in out:
                into[c] = error
        return out

    def probe(self, groups: list[tuple[Key, list[str]]]) -> None:
        """Ask for ``groups`` again in a frame of their own (a part of a refused frame)."""
        groups = [(k, list(cs)) for k, cs in groups if cs]
        if groups:
            self.probes.append(groups)

    def probing(self, key: Key) -> set[str]:
        return {c for groups in self.probes for k, cs in groups if k == key for c in cs}

    def hold_back(self, key: Key, codes: list[str], until: int | None) -> None:
        """Keep the wanted ones of ``codes`` from being sent before ``until``."""
        back = self.held_back.setdefault(key, {})
        wanted = self.codes.get(key, set())
        for c in codes:
            if c in wanted:
                back[c] = until

    def expire(self, now: int) -> None:
        """Release the codes whose hold has ended."""
        for back in self.held_back.values():
            for c in [c for c, t in back.items() if t is not None and t <= now]:
                del back[c]

    def next_release(self) -> int | None:
        times = [t for back in self.held_back.values() for t in back.values() if t is not None]
        return min(times) if times else None

    def any(self) -> bool:
        return any(self.codes.values())

    def candle_keys(self) -> list[Key]:
        return sorted(k for k in self.codes if k[0] == "candles")

    def missing(self, link: Link, key: Key, now: int) -> list[str]:
        """Codes wanted on ``key`` that ``link`` does not hold and may be sent at ``now``."""
        want = self.codes.get(key)
        if not want:
            return []
        back = self.held_back.get(key, {})
        refused = self.refused.get(key, {})
        probing = self.probing(key) if self.probes else set()
        held = link.held.get(key, {})
        return sorted(
            c
            for c in want
            if c not in held
            and c not in refused
            and c not in probing
            and not _held_back(back, c, now)
        )

    def has_work(self, link: Link, now: int) -> bool:
        if self.probes:
            return True
        keys = set(self.codes) | set(link.held)
        return any(
            self.missing(link, k, now) or link.extra(k, self.codes.get(k, set())) for k in keys
        )

    def synced(self, link: Link) -> bool:
        """The link holds, acknowledged, every wanted code but those refused for good."""
        if link.pending or self.probes:
            return False
        keys = {k for k, v in self.codes.items() if v} | {k for k, v in link.held.items() if v}
        return all(
            self.codes.get(k, set()) - self.refused.get(k, {}).keys() == link.held.get(k, {}).keys()
            for k in keys
        )

    def describe(self, link: Link) -> str:
        refused = sum(len(v) for v in self.refused.values())
        missing = sum(len(v - link.held.get(k, {}).keys()) for k, v in self.codes.items()) - refused
        extra = sum(len(v.keys() - self.codes.get(k, set())) for k, v in link.held.items())
        return (
            f"{missing} codes to subscribe, {extra} to drop, {len(link.pending)} frames unacked"
            + (f", {refused} refused" if refused else "")
        )

    def view(self) -> dict[str, Any]:
        """``{"trades": [...], "depth": [...], "candles": {klineType: [...]}}``."""
        out: dict[str, Any] = {"trades": [], "depth": [], "candles": {}}
        for (kind, kt), codes in sorted(self.codes.items()):
            if not codes:
                continue
            if kind == "candles":
                out["candles"][kt] = sorted(codes)
            else:
                out[kind] = sorted(codes)
        return out


def _held_back(back: dict[str, int | None], code: str, now: int) -> bool:
    if code not in back:
        return False
    until = back[code]
    return until is None or until > now


def next_frame(
    wanted: Wanted, link: Link, now: int, per_frame: int, trace: Callable[[], str]
) -> tuple[str, str, PendingFrame] | None:
    """The next frame that brings ``link`` closer to ``wanted``: ``(trace, text, pending)``, or
    ``None``. The link is updated as if the frame was sent.

    Unsubscriptions go first (they free plan room for what follows); trades and depth take one
    frame per kind, candles merge several intervals into one frame.
    """
    for kind in ("trades", "depth"):
        key = (kind, 0)
        extra = link.extra(key, wanted.codes.get(key, set()))
        if extra:
            codes = extra[:per_frame]
            link.forget(key, codes)
            t = trace()
            return t, encode_unsubscribe(kind, codes, t), PendingFrame("unsub", [(key, codes)], now)
    for key in sorted(k for k in link.held if k[0] == "candles"):
        extra = link.extra(key, wanted.codes.get(key, set()))
        if extra:
            codes = extra[:per_frame]
            link.forget(key, codes)
            t = trace()
            frame = encode_unsubscribe("candles", codes, t, [key[1]])
            return t, frame, PendingFrame("unsub", [(key, codes)], now)
    while wanted.probes:
        built = _probe_frame(wanted, wanted.probes.pop(0), link, now, trace)
        if built is not None:
            return built
    for kind in ("trades", "depth"):
        key = (kind, 0)
        missing = wanted.missing(link, key, now)
        if missing:
            codes = missing[:per_frame]
            link.hold(key, codes)
            t = trace()
            return t, encode_subscribe(kind, codes, t), PendingFrame("sub", [(key, codes)], now)
    groups: list[tuple[Key, list[str]]] = []
    room = per_frame
    for key in wanted.candle_keys():
        if room <= 0:
            break
        missing = wanted.missing(link, key, now)[:room]
        if missing:
            groups.append((key, missing))
            room -= len(missing)
            link.hold(key, missing)
    if groups:
        t = trace()
        frame = encode_subscribe_candles([(k[1], cs) for k, cs in groups], t)
        return t, frame, PendingFrame("sub", groups, now)
    return None


def _probe_frame(
    wanted: Wanted,
    groups: list[tuple[Key, list[str]]],
    link: Link,
    now: int,
    trace: Callable[[], str],
) -> tuple[str, str, PendingFrame] | None:
    """The frame of one probe: its codes still wanted and not held, refused or held back."""
    live: list[tuple[Key, list[str]]] = []
    for key, codes in groups:
        want = wanted.codes.get(key, set())
        held = link.held.get(key, {})
        refused = wanted.refused.get(key, {})
        back = wanted.held_back.get(key, {})
        cs = [
            c
            for c in codes
            if c in want and c not in held and c not in refused and not _held_back(back, c, now)
        ]
        if cs:
            live.append((key, cs))
    if not live:
        return None
    for key, cs in live:
        link.hold(key, cs)
    t = trace()
    kind = live[0][0][0]
    if kind == "candles":
        frame = encode_subscribe_candles([(k[1], cs) for k, cs in live], t)
    else:  # a probe of trades or depth comes from a frame of one stream
        frame = encode_subscribe(kind, live[0][1], t)
    return t, frame, PendingFrame("sub", live, now)


__all__ = ["Key", "Link", "PendingFrame", "Wanted", "next_frame"]
