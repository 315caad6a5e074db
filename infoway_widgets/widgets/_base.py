"""What every live widget shares: the feed, status, theme and locale traits, and the coalescing.

``feed.on_change`` pokes the widget's :class:`~infoway_widgets.widgets.coalesce.Coalescer`: a
flush runs at once when the widget was idle, then at most every ``1 / max_fps`` s, and sends one
frame with everything changed since the previous one. The ``_snapshot`` trait is refreshed inside
a flush at most every ``snapshot_interval`` s, so it always matches a ``seq``.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import anywidget
import traitlets as t

from ..feed import connect
from ..market import Instrument, size_decimals, volume_unit
from ._esm import bundle, stylesheet
from ._wire import (
    binary_buffers_by_default,
    inline_columns,
    make_frame,
    probe_message,
    snapshot_value,
)
from .coalesce import Coalescer, running_loop

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
    locale = t.Enum(["en", "zh"], "en", help="Labels and number style.").tag(sync=True)
    theme = t.Enum(["auto", "light", "dark"], "auto", help="auto follows JupyterLab.").tag(
        sync=True
    )
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

    #: seconds between pushes of the ``_snapshot`` trait to the front-end while data flows
    snapshot_interval: float = 5.0
    #: a widget of many symbols shows their problems per row and keeps the feed's status
    _errors_per_row: ClassVar[bool] = False

    def __init__(self, *, feed: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._feed = default_feed(feed)
        self._seq = 0
        self._want_snapshot = False
        self._coalescer = Coalescer(
            self._flush, lambda: self.max_fps, label=f"{type(self).__name__}: flush", logger=log
        )
        self._snap_handle: asyncio.TimerHandle | None = None
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
        get the current state, while the trait itself is pushed to the front-end only every
        ``snapshot_interval`` seconds (it is what a saved notebook keeps).
        """
        state: dict[str, Any] = super().get_state(key=key, drop_defaults=False)
        if "_snapshot" in state and getattr(self, "_started", False) and not self._closed:
            try:
                state["_snapshot"] = self._snapshot_value()
            except Exception:  # pragma: no cover - keep the last pushed one
                log.exception("%s: snapshot failed", type(self).__name__)
        return state

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
        if not self._closed:
            self._coalescer.poke()

    def _flush(self) -> None:
        # the coalescer runs this and logs what it raises: one widget's bug never breaks the feed
        if self._closed:
            return
        frame = self._delta()
        if frame is not None:
            self._send_frame(*frame)
        loop = running_loop()
        if self._want_snapshot or loop.time() - self._last_snapshot >= self.snapshot_interval:
            self._refresh_snapshot()
        elif self._snap_handle is None:
            wait = self._last_snapshot + self.snapshot_interval - loop.time()
            self._snap_handle = loop.call_later(max(0.0, wait), self._snapshot_due)

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
        self._last_snapshot = running_loop().time()
        self._started = True
        self._snapshot = self._snapshot_value()

    def _send_full(self) -> None:
        """Send the whole state (on request or after a reset) and refresh the snapshot."""
        if self._closed:
            return
        self._show_status()  # the symbols may have changed, and their problems with them
        kind, cols, extra = self._full()
        self._send_frame(kind, cols, {**extra, "reset": True})
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
        self._subscribe()
        self._send_full()

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
            if self._snap_handle is not None:
                self._snap_handle.cancel()
                self._snap_handle = None
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
        self._subscribe()
        self._send_full()

    def _instrument_changed(self, inst: Instrument) -> None:
        """Per-instrument settings (inside the trait hold, before subscribing)."""


def esm(kind: str) -> Any:
    return bundle(kind)
