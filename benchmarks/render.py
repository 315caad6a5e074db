"""Rendering in a real browser: JupyterLab 4 in Debian chromium, via the browser-test
fixtures' server helpers (tests/browser/conftest.py).

A ``CandleChart`` on a detached feed holding 100 000 one-minute bars (the view keeps its window of
``max_bars``, by design: shared/frontend-facts.md), plain and with four study panes (MACD, KDJ,
RSI, DMI: their values travel in the same frames, computed in Python):

* **first render**: from the display cell's execution request to the animation frame in which
  the chart draws its window: the page notes the time in the first ``requestAnimationFrame``
  callback after the view holds the window (``data-bars``), which runs after the chart
  library's own callback (it asked first, when it was given the data) has drawn its canvases.
  Both ends are stamped in the page; the harness's round trips are not in it (an earlier
  version waited for the window from Python and counted Playwright's polling, ~300 ms more);
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
chart = iw.CandleChart("BTCUSDT", "1m", feed=feed, history=N, studies={studies!r}{extra})
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


#: notes when the chart's root element is created (its view renders) and when it first shows its
#: window: the animation frame after the view holds it (``data-bars``), whose callbacks run after
#: the chart's own (it asked first, when it was given the data), which draws its canvases;
#: returns the time now
VIEW_CREATED = """(w) => {
  const now = () => performance.timeOrigin + performance.now();
  const mo = new MutationObserver(() => {
    const e = document.querySelector('.iw-root.iw-candle');
    if (e && !window.__viewAt) window.__viewAt = now();
    if (e && Number(e.dataset.bars) >= w) {
      mo.disconnect();
      requestAnimationFrame(() => { window.__drawnAt = now(); });
    }
  });
  mo.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-bars'] });
  return now();
}"""

#: the studies of the analysis row: four panes of their own below the volume pane
STUDY_PANES = ("macd", "kdj", "rsi", "dmi")


#: main-thread time the page spends, from CDP's Performance.getMetrics (seconds, cumulative)
METRICS = ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration")


def _metrics(cdp: Any) -> dict[str, float]:
    got = cdp.send("Performance.getMetrics")["metrics"]
    return {m["name"]: float(m["value"]) for m in got if m["name"] in METRICS}


def _bundle_parts() -> list[tuple[int, str]]:
    """(first line, part) of the chart's bundle, from esbuild's ``// path`` markers (an unminified
    build: ``node js/build.mjs --no-minify``); a minified bundle is one part."""
    path = REPO / "infoway_widgets" / "static" / "candle.js"
    parts: list[tuple[int, str]] = [(1, "candle.js")]
    if not path.exists():
        return parts
    for k, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("// ") and ("/node_modules/" in line or line.startswith("// src/")):
            name = line[3:].strip()
            parts.append((k, "lightweight-charts" if "node_modules" in name else name[4:]))
    return parts


def _top_functions(profile: dict[str, Any], top: int) -> dict[str, Any]:
    """Self time by function, inclusive time by our own functions, and self time by part
    (ours by module, lightweight-charts, the rest of the page, native) in a CDP CPU profile."""
    parts = _bundle_parts()
    nodes = {nd["id"]: nd for nd in profile["nodes"]}
    parent = {c: nd["id"] for nd in profile["nodes"] for c in nd.get("children", [])}
    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    self_us: dict[int, float] = {}
    for sid, dt in zip(samples, deltas, strict=False):
        self_us[sid] = self_us.get(sid, 0.0) + dt

    def where(cf: dict[str, Any]) -> tuple[str, str, int]:
        line = int(cf.get("lineNumber", -1)) + 1
        url = cf.get("url", "")
        fn = cf.get("functionName") or "(anonymous)"
        if not url:
            return fn, "(native)", line
        if url.startswith("blob:") or "candle" in url or "-" in url.rsplit("/", 1)[-1][:9]:
            part = next((name for first, name in reversed(parts) if line >= first), "candle.js")
            return fn, part, line
        return fn, url.rsplit("/", 1)[-1].split("?")[0], line

    by_fn: dict[tuple[str, str, int], float] = {}
    by_part: dict[str, float] = {}
    incl: dict[tuple[str, str, int], float] = {}
    for nid, us in self_us.items():
        key = where(nodes[nid]["callFrame"])
        by_fn[key] = by_fn.get(key, 0.0) + us
        part = key[1] if key[1] == "lightweight-charts" or key[1].endswith(".js") else "other"
        if key[1] == "(native)":
            part = key[0] if key[0].startswith("(") else "(native)"
        by_part[part] = by_part.get(part, 0.0) + us
        seen, at = set(), nid
        while at in nodes:
            k = where(nodes[at]["callFrame"])
            if k not in seen and (k[1].startswith("lib/") or k[1] == "candle.js"):
                seen.add(k)
                incl[k] = incl.get(k, 0.0) + us
            at = parent.get(at, -1)

    def rows(d: dict[tuple[str, str, int], float]) -> list[dict[str, Any]]:
        best = sorted(d.items(), key=lambda kv: -kv[1])[:top]
        return [
            {"function": f, "script": u, "line": ln, "ms": us / 1000} for (f, u, ln), us in best
        ]

    return {
        "self": rows(by_fn),
        "ours_inclusive": rows(incl),
        "by_part_ms": {k: v / 1000 for k, v in sorted(by_part.items(), key=lambda kv: -kv[1])},
    }


def measure(
    n: int,
    seconds: float,
    hz: int,
    studies: tuple[str, ...] = (),
    profile: int = 0,
    max_bars: int = 0,
) -> dict[str, Any]:
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
                extra = f", max_bars={max_bars}" if max_bars else ""
                run_in_kernel(page, SETUP.format(n=n, studies=list(studies), extra=extra))
                window = min(n, max_bars or _default_window())
                cdp = ctx.new_cdp_session(page)
                cdp.send("Performance.enable")
                if profile:
                    cdp.send("Profiler.enable")
                    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
                    cdp.send("Profiler.start")
                t0 = page.evaluate(VIEW_CREATED, window)
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_function(
                    "(w) => { const e = document.querySelector('.iw-root.iw-candle'); return !!e && Number(e.dataset.bars) >= w; }",
                    arg=window,
                    timeout=120_000,
                )
                t1 = page.evaluate("""() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(
                    () => r(performance.timeOrigin + performance.now()))))""")
                view_ms = page.evaluate("() => window.__viewAt") - t0
                drawn_ms = page.evaluate("() => window.__drawnAt") - t0
                first_render_ms = drawn_ms
                # what a script waiting from outside the page sees (Playwright's polling included)
                harness_ms = t1 - t0
                first = {}
                if profile:
                    first = _top_functions(cdp.send("Profiler.stop")["profile"], profile)
                    cdp.send("Profiler.start")
                # the updating phase starts settled: a view fills its older bars in after its first
                # window shows (one series per task), which is the first render's, not a tick's
                page.wait_for_timeout(1500)
                m0 = _metrics(cdp)
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
                m1 = _metrics(cdp)
                top = (
                    _top_functions(cdp.send("Profiler.stop")["profile"], profile) if profile else []
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
    updates = max(1, len(res["paints"]))
    per_update = {
        k.replace("Duration", "").lower() + "_ms_per_update": (m1[k] - m0[k]) * 1000 / updates
        for k in METRICS
        if k in m0 and k in m1
    }
    return {
        "bars": n,
        "studies": list(studies),
        "view_bars": window,
        "first_render_ms": first_render_ms,
        "view_created_ms": view_ms,
        "first_window_drawn_ms": drawn_ms,
        "first_render_seen_by_harness_ms": harness_ms,
        "fps_at_20hz": fps,
        "latency_ms_p50": float(np.percentile(lat, 50)) if lat else None,
        "latency_ms_p99": float(np.percentile(lat, 99)) if lat else None,
        "latency_samples": len(lat),
        "frames_applied": len(res["paints"]),
        "updates_sent": len(sent),
        "seconds": seconds,
        "hz": hz,
        **per_update,
        **({"top_functions": top, "first_render_functions": first} if profile else {}),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    def f(x: float | None) -> str:
        return "—" if x is None else f"{x:,.0f}"

    out = [
        "| CandleChart: bars in the feed (in the view) | first render (display request → window drawn) | "
        "view created / seen by the harness | "
        "fps while updating at 20 Hz | tick-to-pixel latency p50 / p99 | main thread per update: script / layout+style |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        panes = f", {len(r['studies'])} study panes" if r.get("studies") else ""
        out.append(
            f"| {r['bars']:,} ({r['view_bars']:,}){panes} | {f(r['first_render_ms'])} ms | "
            f"{f(r.get('view_created_ms'))} / {f(r.get('first_render_seen_by_harness_ms'))} ms | {r['fps_at_20hz']:.0f} | "
            f"{f(r['latency_ms_p50'])} / {f(r['latency_ms_p99'])} ms ({r['latency_samples']} samples) | "
            f"{r.get('script_ms_per_update', 0):.1f} / "
            f"{r.get('layout_ms_per_update', 0) + r.get('recalcstyle_ms_per_update', 0):.1f} ms |"
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
    ap.add_argument(
        "--max-bars", type=int, default=0, help="the chart's max_bars (default: the trait's)"
    )
    ap.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="sample the page's main thread while updating; print its top N functions by self time",
    )
    a = ap.parse_args(argv)
    if not Path("/usr/bin/chromium").exists():
        print("needs /usr/bin/chromium", file=sys.stderr)
        return 2
    kw = {"profile": a.profile, "max_bars": a.max_bars}
    rows = [measure(int(n), a.seconds, a.hz, **kw) for n in a.bars.split(",") if n]
    rows += [
        measure(int(n), a.seconds, a.hz, STUDY_PANES, **kw) for n in a.study_bars.split(",") if n
    ]
    md = markdown(rows)
    if a.profile and not a.json:
        for r in rows:
            for phase, prof in (
                ("first render", r["first_render_functions"]),
                ("updating", r["top_functions"]),
            ):
                md += f"\n{r['bars']:,} bars, studies {r['studies'] or 'none'}, {phase}: main thread (ms)\n"
                for part, ms in list(prof["by_part_ms"].items())[:12]:
                    md += f"  {ms:8.1f}  {part}\n"
                for title, key in (
                    ("self time", "self"),
                    ("our functions, inclusive", "ours_inclusive"),
                ):
                    md += f"top functions by {title}\n"
                    for f in prof[key]:
                        md += f"  {f['ms']:8.1f} ms  {f['function']}  {f['script']}:{f['line']}\n"
    print(json.dumps({"rows": rows, "markdown": md}, indent=2) if a.json else md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
