"""``iw.connect()``: the kernel's shared Feed."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from ..errors import InfowayError
from .feed import Feed

#: feeds by (loop id, key hash, base_url, speed, seed, sim options): what connect() shares
_shared: dict[tuple[Any, ...], Feed] = {}
#: the feed most recently created on each loop (by id): what a bare ``iw.connect()`` returns, so
#: ``feed = iw.connect(speed=60)`` followed by ``iw.CandleChart("600519.SH")`` shows that feed
_latest: dict[int, list[Feed]] = {}


def _remember(feed: Feed, ident: tuple[Any, ...] | None, loop: asyncio.AbstractEventLoop) -> None:
    if ident is not None:
        _shared[ident] = feed
    stack = _latest.setdefault(id(loop), [])
    if feed not in stack:
        stack.append(feed)
    feed.on_close(lambda: _forget(feed))


def _forget(feed: Feed) -> None:
    for k, v in list(_shared.items()):
        if v is feed:
            del _shared[k]
    for stack in _latest.values():
        while feed in stack:
            stack.remove(feed)


def current_feed(loop: asyncio.AbstractEventLoop) -> Feed | None:
    """The feed a bare ``iw.connect()`` returns on ``loop`` (the one most recently created and
    still open), or None when there is none."""
    live = [f for f in _latest.get(id(loop), []) if not f.closed]
    return live[-1] if live else None


def connect(
    api_key: str | None = None,
    *,
    base_url: str | None = None,
    replay: str | os.PathLike[str] | None = None,
    speed: float | None = None,
    seed: int | None = None,
    history: int = 500,
    new: bool = False,
    **sim_options: Any,
) -> Feed:
    """Return the kernel's shared :class:`Feed`, creating it on first use.

    Parameters
    ----------
    api_key
        Infoway API key. Defaults to the ``INFOWAY_API_KEY`` environment variable. With no key (and
        no ``base_url``) the feed starts the built-in **simulated** market on 127.0.0.1 and talks to
        it through the same client code as the real service. Simulated data appears only then:
        given a key or a server anywhere (argument or environment), everything comes from there.
    base_url
        Another server speaking the Infoway protocol, e.g. ``"http://127.0.0.1:8765"`` for
        ``infoway-widgets serve`` or a classroom relay. Defaults to ``INFOWAY_BASE_URL``.
    replay
        Play back a recording made with ``feed.record(path)`` instead of connecting.
    speed
        Simulated market: time compression (60 plays an A-share day in 4 minutes). Replay: playback
        speed.
    seed
        Simulated market: random seed (the same seed gives the same market).
    history
        Bars of history ``feed.watch()`` loads per interval when it is not told how many (the
        bqplot binding's series, your own watches). The widgets say how many themselves:
        ``CandleChart(history=500)``, 250 daily and minute bars for a QuoteBoard row.
    new
        Always create a new feed instead of returning the shared one.

    **sim_options
        Passed to the simulated market (e.g. ``clock="wall"``, ``extra_symbols=20``).

    Notes
    -----
    Called with no arguments (as widgets given no ``feed=`` do, and ``iw.history()``), it
    returns the feed most recently created on this loop, whatever its options, with its key and
    server; only when there is none does it create the default one. So after
    ``iw.connect(api_key=K)`` every widget and ``iw.history(...)`` use that key.

    Needs a running asyncio loop: a Jupyter kernel has one. In a script, call it inside
    ``async def main()`` run by ``asyncio.run(main())``, or use ``await iw.aconnect()``.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise InfowayError(
            "iw.connect() needs a running asyncio loop. Jupyter provides one; in a script write "
            "`async def main(): feed = await iw.aconnect(); ...` and run `asyncio.run(main())`. "
            "For one-off downloads use iw.history(...), which works anywhere."
        ) from None
    bare = (
        api_key is None
        and base_url is None
        and replay is None
        and speed is None
        and seed is None
        and history == 500
        and not new
        and not sim_options
    )
    if bare:
        current = current_feed(loop)
        if current is not None:
            return current
    key = api_key if api_key is not None else (os.environ.get("INFOWAY_API_KEY") or None)
    if base_url is None:
        base_url = os.environ.get("INFOWAY_BASE_URL") or None
    if replay is not None:
        from .replay import Replay

        rp = Replay(replay, speed=speed or 1.0)
        feed = Feed(
            api_key=None,
            base_url=None,
            simulated=bool(rp.meta.get("simulated")),
            replay=rp,
            history_count=history,
            loop=loop,
        )
        rp.attach(feed)
        feed.start()
        _remember(feed, None, loop)
        return feed
    simulated = key is None and base_url is None
    ident = (id(loop), key and hash(key), base_url, speed, seed, tuple(sorted(sim_options.items())))
    if not new:
        shared = _shared.get(ident)
        if shared is not None and not shared.closed:
            return shared
    opts = dict(sim_options)
    if seed is not None:
        opts["seed"] = seed
    feed = Feed(
        api_key=key,
        base_url=base_url,
        simulated=simulated,
        time_scale=speed or 1.0,
        history_count=history,
        sim_options=opts,
        loop=loop,
    )
    feed.start()
    _remember(feed, None if new else ident, loop)
    return feed


async def aconnect(api_key: str | None = None, **kwargs: Any) -> Feed:
    """``await iw.aconnect()``: :func:`connect`, then wait until the feed is ready."""
    feed = connect(api_key, **kwargs)
    return await feed.ready()
