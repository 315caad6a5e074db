"""What every live widget shares: the feed, status, theme and locale traits, the coalescing, the
view lifetime and the saved-state snapshot.

``feed.on_change`` pokes the widget's :class:`~infoway_widgets.widgets.coalesce.Coalescer`: a
flush runs at once when the widget was idle, then at most every ``1 / max_fps`` s, and sends one
frame with everything changed since the previous one.

Each front-end reports how many views of the widget it draws; once none is left anywhere, the
widget stops sending and later releases its feed subscriptions
(:class:`~infoway_widgets.widgets.lifetime.ViewLifetime`); a view coming back gets a full frame.

The ``_snapshot`` trait is the state a saved notebook keeps. A front-end keeps it on its own model
from the frames it has, so Python sends it only on demand: :meth:`LiveWidget.get_state` builds a
fresh one (an HTML export, a new page's request for the state). Only a widget no front-end has
ever reported on (nbclient, a script) pushes it, inside a flush at most every ``snapshot_interval``
s, since there the pushed trait is all a saved notebook gets.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import anywidget
import traitlets as t

from ..errors import InfowayError
from ..feed import connect
from ..i18n import check_locale
from ..market import Instrument, size_decimals, volume_unit
from . import _validate as check
from ._esm import bundle, stylesheet
from ._wire import (
    binary_buffers_by_default,
    inline_columns,
    make_frame,
    probe_message,
    snapshot_value,
)
from .coalesce import Cancellable, Coalescer, Scheduler, running_loop
from .lifetime import PAUSE_AFTER, RELEASE_AFTER, ViewLifetime

log = logging.getLogger("infoway_widgets.widgets")

Frame = tuple[str, dict[str, Any], dict[str, Any]]  # kind, columns, extra header fields


def default_feed(feed: Any = None) -> Any:
    """``feed`` when given, else the kernel's shared feed (``iw.connect()``)."""
    return feed if feed is not None else connect()


def market_info(inst: Instrument, name: str | None = None) -> dict[str, Any]:
    """What a front-end needs to know about an instrument (no secrets, no network text but the name).

    Prices show ``price_decimals`` (from the tick; ``tick`` is None where it depends on the
    price), raw sizes ``size_decimals`` (from the smallest size that trades). Volumes are shown in
    ``volume_unit`` (``"lots"``, ``"shares"``, ``"units"`` or a base asset such as ``"BTC"``): raw
    volume ÷ ``volume_per_unit``, with ``volume_decimals`` decimals.
    """
    unit = volume_unit(inst)
    return {
        "code": inst.code,
        "name": name or inst.name or "",
        "market": inst.market,
        "exchange": inst.exchange,
        "tz": inst.tz,
        "red_up": bool(inst.red_up),
        "price_decimals": int(inst.price_decimals),
        "lot_size": float(inst.lot_size),
        "currency": inst.currency,
        "tick": float(inst.fixed_tick) if inst.fixed_tick is not None else None,
        "size_decimals": int(size_decimals(inst)),
        "volume_unit": unit.key,
        "volume_per_unit": float(unit.per),
        "volume_decimals": int(unit.decimals),
    }


