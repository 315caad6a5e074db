"""Rendering in a real browser: JupyterLab 4 in Debian chromium, via the browser-test
fixtures' server helpers (tests/browser/conftest.py).

A ``CandleChart`` on a detached feed holding 100 000 one-minute bars (the view keeps its window of
``max_bars``, by design: shared/frontend-facts.md), plain and with four study panes (MACD, KDJ,
RSI, DMI: their values travel in the same frames, computed in Python):

* **first render**: from the display cell's execution request to the chart holding its window
  (``data-bars``) and two animation frames later (the chart library paints on its own frame);
* **fps while updating at 20 Hz**: a kernel task ingests one trade every 50 ms for ``--seconds``;
  the page counts ``requestAnimationFrame`` callbacks over the same window;
* **tick-to-pixel latency**: each trade is stamped in Python (``time.time()``) when ingested; the
  widget's frame carrying it is matched by ``seq``; the page stamps (``performance.timeOrigin +
  performance.now()``) the second animation frame after that frame was applied. p50 / p99.

    python benchmarks/render.py           # table
    python benchmarks/render.py --json    # for run_all.py

Headless chromium with software rendering on a shared machine: compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SETUP = r"""
import asyncio, json, time
import numpy as np, orjson
import infoway_widgets as iw
from infoway_widgets.feed.feed import Feed
N = {n}
feed = Feed.detached()
st = feed.bar_store("BTCUSDT", "1m")
rng = np.random.default_rng(1)
T_END = 1_795_570_200_000
t = T_END - (np.arange(N)[::-1] + 1) * 60_000
c = 100 + np.cumsum(rng.normal(0, 0.1, N)); o = np.r_[c[0], c[:-1]]
h = np.maximum(o, c) + 0.03; l = np.minimum(o, c) - 0.03; v = rng.uniform(1, 100, N)
flags = np.ones(N, bool); flags[-1] = False
feed.apply_bar_rows(st, np.column_stack([t, o, h, l, c, v, v * c]), flags)
chart = iw.CandleChart("BTCUSDT", "1m", feed=feed, history=N, studies={studies!r})
pending, sent = [], {{}}
_send = chart.send
def _stamped(content, buffers=None):
    if isinstance(content, dict) and content.get("kind") == "bars" and pending:
        sent[int(content["seq"])] = pending[0]
        pending.clear()
    return _send(content, buffers)
chart.send = _stamped
async def drive(seconds, hz, out):
    bar_t, price = int(t[-1]), float(c[-1])
    for k in range(int(seconds * hz)):
        price = round(price + float(rng.normal(0, 0.05)), 2)
        if k and k % hz == 0:
            bar_t += 60_000
        pending.append(time.time() * 1000)
        feed.ingest([orjson.dumps({{"code": 10002, "data": {{"s": "BTCUSDT", "t": bar_t + 1000 + k,
                                                           "p": f"{{price:.2f}}", "v": "1", "td": 1}}}})])
        await asyncio.sleep(1 / hz)
    await asyncio.sleep(0.5)
    with open(out, "w") as fh:
        json.dump(sent, fh)
