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
* **bytes per update**: every byte of each delta (JSON header + buffers), mean and max; and
  everything the widget put on its comm during the hour (frames, trait updates, the saved
  state: each message's data and buffers, not Jupyter's envelope) divided by the updates;
* **fps at 20 Hz**: then a task pushes an update every 50 ms for ``--seconds`` with the window full;
  the page counts ``requestAnimationFrame`` callbacks; beside it the heatmap's own main-thread ms
  per draw and per update, the page's scripting ms (CDP ``Performance.getMetrics``) per update
  and per frame, and how often the plot layer was painted whole (``--profile``: the functions
  with the most self time, from a CDP CPU profile).

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
# everything the widget puts on its comm (frames, trait updates, the saved state): data + buffers
comm = {"bytes": 0, "msgs": 0}
_comm_send = heat.comm.send
def _comm_counted(data=None, metadata=None, buffers=None):
    comm["bytes"] += len(json.dumps(data, default=str)) + sum(memoryview(b).nbytes for b in (buffers or []))
    comm["msgs"] += 1
    return _comm_send(data=data, metadata=metadata, buffers=buffers)
heat.comm.send = _comm_counted
T0 = 1_790_000_000_000
state = {}
state["t"] = T0
async def hour(n, out):
    comm["bytes"] = comm["msgs"] = 0
    for k in range(n):
        state["t"] += 1000
        feed.ingest(book.frames(state["t"]))
        heat._flush()
        if k % 50 == 0:
            # at most ~500 frames/s: faster, Jupyter's IOPub rate limit (1 000 msg/s) drops frames
            # and the view, seeing a gap, waits for a full frame (the count never reaches n)
            await asyncio.sleep(0.1)
    with open(out, "w") as fh:
        json.dump({"n": len(sizes), "mean": sum(sizes) / max(1, len(sizes)), "max": max(sizes or [0]),
                   "comm_bytes": comm["bytes"], "comm_msgs": comm["msgs"], "updates": n}, fh)
async def live(seconds, hz):
    for _ in range(int(seconds * hz)):
        state["t"] += 50
        feed.ingest(book.frames(state["t"]))
        await asyncio.sleep(1 / hz)
