"""A notebook of 20 live widgets in chromium for a wall-clock hour: memory, gaps, and the load.

JupyterLab 4 in Debian chromium (the browser-test fixtures' server helpers, as
``benchmarks/render.py``). One cell shows 20 widgets on one detached feed with 50 symbols: 5
``CandleChart`` (1m), 5 ``OrderBook``, 5 ``TradeTape`` and 5 ``QuoteBoard`` of 10 symbols each.
A kernel task feeds ``--rate`` trades/s (default 5 000) spread over the 50 symbols, in batches
every 20 ms through ``Feed.ingest``, plus ten depth snapshots per second for each book's symbol.

After ``--warmup`` minutes (the caches, the front-end's windows and the allocator settle) the
baseline is taken; at the end the same figures again:

* **kernel RSS** (after ``gc.collect()``), growth from the baseline;
* **JS heap** of the page (chromium's ``Runtime.getHeapUsage`` after a forced GC), growth in %;
* **seq gaps**: a view that sees a frame whose ``seq`` is not the next one asks Python for a
  resync; the kernel counts those requests of the 20 widgets (a new front-end's first request,
  with its buffer probe, is not a gap). Also shown: the frames the views drew (``data-updates``)
  and how many of them were full frames (``data-resets``: a gap's answer, or a view that came
  back after the widget paused, e.g. a page too starved to report its views in time);
* goal-5 figures over ``--window`` seconds right after the baseline: kernel CPU (% of one core,
  ``time.process_time`` in the kernel), chromium frames/s (``requestAnimationFrame`` callbacks)
  and the charts' tick-to-pixel latency (the first trade after a chart's previous frame stamped
  in Python, the frame that carries it matched by ``seq``, the page's second animation frame
  after it was applied; the same method as ``benchmarks/render.py``).

    .venv/bin/python benchmarks/hour.py --minutes 60          # the hour
    .venv/bin/python benchmarks/hour.py --minutes 5 --warmup 1 --json out.json

Headless chromium with software rendering on a shared machine: compare runs on one machine only.
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

#: the notebook's one cell: the feed, the 20 widgets, the driver
CELL = r"""
import asyncio, gc, json, os, time
import numpy as np, orjson, psutil
import infoway_widgets as iw
from IPython.display import display
from infoway_widgets.feed.feed import Feed
SYMS = [f"X{i:02d}USDT" for i in range(50)]
feed = Feed.detached()
charts = [iw.CandleChart(s, "1m", feed=feed) for s in SYMS[0:5]]
books = [iw.OrderBook(s, feed=feed) for s in SYMS[5:10]]
tapes = [iw.TradeTape(s, feed=feed) for s in SYMS[10:15]]
boards = [iw.QuoteBoard(SYMS[10 * k : 10 * k + 10], feed=feed) for k in range(5)]
_hour = {"pending": {}, "sent": {}, "stamp": False}
def _stamped(k, chart):
    send = chart.send
    def wrapped(content, buffers=None):
        if _hour["stamp"] and isinstance(content, dict) and content.get("kind") == "bars":
            t = _hour["pending"].pop(k, None)
            if t is not None:
                _hour["sent"][f"{k}:{int(content['seq'])}"] = t
        return send(content, buffers)
    chart.send = wrapped
for _k, _c in enumerate(charts):
    _stamped(_k, _c)
# a view that sees a frame whose seq is not the next one asks for a resync (without the probe a
# new front-end's first request carries): those requests are the seq gaps, counted here
_gaps = {"n": 0}
def _count_gap(_w, content, _buffers):
    if isinstance(content, dict) and content.get("type") == "resync" and not content.get("probe"):
        _gaps["n"] += 1
for w in charts + books + tapes + boards:
    w.on_msg(_count_gap)
for w in charts + books + tapes + boards:
    display(w)
"""

DRIVER = r"""
def _stores():
    # what the feed holds: bars grow by a bar a minute per series, the rest must stay bounded
    st = feed.state
    return {"bar_series": len(st.bars), "bars": sum(len(b) for b in st.bars.values()),
            "tape_rows": sum(len(x) for x in st.tapes.values()),
            "tape_capacity": sum(x.capacity for x in st.tapes.values()),
            "books": len(st.books), "orderflow_waiting": getattr(st, "_unsettled_trades", 0),
            "profile_prices": sum(len(p._vol) for p in st.profiles.values())}

