"""A-share trader views in a real browser: the OrderBook's 盘口 panel and 涨停 badge, the
QuoteBoard's brokerage columns and row badge, zh labels, on the simulated market driven to limit up.
Screenshots to docs/images/book-ashare.png and docs/images/board-ashare.png."""

from __future__ import annotations

import pytest

from .conftest import copy_screenshot, run_in_kernel
from .test_widgets_browser import open_and_run, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

BOOK = ".iw-root.iw-book"
BOARD = ".iw-root.iw-board"
SYM = "600519.SH"
# cells flash on every change; a screenshot shows the steady look
NO_FLASH = ".iw-flash-up, .iw-flash-down, .iw-flash { animation: none !important; }"


def test_ashare_book_and_board_at_limit_up(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "ashare.ipynb",
        [
            "import infoway_widgets as iw\nfeed = await iw.aconnect(speed=60, new=True)",
            f'book = iw.OrderBook("{SYM}", feed=feed, locale="zh")\nbook',
            f'board = iw.QuoteBoard(["{SYM}", "000001.SZ", "300750.SZ", "00700.HK"], feed=feed, locale="zh")\nboard',
        ],
    )
    open_and_run(page, lab, "ashare.ipynb")
    for sel in (BOOK, BOARD):
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, BOOK, "data-levels", 10)
    wait_attr_at_least(page, BOARD, "data-rows", 4)
    page.wait_for_selector(f'{BOOK}[data-stats="1"]', timeout=30_000)
    # the panel fills from the feed: 量比 needs the daily bars, 外盘 the first trades (a volume
    # carries its unit: "0手" is still nothing)
    page.wait_for_function(
        """(s) => { const r = document.querySelector(s); const v = (k) => r.querySelector(`.iw-stats [data-key="${k}"]`)?.textContent;
           return v('volume_ratio') && v('volume_ratio') !== '—' && v('buy_volume') && !/^0[^0-9.]*$/.test(v('buy_volume')); }""",
        arg=BOOK,
        timeout=30_000,
    )
    assert page.locator(f'{BOARD}[data-preset="cn"]').count() == 1

    run_in_kernel(page, f'feed.sim.drive_to_limit("{SYM}", "up")')
    # limit up: the ask side is empty ("—" rows), the badge says 涨停, the board row too
    page.wait_for_selector(f'{BOOK}[data-at-limit="up"]', timeout=30_000)
    page.wait_for_function(
        "(s) => document.querySelector(s).dataset.levels === '5'", arg=BOOK, timeout=30_000
    )
    page.wait_for_selector(
        f'{BOARD} tr.iw-quote[data-symbol="{SYM}"][data-limit="up"]', timeout=30_000
    )
    assert page.locator(f"{BOOK} .iw-head .iw-limit").inner_text() == "涨停"
    asks = page.locator(f'{BOOK} tr.iw-level[data-side="ask"]').all_inner_texts()
    assert len(asks) == 5 and all("—" in a for a in asks)
    assert page.locator(f'{BOARD} tr[data-symbol="{SYM}"] .iw-limit').inner_text() == "涨停"
    stats = page.locator(f"{BOOK} .iw-stats").inner_text()
    for label in (
        "委比",
        "委差",
        "外盘",
        "内盘",
        "量比",
        "振幅",
        "涨停",
        "跌停",
        "今开",
        "昨收",
        "成交量",
        "成交额",
    ):
        assert label in stats, label
    assert page.locator(f'{BOOK} .iw-stats [data-key="bid_ask_ratio"]').inner_text() == "+100.00%"
    assert page.locator(f'{BOOK} .iw-stats [data-key="volume"]').inner_text().endswith("手")
    # the panel's last price is the limit price
    last = page.locator(f'{BOOK} .iw-stats [data-key="last"]').inner_text()
    assert last == page.locator(f'{BOOK} .iw-stats [data-key="limit_up"]').inner_text()
    head = page.locator(f"{BOARD} thead").inner_text()
    for label in (
        "涨跌幅",
        "涨跌额",
        "成交量",
        "成交额",
        "振幅",
        "量比",
        "最高",
        "最低",
        "今开",
        "昨收",
    ):
        assert label in head, label
    # A-share rows count in 手, the Hong Kong row in shares
    assert (
        page.locator(f'{BOARD} tr[data-symbol="{SYM}"] td[data-key="volume_lots"]')
        .inner_text()
        .endswith("手")
    )
    assert (
        not page.locator(f'{BOARD} tr[data-symbol="00700.HK"] td[data-key="volume_lots"]')
        .inner_text()
        .endswith("手")
    )

    # sortable by 涨跌幅: the limit-up row goes first (descending)
    page.locator(f'{BOARD} th[data-key="change_pct"]').click()
    page.wait_for_function(
        """([s, sym]) => { const r = document.querySelector(s);
           return r.querySelector('th[data-key="change_pct"]').textContent.includes('▼')
             && r.querySelector('tbody tr').dataset.symbol === sym; }""",
        arg=[BOARD, SYM],
        timeout=10_000,
    )

    for sel, name in ((BOOK, "book-ashare.png"), (BOARD, "board-ashare.png")):
        shot = tmp_path / name
        page.locator(sel).first.screenshot(path=str(shot), animations="disabled", style=NO_FLASH)
        copy_screenshot(shot, name)

    # English labels of the same numbers
    run_in_kernel(page, "book.locale = 'en'; board.locale = 'en'")
    page.wait_for_function(
        "(s) => document.querySelector(s).textContent.includes('Bid/ask ratio')",
        arg=BOOK,
        timeout=10_000,
    )
    stats = page.locator(f"{BOOK} .iw-stats").inner_text()
    for label in (
        "Bid/ask diff",
        "Buy volume",
        "Sell volume",
        "Volume ratio",
        "Amplitude",
        "Limit up",
        "Prev close",
    ):
        assert label in stats, label
    assert page.locator(f"{BOOK} .iw-head .iw-limit").inner_text() == "Limit up"
    assert page.locator(f'{BOARD}[data-preset="compact"]').count() == 1
    shot = tmp_path / "book-ashare-en.png"
    page.locator(BOOK).first.screenshot(path=str(shot), animations="disabled", style=NO_FLASH)
    copy_screenshot(shot, "book-ashare-en.png")
