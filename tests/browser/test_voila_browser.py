"""The widgets in Voilà (a notebook presented as an app, as a class would see it): a CandleChart,
an OrderBook and a QuoteBoard on the embedded simulated market render, say simulated and move.
Screenshot to docs/images/voila.png."""

from __future__ import annotations

import sys

import pytest

from .apps import BOARD, app_env, check_app_page, served
from .test_widgets_browser import write_notebook

pytestmark = pytest.mark.browser

CELLS = [
    # a fast market (10x), so prices and bars move within seconds
    "import infoway_widgets as iw\nfeed = iw.connect(speed=10, new=True)",
    'iw.CandleChart("600519.SH", feed=feed)',
    'iw.OrderBook("600519.SH", feed=feed)',
    f"iw.QuoteBoard({BOARD!r}, feed=feed)",
]


def test_voila_serves_live_widgets(browser, tmp_path):
    write_notebook(tmp_path / "nb.ipynb", CELLS)
    argv = [
        sys.executable,
        "-m",
        "voila",
        "--no-browser",
        "--port={port}",
        "--Voila.port_retries=0",
        "--Voila.ip=127.0.0.1",
        "--show_tracebacks=True",
        "nb.ipynb",
    ]
    with served(argv, tmp_path, app_env(tmp_path), tmp_path / "voila.log") as srv:
        # Voilà runs every cell before it finishes the page: wait for the widgets, not "load"
        check_app_page(
            browser, srv["url"] + "/", tmp_path, "voila.png", wait_until="commit", timeout=60_000
        )
