"""The widgets in a real browser: JupyterLab 4 (full checks) and Notebook 7 (smoke), running the
embedded simulated market (``iw.connect()`` without a key).

Every wait is on an attribute the widgets expose (``data-status``, ``data-updates``,
``data-bars``, ``data-rows``, ``data-theme``), never a sleep. Screenshots go to docs/images/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from .conftest import KERNEL_READY, TOKEN, copy_screenshot, run_in_kernel

pytestmark = pytest.mark.browser

BOARD = ["600519.SH", "000001.SZ", "00700.HK", "AAPL.US", "BTCUSDT"]
# no key, no connect(): the widgets start the kernel's shared feed on the embedded simulated market
SETUP = "import infoway_widgets as iw"
CELLS = [
    SETUP,
    'chart = iw.CandleChart("600519.SH")\nchart',
    'book = iw.OrderBook("600519.SH")\nbook',
    'tape = iw.TradeTape("600519.SH")\ntape',
    f"board = iw.QuoteBoard({BOARD!r})\nboard",
    "chart  # a second view of the same widget",
]
ROOTS = {
    "candle": ".iw-root.iw-candle",
    "book": ".iw-root.iw-book",
    "tape": ".iw-root.iw-tape",
    "board": ".iw-root.iw-board",
}

# non-background pixels of every canvas under the first match of a selector
CANVAS_INK = """(sel) => { const root = document.querySelector(sel); if (!root) return -1; let n = 0;
  for (const c of root.querySelectorAll('canvas')) { if (!c.width || !c.height) continue;
    const ctx = c.getContext('2d'); if (!ctx) continue;
    const d = ctx.getImageData(0, 0, c.width, c.height).data; const r0 = d[0], g0 = d[1], b0 = d[2];
    for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && Math.abs(d[i]-r0) + Math.abs(d[i+1]-g0) + Math.abs(d[i+2]-b0) > 40) n++; }
  return n; }"""


def write_notebook(path: Path, cells: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)


def open_and_run(page: Any, srv: dict[str, Any], name: str) -> None:
    path = f"/lab/tree/{name}?reset&" if srv["app"] == "lab" else f"/notebooks/{name}?"
    page.goto(f"{srv['url']}{path}token={TOKEN}")
    page.wait_for_function(KERNEL_READY, timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


#: a test waiting for a widget looks at it, as its reader would: a view off screen draws nothing
#: and its widget stops sending (it says so in data-on-screen), so the wait scrolls it into view
LOOK = (
    "(e) => { if (e && e.dataset.onScreen === '0') e.scrollIntoView({block: 'center'}); return e; }"
)


def attr(page: Any, sel: str, name: str, nth: int = 0) -> str | None:
    return page.evaluate(
        "([s, a, i]) => document.querySelectorAll(s)[i]?.getAttribute(a) ?? null", [sel, name, nth]
    )


def wait_attr_at_least(
    page: Any, sel: str, name: str, value: float, timeout: int = 45_000, nth: int = 0
) -> None:
    try:
        page.wait_for_function(
            f"([s, a, v, i]) => {{ const e = ({LOOK})(document.querySelectorAll(s)[i]); return !!e && Number(e.getAttribute(a)) >= v; }}",
            arg=[sel, name, value, nth],
            timeout=timeout,
        )
    except Exception:
        data = page.evaluate(
            "([s, i]) => JSON.stringify(document.querySelectorAll(s)[i]?.dataset)", [sel, nth]
        )
        raise AssertionError(f"{sel} never had {name} >= {value}: {data}") from None


def wait_ink(page: Any, sel: str, pixels: int, timeout: int = 30_000) -> None:
    """Wait until the canvases under ``sel`` have more than ``pixels`` non-background pixels."""
    try:
        page.wait_for_function(
            f"() => ({LOOK})(document.querySelector({sel!r})) && ({CANVAS_INK})({sel!r}) > {pixels}",
            timeout=timeout,
        )
    except Exception:
        raise AssertionError(f"{sel}: only {page.evaluate(CANVAS_INK, sel)} pixels drawn") from None


def wait_live(page: Any, sel: str, timeout: int = 60_000) -> None:
    """The view's update count rises: live frames arrive."""
    before = int(attr(page, sel, "data-updates") or 0)
    wait_attr_at_least(page, sel, "data-updates", before + 2, timeout=timeout)


def wait_rendered(page: Any) -> None:
    """Every widget of ``CELLS``-like notebooks says simulated and holds its data: the chart 100
    bars or more, the book ten levels, the board a row per symbol, the tape a trade."""
    for sel in ROOTS.values():
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)
    wait_attr_at_least(page, ROOTS["book"], "data-levels", 10)
    wait_attr_at_least(page, ROOTS["board"], "data-rows", len(BOARD))
    wait_attr_at_least(page, ROOTS["tape"], "data-rows", 1)


