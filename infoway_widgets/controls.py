"""Reusable ipywidgets controls and lesson helpers.

* :class:`ReplayControls` — play / pause, speed, seek and an exchange-time clock for a feed that
  replays a recording (``iw.connect(replay=path)``). Every widget on that feed follows, because
  widgets read the feed's stores.
* :class:`LessonPanel` — buttons that make the simulated market do something on cue (a large buy,
  a halt, a limit-up day), for a teacher in front of a class.
* :class:`SymbolPicker` — search the symbol list by code, Chinese or English name.
* :class:`IntervalToggle` — bar-interval buttons with an observable ``value``.
* :func:`exchange_now`, :func:`wait_until`, :func:`next_bars` — small awaitables for notebooks.

Everything runs on the kernel's asyncio loop: display refreshes are coalesced with
``loop.call_later`` from the feed's ``on_change`` callbacks, never from a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import ipywidgets as w
import pandas as pd
import traitlets as t

from ._aio import wait_event
from .errors import BadParameterError, InfowayError
from .i18n import check_locale, format_volume, interval_label, label, phase_label
from .market import LIVE_INTERVALS, parse_interval, phase

log = logging.getLogger("infoway_widgets.controls")

#: replay speeds offered by default
SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
#: symbol-list types asked from ``/common/basic/symbols``
SYMBOL_TYPES: tuple[str, ...] = ("STOCK_CN", "STOCK_HK", "STOCK_US", "CRYPTO", "FOREX", "METAL")


def _default_feed(feed: Any) -> Any:
    if feed is not None:
        return feed
    from .feed import connect

    return connect()


def _loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


def _fmt_ms(ms: int | None, tz: str, with_date: bool = False) -> str:
    if not ms:
        return "--:--:--"
    d = dt.datetime.fromtimestamp(ms / 1000, ZoneInfo(tz))
    return d.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def _fmt_span(ms: int) -> str:
    s = max(0, int(ms // 1000))
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def _speed_label(x: float) -> str:
    return f"{x:g}×"


class _Coalescer:
    """Runs ``fn`` at most ``fps`` times a second after :meth:`poke`, on the asyncio loop."""

    def __init__(self, fn: Callable[[], None], fps: float) -> None:
        self._fn = fn
        self._period = 1.0 / max(fps, 0.1)
        self._handle: asyncio.TimerHandle | None = None
        self._last = -math.inf
        self.closed = False

    def poke(self) -> None:
        if self._handle is not None or self.closed:
            return
        loop = _loop()
        delay = max(0.0, self._last + self._period - loop.time())
        self._handle = loop.call_later(delay, self._run)

    def _run(self) -> None:
        self._handle = None
        if self.closed:
            return
        self._last = _loop().time()
        try:
            self._fn()
        except Exception:  # a display refresh must never break the feed's callbacks
            log.exception("control refresh failed")

    def close(self) -> None:
        self.closed = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


# ---- replay ------------------------------------------------------------------------------------
class ReplayControls(w.VBox):
    """Play / pause, speed, seek and an exchange clock for a replaying feed.

    Parameters
    ----------
    feed : Feed
        A feed made with ``iw.connect(replay=path)``.
    symbol : str, optional
        Whose exchange the clock shows (timezone and trading phase); default: the first symbol of
        the recording.
    speeds : sequence of float
        Speeds offered (multiples of the recorded pace); the feed's current speed is added.
    locale : {"en", "zh"}
    max_fps : float
        Most display refreshes per second while the replay runs.

    Attributes
    ----------
    playing, speed, position_ms, market_ms
        Observable traits mirroring the replay (``controls.observe(cb, "market_ms")``).
    play_button, restart_button, speed_slider, seek_slider, clock
        The ipywidgets inside, for layout or tests.

    Examples
    --------
    >>> replay = iw.connect(replay="session.jsonl.gz", speed=10)   # doctest: +SKIP
    >>> iw.ReplayControls(replay)                                  # doctest: +SKIP
    """

    playing = t.Bool(False, help="True while the replay runs.")
    speed = t.Float(1.0, help="Replay speed, a multiple of the recorded pace.")
    position_ms = t.Int(0, help="Recorded wall time reached (UTC ms).")
    market_ms = t.Int(0, help="Exchange time of the latest trade applied (UTC ms).")
    locale = t.Unicode("en")

    def __init__(
        self,
        feed: Any,
        *,
        symbol: str | None = None,
        speeds: Sequence[float] = SPEEDS,
        locale: str = "en",
        max_fps: float = 10.0,
    ) -> None:
        replay = getattr(feed, "replay", None)
        if replay is None or not hasattr(replay, "seek"):
            raise BadParameterError(
                "ReplayControls needs a replaying feed: record with feed.record(path), then "
                "replay = iw.connect(replay=path, speed=10) and ReplayControls(replay)."
            )
        self.feed = feed
        self.replay = replay
        self._symbol = feed.instrument(symbol).code if symbol else None
        loc = check_locale(locale)
        opts = sorted({float(x) for x in speeds} | {float(replay.speed)})
        self._syncing = False
        self._index: list[tuple[int, int]] | None = None
        self.play_button = w.Button(layout=w.Layout(width="96px"))
        self.restart_button = w.Button(
            description="⏮ " + label("restart", loc), layout=w.Layout(width="96px")
        )
        self.speed_slider = w.SelectionSlider(
            options=[(_speed_label(x), x) for x in opts],
            value=float(replay.speed),
            description=label("speed", loc),
            continuous_update=False,
            layout=w.Layout(width="300px"),
        )
        span = max(1, replay.end_ms - replay.start_ms)
        self.seek_slider = w.IntSlider(
            value=0,
            min=0,
            max=span,
            step=max(1, span // 2000),
            readout=False,
            continuous_update=False,
            description=label("position", loc),
            layout=w.Layout(width="100%"),
        )
        self.position_label = w.Label()
        self.clock = w.HTML()
        self.play_button.on_click(lambda _b: self.toggle())
        self.restart_button.on_click(lambda _b: self.restart())
        self.speed_slider.observe(self._on_speed, names="value")
        self.seek_slider.observe(self._on_seek, names="value")
        top = w.HBox(
            [self.play_button, self.restart_button, self.speed_slider, self.clock],
            layout=w.Layout(align_items="center", flex_flow="row wrap"),
        )
        bottom = w.HBox(
            [self.seek_slider, self.position_label], layout=w.Layout(align_items="center")
        )
        super().__init__([top, bottom], locale=loc)
        self.add_class("iw-replay-controls")
        self._coalesce = _Coalescer(self._refresh, max_fps)
        self._unsub = feed.on_change(lambda _s: self._coalesce.poke())
        replay.on_change(
            self._coalesce.poke
        )  # pause/resume/seek/done; the Replay has no unsubscribe
        self._refresh()

    # ---- actions (the buttons call these; so can code) ----------------------------------------
    def play(self) -> None:
        """Start or continue playing; at the end of the recording, start again from the beginning."""
        if self.replay.done.is_set():
            self.replay.seek(self.replay.start_ms)
        self.replay.resume()
        self._refresh()

    def pause(self) -> None:
        """Stop where the replay is; widgets keep showing that moment."""
        self.replay.pause()
        self._refresh()

    def toggle(self) -> None:
        """Pause if playing, else play."""
        if self.replay.playing:
            self.pause()
        else:
            self.play()

    def restart(self) -> None:
        """Go back to the beginning (keeps playing or paused as it was)."""
        self.seek(self.replay.start_ms)

    def seek(self, position_ms: int) -> None:
        """Jump to a recorded time (UTC ms between ``replay.start_ms`` and ``replay.end_ms``)."""
        self.replay.seek(int(position_ms))
        self._refresh()

    def seek_fraction(self, x: float) -> None:
        """Jump to a fraction ``x`` in [0, 1] of the recording."""
        r = self.replay
        self.seek(r.start_ms + round(min(1.0, max(0.0, float(x))) * (r.end_ms - r.start_ms)))

    def seek_market(self, when: str | int | dt.time | pd.Timestamp) -> int:
        """Jump to the first moment the recording reached exchange time ``when`` (``"10:31"``,
        ``"10:31:05"``, a Timestamp or UTC ms). Returns the recorded position chosen (UTC ms)."""
        sym = self._clock_symbol()
        if sym is None:
            raise BadParameterError("the recording has no trades yet to tell exchange time by")
        index = self._market_index()
        if isinstance(when, int):
            target = when
        else:
            inst = self.feed.instrument(sym)
            day = pd.Timestamp(
                index[0][1] if index else self.replay.market_ms, unit="ms", tz="UTC"
            ).tz_convert(inst.tz)
            target = _target_ms_on(day, inst.tz, when)
        pos = next((p for p, m in index if m >= target), self.replay.end_ms)
        self.seek(pos)
        return pos

    def _market_index(self) -> list[tuple[int, int]]:
        """(recorded position, newest trade time so far) after each frame batch of the recording."""
        if self._index is None:
            from .protocol.decode import decode_batch

            out: list[tuple[int, int]] = []
            newest = 0
            for rec in self.replay.records:
                if rec.get("k") == "f":
                    cols, _ = decode_batch(rec["d"], latest_depth_only=True)
                    if len(cols):
                        newest = max(newest, int(cols.t.max()))
                        out.append((int(rec["t"]), newest))
            self._index = out
        return self._index

    def set_speed(self, x: float) -> None:
        """Change the replay speed (0 < x ≤ 10000)."""
        self.replay.speed = float(x)
        self._refresh()

    # ---- widget events -------------------------------------------------------------------------
    def _on_speed(self, change: dict[str, Any]) -> None:
        if not self._syncing and change["new"] is not None:
            self.set_speed(float(change["new"]))

    def _on_seek(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self.seek(self.replay.start_ms + int(change["new"]))

    # ---- display ---------------------------------------------------------------------------------
    def _clock_symbol(self) -> str | None:
        if self._symbol:
            return self._symbol
        f = self.feed
        for code in [*getattr(f, "_tapes", {}), *(k[0] for k in getattr(f, "_bars", {}))]:
            return str(code)
        return None

    def _refresh(self) -> None:
        r, loc = self.replay, self.locale
        done = r.done.is_set()
        playing = bool(r.playing)
        market = int(r.market_ms or 0)
        self._syncing = True
        try:
            self.playing = playing
            self.speed = float(r.speed)
            self.position_ms = int(r.position_ms)
            self.market_ms = market
            self.play_button.description = (
                ("⏸ " + label("pause", loc)) if playing else ("▶ " + label("play", loc))
            )
            self.play_button.button_style = "warning" if playing else "success"
            opts = [v for _, v in self.speed_slider.options]
            if float(r.speed) not in opts:
                opts = sorted({*opts, float(r.speed)})
                self.speed_slider.options = [(_speed_label(x), x) for x in opts]
            self.speed_slider.value = float(r.speed)
            self.seek_slider.value = max(
                0, min(self.seek_slider.max, int(r.position_ms - r.start_ms))
            )
        finally:
            self._syncing = False
        total = r.end_ms - r.start_ms
        state = (
            label("replay_done", loc) if done else label("replaying" if playing else "paused", loc)
        )
        self.position_label.value = (
            f"{_fmt_span(r.position_ms - r.start_ms)} / {_fmt_span(total)} · {state}"
        )
        sym = self._clock_symbol()
        if sym and market:
            inst = self.feed.instrument(sym)
            ph = phase_label(phase(inst, market), loc)
            self.clock.value = f"<b>{_fmt_ms(market, inst.tz)}</b> <small>{inst.tz} · {ph}</small>"
        else:
            self.clock.value = "<b>--:--:--</b>"

    def close(self) -> None:
        """Stop following the feed and close the controls (the replay itself keeps its state)."""
        if hasattr(self, "_coalesce"):  # also called by __del__ after a failed __init__
            self._coalesce.close()
            self._unsub()
            for c in (
                self.play_button,
                self.restart_button,
                self.speed_slider,
                self.seek_slider,
                self.position_label,
                self.clock,
            ):
                c.close()
        super().close()

    def __repr__(self) -> str:
        r = self.replay
        return (
            f"ReplayControls(speed={r.speed:g}, playing={r.playing}, "
            f"position={_fmt_span(r.position_ms - r.start_ms)}/{_fmt_span(r.end_ms - r.start_ms)})"
        )


# ---- lessons -----------------------------------------------------------------------------------
class LessonPanel(w.VBox):
    """Buttons that make the simulated market do something now, for teaching.

    Every action takes effect at the next whole simulated second and shows up in every widget on
    the feed (chart, book, tape, board), because they all read the same feed.

    Parameters
    ----------
    feed : Feed
        A simulated feed (``iw.connect()`` with no API key).
    symbol : str
        The instrument the buttons act on.
    size : float, optional
        Volume of the large orders (shares; A-shares are rounded to lots of 100); default: the
        simulator's 40 × a typical order.
    locale : {"en", "zh"}

    Attributes
    ----------
    actions : list of str
        What the panel did, newest last (also shown under the buttons).
    last_ms : int
        When the latest action takes effect in the simulated market (UTC ms).
    """

    locale = t.Unicode("en")
    halted = t.Bool(False, help="True after Halt, until Resume.")
    volatility = t.Float(1.0, help="Volatility multiplier (1 = normal).")
    limit = t.Unicode("off", help="'up', 'down' or 'off': where drive_to_limit holds the price.")

    def __init__(
        self,
        feed: Any = None,
        symbol: str = "600519.SH",
        *,
        size: float | None = None,
        locale: str = "en",
    ) -> None:
        self.feed = _default_feed(feed)
        self.inst = self.feed.instrument(symbol)
        self.symbol = self.inst.code
        self.size = size
        loc = check_locale(locale)
        self.actions: list[str] = []
        #: simulated arrival (UTC ms) of the latest action, 0 before any
        self.last_ms = 0
        lay = w.Layout(width="auto")
        self.buy_button = w.Button(
            description="▲ " + label("large_buy", loc),
            button_style="danger" if self.inst.red_up else "success",
            layout=lay,
        )
        self.sell_button = w.Button(
            description="▼ " + label("large_sell", loc),
            button_style="success" if self.inst.red_up else "danger",
            layout=lay,
        )
        self.halt_button = w.Button(description="⏸ " + label("halt", loc), layout=lay)
        self.volatility_slider = w.FloatSlider(
            value=1.0,
            min=0.25,
            max=5.0,
            step=0.25,
            description=label("volatility", loc),
            readout_format=".2f",
            continuous_update=False,
        )
        has_limit = self.inst.price_limit is not None
        self.limit_buttons = w.ToggleButtons(
            options=[
                (label("release", loc), "off"),
                (label("drive_up", loc), "up"),
                (label("drive_down", loc), "down"),
            ],
            value="off",
            disabled=not has_limit,
            tooltips=[] if has_limit else [label("no_limit", loc)] * 3,
            style={"button_width": "auto"},
        )
        self.message = w.HTML()
        self.buy_button.on_click(lambda _b: self.large_buy())
        self.sell_button.on_click(lambda _b: self.large_sell())
        self.halt_button.on_click(lambda _b: self.resume() if self.halted else self.halt())
        self.volatility_slider.observe(lambda ch: self.set_volatility(ch["new"]), names="value")
        self.limit_buttons.observe(lambda ch: self._on_limit(ch["new"]), names="value")
        title = w.HTML(f"<b>{label('lesson', loc)}</b> · {self.symbol} {self.inst.name or ''}")
        row1 = w.HBox(
            [self.buy_button, self.sell_button, self.halt_button],
            layout=w.Layout(flex_flow="row wrap"),
        )
        super().__init__(
            [title, row1, self.volatility_slider, self.limit_buttons, self.message], locale=loc
        )
        self.add_class("iw-lesson-panel")

    # ---- actions --------------------------------------------------------------------------------
    def _sim(self) -> Any:
        sim = getattr(self.feed, "sim", None)
        if sim is None:
            raise BadParameterError(label("needs_sim", "en"))
        return sim

    def _did(self, key: str, t_ms: int, extra: str = "") -> int:
        loc = self.locale
        text = f"{label(key, loc)}{extra} · " + label("effect_at", loc).format(
            t=_fmt_ms(t_ms, self.inst.tz)
        )
        self.last_ms = t_ms
        self.actions.append(text)
        del self.actions[:-50]
        self.message.value = f"<small>{text}</small>"
        return t_ms

    def _run(self, key: str, fn: Callable[[Any], int], extra: str = "") -> int | None:
        try:
            return self._did(key, fn(self._sim()), extra)
        except InfowayError as e:
            no_sim = getattr(self.feed, "sim", None) is None
            text = label("needs_sim", self.locale) if no_sim else str(e)
            self.message.value = f"<small style='color:#c00'>{html.escape(text)}</small>"
            return None

    def large_buy(self, size: float | None = None) -> int | None:
        """Send a large market buy that walks up the ask side. Returns the simulated arrival (UTC ms)."""
        sz = size if size is not None else self.size
        extra = f" {format_volume(sz, self.locale)}" if sz else ""
        return self._run("large_buy", lambda s: s.inject(self.symbol, "large_buy", size=sz), extra)

    def large_sell(self, size: float | None = None) -> int | None:
        """Send a large market sell that walks down the bid side."""
        sz = size if size is not None else self.size
        extra = f" {format_volume(sz, self.locale)}" if sz else ""
        return self._run(
            "large_sell", lambda s: s.inject(self.symbol, "large_sell", size=sz), extra
        )

    def halt(self) -> int | None:
        """Suspend trading: no trades, the book freezes."""
        got = self._run("halt", lambda s: s.halt(self.symbol))
        if got is not None:
            self.halted = True
            self.halt_button.description = "▶ " + label("resume", self.locale)
            self.halt_button.button_style = "warning"
        return got

    def resume(self) -> int | None:
        """Resume trading after :meth:`halt`."""
        got = self._run("resume", lambda s: s.resume(self.symbol))
        if got is not None:
            self.halted = False
            self.halt_button.description = "⏸ " + label("halt", self.locale)
            self.halt_button.button_style = ""
        return got

    def set_volatility(self, x: float) -> int | None:
        """Multiply this symbol's volatility by ``x`` (1 = normal)."""
        got = self._run(
            "volatility", lambda s: s.set_volatility(self.symbol, float(x))[0], f" ×{float(x):g}"
        )
        if got is not None:
            self.volatility = float(x)
            if self.volatility_slider.value != float(x):
                self.volatility_slider.value = float(x)
        return got

    def limit_up(self) -> int | None:
        """Drive an A-share to its limit-up price and hold it there (sealed: no one offers)."""
        return self._set_limit("up")

    def limit_down(self) -> int | None:
        """Drive an A-share to its limit-down price and hold it there."""
        return self._set_limit("down")

    def release_limit(self) -> int | None:
        """Stop holding the price at a limit."""
        return self._set_limit("off")

    def _on_limit(self, value: str) -> None:
        if value != self.limit:
            self._set_limit(value)

    def _set_limit(self, value: str) -> int | None:
        key = {"up": "drive_up", "down": "drive_down", "off": "release"}[value]
        got = self._run(
            key, lambda s: s.drive_to_limit(self.symbol, None if value == "off" else value)
        )
        if got is not None:
            self.limit = value
        if self.limit_buttons.value != self.limit:
            self.limit_buttons.value = self.limit
        return got

    def __repr__(self) -> str:
        return f"LessonPanel({self.symbol!r}, halted={self.halted}, volatility={self.volatility:g}, limit={self.limit!r})"


