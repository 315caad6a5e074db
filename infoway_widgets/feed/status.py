"""One status for the whole feed, merged from the state of each business channel's connection.

The widgets show one badge. A failed channel wins (with its error), then one reconnecting, then
one connecting; when every channel is open (or closed, and at least one open) the feed is up: live,
simulated, or through a relay once a server's welcome said it is one.
"""

from __future__ import annotations

from collections.abc import Callable

from ..protocol.events import ErrorFrame, Event, SubscribeFail, Unparsed, Welcome


class SessionStatus:
    """The merged status of a feed's connections."""

    def __init__(self, simulated: bool) -> None:
        self.simulated = simulated
        self.simulated_note = "simulated market (no API key)"
        #: True once a server said it is a relay (its welcome message)
        self.via_relay = False
        self.states: dict[str, str] = {}

    def up(self) -> tuple[str, str]:
        """The status (and message) of a feed whose connections are all up."""
        if self.via_relay:
            return "relay", "through a relay"
        if self.simulated:
            return "simulated", self.simulated_note
        return "live", "connected"

    def update(
        self,
        business: str,
        state: str,
        message: str | None,
        error_of: Callable[[str], BaseException | None],
    ) -> tuple[str, str] | None:
        """Record ``business``'s connection state; the feed's status now, or None to keep it.
        ``error_of(business)`` gives a failed channel's error."""
        self.states[business] = state
        states = set(self.states.values())
        if "failed" in states:
            failed = next(b for b, s in self.states.items() if s == "failed")
            err = error_of(failed)
            return "error", str(err or message or f"{failed} connection failed")
        if "reconnecting" in states:
            return "reconnecting", message or "connection lost; reconnecting"
        if "connecting" in states:
            return "connecting", message or "connecting"
        if states <= {"open", "closed"} and "open" in states:
            return self.up()
        return None

    def welcome(
        self, business: str, msg: str, error_of: Callable[[str], BaseException | None]
    ) -> tuple[str, str] | None:
        """A server's welcome on ``business``: a relay or the simulated market's server marks its
        own, which the badge then says (simulated prices never read "Live"). Returns the status to
        show, or None when nothing changed."""
        low = msg.lower()
        if "simulated" in low and not self.simulated:
            self.simulated = True
            self.simulated_note = "simulated market (the server says so)"
        elif "relay" in low and not self.via_relay:
            self.via_relay = True
        else:
            return None
        return self.update(business, self.states.get(business, "open"), None, error_of)


class FeedStatus:
    """A feed's status and message as its widgets show them, and its warnings (the latest 200 at
    most: what went wrong in the background, which never raises into the kernel)."""

    def __init__(
        self,
        simulated: bool,
        announce: Callable[[str, str], None],
        error_of: Callable[[str], BaseException | None],
        stats: dict[str, int],
    ) -> None:
        self.status = "connecting"
        self.message = "starting the simulated market" if simulated else "connecting to Infoway"
        self.warnings: list[str] = []
        self.connections = SessionStatus(simulated)
        self._announce = announce
        self._error_of = error_of
        self._stats = stats

    def set(self, status: str, message: str = "") -> None:
        """Show ``status`` and ``message``; listeners hear of it when it changed."""
        if (status, message) == (self.status, self.message):
            return
        self.status, self.message = status, message
        self._announce(status, message)

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        if len(self.warnings) > 200:
            del self.warnings[:100]

    def session_state(self, business: str, state: str, message: str | None) -> None:
        """``business``'s connection changed state: the merged status follows."""
        st = self.connections.update(business, state, message, self._error_of)
        if st is not None:
            self.set(*st)

    def control(self, business: str, ev: Event) -> None:
        """A control event from ``business``'s connection: a relay's welcome shows on the badge,
        refusals and frames nobody could parse become warnings."""
        if isinstance(ev, Welcome):
            st = self.connections.welcome(business, ev.msg, self._error_of)
            if st is not None:
                self.set(*st)
        elif isinstance(ev, Unparsed):
            self._stats["unparsed"] += 1
            self.warn(f"unparsed frame on {business}: {ev.reason}")
        elif isinstance(ev, (ErrorFrame, SubscribeFail)):
            self.warn(f"{business}: {ev}")
