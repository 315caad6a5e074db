"""iw.Practice in a real JupyterLab and chromium: the chart never holds a bar after the practice
clock (its data-latest and bar count against the same seed's market), the buttons step, trade and
explain a refusal, and the reveal shows every bar and the trades. Screenshot to
docs/images/practice.png."""

from __future__ import annotations

import pytest

from infoway_widgets.practice import simulate

from .conftest import copy_screenshot, run_in_kernel
from .test_widgets_browser import open_and_run, write_notebook

pytestmark = pytest.mark.browser

ROOT = ".iw-practice"
CHART = f"{ROOT} .iw-root.iw-candle"
SYM = "000001.SZ"
ARGS = dict(days=2, seed=7, scenario="limit_up", interval="5m")


def _chart_at(page, bars: int, latest: int) -> None:
    """The chart's front-end holds exactly ``bars`` bars, the newest at ``latest``."""
    page.wait_for_function(
        "([s, n, t]) => { const e = document.querySelector(s);"
        " return !!e && e.dataset.bars === String(n) && e.dataset.latest === String(t); }",
        arg=[CHART, bars, latest],
        timeout=60_000,
    )


def _click(page, label: str) -> None:
    page.locator(f"{ROOT} button", has_text=label).first.click()


def test_practice_hides_the_future_and_the_buttons_work(lab, page, tmp_path):
    market = simulate(SYM, **ARGS)
    t = market.bars["t"].astype("int64")
    first = market.first
    write_notebook(
        lab["root"] / "practice.ipynb",
        [
            "import infoway_widgets as iw\n"
            f'p = iw.Practice("{SYM}", days=2, seed=7, scenario="limit_up", interval="5m")\np',
        ],
    )
    open_and_run(page, lab, "practice.ipynb")
    page.wait_for_selector(f'{CHART}[data-status="replay"]', timeout=60_000)
    # the day before and the round's first bar; nothing of the future
    _chart_at(page, first + 1, int(t[first]))

    _click(page, "Step")
    _click(page, "Hold")
    _chart_at(page, first + 3, int(t[first + 2]))
    run_in_kernel(page, "p.step(7)")
    _chart_at(page, first + 10, int(t[first + 9]))

    page.locator(f"{ROOT} input[type=number]").first.fill("10")
    page.locator(f"{ROOT} input[type=number]").first.press("Enter")
    _click(page, "Buy")
    page.wait_for_function(
        "(s) => document.querySelector(s)?.textContent.includes('buy')",
        arg=f"{ROOT} .iw-practice-trades",
        timeout=30_000,
    )
    _click(page, "Sell")  # T+1: explained, nothing sold
    page.wait_for_function(
        "(s) => document.querySelector(s)?.textContent.includes('T+1')",
        arg=f"{ROOT} .iw-practice-message",
        timeout=30_000,
    )
    assert "Position 1000 (sellable 0)" in page.locator(f"{ROOT} .iw-practice-account").inner_text()
    _chart_at(page, first + 10, int(t[first + 9]))  # trading reveals nothing

    shot = tmp_path / "practice.png"
    run_in_kernel(page, "p.step(50); p.sell(lots=10)")  # the next day
    _chart_at(page, first + 60, int(t[first + 59]))
    _click(page, "End & reveal")
    _chart_at(page, len(market), int(t[-1]))
    page.wait_for_function(
        "(s) => document.querySelector(s)?.textContent.startsWith('Result')",
        arg=f"{ROOT} .iw-practice-message",
        timeout=30_000,
    )
    trades = page.locator(f"{ROOT} .iw-practice-trades").inner_text()
    assert "buy" in trades and "sell" in trades
    page.locator(ROOT).first.screenshot(path=str(shot), animations="disabled")
    copy_screenshot(shot, "practice.png")


# within the board's 40 characters
HOSTILE = "<img src=x onerror=__pwned=1><b>"


def test_leaderboard_ranks_the_class_and_shows_names_as_text(lab, page):
    write_notebook(
        lab["root"] / "classroom.ipynb",
        [
            "import infoway_widgets as iw\n"
            "from infoway_widgets.classroom import ClassroomServer\n"
            "from infoway_widgets.practice import simulate\n"
            'server = await ClassroomServer(simulate("000001.SZ", days=1, seed=3)).start()\n'
            "board = iw.Leaderboard(base_url=server.url)\nboard",
            "feed = iw.connect(base_url=server.url)\n"
            f"for name, lots in (({HOSTILE!r}, 20), ('Li', 10), ('Wang', 0)):\n"
            "    s = iw.Practice('000001.SZ', feed=feed, name=name)\n"
            "    await s.ready()\n"
            "    s.step(3)\n"
            "    s.buy(lots=lots) if lots else None\n"
            "    s.reveal()\n"
            "    await s.submit()",
        ],
    )
    open_and_run(page, lab, "classroom.ipynb")
    # the board fills live, by long polling: five cells of header, five per student
    page.wait_for_function(
        "() => document.querySelectorAll('.iw-leaderboard .iw-leaderboard-rows .widget-label').length === 20",
        timeout=60_000,
    )
    cells = page.locator(".iw-leaderboard .iw-leaderboard-rows .widget-label").all_inner_texts()
    names = cells[6::5]
    assert sorted(names) == sorted([HOSTILE, "Li", "Wang"])  # the payload, as literal text
    assert page.evaluate("() => window.__pwned ?? null") is None
    assert page.locator('.iw-leaderboard img[src="x"], .iw-leaderboard b').count() == 0
    pnl = [float(x.replace(",", "")) for x in cells[7::5]]
    assert pnl == sorted(pnl, reverse=True)
    run_in_kernel(page, "await board.aclose(); await server.stop()")
