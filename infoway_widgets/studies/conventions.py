"""Which convention a study follows: 通达信's (``"cn"``) or the textbook one (``"intl"``)."""

from __future__ import annotations

from typing import Any, Literal, cast

from ..errors import BadParameterError, InvalidSymbolError
from ..market import parse_symbol

Convention = Literal["cn", "intl"]

CONVENTIONS: tuple[Convention, ...] = ("cn", "intl")

#: markets whose trading software (通达信, 同花顺, 富途) draws the cn forms
CN_MARKETS = frozenset({"CN", "HK"})


def convention_for(symbol: str | None) -> Convention:
    """The default convention for ``symbol``: ``"cn"`` for A-shares and Hong Kong, else ``"intl"``.

    Parameters
    ----------
    symbol
        An Infoway code such as ``"600519.SH"``; None or a code that does not parse gives ``"intl"``.
    """
    if not symbol:
        return "intl"
    try:
        market = parse_symbol(symbol).market
    except InvalidSymbolError:
        return "intl"
    return "cn" if market in CN_MARKETS else "intl"


def resolve(convention: str | None, frame: Any = None) -> Convention:
    """``convention`` checked, or (None) the one of the frame's ``attrs["symbol"]``."""
    if convention is None:
        attrs = getattr(frame, "attrs", None) or {}
        symbol = attrs.get("symbol")
        return convention_for(symbol if isinstance(symbol, str) else None)
    if convention not in CONVENTIONS:
        raise BadParameterError(
            f"convention={convention!r} is not one of 'cn' (通达信) or 'intl' (textbook); "
            "pass convention='cn', 'intl', or None to pick by the frame's symbol"
        )
    return cast(Convention, convention)
