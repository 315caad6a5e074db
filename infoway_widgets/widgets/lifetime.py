"""When a widget nobody sees stops sending, and when it lets go of its feed subscriptions.

Each front-end's store tells Python how many views of the widget it draws (one count per store,
keyed by a random id, since two pages may show one model). :class:`ViewLifetime` turns those
reports into four states:

* ``headless``: no front-end has ever reported (nbclient, a script, a widget not shown yet): the
  widget works as if shown, so a kernel without a browser keeps everything it had;
* ``shown``: at least one view on screen somewhere;
* ``hidden``: the last view on screen went less than ``pause_after`` seconds ago; still sending,
  so a view that is only moving (an output dragged to a new tab) misses nothing;
* ``paused``: no view on screen for ``pause_after`` seconds: no frames, but the feed
  subscriptions stay, so a view coming back gets a full frame at once;
* ``released``: no view at all for ``release_after`` seconds: the subscriptions are released too.

A view scrolled out of sight is still a view: its widget pauses but keeps its subscriptions (a
notebook of twenty widgets shows two or three at a time; the rest send nothing). A report of a
view on screen from ``paused`` or ``released`` brings the widget back (``on_show``). It runs on
the asyncio loop through the same two clock methods as the
:class:`~infoway_widgets.widgets.coalesce.Coalescer`, so tests step it with a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable

from .coalesce import Cancellable, Scheduler, running_loop

#: seconds without a view before a widget stops sending
PAUSE_AFTER = 1.5
#: seconds without a view before a widget releases its feed subscriptions
RELEASE_AFTER = 60.0
#: front-ends remembered per widget; more ids than this means stores that never said goodbye
MAX_FRONTENDS = 32
MAX_ID_LENGTH = 64


class ViewLifetime:
    """The view count of one widget over every front-end, and what it implies.

    Parameters
    ----------
    on_pause : callable
        The widget has no view any more and should stop sending.
    on_release : callable
        The widget should release its feed subscriptions.
    on_show : callable taking a bool
        A view is back after a pause: send a full frame; ``True`` when the subscriptions were
        released and must be opened again first.
    pause_after, release_after : float or callable returning float
        Seconds without a view before pausing and before releasing; a callable is read each time
        the last view goes (a widget passes its traits).
    scheduler : Scheduler, optional
        Clock and timers; default the running asyncio loop.
    """

    def __init__(
        self,
        *,
        on_pause: Callable[[], None],
        on_release: Callable[[], None],
        on_show: Callable[[bool], None],
        pause_after: float | Callable[[], float] = PAUSE_AFTER,
        release_after: float | Callable[[], float] = RELEASE_AFTER,
        scheduler: Scheduler | None = None,
    ) -> None:
        self._on_pause = on_pause
        self._on_release = on_release
        self._on_show = on_show
        self._pause_after = pause_after
        self._release_after = release_after
        self._scheduler = scheduler
        self._counts: dict[str, int] = {}
        self._screens: dict[str, int] = {}
        self._state = "headless"
        self._pause_timer: Cancellable | None = None
        self._release_timer: Cancellable | None = None
        self._closed = False

    @property
    def state(self) -> str:
        """``headless``, ``shown``, ``hidden``, ``paused``, ``released`` or ``closed``."""
        return self._state

    @property
    def views(self) -> int:
        """Views reported, over every front-end."""
        return sum(self._counts.values())

    @property
    def on_screen(self) -> int:
        """Views on screen, over every front-end."""
        return sum(self._screens.values())

    @property
    def sending(self) -> bool:
        """Whether the widget should send frames."""
        return self._state in ("headless", "shown", "hidden")

    @property
    def subscribed(self) -> bool:
        """Whether the widget should hold its feed subscriptions."""
        return self._state not in ("released", "closed")

    @property
    def headless(self) -> bool:
        """True while no front-end has ever reported its views."""
        return self._state == "headless"

    def report(self, frontend: str, views: int, on_screen: int | None = None) -> None:
        """Front-end ``frontend`` now draws ``views`` views of the widget, ``on_screen`` of them
        on screen (all of them when it does not say)."""
        if self._closed:
            return
        key = str(frontend)[:MAX_ID_LENGTH]
        n = max(0, min(int(views), 10_000))
        on = n if on_screen is None else max(0, min(int(on_screen), n))
        if n:
            self._counts[key] = n
            self._screens[key] = on
        else:
            self._counts.pop(key, None)
            self._screens.pop(key, None)
        while len(self._counts) > MAX_FRONTENDS:  # the oldest ids first: pages closed long ago
            oldest = next(iter(self._counts))
            del self._counts[oldest]
            self._screens.pop(oldest, None)
        if self.on_screen:
            self._show()
            return
        if self._state in ("headless", "shown"):
            self._state = "hidden"
            self._pause_timer = self._clock().call_later(_seconds(self._pause_after), self._pause)
        if self.views:
            self._cancel(release=True)  # views off screen keep the subscriptions
        elif self._release_timer is None and self._state in ("hidden", "paused"):
            self._release_timer = self._clock().call_later(
                _seconds(self._release_after), self._release
            )

    def _show(self) -> None:
        self._cancel(pause=True, release=True)
        before = self._state
        self._state = "shown"
        if before in ("paused", "released"):
            self._on_show(before == "released")

    def _pause(self) -> None:
        self._pause_timer = None
        if self._state == "hidden":
            self._state = "paused"
            self._on_pause()

    def _release(self) -> None:
        self._release_timer = None
        if self._state == "hidden":  # a release_after shorter than pause_after: both at once
            self._pause()
        if self._state == "paused":
            self._state = "released"
            self._on_release()

    def _clock(self) -> Scheduler:
        return self._scheduler if self._scheduler is not None else running_loop()

    def _cancel(self, *, pause: bool = False, release: bool = False) -> None:
        if pause and self._pause_timer is not None:
            self._pause_timer.cancel()
            self._pause_timer = None
        if release and self._release_timer is not None:
            self._release_timer.cancel()
            self._release_timer = None

    def close(self) -> None:
        """Cancel the timers; later reports do nothing. Idempotent."""
        self._closed = True
        self._state = "closed"
        self._cancel(pause=True, release=True)

    def __repr__(self) -> str:
        return (
            f"ViewLifetime({self._state}, views={self.views}, on_screen={self.on_screen}, "
            f"frontends={len(self._counts)})"
        )


def _seconds(x: float | Callable[[], float]) -> float:
    return max(0.0, float(x() if callable(x) else x))


__all__ = ["PAUSE_AFTER", "RELEASE_AFTER", "ViewLifetime"]
