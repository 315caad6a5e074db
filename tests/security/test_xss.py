"""XSS: text from the network renders as text in every widget, in a real browser.

Instrument names (the simulated market's universe, patched in the kernel: no sim code changed),
the feed's status message (what a server error becomes) and a server error frame carry
``<img src=x onerror=...>`` and ``<script>`` payloads that would set ``window.__pwned``. In
JupyterLab + chromium every widget must show the payload as literal text: no script runs and no
``img[src=x]`` element exists.
"""

from __future__ import annotations

import pytest

from tests.browser.test_widgets_browser import ROOTS, open_and_run, wait_live, write_notebook

pytestmark = pytest.mark.browser

HOOK = r"""import json
import infoway_widgets as iw
feed = await iw.aconnect()
P = '<img src=x onerror="window.__pwned=(window.__pwned||0)+1">'
S = '<script>window.__pwned=(window.__pwned||0)+1</script>'
HOSTILE = P + S + '"><svg onload="window.__pwned=7">'
universe = feed.instruments.universe()   # test hook: hostile names in the simulated universe
for code in ["600519.SH", "000001.SZ", "BTCUSDT"]:
    universe[code] = universe[code].with_name(HOSTILE + " " + (universe[code].name or ""))
    feed.instruments.forget(code)
None"""
CELLS = [
    HOOK,
    'chart = iw.CandleChart("600519.SH")\nchart',
    'book = iw.OrderBook("600519.SH")\nbook',
    'tape = iw.TradeTape("600519.SH")\ntape',
    'board = iw.QuoteBoard(["600519.SH", "000001.SZ", "BTCUSDT"])\nboard',
    'dash = iw.Dashboard("000001.SZ")\ndash',
]
PWN_CHECK = """() => ({
  pwned: window.__pwned ?? null,
  imgs: document.querySelectorAll('img[src="x"]').length,
  svgs: [...document.querySelectorAll('.iw-root svg[onload]')].length,
  scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('__pwned')).length,
  onerror: [...document.querySelectorAll('.iw-root [onerror], .iw-root [onload]')].length,
})"""
TEXT_IN = """(sel) => [...document.querySelectorAll(sel)].map(e => e.textContent).join('\\n')"""


def test_hostile_names_and_messages_render_as_text(lab, page):
    write_notebook(lab["root"] / "xss.ipynb", CELLS)
    open_and_run(page, lab, "xss.ipynb")
    for sel in ROOTS.values():
        page.wait_for_selector(sel, timeout=60_000)
    wait_live(page, ROOTS["board"])
    # names reached every widget that shows one, as literal text
    for kind in ("candle", "book", "tape", "board"):
        page.wait_for_function(
            "(sel) => [...document.querySelectorAll(sel)].some(e => e.textContent.includes('<img src=x onerror='))",
            arg=ROOTS[kind],
            timeout=30_000,
        )
    # a server message through the feed's status, and an error frame from the server
    from tests.browser.conftest import run_in_kernel

    run_in_kernel(
        page,
        "feed._set_status('error', HOSTILE)\n"
        "for c in feed.server.connections():\n"
        "    c.send(json.dumps({'code': 516, 'msg': HOSTILE}))",
    )
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel)].filter(e => e.textContent.includes('<script>window.__pwned')).length >= 4",
        arg=".iw-root",
        timeout=30_000,
    )
    res = page.evaluate(PWN_CHECK)
    assert res == {"pwned": None, "imgs": 0, "svgs": 0, "scripts": 0, "onerror": 0}, res
    text = page.evaluate(TEXT_IN, ".iw-root")
    assert "<img src=x onerror=" in text and "<script>" in text
    run_in_kernel(page, "feed._set_status('simulated', 'simulated market (no API key)')")