def test_lab_widgets_render_update_theme_views_and_export(lab, page, export_assets, tmp_path):
    write_notebook(lab["root"] / "widgets.ipynb", CELLS)
    open_and_run(page, lab, "widgets.ipynb")

    # render, with the simulated market's status on every badge
    wait_rendered(page)
    assert page.locator(f"{ROOTS['book']} tr.iw-level").count() == 10
    assert page.locator(f"{ROOTS['board']} tr.iw-quote").count() == len(BOARD)
    assert page.locator(f"{ROOTS['candle']} .iw-badge").first.inner_text() == "Simulated"
    # the chart's canvas is drawn (candles, volume, lines), and sparklines too
    wait_ink(page, ROOTS["candle"], 3000)
    wait_ink(page, ROOTS["board"], 100 * len(BOARD))  # a sparkline per row
    # TradingView attribution stays on
    assert page.locator(f"{ROOTS['candle']} a[href*='tradingview']").count() >= 1

    # live updates
    for kind in ("candle", "tape", "board"):
        wait_live(page, ROOTS[kind])

    # a second view of the same chart shows the same state
    assert page.locator(ROOTS["candle"]).count() == 2
    page.wait_for_function(
        """(s) => { const [a, b] = document.querySelectorAll(s);
           return a && b && a.dataset.bars === b.dataset.bars && a.dataset.seq === b.dataset.seq
             && a.querySelector('.iw-legend').textContent === b.querySelector('.iw-legend').textContent; }""",
        arg=ROOTS["candle"],
        timeout=30_000,
    )

    # screenshots (light)
    for kind, sel in ROOTS.items():
        shot = tmp_path / f"{kind}.png"
        page.locator(sel).first.screenshot(path=str(shot))
        copy_screenshot(shot, f"{kind}.png")

    # scroll back: dragging the chart right pages older bars in from the feed, while live bars go on
    bars0 = int(attr(page, ROOTS["candle"], "data-bars") or 0)
    loads0 = int(attr(page, ROOTS["candle"], "data-load-requests") or 0)
    chart_area = page.locator(f"{ROOTS['candle']} .iw-chart").first
    chart_area.scroll_into_view_if_needed()
    box = chart_area.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.4
    for _ in range(20):  # each drag scrolls ~130 bars back; stop once older bars came in
        page.mouse.move(box["x"] + 60, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 120, y, steps=8)
        page.mouse.up()
        if int(attr(page, ROOTS["candle"], "data-load-requests") or 0) > loads0:
            break
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", bars0 + 100, timeout=30_000)
    wait_live(page, ROOTS["candle"])

    # the chart's interval switch refetches, in every view of it
    page.locator(f'{ROOTS["candle"]} button[data-interval="15m"]').first.click()
    page.wait_for_function(
        "(s) => [...document.querySelectorAll(s)].every(e => e.dataset.interval === '15m')",
        arg=ROOTS["candle"],
        timeout=20_000,
    )
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 50)
    run_in_kernel(page, "assert chart.interval == '15m', chart.interval\nchart.interval = '1m'")
    page.wait_for_selector(f'{ROOTS["candle"]}[data-interval="1m"]', timeout=20_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)

    # depth view of the book draws
    run_in_kernel(page, "book.view = 'depth'")
    page.wait_for_selector(f'{ROOTS["book"]}[data-view="depth"]', timeout=10_000)
    wait_ink(page, ROOTS["book"], 500)
    shot = tmp_path / "book-depth.png"
    page.locator(ROOTS["book"]).first.screenshot(path=str(shot))
    copy_screenshot(shot, "book-depth.png")
    run_in_kernel(page, "book.view = 'ladder'")

    # zh locale: 买一…卖五 and 万/亿
    run_in_kernel(page, "book.locale = 'zh'; board.locale = 'zh'")
    page.wait_for_function(
        f"() => document.querySelector('{ROOTS['book']}').textContent.includes('买一')",
        timeout=10_000,
    )
    assert "卖五" in page.locator(ROOTS["book"]).inner_text()
    page.locator(ROOTS["board"]).first.scroll_into_view_if_needed()  # drawn where it is seen
    page.wait_for_function(
        f"() => /[万亿]/.test(document.querySelector('{ROOTS['board']}').textContent)",
        timeout=10_000,
    )
    run_in_kernel(page, "book.locale = 'en'; board.locale = 'en'")

    # dark theme follows JupyterLab
    page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    for sel in ROOTS.values():
        page.wait_for_selector(f'{sel}[data-theme="dark"]', timeout=20_000)
    bg = page.evaluate(
        f"() => getComputedStyle(document.querySelector('{ROOTS['book']}')).backgroundColor"
    )
    rgb = [int(x) for x in re.findall(r"\d+", bg)[:3]]
    assert sum(rgb) < 200, bg
    for kind in ("candle", "board"):
        shot = tmp_path / f"{kind}-dark.png"
        page.locator(ROOTS[kind]).first.screenshot(path=str(shot))
        copy_screenshot(shot, f"{kind}-dark.png")
    page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})"
    )
    page.wait_for_selector(f'{ROOTS["candle"]}[data-theme="light"]', timeout=20_000)

    # HTML export of the run notebook, opened with the kernel gone
    out = tmp_path / "export.html"
    run_in_kernel(
        page,
        f"from ipywidgets.embed import embed_minimal_html\n"
        f"embed_minimal_html({str(out)!r}, views=[chart, book, tape, board], title='export')",
    )
    bars_live = int(attr(page, ROOTS["candle"], "data-bars") or 0)
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.shutdown()")
    page.wait_for_function(
        """() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;
                                     return !k || k.status === 'dead' || k.isDisposed; }""",
        timeout=30_000,
    )
    html = out.read_text()
    assert "iw-browser-test" not in html and "api_key" not in html
    check_export(page.context.new_page(), html, export_assets, tmp_path, bars_live)


