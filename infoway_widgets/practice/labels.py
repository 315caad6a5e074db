"""The words of a practice round in English and Chinese: controls, the account, the result, and
an explanation of each rule when it bites (the widget shows these; errors raised to Python are
in English)."""

from __future__ import annotations

from .rules import LotRule

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "buy": "Buy",
        "sell": "Sell",
        "hold": "Hold",
        "step": "Step",
        "play": "Play",
        "pause": "Pause",
        "speed": "Bars/s",
        "lots": "Lots",
        "reveal": "End & reveal",
        "submit": "Submit",
        "follow": "Follow teacher",
        "time": "Time",
        "side": "Side",
        "price": "Price",
        "shares": "Shares",
        "fee": "Fee",
        "bar": "bar",
        "close": "close",
        "limit_up": "limit-up",
        "limit_down": "limit-down",
        "sealed_up": "sealed at limit-up",
        "sealed_down": "sealed at limit-down",
        "position": "Position",
        "sellable": "sellable",
        "cash": "Cash",
        "equity": "Equity",
        "pnl": "P&L",
        "no_trades": "No trades yet: Buy, Sell, or Hold to watch the next bar.",
        "loading": "Loading the class's market…",
        "filled_buy": "Bought {shares} at {price} (fee {fee}).",
        "filled_sell": "Sold {shares} at {price} (fee {fee}).",
        "result": "Result: P&L {pnl} ({ret}) in {trades} trades · buy-and-hold {hold} ({hold_ret}) · {verdict}",
        "beat": "you beat buy-and-hold by {x} points",
        "trailed": "buy-and-hold did {x} points better",
        "submitted": "Results sent to the class as {name}.",
        "following": "Following the teacher's clock.",
        "behind": "The teacher's clock is behind yours; you follow again when it passes.",
        "name": "Name",
        "return_pct": "Return",
        "trades": "Trades",
        "board_empty": "No results yet.",
        "students": "{n} students",
        "buy_side": "buy",
        "sell_side": "sell",
    },
    "zh": {
        "buy": "买入",
        "sell": "卖出",
        "hold": "持有",
        "step": "下一根",
        "play": "播放",
        "pause": "暂停",
        "speed": "根/秒",
        "lots": "手数",
        "reveal": "结束并揭晓",
        "submit": "提交成绩",
        "follow": "跟随老师",
        "time": "时间",
        "side": "方向",
        "price": "价格",
        "shares": "股数",
        "fee": "费用",
        "bar": "K线",
        "close": "收",
        "limit_up": "涨停价",
        "limit_down": "跌停价",
        "sealed_up": "涨停封板",
        "sealed_down": "跌停封板",
        "position": "持仓",
        "sellable": "可卖",
        "cash": "现金",
        "equity": "总资产",
        "pnl": "盈亏",
        "no_trades": "尚无成交：买入、卖出，或持有观察下一根K线。",
        "loading": "正在载入课堂行情…",
        "filled_buy": "买入 {shares} 股，成交价 {price}（费用 {fee}）。",
        "filled_sell": "卖出 {shares} 股，成交价 {price}（费用 {fee}）。",
        "result": "结果：盈亏 {pnl}（{ret}），共 {trades} 笔 · 买入持有 {hold}（{hold_ret}）· {verdict}",
        "beat": "跑赢买入持有 {x} 个百分点",
        "trailed": "跑输买入持有 {x} 个百分点",
        "submitted": "已以 {name} 的名义提交成绩。",
        "following": "正在跟随老师的进度。",
        "behind": "老师的进度落后于你；追上后继续跟随。",
        "name": "姓名",
        "return_pct": "收益率",
        "trades": "笔数",
        "board_empty": "尚无成绩。",
        "students": "{n} 名学生",
        "buy_side": "买",
        "sell_side": "卖",
    },
}

_BOARD_ZH = {"star": "科创板", "bse": "北交所", "chinext": "创业板", "etf": "ETF"}


def text(key: str, locale: str, **fields: object) -> str:
    """The label ``key`` in ``locale``, with ``fields`` filled in."""
    s = LABELS.get(locale, LABELS["en"]).get(key) or LABELS["en"].get(key, key)
    return s.format(**fields) if fields else s


def explain(
    rule: str,
    locale: str,
    *,
    lots: LotRule,
    board: str,
    market: str,
    held: int,
    sellable: int,
    limits: tuple[float, float] | None,
    message: str,
) -> str:
    """What ``rule`` says, for the student, in ``locale`` (English: the error's own message)."""
    if locale != "zh":
        return message
    if rule == "lot":
        where = (
            _BOARD_ZH.get(board, "A股")
            if market == "CN"
            else {"HK": "港股", "US": "美股"}.get(market, "")
        )
        if lots.min_buy == lots.step:
            size = f"{lots.step}股的整数倍" + (
                "（一手）" if lots.step == 100 and market == "CN" else ""
            )
        else:
            size = f"至少{lots.min_buy}股，超出部分以{lots.step}股递增"
        tail = "；不足一手的零股须一次性卖出。" if lots.odd_sale else "。"
        return f"整手规则：{where}委托须为{size}{tail}"
    if rule == "t+1":
        return (
            f"T+1规则：今天买入的 {held - sellable} 股要到下一个交易日才能卖出；"
            f"现在可卖 {sellable} 股。"
        )
    if rule == "sealed-limit-up":
        up = limits[1] if limits else ""
        return f"涨停封板：价格封死在涨停价 {up}，卖盘为空，买单无法成交；等开板再买。"
    if rule == "sealed-limit-down":
        down = limits[0] if limits else ""
        return f"跌停封板：价格封死在跌停价 {down}，买盘为空，卖单无法成交；等开板再卖。"
    if rule == "price-limit":
        rng = f"{limits[0]}–{limits[1]}" if limits else ""
        return f"涨跌幅限制：成交价须在今日涨跌停价之间（{rng}）。"
    if rule == "cash":
        return "资金不足：买入金额加费用超过了可用现金。"
    if rule == "position":
        return f"持仓不足：你持有 {held} 股，不能卖出更多（不能卖空）。"
    if rule == "finished":
        return "本轮已结束：所有K线均已揭晓。"
    return message


__all__ = ["LABELS", "explain", "text"]
