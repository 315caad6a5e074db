"""What the controls, widgets and labels raise at users: InfowayErrors that say what to do, still
catchable as the built-in types the docs name (ValueError, TimeoutError)."""

from __future__ import annotations

import gc

import pytest

import infoway_widgets as iw
from infoway_widgets import i18n
from infoway_widgets.widgets import Dashboard
from infoway_widgets.widgets.controls import SymbolPicker, next_bars, wait_until

SYM = "600519.SH"


def test_bad_labels_arguments_are_bad_parameters():
    with pytest.raises(iw.BadParameterError, match="locale must be 'en' or 'zh'"):
        i18n.check_locale("fr")
    with pytest.raises(ValueError, match="side must be 'bid' or 'ask'"):
        i18n.level_name("middle", 1)


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
async def test_a_dashboard_without_symbols_says_how_to_make_one():
    feed = iw.Feed.detached()
    with pytest.raises(iw.BadParameterError, match=r"Dashboard\('600519.SH'\)"):
        Dashboard([], feed=feed)
    gc.collect()  # the half-made dashboard's __del__ closes it: that must not fail either
    await feed.aclose()


async def test_waiting_too_long_is_an_infoway_timeout_that_says_what_to_check():
    feed = iw.Feed.detached()
    try:
        with pytest.raises(iw.InfowayTimeoutError, match="timeout=") as ei:
            await wait_until(feed, SYM, "23:59:59", timeout=0)
        assert isinstance(ei.value, TimeoutError) and "feed.status" in str(ei.value)
        with pytest.raises(TimeoutError, match="0 of 2 bars") as ei:
            await next_bars(feed, SYM, "1m", n=2, timeout=0)
        assert isinstance(ei.value, iw.InfowayTimeoutError) and "session hours" in str(ei.value)
    finally:
        await feed.aclose()


async def test_symbol_picker_without_a_service_list_offers_what_the_feed_watches():
    feed = iw.Feed.detached()  # no REST: the list falls back to the feed's own symbols
    try:
        feed.watch("00700.HK", trades=True)
        feed.watch("BTCUSDT", depth=True)
        picker = SymbolPicker(feed, value=SYM)
        recs = await picker.loaded()
        assert [r["symbol"] for r in recs] == ["00700.HK", "BTCUSDT", SYM]
        assert picker.search("btc")[0]["symbol"] == "BTCUSDT"
        picker.close()
    finally:
        await feed.aclose()