def open_offline(page: Any, html: str, assets: dict[str, Path]) -> list[str]:
    """Open a page of saved widget state (an export) with no kernel and no network; returns the
    list its page errors go to."""
    # this machine cannot reach the CDNs the export names: answer those requests from npm packages
    # (and drop the SRI hash of require.min.js, whose unminified twin is what npm ships)
    html = re.sub(r'\s+integrity="[^"]*"', "", html)
    page.route("http://export.test/", lambda r: r.fulfill(body=html, content_type="text/html"))
    page.route(
        re.compile(r".*require(\.min)?\.js$"),
        lambda r: r.fulfill(path=str(assets["require"]), content_type="text/javascript"),
    )
    page.route(
        re.compile(r".*html-manager.*embed-amd\.js$"),
        lambda r: r.fulfill(path=str(assets["html-manager"]), content_type="text/javascript"),
    )
    page.route(
        re.compile(r".*/npm/anywidget@.*"),
        lambda r: r.fulfill(path=str(assets["anywidget"]), content_type="text/javascript"),
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("http://export.test/")
    return errors


def check_export(
    page: Any, html: str, assets: dict[str, Path], tmp_path: Path, bars_live: int
) -> None:
    errors = open_offline(page, html, assets)
    for sel in ROOTS.values():
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=30_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", min(100, bars_live))
    wait_attr_at_least(page, ROOTS["book"], "data-levels", 10)
    wait_attr_at_least(page, ROOTS["board"], "data-rows", len(BOARD))
    wait_attr_at_least(page, ROOTS["tape"], "data-rows", 1)
    wait_ink(page, ROOTS["candle"], 3000)
    # no kernel was ever behind these views: every badge says saved state
    for sel in ROOTS.values():
        page.wait_for_selector(f'{sel}[data-link="saved"] .iw-badge[data-status="saved"]')
    shot = tmp_path / "export.png"
    page.screenshot(path=str(shot), full_page=True)
    copy_screenshot(shot, "export.png")
    assert not errors, errors
    page.close()


def test_lab_dashboard(lab, page, tmp_path):
    write_notebook(
        lab["root"] / "dashboard.ipynb",
        [
            SETUP,
            'dash = iw.Dashboard(["600519.SH", "00700.HK", "AAPL.US", "BTCUSDT"])\ndash',
        ],
    )
    open_and_run(page, lab, "dashboard.ipynb")
    for sel in ROOTS.values():
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)
    wait_attr_at_least(page, ROOTS["board"], "data-rows", 4)
    # a click on a board row points chart, book and tape at that symbol
    page.locator(f'{ROOTS["board"]} tr.iw-quote[data-symbol="00700.HK"]').click()
    for kind in ("candle", "book", "tape"):
        page.wait_for_selector(f'{ROOTS[kind]}[data-symbol="00700.HK"]', timeout=20_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)
    # the interval toggle refetches the chart's bars
    page.locator('.iw-dashboard .widget-toggle-button[data-value="5m"]').click()
    page.wait_for_selector(f'{ROOTS["candle"]}[data-interval="5m"]', timeout=20_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 50)
    wait_live(page, ROOTS["tape"])
    shot = tmp_path / "dashboard.png"
    page.locator(".iw-dashboard").first.screenshot(path=str(shot))
    copy_screenshot(shot, "dashboard.png")


def test_notebook7_widgets_render_and_update(nb7, page):
    write_notebook(nb7["root"] / "widgets.ipynb", CELLS[:5])
    open_and_run(page, nb7, "widgets.ipynb")
    for sel in ROOTS.values():
        page.wait_for_selector(f'{sel}[data-status="simulated"]', timeout=60_000)
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)
    wait_attr_at_least(page, ROOTS["board"], "data-rows", len(BOARD))
    wait_ink(page, ROOTS["candle"], 3000)
    wait_live(page, ROOTS["candle"])
