"""The widgets in JupyterLab with their frames as binary buffers and, as where a front-end drops
them (Colab), base64 in the JSON (``INFOWAY_WIDGETS_BUFFERS=0``): the same pictures, live."""

from __future__ import annotations

import pytest

from .conftest import run_in_kernel
from .test_widgets_browser import (
    BOARD,
    ROOTS,
    SETUP,
    open_and_run,
    wait_ink,
    wait_live,
    wait_rendered,
    write_notebook,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("buffers", ["0", "1"])
def test_lab_widgets_with_and_without_binary_buffers(lab, page, tmp_path, buffers):
    name = f"buffers{buffers}.ipynb"
    write_notebook(
        lab["root"] / name,
        [
            f"import os\nos.environ['INFOWAY_WIDGETS_BUFFERS'] = {buffers!r}",
            SETUP,
            'chart = iw.CandleChart("600519.SH")\nchart',
            'book = iw.OrderBook("600519.SH")\nbook',
            'tape = iw.TradeTape("600519.SH")\ntape',
            f"board = iw.QuoteBoard({BOARD!r})\nboard",
        ],
    )
    open_and_run(page, lab, name)
    wait_rendered(page)
    wait_ink(page, ROOTS["candle"], 3000)
    wait_ink(page, ROOTS["board"], 100 * len(BOARD))
    for kind in ("candle", "tape", "board"):
        wait_live(page, ROOTS[kind])
    # every frame went the asked way, and Lab's answer to the probe said buffers reach it
    base64 = buffers == "0"
    run_in_kernel(
        page,
        "for w in (chart, book, tape, board):\n"
        f"    assert w.frames_base64 is {base64}, (w, w.frames_base64)\n"
        "    assert w._buffers_reported is True, (w, w._buffers_reported)\n"
        "    assert w.frames_sent > 1, w",
    )
    page.screenshot(path=str(tmp_path / f"buffers{buffers}.png"), full_page=True)
