"""The panel under a practice chart: the order buttons, the clock and the account, what the
rules said, and the table of trades; money as a trader reads it.

Texts are ipywidgets Labels, which set them with ``textContent``: nothing here is parsed as HTML.
"""

from __future__ import annotations

from decimal import Decimal

import ipywidgets as w
import pandas as pd

from ..i18n import format_pct
from ..practice import PracticeRound
from ..practice.labels import text
from .controls.icon_button import IconButton

#: rows the table shows (the newest); ``p.trades`` has them all
MAX_ROWS = 12
#: bars per second offered while playing
SPEEDS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0)


def money(x: Decimal | float, *, sign: bool = False) -> str:
    """``12345.6`` → ``"12,345.60"`` (``"+12,345.60"`` with ``sign``)."""
    s = f"{Decimal(x):,.2f}"
    return f"+{s}" if sign and Decimal(x) > 0 else s


class TradesTable:
    """A small grid of a round's trades, newest last, in the student's language."""

    COLUMNS = ("time", "side", "price", "shares", "fee")

    def __init__(self) -> None:
        self.box = w.GridBox(
            layout=w.Layout(grid_template_columns="repeat(5, max-content)", grid_gap="0 16px")
        )
        self.box.add_class("iw-practice-trades")
        self._key: tuple[object, ...] | None = None

    def show(self, trades: pd.DataFrame, locale: str, decimals: int) -> None:
        key = (len(trades), locale)
        if key == self._key:
            return
        self._key = key
        if trades.empty:
            empty = w.Label(text("no_trades", locale))
            empty.layout.grid_column = "1 / 6"
            self.box.children = [empty]
            return
        cells = [w.Label(text(c, locale)) for c in self.COLUMNS]
        for c in cells:
            c.add_class("iw-practice-head")
        for row in trades.tail(MAX_ROWS).itertuples(index=False):
            cells += [
                w.Label(row.time.strftime("%m-%d %H:%M")),
                w.Label(text(f"{row.side}_side", locale)),
                w.Label(f"{row.price:.{decimals}f}"),
                w.Label(str(row.shares)),
                w.Label(money(row.fee)),
            ]
        self.box.children = cells


def _narrow() -> w.Layout:
    return w.Layout(width="auto")  # one each: the submit button hides its own


class PracticePanel:
    """The controls and read-outs of a practice round; :meth:`show` brings them up to date."""

    def __init__(self) -> None:
        self.buy_button = w.Button(button_style="danger", layout=_narrow())
        self.sell_button = w.Button(button_style="success", layout=_narrow())
        self.hold_button = w.Button(layout=_narrow())
        self.step_button = w.Button(layout=_narrow())
        self.play_button = IconButton(icon="play", layout=w.Layout(width="96px"))
        self.reveal_button = w.Button(button_style="warning", layout=_narrow())
        self.submit_button = w.Button(layout=_narrow())
        self.lots_input = w.BoundedIntText(
            value=1, min=1, max=1_000_000, layout=w.Layout(width="150px")
        )
        self.speed_slider = w.SelectionSlider(
            options=[(f"{x:g}", x) for x in SPEEDS],
            value=2.0,
            continuous_update=False,
            layout=w.Layout(width="220px"),
        )
        self.controls = w.HBox(
            [
                self.lots_input,
                self.buy_button,
                self.sell_button,
                self.hold_button,
                self.step_button,
                self.play_button,
                self.speed_slider,
                self.reveal_button,
                self.submit_button,
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.status = w.Label()
        self.account = w.Label()
        self.message = w.Label()
        self.table = TradesTable()
        for part, cls in (
            (self.status, "iw-practice-status"),
            (self.account, "iw-practice-account"),
            (self.message, "iw-practice-message"),
        ):
            part.add_class(cls)

    @property
    def parts(self) -> list[w.Widget]:
        """The panel's rows, top to bottom."""
        return [self.controls, self.status, self.account, self.message, self.table.box]

    def say(self, message: str, *, refused: bool = False) -> None:
        """Show ``message`` (a refusal is marked for styles and tests)."""
        self.message.value = message
        if refused:
            self.message.add_class("iw-practice-refused")
        else:
            self.message.remove_class("iw-practice-refused")

    def show(
        self,
        r: PracticeRound | None,
        locale: str,
        *,
        playing: bool,
        follow: bool,
        classroom: bool,
    ) -> None:
        """Labels in ``locale``, buttons enabled as the round allows, read-outs of ``r``."""

        def L(k: str) -> str:
            return text(k, locale)

        self.buy_button.description, self.sell_button.description = L("buy"), L("sell")
        self.hold_button.description, self.step_button.description = L("hold"), L("step")
        self.play_button.description = L("pause") if playing else L("play")
        self.play_button.icon = "pause" if playing else "play"
        self.reveal_button.description, self.submit_button.description = L("reveal"), L("submit")
        self.lots_input.description, self.speed_slider.description = L("lots"), L("speed")
        self.submit_button.layout.display = None if classroom else "none"
        done = r is None or r.finished
        for b in (self.buy_button, self.sell_button, self.reveal_button):
            b.disabled = done
        for b in (self.hold_button, self.step_button, self.play_button):
            b.disabled = done or follow
        self.submit_button.disabled = r is None
        if r is None:
            return
        self.status.value = status_text(r, locale)
        a = r.account
        pnl = r.equity - a.start_cash
        self.account.value = (
            f"{L('position')} {a.shares} ({L('sellable')} {r.sellable}) · "
            f"{L('cash')} {money(a.cash)} · {L('equity')} {money(r.equity)} · "
            f"{L('pnl')} {money(pnl, sign=True)}"
        )
        if r.finished:
            self.say(result_text(r, locale))
        self.table.show(r.trades_frame(), locale, r.market.inst.price_decimals)


def status_text(r: PracticeRound, locale: str) -> str:
    """Where the clock is: code, time, bar, last price, the day's limits, a seal."""
    m = r.market
    played, total = r.progress
    clock = pd.Timestamp(r.clock_ms, unit="ms", tz="UTC").tz_convert(m.inst.tz)
    parts = [
        m.inst.code,
        clock.strftime("%Y-%m-%d" if m.daily else "%Y-%m-%d %H:%M"),
        f"{text('bar', locale)} {played}/{total}",
        f"{text('close', locale)} {r.price}",
    ]
    lim = r.limits
    if lim:
        parts.append(
            f"{text('limit_up', locale)} {lim[1]:.2f} / {text('limit_down', locale)} {lim[0]:.2f}"
        )
    if r.sealed:
        parts.append(text(f"sealed_{r.sealed}", locale))
    return " · ".join(parts)


def result_text(r: PracticeRound, locale: str) -> str:
    """The score, against buy-and-hold."""
    s = r.score()
    verdict = text("beat" if s.excess_pct >= 0 else "trailed", locale, x=f"{abs(s.excess_pct):.2f}")
    return text(
        "result",
        locale,
        pnl=money(s.pnl, sign=True),
        ret=format_pct(s.return_pct),
        trades=s.trades,
        hold=money(s.hold_pnl, sign=True),
        hold_ret=format_pct(s.hold_return_pct),
        verdict=verdict,
    )


__all__ = [
    "MAX_ROWS",
    "SPEEDS",
    "PracticePanel",
    "TradesTable",
    "money",
    "result_text",
    "status_text",
]
