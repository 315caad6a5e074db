"""Fewer bars than asked for never come back without a word: a ShortHistoryWarning from history(),
a feed warning for a chart's series, each naming the reason."""

from __future__ import annotations

import asyncio
import warnings

import pandas as pd
import pytest

import infoway_widgets as iw
from infoway_widgets.feed.frames import short_history_reason
from infoway_widgets.market import parse_interval, parse_symbol
from infoway_widgets.sim import serve

from .conftest import wait_for

SH = parse_symbol("600519.SH")


def _ms(text: str) -> int:
    return int(pd.Timestamp(text, tz="Asia/Shanghai").value // 1_000_000)


def test_the_reason_names_the_calendar_when_start_bounds_the_request():
    iv = parse_interval("1d")
    days = [_ms(d) for d in ("2026-11-23", "2026-11-24", "2026-11-25")]
    why = short_history_reason(SH, iv, days, start_ms=_ms("2026-11-22"), end_ms=_ms("2026-11-25"))
    assert "trading calendar has only 3 1d bars" in why and "earlier start" in why
    # the same bars with an earlier start are missing days: the service's depth, not the calendar
    why = short_history_reason(SH, iv, days, start_ms=_ms("2026-10-01"), end_ms=_ms("2026-11-25"))
    assert "calendar" not in why and "2026-11-23" in why and "listing date" in why


def test_the_reason_names_the_listing_date_or_the_service_depth():
    first = [_ms("2024-01-02 09:30"), _ms("2024-01-02 10:30")]
    assert "simulated market's history of 600519.SH begins on 2024-01-02 09:30" in (
        short_history_reason(SH, parse_interval("1h"), first, simulated=True)
    )
    why = short_history_reason(SH, parse_interval("1h"), first)
    assert "keeps 1h bars of 600519.SH back to 2024-01-02 09:30 only" in why
    why = short_history_reason(SH, parse_interval("1w"), first)
    assert "first 1w bar of 600519.SH is on 2024-01-02" in why and "listing date" in why
    why = short_history_reason(SH, parse_interval("1m"), [], end_ms=_ms("2020-01-01"))
    assert "no 1m bars of 600519.SH before 2020-01-01" in why


async def test_history_as_deep_as_asked_and_a_warning_where_it_is_short():
    async with serve(port=0, seed=2, speed=1.0) as server:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = await iw.ahistory("600519.SH", "1h", 500, base_url=server.url, progress=False)
        assert len(df) == 500
        assert not [w for w in caught if issubclass(w.category, iw.InfowayWarning)]
        # a year of weekly bars does not exist before the simulated listing date (2024-01-02)
        with pytest.warns(iw.ShortHistoryWarning, match=r"of 500 bars: .*first 1w bar.*2024-01"):
            df = await iw.ahistory("600519.SH", "1w", 500, base_url=server.url, progress=False)
        assert 100 < len(df) < 500
        with pytest.warns(iw.ShortHistoryWarning, match="trading calendar has only"):
            df = await iw.ahistory(
                "000001.SZ",
                "1d",
                100,
                start="2026-09-01",
                end="2026-10-31",
                base_url=server.url,
                progress=False,
            )
        assert 20 < len(df) < 100


async def test_a_simulated_feed_warns_once_per_series_and_pages_a_1h_chart_back():
    feed = iw.connect(speed=10.0, new=True)
    try:
        with pytest.warns(iw.ShortHistoryWarning, match="simulated market's history"):
            await feed.history("600519.SH", "1M", 100, progress=False)
        ev = asyncio.Event()
        feed.on_change(lambda s: ev.set())
        w = feed.watch("600519.SH", intervals=["1h", "1M"], history=500)
        store = feed.bar_store("600519.SH", "1h")
        await wait_for(lambda: len(store) >= 500, 30, "500 1h bars", ev)
        months = feed.bar_store("600519.SH", "1M")
        await wait_for(lambda: len(months) > 20, 30, "monthly bars", ev)
        await wait_for(
            lambda: any("1M:" in x and "of 500 bars" in x for x in feed.warnings), 10, "a warning"
        )
        assert not any("1h:" in x for x in feed.warnings)
        # scrolling back on the 1h chart keeps loading: page after page of older bars
        for _ in range(3):
            oldest = int(store.t[0])
            assert await feed.load_more("600519.SH", "1h", oldest, 500) == 500
            assert int(store.t[0]) < oldest
        # the first months have nothing older: one warning, however often asked
        first = int(months.t[0])
        assert await feed.load_more("600519.SH", "1M", first, 50) == 0
        assert await feed.load_more("600519.SH", "1M", first, 50) == 0
        said = [x for x in feed.warnings if "1M:" in x]
        assert len(said) == 1 and "listing date" in said[0]
        w.close()
    finally:
        await feed.aclose()