"""

OBSERVE = """(seconds) => {
  const root = document.querySelector('.iw-root.iw-candle');
  const B = window.__bench = { frames: 0, paints: [], done: false, t0: performance.now() };
  const now = () => performance.timeOrigin + performance.now();
  const tick = () => { if (B.done) return; B.frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const mo = new MutationObserver(() => {
    const seq = Number(root.dataset.seq);
    requestAnimationFrame(() => requestAnimationFrame(() => B.paints.push([seq, now()])));
  });
  mo.observe(root, { attributes: true, attributeFilter: ['data-seq'] });
  setTimeout(() => { B.done = true; B.t1 = performance.now(); mo.disconnect(); }, seconds * 1000);
}"""


#: the studies of the analysis row: four panes of their own below the volume pane
STUDY_PANES = ("macd", "kdj", "rsi", "dmi")


def measure(n: int, seconds: float, hz: int, studies: tuple[str, ...] = ()) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import (
        CHROME_ARGS,
        CHROMIUM,
        KERNEL_READY,
        TOKEN,
        _start_server,
        _stop_server,
        run_in_kernel,
    )
    from tests.browser.test_widgets_browser import write_notebook

    with tempfile.TemporaryDirectory() as tmp:
        srv = _start_server("lab", Path(tmp))
        try:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
                ctx = b.new_context(viewport={"width": 1400, "height": 1000})
                page = ctx.new_page()
                write_notebook(srv["root"] / "render.ipynb", ["chart"])
                page.goto(f"{srv['url']}/lab/tree/render.ipynb?reset&token={TOKEN}")
                page.wait_for_function(KERNEL_READY, timeout=60_000)
                run_in_kernel(page, SETUP.format(n=n, studies=list(studies)))
                window = min(n, _default_window())
                t0 = page.evaluate("() => performance.timeOrigin + performance.now()")
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_function(
                    "(w) => { const e = document.querySelector('.iw-root.iw-candle'); return !!e && Number(e.dataset.bars) >= w; }",
                    arg=window,
                    timeout=120_000,
                )
                t1 = page.evaluate("""() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(
                    () => r(performance.timeOrigin + performance.now()))))""")
                first_render_ms = t1 - t0
                page.evaluate(OBSERVE, seconds + 0.5)
                out = srv["root"] / "sent.json"
                run_in_kernel(
                    page, f"_drive = asyncio.ensure_future(drive({seconds}, {hz}, {str(out)!r}))"
                )
                page.wait_for_function(
                    "() => window.__bench.done", timeout=int(seconds * 1000) + 60_000
                )
                res = page.evaluate(
                    "() => ({frames: window.__bench.frames, ms: window.__bench.t1 - window.__bench.t0, paints: window.__bench.paints})"
                )
                deadline = time.monotonic() + 30
                while not out.exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
                sent = (
                    {int(k): v for k, v in json.loads(out.read_text()).items()}
                    if out.exists()
                    else {}
                )
                ctx.close()
                b.close()
        finally:
            _stop_server(srv)
    lat = []
    seen = set()
    for seq, t_paint in res["paints"]:
        if seq in sent and seq not in seen:
            seen.add(seq)
            lat.append(t_paint - sent[seq])
    fps = res["frames"] / (res["ms"] / 1000)
    return {
        "bars": n,
        "studies": list(studies),
        "view_bars": window,
        "first_render_ms": first_render_ms,
        "fps_at_20hz": fps,
        "latency_ms_p50": float(np.percentile(lat, 50)) if lat else None,
        "latency_ms_p99": float(np.percentile(lat, 99)) if lat else None,
        "latency_samples": len(lat),
        "frames_applied": len(res["paints"]),
        "updates_sent": len(sent),
        "seconds": seconds,
        "hz": hz,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    def f(x: float | None) -> str:
        return "—" if x is None else f"{x:,.0f}"

    out = [
        "| CandleChart: bars in the feed (in the view) | first render (display request → window drawn) | "
        "fps while updating at 20 Hz | tick-to-pixel latency p50 / p99 |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        panes = f", {len(r['studies'])} study panes" if r.get("studies") else ""
        out.append(
            f"| {r['bars']:,} ({r['view_bars']:,}){panes} | {f(r['first_render_ms'])} ms | {r['fps_at_20hz']:.0f} | "
            f"{f(r['latency_ms_p50'])} / {f(r['latency_ms_p99'])} ms ({r['latency_samples']} samples) |"
        )
    return "\n".join(out) + "\n"


def _default_window() -> int:
    from infoway_widgets.widgets.candle import CandleChart

    return int(CandleChart.max_bars.default_value)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bars", default="1000,100000", help="comma-separated chart sizes")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--hz", type=int, default=20)
    ap.add_argument(
        "--study-bars", default="100000", help="sizes measured with four study panes too ('' none)"
    )
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not Path("/usr/bin/chromium").exists():
        print("needs /usr/bin/chromium", file=sys.stderr)
        return 2
    rows = [measure(int(n), a.seconds, a.hz) for n in a.bars.split(",") if n]
    rows += [measure(int(n), a.seconds, a.hz, STUDY_PANES) for n in a.study_bars.split(",") if n]
    md = markdown(rows)
    print(json.dumps({"rows": rows, "markdown": md}, indent=2) if a.json else md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
