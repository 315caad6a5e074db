"""ReplayControls: play / pause, speed, seek and an exchange clock for a feed replaying a recording.

Every widget on that feed follows the controls, because widgets read the feed's stores.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from ...errors import BadParameterError, FeedClosedError
from ...i18n import check_locale, label, phase_label
from ...market import phase
from ...protocol.decode import decode_batch
from ..coalesce import Coalescer
from ._format import clock_text, span_text, speed_text
from .awaitables import When, target_ms_on
from .icon_button import IconButton

log = logging.getLogger("infoway_widgets.controls")

#: replay speeds offered by default
SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)

# line kinds of a recording (the format is described in infoway_widgets/feed/record.py)
FRAMES, WATCH = "f", "watch"


def recorded_symbol(records: Sequence[dict[str, Any]]) -> str | None:
    """The first symbol a recording watched for trades or bars: whose exchange its clock shows."""
    for rec in records:
        if rec.get("k") == WATCH and (rec.get("trades") or rec.get("intervals")):
            return str(rec["s"])
    return None


class ReplayControls(w.VBox):  # type: ignore[misc]  # ipywidgets is untyped
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
        The widgets inside, for layout or tests (the two buttons are
        :class:`~infoway_widgets.widgets.controls.icon_button.IconButton`: SVG icons).

    Notes
    -----
    Restart and seeking keep the replay paused or playing as it was; at the end of the recording
    it counts as paused. Once the feed is closed (``await replay.aclose()``) the controls are
    disabled and their methods raise :class:`~infoway_widgets.errors.FeedClosedError`.

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
        self._symbol: str | None = (
            str(feed.instrument(symbol).code) if symbol else recorded_symbol(replay.records)
        )
        loc = check_locale(locale)
        opts = sorted({float(x) for x in speeds} | {float(replay.speed)})
        self._syncing = False
        self._index: list[tuple[int, int]] | None = None
        self.play_button = IconButton(layout=w.Layout(width="96px"))
        self.restart_button = IconButton(
            icon="restart", description=label("restart", loc), layout=w.Layout(width="96px")
        )
        self.speed_slider = w.SelectionSlider(
            options=[(speed_text(x), x) for x in opts],
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
        self._coalescer = Coalescer(
            self._refresh, max_fps, label="ReplayControls: refresh", logger=log
        )
        self._unsubs = [
            feed.on_change(lambda _s: self._coalescer.poke()),
            replay.on_change(self._coalescer.poke),  # pause, resume, seek, end of recording
            feed.on_close(self._on_feed_closed),
        ]
        self._refresh()
        if getattr(feed, "closed", False):
            self._on_feed_closed()

    # ---- actions (the buttons call these; so can code) ----------------------------------------
    @property
    def closed(self) -> bool:
        """True once the replaying feed is closed: the controls are disabled."""
        return bool(getattr(self.feed, "closed", False))

    def _check_open(self) -> None:
        if self.closed:
            raise FeedClosedError(
                "this replay is closed; replay again with iw.connect(replay=path) and new controls"
            )

    def play(self) -> None:
        """Start or continue playing; at the end of the recording, start again from the beginning."""
        self._check_open()
        if self.replay.done.is_set():
            self.replay.seek(self.replay.start_ms)
        self.replay.resume()
        self._refresh()

    def pause(self) -> None:
        """Stop where the replay is; widgets keep showing that moment."""
        self._check_open()
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
        """Jump to a recorded time (UTC ms between ``replay.start_ms`` and ``replay.end_ms``),
        paused or playing as before (at the end of the recording: paused)."""
        self._check_open()
        playing = bool(self.replay.playing)
        self.replay.seek(int(position_ms))
        if not playing and self.replay.playing:  # seeking back from the end reopens the player
            self.replay.pause()
        self._refresh()

    def seek_fraction(self, x: float) -> None:
        """Jump to a fraction ``x`` in [0, 1] of the recording."""
        r = self.replay
        self.seek(r.start_ms + round(min(1.0, max(0.0, float(x))) * (r.end_ms - r.start_ms)))

    def seek_market(self, when: When) -> int:
        """Jump to the first moment the recording reached exchange time ``when`` (``"10:31"``,
        ``"10:31:05"``, a Timestamp or UTC ms). Returns the recorded position chosen (UTC ms)."""
        sym = self._symbol
        if sym is None:
            raise BadParameterError(
                "the recording watched no trades or bars to tell exchange time by: pass "
                "ReplayControls(feed, symbol=...), or seek() to a recorded time (UTC ms)"
            )
        index = self._market_index()
        if isinstance(when, int):
            target = when
        else:
            inst = self.feed.instrument(sym)
            day = pd.Timestamp(
                index[0][1] if index else self.replay.market_ms, unit="ms", tz="UTC"
            ).tz_convert(inst.tz)
            target = target_ms_on(day, inst.tz, when)
        pos = next((p for p, m in index if m >= target), self.replay.end_ms)
        self.seek(pos)
        return pos

    def _market_index(self) -> list[tuple[int, int]]:
        """(recorded position, newest trade time so far) after each frame batch of the recording."""
        if self._index is None:
            out: list[tuple[int, int]] = []
            newest = 0
            for rec in self.replay.records:
                if rec.get("k") == FRAMES:
                    cols, _ = decode_batch(rec["d"], latest_depth_only=True)
                    if len(cols):
                        newest = max(newest, int(cols.t.max()))
                        out.append((int(rec["t"]), newest))
            self._index = out
        return self._index

    def set_speed(self, x: float) -> None:
        """Change the replay speed (0 < x ≤ 10000)."""
        self._check_open()
        self.replay.speed = float(x)
        self._refresh()

    # ---- widget events -------------------------------------------------------------------------
    def _on_speed(self, change: dict[str, Any]) -> None:
        if not self._syncing and not self.closed and change["new"] is not None:
            self.set_speed(float(change["new"]))

    def _on_seek(self, change: dict[str, Any]) -> None:
        if not self._syncing and not self.closed:
            self.seek(self.replay.start_ms + int(change["new"]))

    def _on_feed_closed(self) -> None:
        """The replaying feed closed: nothing to drive any more, so nothing stays clickable."""
        self._coalescer.close()
        for c in (self.play_button, self.restart_button, self.speed_slider, self.seek_slider):
            c.disabled = True
        self.playing = False
        self.play_button.description = "▶ " + label("play", self.locale)
        self.play_button.button_style = ""
        self.position_label.value = label("replay_closed", self.locale)

    # ---- display ---------------------------------------------------------------------------------
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
            self.play_button.icon = "pause" if playing else "play"
            self.play_button.description = label("pause" if playing else "play", loc)
            self.play_button.button_style = "warning" if playing else "success"
            opts = [v for _, v in self.speed_slider.options]
            if float(r.speed) not in opts:
                opts = sorted({*opts, float(r.speed)})
                self.speed_slider.options = [(speed_text(x), x) for x in opts]
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
            f"{span_text(r.position_ms - r.start_ms)} / {span_text(total)} · {state}"
        )
        sym = self._symbol
        if sym and market:
            inst = self.feed.instrument(sym)
            ph = phase_label(phase(inst, market), loc)
            self.clock.value = (
                f"<b>{clock_text(market, inst.tz)}</b> <small>{inst.tz} · {ph}</small>"
            )
        else:
            self.clock.value = "<b>--:--:--</b>"

    def close(self) -> None:
        """Stop following the feed and close the controls (the replay itself keeps its state)."""
        if hasattr(self, "_coalescer"):  # also called by __del__ after a failed __init__
            self._coalescer.close()
            for unsub in self._unsubs:
                unsub()
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
            f"position={span_text(r.position_ms - r.start_ms)}/{span_text(r.end_ms - r.start_ms)})"
        )


__all__ = ["SPEEDS", "ReplayControls", "recorded_symbol"]