async def _drive(rate, out, schedule):
    # the records are taken here, on a schedule, so that measuring needs nothing from a kernel
    # this busy: the benchmark waits for each file
    rng = np.random.default_rng(5)
    px = {s: 100.0 + i for i, s in enumerate(SYMS)}
    proc = psutil.Process()
    period, k = 0.02, 0
    per_batch = max(1, int(rate * period))
    t0 = nxt = time.monotonic()
    todo = sorted(schedule, key=lambda x: x[1])
    while todo:
        now_ms = int(time.time() * 1000)
        frames = []
        for j in range(per_batch):
            s = SYMS[(k * per_batch + j) % 50]
            px[s] = max(1.0, round(px[s] + float(rng.choice((-0.01, 0.0, 0.01))), 2))
            frames.append(orjson.dumps({"code": 10002, "data": {"s": s, "t": now_ms, "p": f"{px[s]:.2f}",
                                        "v": "100", "vw": f"{px[s] * 100:.2f}", "td": 1 + j % 2}}))
        if k % 5 == 0:
            for s in SYMS[5:10]:
                p = px[s]
                frames.append(orjson.dumps({"code": 10005, "data": {"s": s, "t": now_ms,
                    "a": [[f"{p + 0.01 * i:.2f}" for i in range(1, 6)], ["100"] * 5],
                    "b": [[f"{p - 0.01 * i:.2f}" for i in range(5)], ["100"] * 5]}}))
        if _hour["stamp"]:
            t = time.time() * 1000
            for c in range(5):
                _hour["pending"].setdefault(c, t)
        feed.ingest(frames)
        k += 1
        if time.monotonic() - t0 >= todo[0][1]:
            label = todo.pop(0)[0]
            gc.collect()
            rec = {"rss": proc.memory_info().rss, "cpu": time.process_time(), "wall": time.monotonic(),
                   "trades": feed.stats["trades"], "sent": dict(_hour["sent"]), "stores": _stores(),
                   "gaps": _gaps["n"]}
            with open(out + "." + label + ".tmp", "w") as fh:
                json.dump(rec, fh)
            os.replace(out + "." + label + ".tmp", out + "." + label)
            if label == "window_start":
                _hour["stamp"] = True
            elif label == "window_end":
                _hour["stamp"] = False
        nxt += period
        await asyncio.sleep(max(0.0, nxt - time.monotonic()))
"""

OBSERVE = """(seconds) => {
  const roots = Array.from(document.querySelectorAll('.iw-root.iw-candle'));
  const B = window.__hour = { frames: 0, paints: [], done: false, t0: performance.now() };
  const now = () => performance.timeOrigin + performance.now();
  const tick = () => { if (B.done) return; B.frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const obs = roots.map((root, k) => {
    const mo = new MutationObserver(() => {
      const seq = Number(root.dataset.seq);
      requestAnimationFrame(() => requestAnimationFrame(() => B.paints.push([k, seq, now()])));
    });
    mo.observe(root, { attributes: true, attributeFilter: ['data-seq'] });
    return mo;
  });
  setTimeout(() => { B.done = true; B.t1 = performance.now(); obs.forEach((m) => m.disconnect()); }, seconds * 1000);
}"""

COUNTERS = """() => Array.from(document.querySelectorAll('.iw-root')).map((e) => ({
  kind: e.className, updates: Number(e.dataset.updates || 0), resets: Number(e.dataset.resets || 0),
  seq: Number(e.dataset.seq || -1) }))"""


def run_in_kernel(page: Any, code: str, timeout_ms: int = 60_000) -> None:
    """Execute ``code`` in the notebook's kernel; raise when it has not finished in time (a lost
    kernel connection must end the run, not hang it)."""
    page.evaluate(
        """async ([code, ms]) => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const f = k.requestExecute({ code, silent: false, store_history: false });
        let err = null;
        f.onIOPub = (m) => { if (m.header.msg_type === 'error') err = m.content.ename + ': ' + m.content.evalue; };
        const late = new Promise((_, no) => setTimeout(() => no(new Error('kernel did not answer in ' + ms + ' ms')), ms));
        await Promise.race([f.done, late]); if (err) throw new Error(err); }""",
        [code, timeout_ms],
    )


def _record(out: Path, label: str, timeout_s: float) -> dict[str, Any]:
    """The driver's record ``label``, once it has written it."""
    path = Path(f"{out}.{label}")
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel did not write its {label!r} record in time")
        time.sleep(0.05)
    return dict(json.loads(path.read_text()))


