"""The quote of a symbol, from its stores: daily bars, the latest trade, the day's order flow."""

from __future__ import annotations

from typing import Any

from ..market import Instrument
from .aggregate import DayFlow
from .state import MarketState
from .stores import BarStore, TapeStore


def quote_view(
    inst: Instrument,
    *,
    day: BarStore | None,
    minute: BarStore | None,
    tape: TapeStore | None,
    flow: DayFlow | None,
) -> dict[str, Any]:
    """Latest quote of ``inst``: today's bar from ``day`` (the daily bars; the one before gives the
    previous close, change and price limits), the last price and time from ``tape``, buy and sell
    volume from ``flow``, and a sparkline of the last hour's closes from ``minute``. Values the
    stores cannot give yet are None."""
    out: dict[str, Any] = {"symbol": inst.code, "name": inst.name, "last": None}
    out.update(dict.fromkeys(("prev_close", "open", "high", "low", "volume", "turnover")))
    out.update(dict.fromkeys(("change", "change_pct", "limit_up", "limit_down", "t")))
    if day is not None and len(day):
        last = day.last()
        assert last is not None
        out.update(
            open=last["open"],
            high=last["high"],
            low=last["low"],
            last=last["close"],
            volume=last["volume"],
            turnover=last["turnover"],
            t=last["t"],
        )
        if len(day) >= 2:
            pc = float(day.column("close")[-2])
            out["prev_close"] = pc
            out["change"] = last["close"] - pc
            out["change_pct"] = (last["close"] / pc - 1) * 100 if pc else None
            lim = inst.price_limits(pc)
            if lim:
                out["limit_down"], out["limit_up"] = lim
    newest = tape.last() if tape is not None else None
    if newest is not None:
        out["t"], out["last"] = newest
    out["buy_volume"], out["sell_volume"] = (flow.buy, flow.sell) if flow else (0.0, 0.0)
    out["spark"] = (
        minute.column("close")[-60:].tolist() if minute is not None and len(minute) else []
    )
    return out


def quote_of(state: MarketState, inst: Instrument) -> dict[str, Any]:
    """:func:`quote_view` of ``inst`` from the stores ``state`` holds for it."""
    code = inst.code
    return quote_view(
        inst,
        day=state.bars.get((code, "1d")),
        minute=state.bars.get((code, "1m")),
        tape=state.tapes.get(code),
        flow=state.flows.get(code),
    )
