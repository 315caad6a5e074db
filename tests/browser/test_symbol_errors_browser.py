"""Each widget shows its own symbol's problem, and only that, in a real JupyterLab.

* An unknown code next to valid ones on the embedded simulated market: the chart of 999999.SH
  and the book of 688999.SH say "no data for … : check the code" (each its own), the valid chart
  stays "simulated" and live, and a QuoteBoard flags the bad code on its row only.
* A server whose plan holds three codes per connection: three charts stream, the fourth is
  refused with 505 and says so (which limit, what to do), on its widget and on its board row.

Every wait is on an attribute the widgets expose; screenshots go to the test's tmp directory.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import KERNEL_READY, TOKEN, run_in_kernel
from .test_widgets_browser import attr, wait_attr_at_least, wait_live, write_notebook

pytestmark = pytest.mark.browser

CANDLE = ".iw-root.iw-candle"
BOOK = ".iw-root.iw-book"
BOARD = ".iw-root.iw-board"


def of(kind: str, symbol: str) -> str:
    return f'{kind}[data-symbol="{symbol}"]'


def badge(page: Any, sel: str) -> str:
    return str(page.evaluate("(s) => document.querySelector(s + ' .iw-badge').textContent", sel))


def open_and_run(page: Any, lab: dict[str, Any], name: str) -> None:
    page.goto(f"{lab['url']}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


def shoot(page: Any, sel: str, path: Any) -> None:
    loc = page.locator(sel).first
    loc.scroll_into_view_if_needed()
    loc.screenshot(path=str(path))


def test_an_unknown_code_beside_valid_ones_each_widget_its_own_problem(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "unknown.ipynb",
        [
            "import infoway_widgets as iw",
            'bad = iw.CandleChart("999999.SH", height=260)\nbad',
            'book = iw.OrderBook("688999.SH", height=200)\nbook',
            'good = iw.CandleChart("600519.SH", height=300)\ngood',
            'board = iw.QuoteBoard(["600519.SH", "999999.SH", "000001.SZ"], height=160)\nboard',
        ],
    )
    open_and_run(page, lab, "unknown.ipynb")
    bad, book, good = of(CANDLE, "999999.SH"), of(BOOK, "688999.SH"), of(CANDLE, "600519.SH")
    page.wait_for_selector(f'{bad}[data-status="error"]', timeout=60_000)
    page.wait_for_selector(f'{book}[data-status="error"]', timeout=60_000)
    assert badge(page, bad) == "Error: no data for 999999.SH: check the code"
    assert badge(page, book) == "Error: no data for 688999.SH: check the code"
    # where its bars would be, the chart says what is wrong instead of "waiting" for ever
    legend = page.evaluate(
        "(s) => document.querySelector(s + ' .iw-candle-legend').textContent", bad
    )
    assert "no data for 999999.SH" in legend and "Waiting" not in legend
    # the valid chart is untouched: simulated, its bars drawn, live
    page.wait_for_selector(f'{good}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, good, "data-bars", 100)
    wait_live(page, good)
    assert badge(page, good) == "Simulated" and attr(page, good, "data-status") == "simulated"
    # the board: the bad row says so, the board and its other rows stay live (looked at: a
    # view off screen draws nothing)
    page.locator(BOARD).first.scroll_into_view_if_needed()
    page.wait_for_selector(f'{BOARD} tr.iw-quote[data-symbol="999999.SH"][data-error="1"]')
    assert attr(page, BOARD, "data-status") == "simulated" and badge(page, BOARD) == "Simulated"
    row = page.evaluate(
        """(s) => [...document.querySelectorAll(s + ' tr.iw-quote')].map(r =>
             [r.dataset.symbol, r.dataset.error || '', r.querySelector('.iw-quote-name').textContent])""",
        BOARD,
    )
    assert ["999999.SH", "1", "no data for 999999.SH: check the code"] in row
    assert all(e == "" for s, e, _ in row if s != "999999.SH"), row
    wait_live(page, BOARD)
    assert attr(page, BOARD, "data-errors") == "1"
    for name, sel in (("bad", bad), ("book", book), ("good", good), ("board", BOARD)):
        shoot(page, sel, tmp_path / f"unknown-{name}.png")


PLAN = [
    "import infoway_widgets as iw\nfrom infoway_widgets.sim import SimServer\n"
    "server = SimServer(max_codes=3)  # a plan of three codes per connection, on 127.0.0.1\n"
    "await server.start()\nfeed = iw.connect(base_url=server.url)",
    'charts = [iw.CandleChart(c, height=220) for c in ("600519.SH", "000001.SZ", "300750.SZ")]\n'
    "display(*charts)",
    # the fourth once the three are held, so that it is the one beyond the plan
    "import asyncio\nheld = asyncio.Event()\n"
    'off = feed.on_change(lambda ch: held.set() if "stock" in feed.source.sessions else None)\n'
    "await asyncio.wait_for(held.wait(), 30)\noff()\n"
    'await feed.source.sessions["stock"].wait_synced(30)\n'
    'fourth = iw.CandleChart("600200.SH", height=220)\nfourth',
    'board = iw.QuoteBoard(["600519.SH", "000001.SZ", "300750.SZ", "600200.SH"], height=170)\n'
    "board",
]


def test_a_plan_of_three_codes_flags_the_fourth_and_the_three_stream_on(lab, page, tmp_path):
    write_notebook(lab["root"] / "plan.ipynb", PLAN)
    open_and_run(page, lab, "plan.ipynb")
    fourth = of(CANDLE, "600200.SH")
    page.wait_for_selector(f'{fourth}[data-status="error"]', timeout=60_000)
    text = badge(page, fourth)
    assert text.startswith("Error: 600200.SH: trades refused by the service."), text
    assert "505" in text and "3 codes per connection" in text and "upgrade the plan" in text
    three = [of(CANDLE, c) for c in ("600519.SH", "000001.SZ", "300750.SZ")]
    for sel in three:
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=60_000)
        wait_attr_at_least(page, sel, "data-bars", 100)
        wait_live(page, sel)
        assert badge(page, sel) == "Simulated"
    page.wait_for_selector(f'{BOARD} tr.iw-quote[data-symbol="600200.SH"][data-error="1"]')
    assert (
        attr(page, BOARD, "data-status") == "simulated" and attr(page, BOARD, "data-errors") == "1"
    )
    wait_live(page, BOARD)
    shoot(page, fourth, tmp_path / "plan-fourth.png")
    shoot(page, three[0], tmp_path / "plan-first.png")
    shoot(page, BOARD, tmp_path / "plan-board.png")
    # the kernel's session: one connection, never reconnected, the fourth asked once
    run_in_kernel(
        page,
        's = feed.source.sessions["stock"]\n'
        'assert s.stats["reconnects"] == 0 and s.state == "open", s.stats\n'
        'assert set(s.refused) == {"600200.SH"}, s.refused\n'
        'assert feed.status == "simulated" and set(feed.symbol_errors) == {"600200.SH"}\n'
        "await feed.aclose()\nawait server.stop()",
    )
