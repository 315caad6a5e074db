"""LessonPanel: buttons that make the simulated market do something on cue, for a teacher.

A large buy, a halt, a volatility change, a limit-up day: each takes effect at the next whole
simulated second and shows in every widget on the feed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import traitlets as t

from ...errors import BadParameterError, InfowayError
from ...i18n import check_locale, format_size, label
from ...market import volume_unit
from .._base import default_feed
from ._format import clock_text
from .icon_button import IconButton


class LessonPanel(w.VBox):  # type: ignore[misc]  # ipywidgets is untyped
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
        self.feed = default_feed(feed)
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
        self.halt_button = IconButton(icon="pause", description=label("halt", loc), layout=lay)
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
            t=clock_text(t_ms, self.inst.tz)
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
        extra = f" {format_size(sz, volume_unit(self.inst), self.locale)}" if sz else ""
        return self._run("large_buy", lambda s: s.inject(self.symbol, "large_buy", size=sz), extra)

    def large_sell(self, size: float | None = None) -> int | None:
        """Send a large market sell that walks down the bid side."""
        sz = size if size is not None else self.size
        extra = f" {format_size(sz, volume_unit(self.inst), self.locale)}" if sz else ""
        return self._run(
            "large_sell", lambda s: s.inject(self.symbol, "large_sell", size=sz), extra
        )

    def halt(self) -> int | None:
        """Suspend trading: no trades, the book freezes."""
        got = self._run("halt", lambda s: s.halt(self.symbol))
        if got is not None:
            self.halted = True
            self.halt_button.icon = "play"
            self.halt_button.description = label("resume", self.locale)
            self.halt_button.button_style = "warning"
        return got

    def resume(self) -> int | None:
        """Resume trading after :meth:`halt`."""
        got = self._run("resume", lambda s: s.resume(self.symbol))
        if got is not None:
            self.halted = False
            self.halt_button.icon = "pause"
            self.halt_button.description = label("halt", self.locale)
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


__all__ = ["LessonPanel"]