class LiveWidget(anywidget.AnyWidget):
    """Base of the live widgets. Subclasses implement :meth:`_subscribe`, :meth:`_delta`,
    :meth:`_full` and, where it differs from the full frame, :meth:`_snapshot_frame`."""

    _kind: ClassVar[str] = ""
    _css = stylesheet()

    status = t.Unicode(
        "connecting",
        help="Feed status: connecting, live, simulated, reconnecting, stale, error or closed; "
        "error too when this widget's own symbol has a problem (see symbol_errors).",
    ).tag(sync=True)
    status_message = t.Unicode("").tag(sync=True)
    symbol_errors = t.Dict(
        help="Problems of this widget's own symbols, code -> message (from feed.symbol_errors)."
    ).tag(sync=True)
    simulated = t.Bool(False).tag(sync=True)
    locale = t.Unicode("en", help="Labels and number style: 'en' or 'zh'.").tag(sync=True)
    theme = t.Unicode("auto", help="'auto' (follows JupyterLab), 'light' or 'dark'.").tag(sync=True)
    up_color = t.Unicode("", help="CSS colour of rises; empty for the market convention.").tag(
        sync=True
    )
    down_color = t.Unicode("", help="CSS colour of falls; empty for the market convention.").tag(
        sync=True
    )
    timezone = t.Unicode(
        "", help="Zone of time labels: '' for the exchange's, 'local', or an IANA name."
    ).tag(sync=True)
    max_fps = t.Float(20.0, help="Most frames per second sent to the front-end.").tag(sync=True)
    height = t.Int(360).tag(sync=True)
    _market = t.Dict().tag(sync=True)
    _snapshot = t.Dict().tag(sync=True)
    pause_after = t.Float(
        PAUSE_AFTER, help="Seconds without any view before the widget stops sending."
    )
    release_after = t.Float(
        RELEASE_AFTER,
        help="Seconds without any view before the widget releases its feed subscriptions.",
    )

    #: seconds between pushes of the ``_snapshot`` trait while no front-end has reported a view
    snapshot_interval: float = 5.0
    #: a widget of many symbols shows their problems per row and keeps the feed's status
    _errors_per_row: ClassVar[bool] = False
    #: the clock of the coalescing and the view lifetime; None: the running asyncio loop (tests
    #: put a fake clock here to step time)
    _scheduler: ClassVar[Scheduler | None] = None

    # ---- settings are checked before they land ---------------------------------------------
    @t.validate("locale")
    def _check_locale(self, proposal: Any) -> str:
        return str(check.library_errors(proposal, check_locale))

    @t.validate("theme")
    def _check_theme(self, proposal: Any) -> str:
        return check.choice(proposal, ("auto", "light", "dark"))

    @t.validate("timezone")
    def _check_timezone(self, proposal: Any) -> str:
        return check.time_zone(proposal)

    @t.validate("max_fps")
    def _check_max_fps(self, proposal: Any) -> float:
        return check.number(proposal, low=0.0, low_open=True, high=1000.0)

    @t.validate("height")
    def _check_height(self, proposal: Any) -> int:
        return check.integer(proposal, low=1, high=20_000)

    @t.validate("pause_after", "release_after")
    def _check_grace(self, proposal: Any) -> float:
        return check.number(proposal, low=0.0)

    def __init__(self, *, feed: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._feed = default_feed(feed)
        self._seq = 0
        self._want_snapshot = False
        self._coalescer = Coalescer(
            self._flush,
            lambda: self.max_fps,
            label=f"{type(self).__name__}: flush",
            logger=log,
            scheduler=self._scheduler,
        )
        self._lifetime = ViewLifetime(
            on_pause=self._on_hidden,
            on_release=self._release,
            on_show=self._on_shown,
            pause_after=lambda: self.pause_after,
            release_after=lambda: self.release_after,
            scheduler=self._scheduler,
        )
        self._snap_handle: Cancellable | None = None
        self._last_snapshot = -math.inf
        self._closed = False
        self._watches: list[Any] = []
        self._tasks: set[asyncio.Future[Any]] = set()
        #: frames sent (for tests and the repr)
        self.frames_sent = 0
        # columns base64 in the JSON where a front-end drops binary buffers (see _wire)
        self._base64 = not binary_buffers_by_default()
        #: what the last front-end report said about binary buffers (None: none came yet)
        self._buffers_reported: bool | None = None
        self.on_msg(self._on_front_msg)
        self._feed_status = ("connecting", "")
        self._unsubs: list[Callable[[], None]] = [
            self._feed.on_change(self._on_change),
            self._feed.on_status(self._on_status),
        ]
        on_symbol_error = getattr(self._feed, "on_symbol_error", None)
        if on_symbol_error is not None:
            self._unsubs.append(on_symbol_error(self._on_symbol_error))
        self.simulated = bool(getattr(self._feed, "simulated", False))
        self._on_status(
            getattr(self._feed, "status", "connecting"), getattr(self._feed, "status_message", "")
        )

    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict[str, Any]:
        """The synced state, with a fresh ``_snapshot``; never drops defaults.

        ``embed_minimal_html`` asks for ``drop_defaults=True``, which would leave out ``_esm`` and
        the view names (they equal their defaults) and the exported page could not render. The
        snapshot is computed here, so an export, a newly opened view and a state request always
        get the current state; the trait itself is kept by each front-end from its frames (it is
        what a saved notebook keeps), and pushed from here only while no front-end has reported.
        """
        state: dict[str, Any] = super().get_state(key=key, drop_defaults=False)
        if "_snapshot" in state and getattr(self, "_started", False) and not self._closed:
            try:
                state["_snapshot"] = self._snapshot_value()
            except Exception:  # pragma: no cover - keep the last pushed one
                log.exception("%s: snapshot failed", type(self).__name__)
        return state

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply settings from a front-end. A refused one (a bad interval from a view) is logged
        and the front-ends are put back on the kernel's value, so it does not stick there either."""
        try:
            super().set_state(sync_data)
        except (t.TraitError, InfowayError) as exc:
            log.warning("%s: refused a setting from the front-end: %s", type(self).__name__, exc)
            self.send_state([k for k in sync_data if k in self.keys])

    # ---- to implement ------------------------------------------------------------------------
    def _symbols(self) -> set[str]:
        """Symbols whose changes concern this widget."""
        return {self._market.get("code", "")} if self._market else set()

    def _subscribe(self) -> None:
        """(Re)open the feed subscriptions for the current settings and reset read positions."""
        raise NotImplementedError

    def _delta(self) -> Frame | None:
        """What changed since the last frame, or None."""
        raise NotImplementedError

    def _full(self) -> Frame:
        """The whole current state (``reset`` frame)."""
        raise NotImplementedError

    def _snapshot_frame(self) -> Frame:
        """The bounded state kept in the ``_snapshot`` trait; the full frame by default."""
        return self._full()

    # ---- feed events -----------------------------------------------------------------------
    def _on_change(self, symbols: set[str]) -> None:
        if self._closed or not (self._symbols() & set(symbols)):
            return
        self._mark_dirty()

    def _on_status(self, status: str, message: str = "") -> None:
        if self._closed:
            return
        self._feed_status = (str(status), str(message or ""))
        self._show_status()

    def _on_symbol_error(self, code: str, message: str | None) -> None:
        if not self._closed and code in self._own_symbols():
            self._show_status()

    def _own_symbols(self) -> set[str]:
        try:
            return self._symbols()
        except AttributeError:  # still being built: no symbol yet
            return set()

    def _show_status(self) -> None:
        """The feed's status, unless one of this widget's own symbols has a problem: then
        ``error`` with what to do (a board shows its rows' problems on the rows instead)."""
        errors = getattr(self._feed, "symbol_errors", None) or {}
        mine = {c: errors[c] for c in sorted(self._own_symbols()) if c in errors}
        if mine != self.symbol_errors:
            self.symbol_errors = mine
        status, message = self._feed_status
        if mine and not self._errors_per_row and status != "closed":
            status, message = "error", "; ".join(mine.values())
        self.status = status
        self.status_message = message

    def _mark_dirty(self) -> None:
        """Something this widget shows changed: a flush will send it (coalesced)."""
        if not self._closed and self._lifetime.sending:
            self._coalescer.poke()

    def _flush(self) -> None:
        # the coalescer runs this and logs what it raises: one widget's bug never breaks the feed
        if self._closed or not self._lifetime.sending:
            return
        frame = self._delta()
        if frame is not None:
            self._send_frame(*frame)
        if self._lifetime.headless:
            self._keep_snapshot()

    def _keep_snapshot(self) -> None:
        """Push the ``_snapshot`` trait when it is due (no front-end keeps it for this widget)."""
        clock = self._clock()
        if self._want_snapshot or clock.time() - self._last_snapshot >= self.snapshot_interval:
            self._refresh_snapshot()
        elif self._snap_handle is None:
            wait = self._last_snapshot + self.snapshot_interval - clock.time()
            self._snap_handle = clock.call_later(max(0.0, wait), self._snapshot_due)

    def _clock(self) -> Scheduler:
        return self._scheduler if self._scheduler is not None else running_loop()

    def _snapshot_due(self) -> None:
        self._snap_handle = None
        self._want_snapshot = True
        self._mark_dirty()

    # ---- sending ---------------------------------------------------------------------------
    def _send_frame(self, kind: str, cols: dict[str, Any], extra: dict[str, Any]) -> None:
        self._seq += 1
        header, buffers = make_frame(kind, self._seq, cols, **extra)
        if self._base64:
            self.send(inline_columns(header, buffers))
        else:
            self.send(header, buffers)
        self.frames_sent += 1

    @property
    def frames_base64(self) -> bool:
        """True when this widget's frames carry their columns base64 in the JSON instead of as
        binary buffers: a front-end said buffers do not reach it (Colab), the kernel runs in
        Colab, or ``INFOWAY_WIDGETS_BUFFERS=0``."""
        return self._base64

    def _on_capabilities(self, content: dict[str, Any]) -> None:
        """A front-end says whether binary buffers reach it; one that drops them gets base64
        from now on (for every view: they all decode it) and a full frame to recover."""
        ok = content.get("buffers")
        if not isinstance(ok, bool):
            return
        self._buffers_reported = ok
        if not ok and not self._base64:
            log.info("%s: the front-end drops binary buffers; sending base64", type(self).__name__)
            self._base64 = True
            self._send_full()

    def _snapshot_value(self) -> dict[str, Any]:
        kind, cols, extra = self._snapshot_frame()
        header = {
            "kind": kind,
            "v": 1,
            "seq": self._seq,
            "n": len(next(iter(cols.values()), [])),
            "cols": list(cols),
            "reset": True,
            **extra,
        }
        return snapshot_value(header, cols)

    def _refresh_snapshot(self) -> None:
        self._want_snapshot = False
        self._last_snapshot = self._clock().time()
        self._started = True
        self._snapshot = self._snapshot_value()

    def _send_full(self) -> None:
        """Send the whole state (on request or after a reset); nothing while nobody sees it (the
        view that comes back gets one)."""
        if self._closed:
            return
        self._started = True
        self._show_status()  # the symbols may have changed, and their problems with them
        if not self._lifetime.sending:
            return
        kind, cols, extra = self._full()
        self._send_frame(kind, cols, {**extra, "reset": True})
        if self._lifetime.headless:
            self._refresh_snapshot()

    def _send_control(self, what: str, **fields: Any) -> None:
        self.send({"kind": "control", "what": what, **fields})

    def _resubscribe(self) -> None:
        """Settings changed (symbol, interval): new subscriptions, then a full frame."""
        if self._closed:
            return
        for w in self._watches:
            w.close()
        self._watches = []
        self._open()
        self._send_full()

    def _open(self) -> None:
        """Open the subscriptions for the current settings, unless they are released (a view
        coming back opens them)."""
        if self._lifetime.subscribed:
            self._subscribe()

    # ---- view lifetime -----------------------------------------------------------------------
    def _on_views(self, content: dict[str, Any]) -> None:
        frontend, n, on = content.get("id"), content.get("n"), content.get("on")
        if not isinstance(frontend, str) or not isinstance(n, (int, float)) or n != n:
            return
        if not isinstance(on, (int, float)) or on != on:
            on = None  # a front-end that does not say: every view is on screen
        if self._lifetime.headless:
            self._cancel_snapshot_timer()  # that front-end keeps the snapshot from now on
        self._lifetime.report(frontend, int(n), None if on is None else int(on))

    def _on_hidden(self) -> None:
        """No view on screen anywhere for ``pause_after`` s: stop sending (the feed
        subscriptions stay)."""
        self._cancel_snapshot_timer()

    def _release(self) -> None:
        """No view for ``release_after`` s: release the feed subscriptions."""
        for w in self._watches:
            w.close()
        self._watches = []

    def _on_shown(self, reopen: bool) -> None:
        """A view is back: reopen the subscriptions if they were released, then a full frame."""
        if self._closed:
            return
        if reopen:
            self._subscribe()
        self._send_full()

    def _cancel_snapshot_timer(self) -> None:
        if self._snap_handle is not None:
            self._snap_handle.cancel()
            self._snap_handle = None

    # ---- front-end requests ------------------------------------------------------------------
    def _on_front_msg(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        if self._closed or not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "resync":
            if content.get("probe"):
                # a new front-end asks too whether binary buffers reach it: known values first
                self.send(*probe_message())
            self._send_full()
        elif kind == "capabilities":
            self._on_capabilities(content)
        elif kind == "views":
            self._on_views(content)
        else:
            self._on_request(str(kind), content)

    def _on_request(self, kind: str, content: dict[str, Any]) -> None:
        """Widget-specific requests from the front-end."""

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro, loop=running_loop())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        """Unsubscribe from the feed (``Watch.close``), stop timers, and close the widget."""
        if not self._closed:
            self._closed = True
            self._coalescer.close()
            self._lifetime.close()
            self._cancel_snapshot_timer()
            for task in list(self._tasks):
                task.cancel()
            for un in self._unsubs:
                try:
                    un()
                except Exception:  # pragma: no cover
                    log.exception("unsubscribe failed")
            self._unsubs = []
            for w in self._watches:
                w.close()
            self._watches = []
        super().close()

    @property
    def closed(self) -> bool:
        return self._closed

    def _repr_fields(self) -> Iterable[str]:
        return ()

    def __repr__(self) -> str:
        fields = ", ".join(self._repr_fields())
        state = "closed" if self._closed else self.status
        return f"{type(self).__name__}({fields}, status={state!r})"


class SymbolWidget(LiveWidget):
    """A live widget about one symbol: setting ``symbol`` re-points its subscriptions."""

    symbol = t.Unicode("").tag(sync=True)

    @t.validate("symbol")
    def _check_symbol(self, proposal: Any) -> str:
        return str(check.library_errors(proposal, lambda s: self._feed.instrument(s).code))

    def _follow_symbol(self, symbol: str) -> None:
        """Point at ``symbol`` now and whenever the ``symbol`` trait changes."""
        self._set_symbol(symbol)
        self.observe(self._on_symbol_trait, names=["symbol"])

    # not "_symbol_changed": traitlets would also call that name as a legacy magic observer
    def _on_symbol_trait(self, change: dict[str, Any]) -> None:
        if change["new"] != self._inst.code:
            self._set_symbol(change["new"])

    def _set_symbol(self, symbol: str) -> None:
        if self._closed:
            return
        inst = self._feed.instrument(symbol)
        for w in self._watches:
            w.close()
        self._watches = []
        self._inst = inst
        with self.hold_trait_notifications():
            self.symbol = inst.code
            self._market = market_info(inst)
            self._instrument_changed(inst)
        self._open()
        self._send_full()

    def _instrument_changed(self, inst: Instrument) -> None:
        """Per-instrument settings (inside the trait hold, before subscribing)."""


def esm(kind: str) -> Any:
    return bundle(kind)
