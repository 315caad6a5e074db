"""Practice: K线训练 in a notebook. A past market replayed with the future hidden, traded by the
market's rules, scored against buy-and-hold.

The chart is an ordinary :class:`~.candle.CandleChart` on a detached feed of its own, which the
round fills bar by bar up to its clock: the bars after the clock are in no store, no frame and
no saved state, so no front-end ever has them. The round itself (rules, account, clock) is
:class:`~infoway_widgets.practice.PracticeRound`; this module only wires it to buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from decimal import Decimal
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
import traitlets as t

from ..errors import BadParameterError, InfowayError, PracticeRuleError
from ..feed import Feed
from ..feed.sources import Source
from ..i18n import check_locale, format_pct
from ..market import bar_opens, parse_interval
from ..practice import PracticeMarket, PracticeRound, simulate
from ..practice.fees import FeeSchedule
from ..practice.labels import explain, text
from ..practice.market import COLUMNS
from .candle import CandleChart
from .controls.icon_button import IconButton
from .practice_panel import TradesTable, money

log = logging.getLogger("infoway_widgets.widgets")

#: bars per second offered while playing
SPEEDS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0)


def _mark_trades(chart: CandleChart, trades: pd.DataFrame) -> None:
    """Show ``trades`` as markers on ``chart``.

    LEAD: switch this to ``chart.add_markers(...)`` once CandleChart has it (issue of helper K).
    Until then the trades show in the widget's own table and status line, and this does nothing
    unless the chart already offers ``add_markers``.
    """
    add = getattr(chart, "add_markers", None)
    if add is None or trades.empty:
        return
    add(
        pd.DataFrame(
            {
                "time": trades["time"],
                "side": trades["side"],
                "price": trades["price"],
                "text": [f"{s[0].upper()} {n}" for s, n in zip(trades["side"], trades["shares"])],
            }
        )
    )


class _RoundSource(Source):
    """What the chart's feed says it is: a replay of the round, fed by the round alone."""

    kind = "practice"

    async def start(self) -> tuple[str, str] | None:
        return "replay", "practice round"


def _is_classroom(feed: Any) -> bool:
    return feed is not None and not getattr(feed, "simulated", True) and bool(feed.base_url)


