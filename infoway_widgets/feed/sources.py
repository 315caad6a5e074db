"""Where a feed's data comes from, behind the one small interface the Feed talks to.

* :class:`LiveSource`: a server speaking the Infoway protocol (the service, ``infoway-widgets serve``
  or a relay): one WebSocket session per business channel, opened on the first subscription, and a
  REST client.
* :class:`SimulatedSource`: starts the simulated market's server in-process (127.0.0.1, an ephemeral
  port), then is a live source against it: one code path for simulated and real data.
* :class:`ReplaySource`: a recording played back by a :class:`~infoway_widgets.feed.Replay`, which
  drives the feed's public ingest path; nothing is subscribed or requested.
* :class:`Source` itself: detached, frames come from the caller's ``feed.ingest``.

A source reports to the feed through :class:`SourceEvents`; requests to a source that reaches no
service answer nothing.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InfowayError
from ..market import Instrument, Interval
from ..protocol.events import Candle, CodeOutcome, Depth, Event

if TYPE_CHECKING:
    from ..client.rest import Codes, RestClient
    from ..client.ws import WsSession
    from ..sim.market import SimMarket
    from ..sim.server import SimServer

DEFAULT_BASE_URL = "https://data.infoway.io"


def ws_url(base_url: str | None) -> str:
    """The WebSocket endpoint of the server at ``base_url`` (None: the Infoway service)."""
    base = base_url or DEFAULT_BASE_URL
    return base.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/ws"


@dataclass(frozen=True)
class SourceEvents:
    """What a streaming source tells its feed, and how it runs its background work."""

    #: a push frame as received: (business, frame, arrival ms)
    push: Callable[[str, str | bytes, int], None]
    #: a channel's connection state changed: (business, state, message)
    session_state: Callable[[str, str, str | None], None]
    #: a control event (welcome, error frame, refusal): (business, event)
    control: Callable[[str, Event], None]
    #: a channel came back after a drop: (business, down ms, up ms)
    reconnected: Callable[[str, int, int], None]
    #: run a coroutine as one of the feed's tasks (cancelled on close, failures become warnings)
    run: Callable[[Coroutine[Any, Any, Any]], object]
    #: what a channel's session concluded about codes (acked, refused): (business, outcome)
    outcome: Callable[[str, CodeOutcome], None] | None = None


class Source:
    """A detached source: no connection, and every request answers nothing.

    Subclasses that reach a service set :attr:`remote` and override the requests.
    """

    #: what the feed's repr calls it
    kind = "detached"
    #: True when the source subscribes to streams and answers REST requests
    remote = False

    def __init__(self) -> None:
        self.base_url: str | None = None
        self.rest: RestClient | None = None
        self.server: SimServer | None = None
        self._events: SourceEvents | None = None

    @property
    def market(self) -> SimMarket | None:
        """The simulated market's lesson knobs, when this source runs one."""
        return None

    @property
    def replay(self) -> Any:
        """The feed's ``replay`` attribute: not None for a source that makes no requests (a
        detached source stands in for one, as before)."""
        return self

    @property
    def events(self) -> SourceEvents | None:
        """What the source reports to (set by :meth:`bind`)."""
        return self._events

    def bind(self, events: SourceEvents) -> None:
        """Called by the feed before :meth:`start`; sessions opened later report to ``events``."""
        self._events = events

    def universe(self) -> dict[str, Instrument]:
        """Instruments the source names (the simulated market's); empty when it names none."""
        return {}

    async def start(self) -> tuple[str, str] | None:
        """Get ready to serve requests. Returns the feed's status then, or None when the status
        follows the connections (:class:`~infoway_widgets.feed.status.SessionStatus`)."""
        return "detached", "no connection: frames are supplied by ingest()"

    def subscribe(self, kind: str, inst: Instrument) -> None:
        """Want ``kind`` (``"trades"`` or ``"depth"``) pushes of ``inst``."""

    def unsubscribe(self, kind: str, inst: Instrument) -> None:
        """Stop wanting ``kind`` pushes of ``inst``."""

    # ---- REST requests: through the REST client once started; a source without one answers
    # nothing (klines, depth) or says it reaches no service (history, which a user asked for)
    async def history(
        self, code: str, interval: str | int | Interval, **options: Any
    ) -> list[Candle]:
        """Candles of one code, paging back past the service's 500-bar limit (``options``: those
        of :meth:`~infoway_widgets.client.RestClient.history`: count, start_ms, end_ms,
        progress)."""
        if self.rest is None:
            raise InfowayError(
                "the feed is still starting: await feed.ready() first"
                if self.remote
                else f"a {self.kind} feed asks no service for bars; use iw.history(...) for them"
            )
        return await self.rest.history(code, interval, **options)

    async def klines(
        self, codes: Codes, interval: str | int | Interval, count: int = 500
    ) -> dict[str, list[Candle]]:
        """The latest ``count`` candles of each code."""
        return {} if self.rest is None else await self.rest.klines(codes, interval, count=count)

    async def depth(self, codes: Codes) -> list[Depth]:
        """The current order book of each code."""
        return [] if self.rest is None else await self.rest.depth(codes)

    def session_error(self, business: str) -> BaseException | None:
        """The error that ended ``business``'s connection, if it failed."""
        return None

    async def disconnect(self) -> None:
        """Stop the streams: no push arrives after this returns."""

    async def aclose(self) -> None:
        """Release what is left (REST client, embedded server). After :meth:`disconnect`."""


