"""A book's derived prices print as a trader reads them: no float noise from the arithmetic."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from infoway_widgets.feed.stores import BookSnapshot


def _book(bid: float, ask: float) -> BookSnapshot:
    one = np.array([1.0])
    return BookSnapshot("600519.SH", 0, np.array([bid]), one, np.array([ask]), one)


def test_mid_and_spread_are_the_exact_decimal_values() -> None:
    for bid, ask in [(1571.02, 1571.05), (0.1, 0.3), (64_123.45, 64_123.46), (7.1234, 7.1239)]:
        snap = _book(bid, ask)
        exact_mid = (Decimal(str(bid)) + Decimal(str(ask))) / 2
        exact_spread = Decimal(str(ask)) - Decimal(str(bid))
        assert repr(snap.mid) == repr(float(exact_mid)), (bid, ask)
        assert repr(snap.spread) == repr(float(exact_spread)), (bid, ask)
    assert _book(1.0, 2.0).best_bid == 1.0
