"""The widgets in a marimo app (``mo.ui.anywidget(...)``, served by ``marimo run``): a CandleChart,
an OrderBook and a QuoteBoard on the embedded simulated market render, say simulated and move.
marimo draws each widget inside a shadow root, so the checks query through shadow roots.
Screenshot to docs/images/marimo.png."""

from __future__ import annotations

import sys

import pytest

from .apps import BOARD, app_env, check_app_page, served

pytestmark = pytest.mark.browser

APP = f"""import marimo

app = marimo.App(width="full")


@app.cell
def _():
    import marimo as mo

    import infoway_widgets as iw

    # a fast market (10x), so prices and bars move within seconds
    feed = iw.connect(speed=10, new=True)
    return feed, iw, mo


@app.cell
def _(feed, iw, mo):
    chart = mo.ui.anywidget(iw.CandleChart("600519.SH", feed=feed))
    chart
    return


@app.cell
def _(feed, iw, mo):
    book = mo.ui.anywidget(iw.OrderBook("600519.SH", feed=feed))
    book
    return


@app.cell
def _(feed, iw, mo):
    board = mo.ui.anywidget(iw.QuoteBoard({BOARD!r}, feed=feed))
    board
    return


if __name__ == "__main__":
    app.run()
"""


def test_marimo_runs_live_widgets(browser, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    argv = [
        sys.executable,
        "-m",
        "marimo",
        "run",
        "app.py",
        "--headless",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--no-token",
        "--no-sandbox",
    ]
    with served(argv, tmp_path, app_env(tmp_path), tmp_path / "marimo.log") as srv:
        check_app_page(browser, srv["url"] + "/", tmp_path, "marimo.png")