class LiveSource(Source):
    """A server speaking the Infoway protocol: WebSocket sessions per business, and REST."""

    kind = "live"
    remote = True

    def __init__(self, *, api_key: str | None, base_url: str | None, time_scale: float) -> None:
        super().__init__()
        self._api_key = api_key
        self.base_url = base_url
        self.time_scale = time_scale
        self.sessions: dict[str, WsSession] = {}

    @property
    def replay(self) -> Any:
        return None

    @property
    def ws_base(self) -> str:
        return ws_url(self.base_url)

    async def start(self) -> tuple[str, str] | None:
        from ..client.rest import RestClient

        self.rest = RestClient(self.base_url or DEFAULT_BASE_URL, api_key=self._api_key)
        return None

    def _session(self, business: str) -> WsSession:
        s = self.sessions.get(business)
        if s is None:
            from ..client.ws import WsSession

            ev = self._events
            assert ev is not None, "bind() the source to a feed first"
            s = WsSession(
                self.ws_base,
                business,
                self._api_key,
                on_push=functools.partial(ev.push, business),
                on_state=functools.partial(ev.session_state, business),
                on_event=functools.partial(ev.control, business),
                on_reconnect=functools.partial(ev.reconnected, business),
                on_outcome=(
                    functools.partial(ev.outcome, business) if ev.outcome is not None else None
                ),
                time_scale=self.time_scale,
            )
            self.sessions[business] = s
            ev.run(s.start())
        return s

    def subscribe(self, kind: str, inst: Instrument) -> None:
        self._session(inst.business).subscribe(kind, [inst.code])

    def unsubscribe(self, kind: str, inst: Instrument) -> None:
        s = self.sessions.get(inst.business)
        if s is not None:
            s.unsubscribe(kind, [inst.code])

    def session_error(self, business: str) -> BaseException | None:
        s = self.sessions.get(business)
        err = getattr(s, "error", None)
        return err if isinstance(err, BaseException) else None

    async def disconnect(self) -> None:
        for s in list(self.sessions.values()):
            with contextlib.suppress(Exception):
                await s.close()

    async def aclose(self) -> None:
        if self.rest is not None:
            with contextlib.suppress(Exception):
                await self.rest.aclose()


def sim_universe(extra_symbols: int = 0) -> dict[str, Instrument]:
    """The simulated market's instruments by code, as its server will list them."""
    from ..sim.universe import default_profiles, extra_profiles

    profiles = default_profiles()
    if extra_symbols:
        profiles += extra_profiles(extra_symbols, {p.inst.code for p in profiles})
    return {p.inst.code: p.inst for p in profiles}


class SimulatedSource(LiveSource):
    """The simulated market's server, started in-process; then a live source against it."""

    kind = "simulated"

    def __init__(self, *, time_scale: float, sim_options: dict[str, Any]) -> None:
        super().__init__(api_key=None, base_url=None, time_scale=time_scale)
        self._sim_options = dict(sim_options)

    @property
    def market(self) -> SimMarket | None:
        return self.server.market if self.server is not None else None

    def universe(self) -> dict[str, Instrument]:
        if self.server is not None:
            return dict(self.server.market.instruments)
        return sim_universe(int(self._sim_options.get("extra_symbols", 0) or 0))

    async def start(self) -> tuple[str, str] | None:
        from ..sim import SimServer

        opts = dict(self._sim_options)
        opts.setdefault("speed", self.time_scale)
        server = SimServer(host="127.0.0.1", port=0, **opts)
        await server.start()
        # published only once started: widgets built meanwhile must not see a half server
        self.server = server
        self.base_url = server.url
        return await super().start()

    async def aclose(self) -> None:
        await super().aclose()
        if self.server is not None:
            with contextlib.suppress(Exception):
                await self.server.stop()


class ReplaySource(Source):
    """A recording played back: the :class:`~infoway_widgets.feed.Replay` drives the feed."""

    kind = "replay"

    def __init__(self, replay: Any, *, simulated: bool) -> None:
        super().__init__()
        self._replay = replay
        self._simulated = simulated

    @property
    def replay(self) -> Any:
        return self._replay

    def universe(self) -> dict[str, Instrument]:
        # a recording of the simulated market shows its names, as the live feed did
        return sim_universe() if self._simulated else {}

    async def start(self) -> tuple[str, str] | None:
        return "replay", "replaying a recording"

    async def disconnect(self) -> None:
        with contextlib.suppress(Exception):
            await self._replay.aclose()


def source_for(
    api_key: str | None,
    base_url: str | None,
    simulated: bool,
    time_scale: float,
    sim_options: dict[str, Any] | None,
    replay: Any,
) -> Source:
    """The source a feed made with these options talks to.

    Parameters
    ----------
    api_key, base_url
        The key and server of a live source (no server: the Infoway service).
    simulated
        With no ``base_url``: run the embedded simulated market (a replay: the recording was).
    time_scale
        How fast the market's time runs (the simulated market's speed; timers scale with it).
    sim_options
        Passed to the simulated market's server.
    replay
        A :class:`~infoway_widgets.feed.Replay` to play instead of connecting.
    """
    if replay is not None:
        return ReplaySource(replay, simulated=simulated)
    if simulated and base_url is None:
        return SimulatedSource(time_scale=time_scale, sim_options=sim_options or {})
    return LiveSource(api_key=api_key, base_url=base_url, time_scale=time_scale)