class Practice(w.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """A practice round (K线训练): replay ``days`` trading days of ``symbol`` with the future
    hidden, trade them by the market's rules, and score the result against buy-and-hold.

    Parameters
    ----------
    symbol : str
        A stock: ``"000001.SZ"``, ``"688981.SH"`` (STAR), ``"00700.HK"``, ``"AAPL.US"``.
    days : int
        Trading days played. The day before is shown from the start (for a ``"1d"`` round, the
        sixty days before).
    start : date or str, optional
        The first day played; default a day picked by the seed.
    interval : str
        ``"1m"``, ``"5m"``, ``"15m"``, ``"30m"``, ``"1h"`` or ``"1d"``: one step reveals one bar.
    cash : number
        Starting cash in the instrument's currency.
    seed : int, optional
        The simulated market's seed: the same seed gives the same market. None draws one
        (``p.seed`` says which, to play the same round again).
    feed : Feed, optional
        ``iw.connect(base_url=...)`` of a classroom server (``infoway-widgets serve
        --classroom``): the round is the class's, ``p.submit()`` posts to its board. Await
        ``p.ready()`` before trading from Python.
    replay : str or path, optional
        A recording (``feed.record(path)``) whose minute bars are the market: its first day is
        shown, the next ``days`` played.
    name : str, optional
        The student's name on the class's board.
    follow : bool
        In a classroom, move with the teacher's clock instead of stepping on one's own.
    scenario : {"limit_up", "limit_down"}, optional
        Script the first day of a simulated A-share round: it runs to the limit and seals.
    fees : FeeSchedule, optional
        Trading costs; default the market's (A-shares: commission 0.025 % min 5 CNY each side,
        transfer fee 0.001 % each side, stamp duty 0.05 % on sales).
    locale : {"en", "zh"}
    height : int
        The chart's height in pixels.

    Attributes
    ----------
    chart : CandleChart
        The bars up to the clock, and nothing after it.
    round : PracticeRound
        Rules, account and clock (None until a classroom's market has arrived).

    Examples
    --------
    >>> p = iw.Practice("000001.SZ", days=2, seed=7, scenario="limit_up", locale="zh")  # doctest: +SKIP
    >>> p.step(30); p.buy(lots=10); p.step(240); p.sell(lots=10); p.reveal()          # doctest: +SKIP
    """

    playing = t.Bool(False, help="True while the clock advances by itself.")
    speed = t.Float(2.0, help="Bars revealed per second while playing.")
    follow = t.Bool(False, help="Move with the classroom teacher's clock.")
    finished = t.Bool(False, help="True once every bar is revealed and the round scored.")
    revealed = t.Int(0, help="Bars revealed so far (the context included).")
    locale = t.Unicode("en")

    def __init__(
        self,
        symbol: str,
        days: int = 1,
        start: dt.date | str | None = None,
        interval: str = "1m",
        cash: float | int | Decimal = 100_000,
        seed: int | None = None,
        feed: Any = None,
        replay: Any = None,
        name: str | None = None,
        *,
        follow: bool = False,
        scenario: str | None = None,
        fees: FeeSchedule | None = None,
        locale: str = "en",
        height: int = 380,
    ) -> None:
        loc = check_locale(locale)
        self.seed = int(seed) if seed is not None else random.SystemRandom().randrange(1, 2**31)
        if name is not None:
            from ..classroom.state import check_name

            name = check_name(name)  # what the class's board takes, checked before the round
        self.name = name
        self._cash = cash
        self._fees = fees
        self._classroom = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._play_task: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[Practice] = asyncio.get_running_loop().create_future()
        self._published = 0
        self._clock_version = -1
        self._teacher_index: int | None = None
        self.round: PracticeRound | None = None
        self._chart_feed = Feed(api_key=None, base_url=None, simulated=False, source=_RoundSource())
        self._chart_feed.start()
        iv = parse_interval(interval).name
        self.chart = CandleChart(
            symbol,
            iv,
            feed=self._chart_feed,
            history=0,
            locale=loc,
            height=height,
            intervals=[iv],  # the round has bars of its own interval only
        )
        self._build_controls(loc)
        super().__init__(
            [
                self.chart,
                self._controls,
                self._status,
                self._account,
                self._message,
                self._table.box,
            ],
            locale=loc,
        )
        self.observe(lambda _: self._show(), names=["locale"])
        self.observe(self._on_follow, names=["follow"])
        if _is_classroom(feed):
            from ..classroom.client import ClassroomClient

            self._classroom = ClassroomClient(feed.base_url)
            self._message.value = text("loading", loc)
            self.follow = follow
            self._spawn(self._load_classroom())
        elif replay is not None:
            self._spawn(self._load_replay(replay, symbol, days, iv))
        else:
            if follow:
                raise BadParameterError(
                    "follow=True follows a classroom: pass feed=iw.connect(base_url=...)"
                )
            day = pd.Timestamp(start).date() if start is not None else None
            market = simulate(
                symbol, days=days, start=day, interval=iv, seed=self.seed, scenario=scenario
            )
            self._begin(market)
        self._show()

    # ---- the round --------------------------------------------------------------------------------
    def _begin(self, market: PracticeMarket) -> None:
        self.round = PracticeRound(market, self._cash, self._fees)
        self._publish()
        if not self._ready.done():
            self._ready.set_result(self)

    async def _load_replay(self, path: Any, symbol: str, days: int, interval: str) -> None:
        from ..classroom.recording import recorded_market

        try:
            self._begin(await recorded_market(path, symbol, days=days, interval=interval))
        except Exception as e:
            self._fail(e)

    async def _load_classroom(self) -> None:
        assert self._classroom is not None
        try:
            market, clock = await self._classroom.round()
            self._begin(market)
            self._on_clock(clock)
        except Exception as e:
            self._fail(e)
            return
        while True:
            try:
                clock = await self._classroom.clock(self._clock_version, wait=20.0)
            except asyncio.CancelledError:
                raise
            except InfowayError as e:
                self._message.value = str(e)
                await asyncio.sleep(2.0)  # the server is away: ask again shortly
                continue
            self._on_clock(clock)

    def _fail(self, e: BaseException) -> None:
        self._message.value = str(e)
        if not self._ready.done():
            self._ready.set_exception(e)

    async def ready(self, timeout: float | None = 30.0) -> Practice:
        """Wait until the round's market is here (a classroom's, or a recording's)."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        except asyncio.TimeoutError:
            from ..errors import InfowayTimeoutError

            raise InfowayTimeoutError(
                f"the practice market is not here after {timeout} s; check the classroom server"
            ) from None

    def _need(self) -> PracticeRound:
        if self.round is None:
            raise InfowayError("the round's market is still loading: `await p.ready()` first")
        return self.round

    # ---- the teacher's clock --------------------------------------------------------------------
    def _on_clock(self, clock: dict[str, Any]) -> None:
        self._clock_version = int(clock.get("version", self._clock_version))
        self._teacher_index = int(clock.get("index", 0))
        if self.follow:
            self._follow_teacher()

    def _follow_teacher(self) -> None:
        r = self.round
        if r is None or self._teacher_index is None or r.finished:
            return
        if self._teacher_index >= r.cursor:
            r.seek(self._teacher_index)
            self._publish(text("following", self.locale))
        else:
            self._publish(text("behind", self.locale))

    def _on_follow(self, change: dict[str, Any]) -> None:
        if change["new"]:
            if self._classroom is None:
                self.follow = False
                raise BadParameterError(
                    "follow=True follows a classroom: pass feed=iw.connect(base_url=...)"
                )
            self.pause()
            self._follow_teacher()
        self._show()

    # ---- Python API -------------------------------------------------------------------------------
    def buy(self, lots: int | None = 1, *, shares: int | None = None) -> Any:
        """Buy ``lots`` lots (or exactly ``shares`` shares) at the last price.

        Returns the :class:`~infoway_widgets.practice.Fill`. Raises
        :class:`~infoway_widgets.errors.PracticeRuleError` naming the rule when the market refuses
        (the widget explains it too).
        """
        return self._order("buy", lots, shares, raise_=True)

    def sell(self, lots: int | None = 1, *, shares: int | None = None) -> Any:
        """Sell ``lots`` lots (or exactly ``shares`` shares) at the last price (see :meth:`buy`)."""
        return self._order("sell", lots, shares, raise_=True)

    def hold(self) -> int:
        """Do nothing this bar: reveal the next one."""
        return self.step(1)

    def step(self, n: int = 1) -> int:
        """Reveal the next ``n`` bars; returns how many were revealed."""
        r = self._need()
        if self.follow:
            raise BadParameterError(
                "this round follows the teacher's clock: set p.follow = False to step alone"
            )
        moved = r.step(int(n))
        self._publish()
        return moved

    def play(self) -> None:
        """Reveal a bar every ``1 / speed`` seconds until paused or the end."""
        self._need()
        if self.follow or self.finished or self._play_task is not None:
            return
        self.playing = True
        self._play_task = self._spawn(self._play())
        self._show()

    def pause(self) -> None:
        """Stop playing."""
        task, self._play_task = self._play_task, None
        if task is not None:
            task.cancel()
        self.playing = False
        self._show()

    async def _play(self) -> None:
        try:
            while self.round is not None and not self.round.finished:
                await asyncio.sleep(1.0 / max(self.speed, 0.05))
                self.round.step(1)
                self._publish()
        finally:
            self._play_task = None
            self.playing = False
            self._show()

    def reveal(self) -> Any:
        """End the round: show every bar and the score (a :class:`~infoway_widgets.practice.Score`)."""
        r = self._need()
        self.pause()
        score = r.reveal()
        self._publish()
        return score

    def submit(self) -> asyncio.Task[dict[str, Any]]:
        """Post the name and the result (P&L, return, trade count; nothing else) to the classroom
        server; returns a task (``await p.submit()``)."""
        if self._classroom is None:
            raise BadParameterError(
                "submit() posts to a classroom: pass feed=iw.connect(base_url=...) and name="
            )
        if not self.name:
            raise BadParameterError("submit() needs the student's name: Practice(..., name='Li')")
        s = self._need().score()
        client, name = self._classroom, self.name

        async def go() -> dict[str, Any]:
            ans = await client.submit(name, float(s.pnl), round(s.return_pct, 4), s.trades)
            self._message.value = text("submitted", self.locale, name=name)
            return ans

        return self._spawn(go())

    # ---- what the round is now ----------------------------------------------------------------------
    @property
    def market(self) -> PracticeMarket | None:
        return self.round.market if self.round else None

    @property
    def clock(self) -> pd.Timestamp:
        """The practice clock: the time of the last revealed bar, in the exchange's zone."""
        r = self._need()
        return pd.Timestamp(r.clock_ms, unit="ms", tz="UTC").tz_convert(r.market.inst.tz)

    @property
    def position(self) -> int:
        """Shares held."""
        return self._need().account.shares

    @property
    def cash(self) -> Decimal:
        """Cash, exact to the cent."""
        return self._need().account.cash

    @property
    def equity(self) -> Decimal:
        """Cash plus the position at the last price, exact to the cent."""
        return self._need().equity

    @property
    def trades(self) -> pd.DataFrame:
        """The trades: time (the bar's, exchange zone), side, price, shares, fee."""
        return self._need().trades_frame()

    @property
    def message(self) -> str:
        """What the widget says now: the last fill, a rule's explanation, or the result."""
        return str(self._message.value)

    @property
    def score(self) -> Any:
        """The :class:`~infoway_widgets.practice.Score` so far (final once :attr:`finished`)."""
        return self._need().score()

    # ---- orders from the buttons or from Python ------------------------------------------------
    def _order(self, side: str, lots: int | None, shares: int | None, *, raise_: bool) -> Any:
        r = self._need()
        try:
            n = r.rules.shares_of(lots, shares)
            fill = r.buy(n) if side == "buy" else r.sell(n)
        except PracticeRuleError as e:
            self._message.value = self._explain(e)
            self._message.add_class("iw-practice-refused")
            if raise_:
                raise
            return None
        self._message.remove_class("iw-practice-refused")
        fee = money(fill.fee.total)
        self._publish(
            text(f"filled_{side}", self.locale, shares=fill.shares, price=fill.price, fee=fee)
        )
        return fill

    def _explain(self, e: PracticeRuleError) -> str:
        r = self._need()
        return explain(
            e.rule,
            self.locale,
            lots=r.rules.lots,
            board=r.market.inst.board,
            market=r.market.inst.market,
            held=r.account.shares,
            sellable=r.sellable,
            limits=r.limits,
            message=str(e),
        )

    # ---- the chart's feed: only what is revealed ------------------------------------------------
    def _publish(self, message: str | None = None) -> None:
        r = self.round
        if r is None:
            return
        m = r.market
        n = r.revealed
        feed, code = self._chart_feed, m.inst.code
        if n > self._published:
            lo = self._published
            rows = np.column_stack([m.bars[c][lo:n] for c in COLUMNS])
            feed.apply_bar_rows(feed.bar_store(code, m.interval), rows, np.ones(len(rows), bool))
            if not m.daily:
                self._publish_days(lo, n)
            self._published = n
        if message is not None:
            self._message.value = message
        with self.hold_trait_notifications():
            self.revealed = n
            self.finished = r.finished
        _mark_trades(self.chart, r.trades_frame())
        self._show()

    def _publish_days(self, lo: int, n: int) -> None:
        """Daily bars of the days touched by bars ``lo:n``, as far as bar ``n - 1`` (the chart's
        previous close and limit lines come from them)."""
        m = self.market
        assert m is not None
        days = sorted(set(m.day[lo:n].tolist()))
        rows = []
        for d in days:
            last = int(np.searchsorted(m.day, d, side="right")) - 1
            i = min(last, n - 1)
            b = m.day_bar(i)
            t0 = int(bar_opens(m.inst, "1d", np.array([int(m.bars["t"][i])]))[0])
            rows.append([t0, b["o"], b["h"], b["l"], b["c"], b["v"], b["vw"]])
        st = self._chart_feed.bar_store(m.inst.code, "1d")
        self._chart_feed.apply_bar_rows(
            st, np.array(rows, dtype=np.float64), np.ones(len(rows), bool)
        )

    # ---- controls ------------------------------------------------------------------------------------
    def _build_controls(self, loc: str) -> None:
        def narrow() -> w.Layout:
            return w.Layout(width="auto")  # one each: the submit button hides its own

        self.buy_button = w.Button(button_style="danger", layout=narrow())
        self.sell_button = w.Button(button_style="success", layout=narrow())
        self.hold_button = w.Button(layout=narrow())
        self.step_button = w.Button(layout=narrow())
        self.play_button = IconButton(icon="play", layout=w.Layout(width="96px"))
        self.reveal_button = w.Button(button_style="warning", layout=narrow())
        self.submit_button = w.Button(layout=narrow())
        self.lots_input = w.BoundedIntText(
            value=1, min=1, max=1_000_000, layout=w.Layout(width="150px")
        )
        self.speed_slider = w.SelectionSlider(
            options=[(f"{x:g}", x) for x in SPEEDS],
            value=2.0,
            continuous_update=False,
            layout=w.Layout(width="220px"),
        )
        self.buy_button.on_click(
            lambda _: self._order("buy", self.lots_input.value, None, raise_=False)
        )
        self.sell_button.on_click(
            lambda _: self._order("sell", self.lots_input.value, None, raise_=False)
        )
        self.hold_button.on_click(lambda _: self._click_step())
        self.step_button.on_click(lambda _: self._click_step())
        self.play_button.on_click(lambda _: self.pause() if self.playing else self.play())
        self.reveal_button.on_click(lambda _: self.reveal() if self.round else None)
        self.submit_button.on_click(lambda _: self.submit())
        self.speed_slider.observe(
            lambda ch: setattr(self, "speed", float(ch["new"])), names="value"
        )
        self._controls = w.HBox(
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
        self._status = w.Label()
        self._account = w.Label()
        self._message = w.Label()
        self._table = TradesTable()
        for part, cls in (
            (self._status, "iw-practice-status"),
            (self._account, "iw-practice-account"),
            (self._message, "iw-practice-message"),
        ):
            part.add_class(cls)
        self.add_class("iw-practice")

    def _click_step(self) -> None:
        if self.round is not None and not self.follow:
            self.step(1)

    def _show(self) -> None:
        loc = self.locale
        L = lambda k: text(k, loc)  # noqa: E731
        self.buy_button.description, self.sell_button.description = L("buy"), L("sell")
        self.hold_button.description, self.step_button.description = L("hold"), L("step")
        self.play_button.description = L("pause") if self.playing else L("play")
        self.play_button.icon = "pause" if self.playing else "play"
        self.reveal_button.description, self.submit_button.description = L("reveal"), L("submit")
        self.lots_input.description, self.speed_slider.description = L("lots"), L("speed")
        self.submit_button.layout.display = None if self._classroom is not None else "none"
        r = self.round
        done = r is None or r.finished
        for b in (self.buy_button, self.sell_button, self.reveal_button):
            b.disabled = done
        for b in (self.hold_button, self.step_button, self.play_button):
            b.disabled = done or self.follow
        self.submit_button.disabled = r is None
        if r is None:
            return
        self._status.value = self._status_text(r, loc)
        a = r.account
        pnl = r.equity - a.start_cash
        self._account.value = (
            f"{L('position')} {a.shares} ({L('sellable')} {r.sellable}) · {L('cash')} {money(a.cash)}"
            f" · {L('equity')} {money(r.equity)} · {L('pnl')} {money(pnl, sign=True)}"
        )
        if r.finished:
            self._message.value = self._result_text(r, loc)
        self._table.show(r.trades_frame(), loc, r.market.inst.price_decimals)

    def _status_text(self, r: PracticeRound, loc: str) -> str:
        m = r.market
        played, total = r.progress
        when = self.clock.strftime("%Y-%m-%d %H:%M" if not m.daily else "%Y-%m-%d")
        bar = f"{text('bar', loc)} {played}/{total}"
        parts = [m.inst.code, when, bar, f"{text('close', loc)} {r.price}"]
        lim = r.limits
        if lim:
            parts.append(
                f"{text('limit_up', loc)} {lim[1]:.2f} / {text('limit_down', loc)} {lim[0]:.2f}"
            )
        if r.sealed:
            parts.append(text(f"sealed_{r.sealed}", loc))
        return " · ".join(parts)

    def _result_text(self, r: PracticeRound, loc: str) -> str:
        s = r.score()
        x = f"{abs(s.excess_pct):.2f}"
        verdict = text("beat" if s.excess_pct >= 0 else "trailed", loc, x=x)
        return text(
            "result",
            loc,
            pnl=money(s.pnl, sign=True),
            ret=format_pct(s.return_pct),
            trades=s.trades,
            hold=money(s.hold_pnl, sign=True),
            hold_ret=format_pct(s.hold_return_pct),
            verdict=verdict,
        )

    # ---- housekeeping -------------------------------------------------------------------------------
    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)
        return task

    async def aclose(self) -> None:
        """Stop playing and following, close the chart and its feed."""
        from .._aio import cancel_and_wait

        await cancel_and_wait(list(self._tasks))
        if self._classroom is not None:
            await self._classroom.aclose()
        self.chart.close()
        await self._chart_feed.aclose()

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            self.chart.close()
        if not self._chart_feed.closed:
            with contextlib.suppress(RuntimeError):  # the loop is gone (interpreter exit)
                self._chart_feed.close()
        super().close()

    def __repr__(self) -> str:
        r = self.round
        if r is None:
            return "<Practice loading>"
        played, total = r.progress
        return f"<Practice {r.market.inst.code} {r.market.interval} bar {played}/{total} seed={self.seed}>"


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("practice task failed: %s", task.exception())


__all__ = ["Practice"]
