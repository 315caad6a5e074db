"""Practice rounds (K线训练): a past market replayed with the future hidden, traded by the rules.

Pure rules and accounting, no widgets and no I/O: :mod:`.rules` (lots, T+1, sealed limits),
:mod:`.fees` (exact to the cent), :mod:`.account`, :mod:`.score` (against buy-and-hold),
:mod:`.market` (a round's bars), :mod:`.round` (the clock that reveals them) and
:mod:`.simulate` (rounds drawn from the simulated market's seed). ``iw.Practice`` is the widget.
"""

from .account import Account, Fill
from .fees import CN_FEES, HK_FEES, US_FEES, Fee, FeeSchedule, fees_for
from .market import PracticeMarket
from .round import PracticeRound
from .rules import RULES, LotRule, MarketRules, lot_rule, sealed, t_plus
from .score import Score
from .simulate import SCENARIOS, simulate

__all__ = [
    "CN_FEES",
    "HK_FEES",
    "RULES",
    "SCENARIOS",
    "US_FEES",
    "Account",
    "Fee",
    "FeeSchedule",
    "Fill",
    "LotRule",
    "MarketRules",
    "PracticeMarket",
    "PracticeRound",
    "Score",
    "fees_for",
    "lot_rule",
    "sealed",
    "simulate",
    "t_plus",
]
