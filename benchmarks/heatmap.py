"""DepthHeatmap in a real browser: JupyterLab 4 in Debian chromium, via the browser-test fixtures'
server helpers (tests/browser/conftest.py).

A ``DepthHeatmap`` of a scripted 20-level book (tests/widgets/scripted_book.py) on a detached feed,
with a 30-minute window (600 bins of 3 s):

* **an hour of updates**, simulated at speed: a kernel task ingests one depth snapshot and one
  trade per update, one second of exchange time apart, and flushes the widget after each (one
  frame per update): 3 600 updates cover the hour (every 3-s bin gets three), sent as fast as the
  kernel can;
* **JS heap** after that hour (``performance.memory.usedJSHeapSize``, after a forced GC where the
  page allows it), next to the heap before the first update;
* **bytes per update**: every byte of each delta (JSON header + buffers), mean and max;
* **fps at 20 Hz**: then a task pushes an update every 50 ms for ``--seconds`` with the window full;
  the page counts ``requestAnimationFrame`` callbacks (the view draws on each one while live).

    python benchmarks/heatmap.py           # table
    python benchmarks/heatmap.py --json    # for run_all.py

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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SETUP = r"""
import asyncio, json
import infoway_widgets as iw
from tests.widgets.scripted_book import ScriptedBook
feed = iw.Feed.detached()
book = ScriptedBook("BTCUSDT", levels=20)
heat = iw.DepthHeatmap("BTCUSDT", window="30m", feed=feed)
sizes = []
_send = heat.send
def _counted(content, buffers=None):
    if isinstance(content, dict) and content.get("kind") == "heatmap" and not content.get("reset"):
        sizes.append(len(json.dumps(content)) + sum(len(b) for b in (buffers or [])))
    return _send(content, buffers)
heat.send = _counted
T0 = 1_790_000_000_000
state = {}
state["t"] = T0
async def hour(n, out):
    for k in range(n):
        state["t"] += 1000
        feed.ingest(book.frames(state["t"]))
        heat._flush()
        if k % 200 == 0:
            await asyncio.sleep(0)
    with open(out, "w") as fh:
        json.dump({"n": len(sizes), "mean": sum(sizes) / max(1, len(sizes)), "max": max(sizes or [0])}, fh)
async def live(seconds, hz):
    for _ in range(int(seconds * hz)):
        state["t"] += 50
        feed.ingest(book.frames(state["t"]))
        await asyncio.sleep(1 / hz)
"""

HEAP = """async () => { if (window.gc) { window.gc(); await new Promise(r => setTimeout(r, 200)); window.gc(); }
  return performance.memory ? performance.memory.usedJSHeapSize : null; }"""

OBSERVE = """(seconds) => new Promise((resolve) => {
  let frames = 0; const t0 = performance.now(); let done = false;
  const tick = () => { if (done) return; frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  setTimeout(() => { done = true; const r = document.querySelector('.iw-root.iw-heatmap').dataset;
    resolve({ frames, ms: performance.now() - t0, draws: Number(r.draws), bins: Number(r.bins),
      drawMs: Number(r.drawMs) }); }, seconds * 1000);
})"""


def measure(updates: int, seconds: float, hz: int) -> dict[str, Any]:
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
                args = [*CHROME_ARGS, "--js-flags=--expose-gc", "--enable-precise-memory-info"]
                b = p.chromium.launch(executable_path=CHROMIUM, args=args)
                ctx = b.new_context(viewport={"width": 1400, "height": 1000})
                page = ctx.new_page()
                write_notebook(srv["root"] / "heatmap.ipynb", ["heat"])
                page.goto(f"{srv['url']}/lab/tree/heatmap.ipynb?reset&token={TOKEN}")
                page.wait_for_function(KERNEL_READY, timeout=60_000)
                run_in_kernel(page, SETUP)
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_selector(".iw-root.iw-heatmap[data-ready]", timeout=60_000)
                heap0 = page.evaluate(HEAP)
                # the page's own frame rate with the widget shown and idle (the ceiling here)
                idle = page.evaluate(OBSERVE, 3)
                out = srv["root"] / "sizes.json"
                t0 = time.monotonic()
                run_in_kernel(page, f"_h = asyncio.ensure_future(hour({updates}, {str(out)!r}))")
                deadline = time.monotonic() + 900
                while not out.exists() and time.monotonic() < deadline:
                    time.sleep(0.5)
                page.wait_for_function(
                    "(n) => Number(document.querySelector('.iw-root.iw-heatmap').dataset.updates) >= n",
                    arg=updates,
                    timeout=300_000,
                )
                hour_s = time.monotonic() - t0
                heap1 = page.evaluate(HEAP)
                run_in_kernel(page, f"_l = asyncio.ensure_future(live({seconds + 1}, {hz}))")
                res = page.evaluate(OBSERVE, seconds)
                sizes = json.loads(out.read_text()) if out.exists() else {}
                ctx.close()
                b.close()
        finally:
            _stop_server(srv)
    return {
        "levels": 20,
        "window": "30m",
        "hour_updates": updates,
        "hour_seconds": hour_s,
        "heap_before_mb": heap0 / 1e6 if heap0 else None,
        "heap_after_hour_mb": heap1 / 1e6 if heap1 else None,
        "bytes_per_update_mean": sizes.get("mean"),
        "bytes_per_update_max": sizes.get("max"),
        "fps_at_20hz": res["frames"] / (res["ms"] / 1000),
        "fps_idle_page": idle["frames"] / (idle["ms"] / 1000),
        "draw_ms": res["drawMs"],
        "draws": res["draws"],
        "bins_held": res["bins"],
        "seconds": seconds,
        "hz": hz,
    }


def markdown(r: dict[str, Any]) -> str:
    def mb(x: float | None) -> str:
        return "—" if x is None else f"{x:.1f} MB"

    return (
        "| DepthHeatmap (20 levels, 30-minute window) | value |\n|---|---:|\n"
        f"| fps while updating at {r['hz']} Hz (window full: {r['bins_held']} bins) | {r['fps_at_20hz']:.0f} |\n"
        f"| the same page's fps before any data (its ceiling on this machine) | {r['fps_idle_page']:.0f} |\n"
        f"| main-thread ms per heatmap draw | {r['draw_ms']:.2f} |\n"
        f"| bytes per update on the comm, mean / max | {r['bytes_per_update_mean']:,.0f} / "
        f"{r['bytes_per_update_max']:,} B |\n"
        f"| JS heap before / after an hour of updates ({r['hour_updates']:,}, sent in "
        f"{r['hour_seconds']:.0f} s) | {mb(r['heap_before_mb'])} / {mb(r['heap_after_hour_mb'])} |\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--updates", type=int, default=3_600, help="updates of the simulated hour")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--hz", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not Path("/usr/bin/chromium").exists():
        print("needs /usr/bin/chromium", file=sys.stderr)
        return 2
    r = measure(a.updates, a.seconds, a.hz)
    md = markdown(r)
    print(json.dumps({"rows": [r], "markdown": md}, indent=2) if a.json else md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
