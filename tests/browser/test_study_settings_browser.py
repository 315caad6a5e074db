"""A study's settings from the chart's legend in a real JupyterLab + chromium: the MACD's ⚙ opens
a popover, fast = 5 and Enter set the kernel's ``chart.studies`` and the legend reads
MACD(5,26,9); a value the study refuses leaves both as they were and says why on the chart; the
"+" menu adds a study and × removes it with its pane; dark theme; an HTML export shows no tools.

Waits are on what the chart exposes (``data-panes``, ``data-studies``, the legend's label, the
popover's ``data-study-popover``)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import copy_screenshot, run_in_kernel
from .test_export_browser import offline
from .test_widgets_browser import attr, open_and_run, wait_attr_at_least, write_notebook

pytestmark = pytest.mark.browser

ROOT = ".iw-root.iw-candle"
CELLS = [
    "import infoway_widgets as iw",
    'chart = iw.CandleChart("600519.SH", studies=["macd"], height=360)\nchart',
]
GEAR = f'{ROOT} [data-study-settings="macd"]'
POPOVER = f'{ROOT} [data-study-popover="macd"]'
LABEL = "(s) => document.querySelector(s)?.querySelector('.iw-study[data-study=macd] > span')?.textContent ?? ''"


def wait_label(page: Any, text: str) -> None:
    page.wait_for_function(f"(s) => ({LABEL})(s) === {text!r}", arg=ROOT, timeout=30_000)


def wait_studies(page: Any, value: str) -> None:
    page.wait_for_function(
        "([s, v]) => document.querySelector(s)?.dataset.studies === v",
        arg=[ROOT, value],
        timeout=30_000,
    )


def test_a_studys_settings_from_the_legend(lab, page, tmp_path):
    write_notebook(lab["root"] / "settings.ipynb", CELLS)
    open_and_run(page, lab, "settings.ipynb")
    page.wait_for_selector(f'{ROOT}[data-status="simulated"][data-studies="macd"]', timeout=90_000)
    wait_attr_at_least(page, ROOT, "data-bars", 100)
    wait_label(page, "MACD(12,26,9)")
    assert attr(page, ROOT, "data-panes") == "3"

    # ⚙ opens the popover with the parameters; fast = 5, Enter
    page.locator(GEAR).click()
    page.wait_for_selector(POPOVER, timeout=10_000)
    pop = page.locator(POPOVER)
    assert [pop.get_by_label(n).input_value() for n in ("fast", "slow", "signal")] == [
        "12",
        "26",
        "9",
    ]
    fast = pop.get_by_label("fast")
    assert fast.evaluate("(e) => e === document.activeElement")
    fast.fill("5")
    shot = tmp_path / "study-settings.png"
    page.locator(ROOT).screenshot(path=str(shot))
    copy_screenshot(shot, "study-settings.png")
    fast.press("Enter")
    page.wait_for_selector(POPOVER, state="detached", timeout=10_000)
    wait_label(page, "MACD(5,26,9)")
    run_in_kernel(
        page,
        'assert chart.studies == [{"name": "macd", "fast": 5, "slow": 26, "signal": 9}], '
        "chart.studies",
    )

    # a value the study refuses: the kernel keeps MACD(5,26,9), the page says why and snaps back
    page.locator(GEAR).click()
    page.locator(POPOVER).get_by_label("fast").fill("30")
    page.locator(POPOVER).get_by_label("fast").press("Enter")
    refused = page.locator(f"{ROOT} .iw-study[data-study=macd] [data-study-refused]")
    refused.wait_for(timeout=20_000)
    assert "fast=30 must be shorter than slow=26" in refused.inner_text()
    run_in_kernel(page, 'assert chart.studies[0]["fast"] == 5, chart.studies')
    assert page.evaluate(LABEL, ROOT) == "MACD(5,26,9)"
    page.locator(GEAR).click()  # the page's model is back on the kernel's value
    assert page.locator(POPOVER).get_by_label("fast").input_value() == "5"
    page.locator(POPOVER).get_by_label("fast").press("Escape")
    page.wait_for_selector(POPOVER, state="detached", timeout=10_000)

    # "+" adds a built-in not shown; the refusal is gone once a change lands
    page.locator(f"{ROOT} [data-study-add]").click()
    page.locator(f'{ROOT} [data-study-add-item="kdj"]').click()
    wait_studies(page, "macd,kdj")
    wait_attr_at_least(page, ROOT, "data-panes", 4)
    assert refused.count() == 0
    run_in_kernel(page, 'assert chart.studies == [chart.studies[0], "kdj"], chart.studies')

    # × removes a study and its pane
    page.locator(f'{ROOT} [data-study-remove="kdj"]').click()
    wait_studies(page, "macd")
    page.wait_for_function(
        "(s) => document.querySelector(s)?.dataset.panes === '3'", arg=ROOT, timeout=20_000
    )
    page.locator(f'{ROOT} [data-study-remove="macd"]').click()
    wait_studies(page, "")
    page.wait_for_function(
        "(s) => document.querySelector(s)?.dataset.panes === '2'", arg=ROOT, timeout=20_000
    )
    run_in_kernel(page, "assert chart.studies == [], chart.studies")

    # dark: the popover takes the chart's palette
    run_in_kernel(page, 'chart.studies = ["boll"]\nchart.theme = "dark"')
    page.wait_for_selector(f'{ROOT}[data-theme="dark"][data-studies="boll"]', timeout=20_000)
    page.locator(f'{ROOT} [data-study-settings="boll"]').click()
    colors = page.evaluate(
        """(s) => { const r = document.querySelector(s); const p = r.querySelector('[data-study-popover=boll]');
        const i = p.querySelector('input'); const c = (e, k) => getComputedStyle(e)[k];
        return { pop: c(p, 'backgroundColor'), fg: c(p, 'color'), input: c(i, 'backgroundColor'),
          panel: r.style.getPropertyValue('--iw-panel'), bg: r.style.getPropertyValue('--iw-bg') }; }""",
        ROOT,
    )
    assert colors["pop"] == "rgb(28, 33, 40)" and colors["panel"] == "#1c2128", colors
    assert colors["input"] == "rgb(17, 20, 24)" and colors["fg"] == "rgb(230, 237, 243)", colors
    page.locator(ROOT).screenshot(path=str(tmp_path / "study-settings-dark.png"))
    page.keyboard.press("Escape")
    page.wait_for_selector(f'{ROOT} [data-study-popover="boll"]', state="detached")

    # an HTML export has no kernel: no tools to click
    run_in_kernel(page, 'chart.theme = "light"\niw.export_html("settings.html", chart)')
    offline(page)
    page.goto((lab["root"] / "settings.html").as_uri())
    saved = f'{ROOT}[data-status="saved"]'
    page.wait_for_selector(saved, timeout=30_000)
    page.wait_for_selector(f"{saved} .iw-study[data-study=boll]", timeout=30_000)
    assert page.locator(f"{saved} [data-study-settings]").count() == 1  # built, but hidden
    assert not page.locator(f"{saved} [data-study-settings]").is_visible()
    assert not page.locator(f"{saved} [data-study-add]").is_visible()
