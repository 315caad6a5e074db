"""SymbolPicker, IntervalToggle, zh/en labels and number formats."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import traitlets as t

import infoway_widgets as iw
from infoway_widgets import i18n
from infoway_widgets.widgets.controls import (
    IntervalToggle,
    LessonPanel,
    ReplayControls,
    SymbolPicker,
    exchange_now,
    wait_until,
)


async def test_symbol_picker_searches_the_service_list_by_code_chinese_and_english_name():
    feed = iw.connect(new=True, speed=30.0)
    try:
        await feed.ready()
        picker = SymbolPicker(feed, value="600519.SH", locale="zh")
        recs = await picker.loaded()
        codes = {r["symbol"] for r in recs}
        assert {"600519.SH", "00700.HK", "AAPL.US", "BTCUSDT", "USDCNY", "XAUUSD"} <= codes
        assert picker.search("茅台")[0]["symbol"] == "600519.SH"
        assert picker.search("moutai")[0]["symbol"] == "600519.SH"  # case-insensitive English
        assert picker.search("600519")[0]["symbol"] == "600519.SH"  # code without the suffix
        assert picker.search("700")[0]["symbol"] == "00700.HK"
        assert picker.search("btc")[0]["symbol"] == "BTCUSDT"
        assert picker.search("no such thing") == []

        seen = []
        picker.observe(lambda ch: seen.append(ch["new"]), names="value")
        picker.text.value = "s"  # typing filters the list
        assert len(picker.select.options) > 1 and picker.value == "600519.SH"
        picker.select.value = "BTCUSDT"  # clicking a row
        assert picker.value == "BTCUSDT" and seen == ["BTCUSDT"]
        picker.text.value = "腾讯"  # a single match is taken at once
        assert [v for _, v in picker.select.options] == ["00700.HK"]
        assert "腾讯控股" in picker.select.options[0][0]  # zh shows the Chinese name
        assert picker.value == "00700.HK" and seen == ["BTCUSDT", "00700.HK"]
        picker.query = "a"
        assert picker.choose_first() == picker.search("a")[0]["symbol"] == picker.value
        picker.close()
    finally:
        await feed.aclose()


async def test_symbol_picker_with_a_fixed_list_and_english_names():
    feed = iw.Feed.detached()
    picker = SymbolPicker(
        feed,
        symbols=[
            {"symbol": "600519.SH", "name_cn": "贵州茅台", "name_en": "Kweichow Moutai"},
            "BTCUSDT",
            "600519.SH",
        ],
    )
    assert [r["symbol"] for r in await picker.loaded()] == [
        "600519.SH",
        "BTCUSDT",
    ]  # duplicates dropped
    assert picker.select.options[0][0].endswith("Kweichow Moutai")
    await feed.aclose()


def test_interval_toggle_labels_value_and_link():
    zh = IntervalToggle("5m", locale="zh")
    assert [label for label, _ in zh.options] == ["1分", "5分", "15分", "30分", "1小时", "日K"]
    assert zh.value == "5m"
    en = IntervalToggle("1d", options=["1m", "5min", "daily"])
    assert [v for _, v in en.options] == ["1m", "5m", "1d"] and en.value == "1d"

    class Target(t.HasTraits):
        interval = t.Unicode("1m")

    target = Target()
    zh.link(target)
    assert target.interval == "5m"
    zh.value = "1h"
    assert target.interval == "1h"
    with pytest.raises(iw.BadParameterError):
        IntervalToggle("1w")  # not among the live intervals
    with pytest.raises(ValueError, match="locale"):
        IntervalToggle("1m", locale="fr")


async def test_controls_have_chinese_labels(tmp_path):
    feed = iw.Feed.detached()
    panel = LessonPanel(feed, "600519.SH", locale="zh")
    texts = [
        panel.buy_button.description,
        panel.sell_button.description,
        panel.halt_button.description,
        panel.volatility_slider.description,
        *[lab for lab, _ in panel.limit_buttons.options],
    ]
    assert texts == [
        "▲ 大单买入",
        "▼ 大单卖出",
        "停牌",
        "波动率",
        "打开涨跌停",
        "推至涨停",
        "推至跌停",
    ]
    # the halt button's pause sign is an SVG icon, not a glyph that renders as a box
    assert panel.halt_button.icon == "pause"
    assert panel.buy_button.button_style == "danger"  # red = buy/up on the mainland
    assert LessonPanel(feed, "AAPL.US").buy_button.button_style == "success"
    await feed.aclose()


async def test_replay_controls_have_chinese_labels(recording):
    path, _ = recording
    rp = iw.connect(replay=path, speed=1.0)
    try:
        rc = ReplayControls(rp, locale="zh")
        rc.pause()
        # play / restart / pause signs are SVG icons beside the words, never ⏮ / ⏸ glyphs
        assert (rc.play_button.icon, rc.play_button.description) == ("play", "播放")
        assert (rc.restart_button.icon, rc.restart_button.description) == ("restart", "从头")
        assert rc.speed_slider.description == "速度" and rc.seek_slider.description == "进度"
        assert [lab for lab, _ in rc.speed_slider.options][:3] == ["0.5×", "1×", "2×"]
        assert "已暂停" in rc.position_label.value
        rc.seek_fraction(0.5)
        assert "连续竞价" in rc.clock.value  # the phase, in Chinese
        rc.play()
        assert (rc.play_button.icon, rc.play_button.description) == ("pause", "暂停")
    finally:
        await rp.aclose()


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (0, "0", "0"),
        (950, "950", "950"),
        (12_345, "1.23万", "12.35K"),
        (123_456_789, "1.23亿", "123.46M"),
        (2_500_000_000, "25.00亿", "2.50B"),
        (3.2e12, "3.20万亿", "3.20T"),
        (-45_600, "-4.56万", "-45.60K"),
        (0.5, "0.5", "0.5"),
        (None, "—", "—"),
        (math.nan, "—", "—"),
    ],
)
def test_number_formats(value, zh, en):
    assert i18n.format_volume(value, "zh") == zh
    assert i18n.format_volume(value, "en") == en


def test_label_helpers():
    assert [i18n.level_name("bid", i, "zh") for i in (1, 5)] == ["买一", "买五"]
    assert i18n.level_name("ask", 3, "en") == "Ask 3"
    assert (
        i18n.phase_label("break", "zh") == "午间休市"
        and i18n.phase_label("auction") == "call auction"
    )
    assert i18n.format_pct(1.234) == "+1.23%" and i18n.format_pct(-0.5) == "-0.50%"
    assert i18n.label("no-such-key", "zh") == "no-such-key"
    assert set(i18n.LABELS["zh"]) == set(i18n.LABELS["en"])  # every label in both languages


async def test_wait_until_wakes_on_the_simulated_clock_even_without_trades():
    feed = iw.connect(new=True, speed=60.0)
    try:
        await feed.ready()  # nothing watched: no pushes at all, only the clock moves
        now = exchange_now(feed, "600519.SH")
        reached = await wait_until(feed, "600519.SH", now + pd.Timedelta(seconds=30), timeout=20)
        assert reached >= now + pd.Timedelta(seconds=30)
    finally:
        await feed.aclose()


def test_public_names_resolve():
    from infoway_widgets import bqplot_live, controls

    assert iw.ReplayControls is controls.ReplayControls and iw.LessonPanel is controls.LessonPanel
    assert iw.SymbolPicker is controls.SymbolPicker and iw.IntervalToggle is controls.IntervalToggle
    assert iw.bqplot.LiveFigure is bqplot_live.LiveFigure
