"""asyncio helpers: closing never hangs on a task that swallows its cancellation."""

from __future__ import annotations

import asyncio

from infoway_widgets._aio import cancel_and_wait
from infoway_widgets.feed.tasks import Background


async def _stubborn(times: int, log: list[str]) -> None:
    """Swallows the first ``times`` cancellations (as gh-86296 can in a library it awaits)."""
    swallowed = 0
    while True:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            log.append("cancelled")
            if swallowed >= times:
                raise
            swallowed += 1


async def test_a_task_that_swallows_one_cancel_is_cancelled_again():
    log: list[str] = []
    t = asyncio.ensure_future(_stubborn(1, log))
    await asyncio.sleep(0)
    left = await cancel_and_wait([t], grace=0.05)
    assert left == set()
    assert t.cancelled()
    assert log == ["cancelled", "cancelled"]


async def test_a_task_that_keeps_swallowing_is_given_up_on_not_awaited_for_ever():
    log: list[str] = []
    t = asyncio.ensure_future(_stubborn(4, log))
    await asyncio.sleep(0)
    left = await cancel_and_wait([t], grace=0.01, rounds=3)
    assert left == {t}
    assert len(log) == 3
    assert await cancel_and_wait([t], grace=0.01, rounds=3) == set()  # leave nothing running


async def test_background_cancel_all_returns_although_a_task_ignores_one_cancel():
    loop = asyncio.get_running_loop()
    failures: list[BaseException] = []
    bg = Background(loop, failures.append)
    log: list[str] = []
    bg.run(_stubborn(1, log))
    await asyncio.sleep(0)
    await bg.cancel_all()
    assert not bg.tasks
    assert failures == []
    assert log == ["cancelled", "cancelled"]
