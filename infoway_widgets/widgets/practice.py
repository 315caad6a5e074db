"""Practice: K线训练 in a notebook. A past market replayed with the future hidden, traded by the
market's rules, scored against buy-and-hold.

The round itself (rules, account, clock) is :class:`~infoway_widgets.practice.PracticeRound`; its
chart is a :class:`~.practice_chart.RoundChart`, which holds no bar after the clock; the buttons
and read-outs are a :class:`~.practice_panel.PracticePanel`. This module wires them together and
to a classroom server (the class's market, the teacher's clock, the board).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from decimal import Decimal
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from ..errors import BadParameterError, InfowayError, InfowayTimeoutError, PracticeRuleError
from ..i18n import check_locale
from ..market import parse_interval
from ..practice import PracticeMarket, PracticeRound, simulate
from ..practice.fees import FeeSchedule
from ..practice.labels import explain, text
from .practice_chart import RoundChart
from .practice_panel import PracticePanel, money

log = logging.getLogger("infoway_widgets.widgets")

#: seconds one long poll of the teacher's clock waits; after a failure, the pause before the next
POLL_WAIT, RETRY_AFTER = 20.0, 2.0


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
    panel : PracticePanel
        The buttons and read-outs (the buttons are also attributes: ``buy_button``, ...).
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
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise InfowayError(
                "iw.Practice needs a running asyncio loop: Jupyter provides one; in a script, "
                "create it inside `async def main()` run by `asyncio.run(main())`"
            ) from None
        loc = check_locale(locale)
        if name is not None:
            from ..classroom.state import check_name

            name = check_name(name)  # what the class's board takes, checked before the round
        self.name = name
        self.seed = int(seed) if seed is not None else random.SystemRandom().randrange(1, 2**31)
        self._cash = cash
        self._fees = fees
        self._classroom: Any = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._play_task: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[Practice] = loop.create_future()
        self._clock_version = -1
        self._teacher_index: int | None = None
        self.round: PracticeRound | None = None
        iv = parse_interval(interval).name
        self._round_chart = RoundChart(symbol, iv, locale=loc, height=height)
        self.chart = self._round_chart.chart
        self.panel = PracticePanel()
        self._wire(self.panel)
        super().__init__([self.chart, *self.panel.parts], locale=loc)
        self.add_class("iw-practice")
        self.observe(self._on_locale, names=["locale"])
        self.observe(self._on_follow, names=["follow"])
        if _is_classroom(feed):
            from ..classroom.client import ClassroomClient

            self._classroom = ClassroomClient(feed.base_url)
            self.panel.say(text("loading", loc))
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
                clock = await self._classroom.clock(self._clock_version, wait=POLL_WAIT)
            except InfowayError as e:
                self.panel.say(str(e), refused=True)
                await asyncio.sleep(RETRY_AFTER)  # the server is away: ask again shortly
                continue
            self._on_clock(clock)

    def _fail(self, e: BaseException) -> None:
        self.panel.say(str(e), refused=True)
        if not self._ready.done():
            self._ready.set_exception(e)

    async def ready(self, timeout: float | None = 30.0) -> Practice:
        """Wait until the round's market is here (a classroom's, or a recording's)."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        except asyncio.TimeoutError:
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
        else:  # the student is ahead: the past cannot be unseen
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
        """Reveal the next ``n`` bars (on the last bar, a step ends the round); returns how many
        were revealed."""
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
                # the pace of the round, not a wait for an event: one bar per 1 / speed seconds
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
            ans: dict[str, Any] = await client.submit(
                name, float(s.pnl), round(s.return_pct, 4), s.trades
            )
            self.panel.say(text("submitted", self.locale, name=name))
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
        return str(self.panel.message.value)

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
            self.panel.say(self._explain(e), refused=True)
            if raise_:
                raise
            return None
        self.panel.say(
            text(
                f"filled_{side}",
                self.locale,
                shares=fill.shares,
                price=fill.price,
                fee=money(fill.fee.total),
            )
        )
        self._publish()
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

    # ---- display --------------------------------------------------------------------------------------
    def _publish(self, message: str | None = None) -> None:
        r = self.round
        if r is None:
            return
        self._round_chart.publish(r)
        if message is not None:
            self.panel.say(message)
        with self.hold_trait_notifications():
            self.revealed = r.revealed
            self.finished = r.finished
        self._show()

    def _wire(self, panel: PracticePanel) -> None:
        panel.buy_button.on_click(lambda _: self._click_order("buy"))
        panel.sell_button.on_click(lambda _: self._click_order("sell"))
        panel.hold_button.on_click(lambda _: self._click_step())
        panel.step_button.on_click(lambda _: self._click_step())
        panel.play_button.on_click(lambda _: self.pause() if self.playing else self.play())
        panel.reveal_button.on_click(lambda _: self.reveal() if self.round else None)
        panel.submit_button.on_click(lambda _: self.submit())
        panel.speed_slider.observe(
            lambda ch: setattr(self, "speed", float(ch["new"])), names="value"
        )
        # the controls, for layouts and tests
        self.buy_button, self.sell_button = panel.buy_button, panel.sell_button
        self.hold_button, self.step_button = panel.hold_button, panel.step_button
        self.play_button, self.reveal_button = panel.play_button, panel.reveal_button
        self.submit_button, self.lots_input = panel.submit_button, panel.lots_input
        self.speed_slider = panel.speed_slider

    def _click_order(self, side: str) -> None:
        if self.round is not None:
            self._order(side, self.panel.lots_input.value, None, raise_=False)

    def _click_step(self) -> None:
        if self.round is not None and not self.follow:
            self.step(1)

    def _on_locale(self, change: dict[str, Any]) -> None:
        self.chart.locale = change["new"]
        self._show()

    def _show(self) -> None:
        self.panel.show(
            self.round,
            self.locale,
            playing=self.playing,
            follow=self.follow,
            classroom=self._classroom is not None,
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
        await self._round_chart.aclose()

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._round_chart.close()
        super().close()

    def __repr__(self) -> str:
        r = self.round
        if r is None:
            return "<Practice loading>"
        played, total = r.progress
        return (
            f"<Practice {r.market.inst.code} {r.market.interval} bar {played}/{total} "
            f"seed={self.seed}>"
        )


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("practice task failed: %s", task.exception())


__all__ = ["Practice"]