"""

HEAP = """async () => { if (window.gc) { window.gc(); await new Promise(r => setTimeout(r, 200)); window.gc(); }
  return performance.memory ? performance.memory.usedJSHeapSize : null; }"""

ROOT = ".iw-root.iw-heatmap"

LAYERS = f"""() => {{ const r = document.querySelector('{ROOT}').dataset;
  return [Number(r.layerFull || 0), Number(r.layerParts || 0)]; }}"""

OBSERVE = """(seconds) => new Promise((resolve) => {
  let frames = 0; const t0 = performance.now(); let done = false;
  const tick = () => { if (done) return; frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  setTimeout(() => { done = true; const r = document.querySelector('.iw-root.iw-heatmap').dataset;
    resolve({ frames, ms: performance.now() - t0, draws: Number(r.draws), bins: Number(r.bins),
      drawMs: Number(r.drawMs), updateMs: Number(r.updateMs), layerFull: Number(r.layerFull || 0), layerParts: Number(r.layerParts || 0) });
    }, seconds * 1000);
})"""


def _metrics(cdp: Any) -> dict[str, float]:
    """The page's cumulative main-thread times (s): ScriptDuration, TaskDuration, …"""
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def _updates(page: Any) -> int:
    return int(page.evaluate(f"Number(document.querySelector('{ROOT}').dataset.updates || 0)"))


def _top_self(profile: dict[str, Any], n: int = 15) -> list[dict[str, Any]]:
    """The functions with the most self time in a CDP CPU profile, in ms."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    hits: dict[int, int] = {}
    for sid in profile.get("samples", []):
        hits[sid] = hits.get(sid, 0) + 1
    total_us = profile["endTime"] - profile["startTime"]
    per = total_us / max(1, len(profile.get("samples", []))) / 1000
    agg: dict[str, float] = {}
    for nid, k in hits.items():
        f = nodes[nid]["callFrame"]
        url = f.get("url", "").rsplit("/", 1)[-1]
        key = f"{f.get('functionName') or '(anonymous)'} {url}:{f.get('lineNumber', -1) + 1}"
        agg[key] = agg.get(key, 0.0) + k * per
    rows = sorted(agg.items(), key=lambda kv: -kv[1])[:n]
    return [{"function": k, "self_ms": round(v, 1)} for k, v in rows]


def measure(updates: int, seconds: float, hz: int, profile: bool = False) -> dict[str, Any]:
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
                cdp = ctx.new_cdp_session(page)
                cdp.send("Performance.enable")
                if profile:
                    cdp.send("Profiler.enable")
                    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
                    cdp.send("Profiler.start")
                m0, n0 = _metrics(cdp), _updates(page)
                layers0 = page.evaluate(LAYERS)
                run_in_kernel(page, f"_l = asyncio.ensure_future(live({seconds + 1}, {hz}))")
                res = page.evaluate(OBSERVE, seconds)
                m1, n1 = _metrics(cdp), _updates(page)
                top = _top_self(cdp.send("Profiler.stop")["profile"]) if profile else []
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
        "comm_bytes_per_update": sizes.get("comm_bytes", 0) / max(1, sizes.get("updates", 1)),
        "comm_messages": sizes.get("comm_msgs"),
        "fps_at_20hz": res["frames"] / (res["ms"] / 1000),
        "updates_live": n1 - n0,
        "script_ms_per_update": 1000
        * (m1["ScriptDuration"] - m0["ScriptDuration"])
        / max(1, n1 - n0),
        "task_ms_per_update": 1000 * (m1["TaskDuration"] - m0["TaskDuration"]) / max(1, n1 - n0),
        "script_ms_per_frame": 1000
        * (m1["ScriptDuration"] - m0["ScriptDuration"])
        / max(1, res["frames"]),
        "top_self_ms": top,
        "fps_idle_page": idle["frames"] / (idle["ms"] / 1000),
        "draw_ms": res["drawMs"],
        "draws": res["draws"],
        "update_ms": res["updateMs"],
        "layer_full_paints": res["layerFull"] - layers0[0],
        "layer_part_paints": res["layerParts"] - layers0[1],
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
        f"| main-thread ms per update in the heatmap (its column and its part of the plot) | "
        f"{r['update_ms']:.2f} |\n"
        f"| page scripting ms per update / per frame (CDP ScriptDuration: JupyterLab included) | "
        f"{r['script_ms_per_update']:.2f} / {r['script_ms_per_frame']:.2f} |\n"
        f"| whole repaints of the plot layer while updating at {r['hz']} Hz | "
        f"{r['layer_full_paints']} (of {r['layer_part_paints']} column paints) |\n"
        f"| bytes per update frame (JSON header + buffers), mean / max | "
        f"{r['bytes_per_update_mean']:,.0f} / {r['bytes_per_update_max']:,} B |\n"
        f"| bytes per update on the comm, everything the widget sent in the hour / updates | "
        f"{r['comm_bytes_per_update']:,.0f} B ({r['comm_messages']:,} messages) |\n"
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
    ap.add_argument(
        "--profile", action="store_true", help="also print the top self-time functions at 20 Hz"
    )
    a = ap.parse_args(argv)
    if not Path("/usr/bin/chromium").exists():
        print("needs /usr/bin/chromium", file=sys.stderr)
        return 2
    r = measure(a.updates, a.seconds, a.hz, a.profile)
    md = markdown(r)
    if a.profile and not a.json:
        md += "\n" + "\n".join(f"{x['self_ms']:8.1f} ms  {x['function']}" for x in r["top_self_ms"])
    print(json.dumps({"rows": [r], "markdown": md}, indent=2) if a.json else md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
