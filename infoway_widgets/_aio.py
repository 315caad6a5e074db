"""asyncio helpers that stay correct on Python 3.10 and 3.11.

``asyncio.wait_for`` on those versions can swallow a cancellation that arrives in the same loop
iteration as the awaited thing completes (CPython gh-86296): a task cancelled while it waits for an
event that is being set keeps running. A loop that must stop when cancelled (a writer, a pump)
waits with :func:`wait_event` instead, which never loses a cancellation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


async def wait_event(event: asyncio.Event, timeout: float | None) -> bool:
    """Wait until ``event`` is set or ``timeout`` seconds pass; True if it was set.

    A cancellation of the caller always propagates.
    """
    if event.is_set():
        return True
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()
    return event.is_set()


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[Any]], *, grace: float = 5.0, rounds: int = 3
) -> set[asyncio.Task[Any]]:
    """Cancel ``tasks`` and wait until they end, at most ``rounds`` × ``grace`` seconds.

    A task that swallowed its cancellation (gh-86296 in a library it awaits) is cancelled again
    each round instead of being awaited for ever: closing never hangs. Returns the tasks still
    running at the end (normally none); their exceptions are not raised here.
    """
    pending = {t for t in tasks if not t.done()}
    for _ in range(rounds):
        if not pending:
            break
        for t in pending:
            t.cancel()
        _, pending = await asyncio.wait(pending, timeout=grace)
    return pending


async def until_signalled() -> None:
    """Return when the process gets SIGINT or SIGTERM (a command-line server's main wait)."""
    import contextlib
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