# ---- pickers ------------------------------------------------------------------------------------
class SymbolPicker(w.VBox):
    """Search the symbol list by code, Chinese or English name; ``value`` is the chosen code.

    The list comes from the service's ``/common/basic/symbols`` (through the feed's REST client;
    the simulated market answers it too), or from ``symbols=`` when given.

    Parameters
    ----------
    feed : Feed, optional
        Default: ``iw.connect()``.
    value : str
        The code selected at first.
    symbols : iterable of str or dict, optional
        A fixed list instead of the service's (codes, or records with ``symbol``, ``name_cn``,
        ``name_en``).
    types : sequence of str
        Symbol-list types to load.
    locale : {"en", "zh"}
        Names shown in Chinese or English; search always matches both.
    max_results : int

    Examples
    --------
    >>> picker = iw.SymbolPicker(feed, locale="zh")                    # doctest: +SKIP
    >>> picker.observe(lambda ch: print(ch["new"]), names="value")    # doctest: +SKIP
    >>> picker.search("茅台")[0]["symbol"]                              # doctest: +SKIP
    '600519.SH'
    """

    value = t.Unicode("", help="The selected code, e.g. '600519.SH'.")
    query = t.Unicode("", help="The search text.")
    locale = t.Unicode("en")

    def __init__(
        self,
        feed: Any = None,
        *,
        value: str = "600519.SH",
        symbols: Iterable[str | dict[str, Any]] | None = None,
        types: Sequence[str] = SYMBOL_TYPES,
        locale: str = "en",
        max_results: int = 50,
    ) -> None:
        self.feed = _default_feed(feed)
        loc = check_locale(locale)
        self.types = tuple(types)
        self.max_results = int(max_results)
        self.records: list[dict[str, Any]] = []
        self._showing = False
        self.text = w.Text(
            placeholder=label("search_placeholder", loc),
            description=label("search", loc),
            continuous_update=True,
            layout=w.Layout(width="320px"),
        )
        self.select = w.Select(options=[], rows=6, layout=w.Layout(width="320px"))
        self.text.observe(lambda ch: setattr(self, "query", ch["new"]), names="value")
        self.select.observe(self._on_select, names="value")
        super().__init__([self.text, self.select], locale=loc, value=value)
        self.add_class("iw-symbol-picker")
        self._loaded: asyncio.Future[list[dict[str, Any]]] = _loop().create_future()
        if symbols is not None:
            self._set_records([self._record(s) for s in symbols])
        else:
            task = _loop().create_task(self._load())
            task.add_done_callback(lambda tk: tk.cancelled() or tk.exception())

    @t.observe("query")
    def _on_query(self, change: dict[str, Any]) -> None:
        if self.text.value != change["new"]:
            self.text.value = change["new"]
        hits = self.search(change["new"])
        self._show(hits)
        if len(hits) == 1 and change["new"].strip():  # one match: take it
            self.value = hits[0]["symbol"]

    @t.observe("value")
    def _on_value(self, change: dict[str, Any]) -> None:
        codes = [v for _, v in self.select.options]
        if change["new"] in codes and self.select.value != change["new"]:
            self.select.value = change["new"]

    def _on_select(self, change: dict[str, Any]) -> None:
        if change["new"] and not self._showing:
            self.value = change["new"]

    def choose_first(self) -> str | None:
        """Select the best match of the current search (what a student means by "that one")."""
        hits = self.search(self.query)
        if hits:
            self.value = hits[0]["symbol"]
        return self.value if hits else None

    # ---- data ----------------------------------------------------------------------------------
    @staticmethod
    def _record(s: str | dict[str, Any]) -> dict[str, Any]:
        if isinstance(s, dict):
            return {
                "symbol": str(s.get("symbol", "")),
                "name_cn": str(s.get("name_cn") or ""),
                "name_en": str(s.get("name_en") or ""),
                "type": str(s.get("type") or ""),
            }
        return {"symbol": str(s), "name_cn": "", "name_en": "", "type": ""}

    async def _load(self) -> None:
        feed = self.feed
        recs: list[dict[str, Any]] = []
        try:
            await feed.ready()
            rest = getattr(feed, "rest", None)
            if rest is not None:
                got = await asyncio.gather(
                    *(rest.symbols(ty) for ty in self.types), return_exceptions=True
                )
                for g in got:
                    if isinstance(g, list):
                        recs.extend(self._record(d) for d in g if d.get("symbol"))
        except Exception as e:  # fall back to what is known locally
            log.info("symbol list unavailable: %s", e)
        if not recs:
            recs = self._local_records()
        self._set_records(recs)

    def _local_records(self) -> list[dict[str, Any]]:
        server = getattr(self.feed, "server", None)
        market = getattr(server, "market", None)
        if market is not None:
            return [
                {
                    "symbol": c,
                    "name_cn": p.name_cn,
                    "name_en": p.name_en,
                    "type": p.inst.symbol_type,
                }
                for c, p in market.profiles.items()
            ]
        known = {k: v for k, v in getattr(self.feed, "_instruments", {}).items() if k == v.code}
        return [
            {"symbol": c, "name_cn": i.name or "", "name_en": "", "type": i.symbol_type}
            for c, i in known.items()
        ]

    def _set_records(self, recs: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        uniq: list[dict[str, Any]] = []
        for r in recs:
            if r["symbol"] and r["symbol"] not in seen:
                seen.add(r["symbol"])
                uniq.append(r)
        self.records = uniq
        self._show(self.search(self.query))
        if not self._loaded.done():
            self._loaded.set_result(self.records)

    async def loaded(self) -> list[dict[str, Any]]:
        """Wait until the symbol list is in; returns it."""
        return await self._loaded

    def search(self, query: str) -> list[dict[str, Any]]:
        """Records matching ``query`` (code, Chinese or English name; case-insensitive), best first.

        Exact code, then code prefix (``"600"``, ``"00700"``, ``"btc"``), then name prefix, then
        anywhere in the code or a name.
        """
        q = query.strip().lower()
        if not q:
            return self.records[: self.max_results]
        scored: list[tuple[int, int, dict[str, Any]]] = []
        for i, r in enumerate(self.records):
            code = r["symbol"].lower()
            names = (r["name_cn"].lower(), r["name_en"].lower())
            if code == q or code.split(".")[0] == q:
                rank = 0
            elif code.startswith(q):
                rank = 1
            elif any(n.startswith(q) for n in names):
                rank = 2
            elif q in code or any(q in n for n in names):
                rank = 3
            else:
                continue
            scored.append((rank, i, r))
        scored.sort(key=lambda x: (x[0], x[1]))
        return [r for _, _, r in scored[: self.max_results]]

    def _option(self, r: dict[str, Any]) -> tuple[str, str]:
        first, second = (
            (r["name_cn"], r["name_en"]) if self.locale == "zh" else (r["name_en"], r["name_cn"])
        )
        name = first or second
        return (f"{r['symbol']}  {name}" if name else r["symbol"], r["symbol"])

    def _show(self, hits: list[dict[str, Any]]) -> None:
        opts = [self._option(r) for r in hits]
        codes = [v for _, v in opts]
        self._showing = True  # a Select picks its first option when options change: not a choice
        try:
            self.select.options = opts
            self.select.value = self.value if self.value in codes else None
        finally:
            self._showing = False

    def close(self) -> None:
        for c in (getattr(self, "text", None), getattr(self, "select", None)):
            if c is not None:
                c.close()
        super().close()

    def __repr__(self) -> str:
        return f"SymbolPicker(value={self.value!r}, {len(self.records)} symbols)"


class IntervalToggle(w.ToggleButtons):
    """Bar-interval buttons; ``value`` is the interval name (``"1m"``, ``"5m"``, ``"1d"``, ...).

    Parameters
    ----------
    value : str
    options : sequence of str
        Intervals offered (default: the ones the live feed builds).
    locale : {"en", "zh"}
        Button text: ``5m`` / ``5分``, ``1D`` / ``日K``.

    Examples
    --------
    >>> toggle = iw.IntervalToggle("5m", locale="zh")   # doctest: +SKIP
    >>> toggle.link(chart)                              # the chart follows the buttons
    """

    def __init__(
        self,
        value: str = "1m",
        options: Sequence[str] = LIVE_INTERVALS,
        *,
        locale: str = "en",
        **kwargs: Any,
    ) -> None:
        loc = check_locale(locale)
        names = [parse_interval(o).name for o in options]
        v = parse_interval(value).name
        if v not in names:
            raise BadParameterError(f"interval {value!r} is not among the options {names}")
        kwargs.setdefault("style", {"button_width": "56px"})
        super().__init__(options=[(interval_label(n, loc), n) for n in names], value=v, **kwargs)
        self.locale = loc
        self.add_class("iw-interval-toggle")
        self._links: list[Any] = []

    def link(self, *targets: Any, name: str = "interval") -> IntervalToggle:
        """Keep ``target.<name>`` equal to this toggle's value (a chart's ``interval``, a LiveFigure's)."""
        for target in targets:
            self._links.append(w.dlink((self, "value"), (target, name)))
        return self

    def __repr__(self) -> str:
        return f"IntervalToggle(value={self.value!r})"


# ---- lesson helpers -----------------------------------------------------------------------------
def exchange_now(feed: Any, symbol: str) -> pd.Timestamp:
    """Now on ``symbol``'s exchange, as a tz-aware Timestamp.

    The simulated market's clock when simulated; the latest trade time when replaying or live.
    """
    inst = feed.instrument(symbol)
    sim = getattr(feed, "sim", None)
    if sim is not None:
        ms = sim.now_ms(inst.code)
    elif getattr(feed, "replay", None) is not None and hasattr(feed.replay, "market_ms"):
        ms = feed.replay.market_ms
    else:
        ms = feed._market_ms or int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    return pd.Timestamp(ms, unit="ms", tz="UTC").tz_convert(inst.tz)


def _target_ms_on(day: pd.Timestamp, tz: str, when: str | int | dt.time | dt.datetime) -> int:
    """UTC ms of ``when``: ms as is, a datetime (naive = exchange time), or a time of ``day``."""
    if isinstance(when, int):
        return when
    if isinstance(when, dt.datetime):
        ts = pd.Timestamp(when)
        if ts.tzinfo is None:
            ts = ts.tz_localize(tz)
        return int(ts.value // 1_000_000)
    tod = dt.time.fromisoformat(when) if isinstance(when, str) else when
    target = day.normalize() + pd.Timedelta(hours=tod.hour, minutes=tod.minute, seconds=tod.second)
    return int(target.value // 1_000_000)


def _target_ms(feed: Any, symbol: str, when: str | int | dt.time | pd.Timestamp) -> int:
    inst = feed.instrument(symbol)
    return _target_ms_on(exchange_now(feed, symbol), inst.tz, when)


async def wait_until(
    feed: Any, symbol: str, when: str | int | dt.time | pd.Timestamp, timeout: float | None = 300.0
) -> pd.Timestamp:
    """Wait until ``symbol``'s exchange clock reaches ``when`` (``"10:00"`` today, a time, a
    Timestamp or UTC ms). On the simulated market this takes ``(when - now) / speed`` real seconds.

    Returns
    -------
    pandas.Timestamp
        The exchange time reached.

    Raises
    ------
    TimeoutError
        After ``timeout`` real seconds.
    """
    target = _target_ms(feed, symbol, when)
    loop = asyncio.get_running_loop()
    end = None if timeout is None else loop.time() + timeout
    ev = asyncio.Event()
    unsub = feed.on_change(lambda _s: ev.set())
    try:
        while True:
            now = exchange_now(feed, symbol)
            if now.value // 1_000_000 >= target:
                return now
            left = None if end is None else end - loop.time()
            if left is not None and left <= 0:
                raise TimeoutError(f"{symbol}: exchange time did not reach {when} in {timeout} s")
            wake = left
            sim = getattr(feed, "sim", None)
            if sim is not None:  # a known clock: wake when it gets there, even with no trades
                due = (target - now.value // 1_000_000) / 1000 / sim.clock.speed + 0.01
                wake = due if wake is None else min(wake, due)
            ev.clear()
            await wait_event(ev, wake)
    finally:
        unsub()


async def next_bars(
    feed: Any, symbol: str, interval: str = "1m", n: int = 1, timeout: float | None = 300.0
) -> list[Any]:
    """Wait for the next ``n`` bars of ``symbol`` to complete; returns them (``Bar`` objects)."""
    out: list[Any] = []

    async def collect() -> None:
        async for bar in feed.bars(symbol, interval, closed_only=True):
            out.append(bar)
            if len(out) >= n:
                return

    task = asyncio.ensure_future(collect())
    done = await asyncio.wait({task}, timeout=timeout)
    if task not in done[0]:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise TimeoutError(f"{symbol} {interval}: {len(out)} of {n} bars completed in {timeout} s")
    task.result()
    return out


__all__ = [
    "SPEEDS",
    "SYMBOL_TYPES",
    "IntervalToggle",
    "LessonPanel",
    "ReplayControls",
    "SymbolPicker",
    "exchange_now",
    "next_bars",
    "wait_until",
]