def _js_heap(cdp: Any) -> int:
    cdp.send("HeapProfiler.collectGarbage")
    return int(cdp.send("Runtime.getHeapUsage")["usedSize"])


def run(
    minutes: float,
    warmup: float,
    rate: float,
    window: float,
    viewport: tuple[int, int] = (1400, 1000),
) -> dict[str, Any]:
    """The whole measurement; returns the figures (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import (
        CHROME_ARGS,
        CHROMIUM,
        KERNEL_READY,
        TOKEN,
        _start_server,
        _stop_server,
    )
    from tests.browser.test_widgets_browser import write_notebook

    timeline: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        srv = _start_server("lab", Path(tmp))
        out = srv["root"] / "hour"
        try:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
                ctx = b.new_context(viewport={"width": viewport[0], "height": viewport[1]})
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                write_notebook(srv["root"] / "hour.ipynb", [CELL])
                page.goto(f"{srv['url']}/lab/tree/hour.ipynb?reset&token={TOKEN}")
                page.wait_for_function(KERNEL_READY, timeout=60_000)
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_function(
                    "() => document.querySelectorAll('.iw-root').length >= 20", timeout=120_000
                )
                samples = [(f"s{m}", m * 60.0) for m in range(1, int(minutes)) if m > warmup]
                schedule = [
                    ("baseline", warmup * 60),
                    ("window_start", warmup * 60 + 1),
                    ("window_end", warmup * 60 + 1 + window),
                    *samples,
                    ("end", minutes * 60),
                ]
                run_in_kernel(page, DRIVER)
                run_in_kernel(
                    page,
                    f"_task = asyncio.ensure_future(_drive({rate}, {str(out)!r}, {schedule!r}))",
                )
                t_start = time.monotonic()

                def sample(label: str) -> dict[str, Any]:
                    k = _record(out, label, minutes * 60 + 300)
                    c = page.evaluate(COUNTERS)
                    row = {
                        "label": label,
                        "stores": k["stores"],
                        "minute": round((time.monotonic() - t_start) / 60, 2),
                        "rss": k["rss"],
                        "js_heap": _js_heap(cdp),
                        "resets": sum(x["resets"] for x in c),
                        "gaps": k["gaps"],
                        "updates": sum(x["updates"] for x in c),
                        "views": len(c),
                        "trades": k["trades"],
                        "kernel_wall": k["wall"],
                    }
                    timeline.append(row)
                    return row

                base = sample("baseline")
                w0 = _record(out, "window_start", 300)
                page.evaluate(OBSERVE, window)
                w1 = _record(out, "window_end", window + 300)
                page.wait_for_function(
                    "() => window.__hour.done", timeout=int(window * 1000) + 60_000
                )
                res = page.evaluate(
                    "() => ({frames: window.__hour.frames, ms: window.__hour.t1 - window.__hour.t0,"
                    " paints: window.__hour.paints})"
                )
                for label, _at in samples:
                    sample(label)
                end = sample("end")
                on_screen = page.evaluate(
                    "() => document.querySelectorAll('.iw-root[data-on-screen=\"0\"]').length"
                )
                on_screen = 20 - int(on_screen)
                ctx.close()
                b.close()
        except Exception:
            log = Path(tmp) / "server.log"
            if log.exists():
                sys.stderr.write(log.read_text(errors="replace")[-6000:])
            raise
        finally:
            _stop_server(srv)
            log_text = (Path(tmp) / "server.log").read_text(errors="replace")
    # what the server says it dropped or lost on the way to the page (a seq gap's usual cause)
    server_warnings = {
        key: log_text.count(needle)
        for key, needle in (
            ("iopub_msg_rate", "IOPub message rate exceeded"),
            ("iopub_data_rate", "IOPub data rate exceeded"),
            ("ws_closed", "Websocket closed"),
            ("ws_replaced", "Replacing stale connection"),
        )
    }
    lat = []
    by_chart: dict[int, list[float]] = {}
    seen = set()
    for k, seq, t_paint in res["paints"]:
        key = f"{int(k)}:{int(seq)}"
        if key in w1["sent"] and key not in seen:
            seen.add(key)
            lat.append(t_paint - w1["sent"][key])
            by_chart.setdefault(int(k), []).append(lat[-1])
    wall = w1["wall"] - w0["wall"]
    # the kernel's clock: the page may answer late when it is starved
    span_s = end["kernel_wall"] - base["kernel_wall"]
    return {
        "minutes": minutes,
        "warmup_minutes": warmup,
        "rate": rate,
        "measured_minutes": round(span_s / 60, 2),
        "trades_per_s": (end["trades"] - base["trades"]) / span_s,
        "rss_baseline_mb": base["rss"] / 2**20,
        "rss_growth_mb": (end["rss"] - base["rss"]) / 2**20,
        "js_heap_baseline_mb": base["js_heap"] / 2**20,
        "js_heap_growth_pct": 100 * (end["js_heap"] - base["js_heap"]) / base["js_heap"],
        "seq_gaps": end["gaps"] - base["gaps"],
        "full_frames": end["resets"] - base["resets"],
        "views": end["views"],
        "view_updates": end["updates"] - base["updates"],
        "kernel_cpu_pct": 100 * (w1["cpu"] - w0["cpu"]) / wall,
        "chromium_fps": res["frames"] / (res["ms"] / 1000),
        "tick_to_pixel_ms_p50": float(np.percentile(lat, 50)) if lat else None,
        "tick_to_pixel_ms_p99": float(np.percentile(lat, 99)) if lat else None,
        "latency_samples": len(lat),
        "latency_by_chart": {
            k: {"n": len(v), "p50": float(np.percentile(v, 50)), "p99": float(np.percentile(v, 99))}
            for k, v in sorted(by_chart.items())
        },
        "window_s": window,
        "server_warnings": server_warnings,
        "viewport": list(viewport),
        "on_screen": on_screen,
        "stores_baseline": base["stores"],
        "stores_end": end["stores"],
        "timeline": timeline,
    }


def markdown(r: dict[str, Any]) -> str:
    def f(x: float | None, fmt: str = ",.0f") -> str:
        return "—" if x is None else format(x, fmt)

    return (
        "| figure | measured | goal |\n|---|---:|---:|\n"
        f"| kernel RSS growth ({r['measured_minutes']:g} min after a {r['warmup_minutes']:g}-min warm-up) | "
        f"{r['rss_growth_mb']:+.1f} MB (from {r['rss_baseline_mb']:.0f} MB) | ≤ 20 MB an hour |\n"
        f"| JS heap growth | {r['js_heap_growth_pct']:+.1f} % (from {r['js_heap_baseline_mb']:.1f} MB) | ≤ 10 % an hour |\n"
        f"| seq gaps (resyncs the {r['views']} views asked for) | {r['seq_gaps']} ({r['view_updates']:,} frames drawn, "
        f"{r['full_frames']} of them full) | 0 |\n"
        f"| trades/s ingested | {r['trades_per_s']:,.0f} | 5,000 |\n"
        f"| kernel CPU ({r['window_s']:g} s window) | {r['kernel_cpu_pct']:.0f} % of a core | ≤ 50 % |\n"
        f"| chromium frames/s ({r['viewport'][0]}×{r['viewport'][1]} window: {r['on_screen']} of 20 views "
        f"on screen or within half a screen) | {r['chromium_fps']:.0f} | ≥ 50 |\n"
        f"| chart tick-to-pixel p50 / p99 | {f(r['tick_to_pixel_ms_p50'])} / {f(r['tick_to_pixel_ms_p99'])} ms "
        f"({r['latency_samples']} samples) | p99 ≤ 100 ms |\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=float, default=60.0, help="the whole run, warm-up included")
    ap.add_argument("--warmup", type=float, default=5.0, help="minutes before the baseline")
    ap.add_argument("--rate", type=float, default=5000.0, help="trades per second")
    ap.add_argument("--window", type=float, default=30.0, help="seconds for the goal-5 figures")
    ap.add_argument(
        "--viewport",
        default="1400x1000",
        help="the browser window, WxH: 1400x1000 shows one chart and half a screen around it "
        "(the others wait off screen); 1400x9000 has all 20 on screen at once",
    )
    ap.add_argument("--json", default=None, metavar="FILE")
    a = ap.parse_args(argv)
    if not Path("/usr/bin/chromium").exists():
        print("needs /usr/bin/chromium", file=sys.stderr)
        return 2
    w, h = (int(x) for x in a.viewport.lower().split("x"))
    r = run(a.minutes, a.warmup, a.rate, a.window, (w, h))
    print(markdown(r))
    if a.json:
        Path(a.json).write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
