"""Run every benchmark side by side in one run and write ``docs/benchmarks.md``.

* ingest: ``benchmarks/ingest.py`` — our ``Feed.ingest`` vs the official infoway-sdk
* widget bytes: ``benchmarks/widget_bytes.py`` — bytes/messages per live update vs bqplot, plotly
* fault soak: ``benchmarks/soak.py`` — bars vs ground truth under faults, recovery, memory
* render: ``benchmarks/render.py`` (chromium: first paint, fps, tick-to-pixel latency) when present
* relay fan-out: ``benchmarks/fanout.py`` — delivery and relay-added latency to 1…200 viewers from
  one relay, and to 400 from two relays behind Redis; the relays' CPU
* long run: ``benchmarks/hour.py`` — 20 live widgets in chromium at 5 k trades/s: kernel RSS and JS
  heap growth, seq gaps, kernel CPU, fps, tick-to-pixel, with ``--hour-minutes N`` (the hour
  itself: ``benchmarks/hour.py --minutes 60``)

Each runs in its own process (one at a time: the machine has few cores). Ratios are computed from
numbers measured in this same run; the page records the machine, the versions and the command.

    python benchmarks/run_all.py                 # full (~5 min on 2 cores)
    python benchmarks/run_all.py --quick         # smaller sizes (~2 min)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
PY = sys.executable


def _v(dist: str) -> str:
    try:
        return version(dist)
    except Exception:
        return "not installed"


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except Exception:
        ram = "?"
    try:
        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except Exception:
        chromium = "not found"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except Exception:
        commit = "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "chromium": chromium,
        "commit": commit,
        "versions": {
            d: _v(d)
            for d in (
                "infoway-widgets",
                "infoway-sdk",
                "numpy",
                "msgspec",
                "orjson",
                "ipywidgets",
                "anywidget",
                "bqplot",
                "plotly",
                "websockets",
                "aiohttp",
                "httpx",
                "psutil",
                "playwright",
                "jupyterlab",
            )
        },
    }


def _run(name: str, args: list[str], timeout: float) -> tuple[int, str, str, float]:
    print(f"[run_all] {name}: {' '.join(shlex.quote(a) for a in args)}", flush=True)
    t0 = time.perf_counter()
    p = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    print(f"[run_all] {name}: exit {p.returncode} in {wall:.0f} s", flush=True)
    return p.returncode, p.stdout, p.stderr, wall


def _cmd(args: list[str]) -> str:
    return " ".join(
        shlex.quote(os.path.relpath(a, REPO) if a.startswith(str(REPO)) else a)
        for a in [".venv/bin/python" if args[0] == PY else args[0], *args[1:]]
    )


def run_ingest(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ingest.json"
        args = [
            PY,
            str(BENCH / "ingest.py"),
            "--frames",
            "100000" if quick else "300000",
            "--repeat",
            "2" if quick else "3",
            "--json",
            str(out),
        ]
        rc, so, se, wall = _run("ingest", args, 1800)
        data = json.loads(out.read_text()) if out.exists() else None
    return {
        "cmd": _cmd(args[:-2]),
        "rc": rc,
        "wall_s": wall,
        "data": data,
        "stdout": so,
        "stderr": se[-2000:],
    }


def run_widget_bytes(quick: bool) -> dict[str, Any]:
    args = [PY, str(BENCH / "widget_bytes.py"), "--json", "--updates", "20" if quick else "40"]
    rc, so, se, wall = _run("widget_bytes", args, 1800)
    try:
        data = json.loads(so)
    except json.JSONDecodeError:
        data = None
    return {"cmd": _cmd(args), "rc": rc, "wall_s": wall, "data": data, "stderr": se[-2000:]}


def run_soak(quick: bool) -> dict[str, Any]:
    args = [PY, str(BENCH / "soak.py"), "--json", "--minutes", "15" if quick else "60"]
    rc, so, se, wall = _run("soak", args, 3600)
    try:
        data = json.loads(so)
    except json.JSONDecodeError:
        data = None
    return {"cmd": _cmd(args), "rc": rc, "wall_s": wall, "data": data, "stderr": se[-2000:]}


def run_render(quick: bool) -> dict[str, Any] | None:
    script = BENCH / "render.py"
    if not script.exists():
        return None
    args = [PY, str(script), "--json"]
    rc, so, se, wall = _run("render", args, 1800)
    try:
        data = json.loads(so)
    except json.JSONDecodeError:
        data = None
    return {
        "cmd": _cmd(args),
        "rc": rc,
        "wall_s": wall,
        "data": data,
        "stdout": so[-4000:],
        "stderr": se[-2000:],
    }


def run_fanout(quick: bool) -> dict[str, Any]:
    runs = [["--clients", "1,10,100,200"], ["--clients", "400", "--relays", "2", "--no-direct"]]
    data: dict[str, Any] = {"rows": []}
    cmds, rcs, errs, walls = [], [], [], 0.0
    for extra in runs:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "fanout.json"
            args = [PY, str(BENCH / "fanout.py"), "--seconds", "3" if quick else "5", *extra]
            rc, _so, se, wall = _run("fanout", [*args, "--json", str(out)], 900)
            if out.exists():
                data["rows"] += json.loads(out.read_text())["rows"]
        cmds.append(_cmd(args))
        rcs.append(rc)
        errs.append(se[-1000:])
        walls += wall
    return {
        "cmd": " ; ".join(cmds),
        "rc": max(rcs),
        "wall_s": walls,
        "data": data if data["rows"] else None,
        "stderr": "\n".join(errs),
    }


def run_json(
    name: str, args: list[str], timeout: int, browser: bool = False
) -> dict[str, Any] | None:
    """Run ``benchmarks/<name>.py ARGS --json`` (its JSON on stdout); None when it needs chromium
    and there is none."""
    if browser and not Path("/usr/bin/chromium").exists():
        return None
    cmd = [PY, str(BENCH / f"{name}.py"), *args]
    rc, so, se, wall = _run(name, [*cmd, "--json"], timeout)
    try:
        data = json.loads(so)
    except json.JSONDecodeError:
        data = None
    return {"cmd": _cmd(cmd), "rc": rc, "wall_s": wall, "data": data, "stderr": se[-2000:]}


def _table(rows: list[dict[str, Any]], labels: dict[str, str]) -> str:
    """A markdown table of ``rows`` with the columns of ``labels`` (key: heading), numbers
    formatted for reading."""

    def cell(x: Any) -> str:
        if isinstance(x, bool) or x is None:
            return "—" if x is None else str(x)
        if isinstance(x, float):
            return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
        return f"{x:,}" if isinstance(x, int) else str(x)

    keys = [k for k in labels if any(k in r for r in rows)]
    head = "| " + " | ".join(labels[k] for k in keys) + " |"
    rule = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(keys))) + "|"
    body = ["| " + " | ".join(cell(r.get(k)) for k in keys) + " |" for r in rows]
    return "\n".join([head, rule, *body]) + "\n"


def _json_md(r: dict[str, Any] | None, what: str, labels: dict[str, str]) -> str:
    """A benchmark's own markdown when it gives one, else a table of its rows."""
    if r is None:
        return f"(not run: {what} needs /usr/bin/chromium)\n"
    if r.get("skipped"):
        return "(skipped in this run)\n"
    d = r.get("data")
    if not d:
        return f"{what} did not report (exit {r.get('rc')}):\n\n```\n{r.get('stderr')}\n```\n"
    if isinstance(d, dict) and isinstance(d.get("markdown"), str):
        return d["markdown"] + "\n"
    rows = d.get("rows", []) if isinstance(d, dict) else d
    return _table([x for x in rows if isinstance(x, dict)], labels)


SKIPPED = {"cmd": "(skipped)", "data": None, "skipped": True}
STUDY_COLS = {
    "bars": "bars of history",
    "peek_us": "µs per frame: 4 studies' forming bar (median)",
    "peek_best_us": "best",
    "frame_us": "µs per chart frame (whole _delta + encode), 4 studies",
    "frame_best_us": "best",
    "plain_frame_us": "µs per plain chart frame (no studies)",
    "frame_vs_plain": "4 studies / plain",
    "extend_us": "µs per new bar (4 studies)",
    "recompute_us": "µs to recompute all (4 studies)",
}
TRAFFIC_COLS = {
    "mode": "who looks",
    "messages": "messages",
    "messages_per_s": "messages/s",
    "bytes_per_message": "bytes/message (everything on the comm)",
    "bytes_per_s": "bytes/s",
}


def run_hour(minutes: float, viewport: str = "") -> dict[str, Any] | None:
    if not Path("/usr/bin/chromium").exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hour.json"
        args = [PY, str(BENCH / "hour.py"), "--minutes", f"{minutes:g}"]
        args += ["--warmup", f"{min(5.0, minutes / 5):g}"]
        if viewport:
            args += ["--viewport", viewport, "--window", "20"]
        rc, _so, se, wall = _run("hour", [*args, "--json", str(out)], int(minutes * 60) + 900)
        data = json.loads(out.read_text()) if out.exists() else None
    return {"cmd": _cmd(args), "rc": rc, "wall_s": wall, "data": data, "stderr": se[-2000:]}


def _hour_md(r: dict[str, Any] | None) -> str:
    if r is None:
        return "(not run: `--hour-minutes N` runs it; it needs /usr/bin/chromium)\n"
    if not r.get("data"):
        return f"long run did not report (exit {r.get('rc')}):\n\n```\n{r.get('stderr')}\n```\n"
    sys.path.insert(0, str(BENCH))
    from hour import markdown

    return str(markdown(r["data"]))


def _fanout_md(r: dict[str, Any]) -> str:
    d = r.get("data")
    if not d:
        return f"fan-out benchmark did not report (exit {r.get('rc')}).\n"
    lines = [
        "| viewers | relays | upstream frames/s | delivered pushes/s | delivered | lost / closed | "
        "latency p50 / p99 / max | relays' CPU | relay µs per push | benchmark CPU |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in d["rows"]:
        relays = row.get("relays", 1) or "direct"
        lines.append(
            f"| {row['clients']} | {relays} | {row['upstream_fps']:,.0f} | {row['delivered_pps']:,.0f} | "
            f"{100 * row['delivered_ratio']:.2f} % | {row.get('lost', 0)} / {row.get('closed', 0)} | "
            f"{row.get('latency_p50_ms', float('nan')):.1f} / {row.get('latency_p99_ms', float('nan')):.1f} / "
            f"{row.get('latency_max_ms', float('nan')):.0f} ms | {row['relay_cpu_pct']:.0f} % | "
            f"{row['relay_cpu_us_per_push']:.1f} | {row.get('bench_cpu_pct', 0):.0f} % |"
        )
    return "\n".join(lines) + "\n"


# ---- the page ---------------------------------------------------------------------------------------
def _kb(x: float) -> str:
    if x >= 1024 * 1024:
        return f"{x / 2**20:,.2f} MB"
    return f"{x / 1024:,.1f} KB" if x >= 1024 else f"{x:,.0f} B"


def _ingest_md(r: dict[str, Any]) -> str:
    d = r["data"]
    if not d:
        return f"ingest benchmark failed (exit {r['rc']}):\n\n```\n{r['stderr']}\n```\n"
    lines = [
        f"{d['frames']:,} recorded-shape frames ({d['trades']:,} trades), best of the repeats, one core.",
        "",
        "| path | trades/s | vs infoway-sdk parse=True | vs the orjson.loads floor |",
        "|---|---:|---:|---:|",
    ]
    for row in d["rows"]:
        floor = f"{row['vs_floor']:.2f}×" if "vs_floor" in row else ""
        lines.append(
            f"| {row['path']} | {row['trades_per_s']:,.0f} | {row['ratio']:.1f}× | {floor} |"
        )
    if "small_vs_large" in d:
        lines += [
            "",
            f"Batches of 50 frames run at {d['small_vs_large']:.2f}× the speed of batches of "
            f"{d['batch']}. Every path runs once per repeat, interleaved; CPU time of the process.",
        ]
    return "\n".join(lines) + "\n"


def _bytes_md(r: dict[str, Any]) -> str:
    rows = r["data"]
    if not rows:
        return f"widget-bytes benchmark failed (exit {r['rc']}):\n\n```\n{r['stderr']}\n```\n"
    by_n: dict[int, list[dict[str, Any]]] = {}
    for x in rows:
        by_n.setdefault(x["bars"], []).append(x)
    lines = [
        "| bars in chart | library (update as documented) | bytes / update | messages / update | "
        "peer ÷ ours (bytes) | first display (state incl. JS bundle) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for n in sorted(by_n):
        ours = next((x for x in by_n[n] if x["lib"].startswith("infoway")), None)
        for x in by_n[n]:
            ratio = (
                ""
                if ours is None or x is ours
                else f"{x['bytes_per_update'] / ours['bytes_per_update']:,.0f}×"
            )
            note = (
                f" — {x['full_resends']} full resend(s) when a bar opened"
                if x.get("full_resends")
                else ""
            )
            lines.append(
                f"| {n:,} | {x['lib']}{note} | {_kb(x['bytes_per_update'])} | {x['msgs_per_update']:.2f} | "
                f"{ratio} | {_kb(x['initial_bytes'])} |"
            )
    snap = [x for x in rows if x.get("snapshot_bytes")]
    if snap:
        lines.append("")
        lines.append(
            "Not in the per-update figures: our widgets also push their `_snapshot` trait (the last bars, as "
            "JSON, so saved notebooks and HTML exports render) at most every "
            f"{snap[0]['snapshot_interval_s']:g} s while data flows: "
            + ", ".join(
                f"{_kb(x['snapshot_bytes'])} at {x['bars']:,} bars "
                f"(≈ {_kb(x['snapshot_bytes_per_update_amortised'])} per update at 20 Hz)"
                for x in snap
            )
            + ". The measuring window (2 s) saw "
            + ", ".join(str(x.get("state_msgs", 0)) for x in snap)
            + " such pushes."
        )
    u = rows[0]["updates"]
    return "\n".join(lines) + (
        f"\n\n{u} live updates per chart; a new bar opens every 20th update (the rest change "
        "the newest bar's close/high/low/volume).\n"
    )


def _soak_md(r: dict[str, Any]) -> str:
    d = r["data"]
    if not d:
        return f"soak failed to report (exit {r['rc']}):\n\n```\n{r['stderr']}\n```\n"
    rec = (
        "—"
        if d["recover_s_p50"] is None
        else (
            f"{d['recover_s_p50']:.2f} / {d['recover_s_p90']:.2f} / "
            f"{d['recover_s_max']:.2f} s real over {d['recoveries']} faults"
        )
    )
    ok = d["bars_lost"] == 0 and d["bars_doubled"] == 0 and d["bars_wrong"] == 0
    rows = [
        (
            "simulated time",
            f"{d['simulated_minutes']:g} min at speed {d['speed']:g} ({d['wall_s']} s wall)",
        ),
        ("symbols", f"{d['symbols']} A-shares: trades, depth, 1m + 5m bars"),
        ("faults", d["faults"].replace("|", "\\|")),
        ("faults injected", ", ".join(f"{k}: {v}" for k, v in sorted(d["fault_events"].items()))),
        ("handshakes refused (HTTP 503)", d["server_refused"]),
        ("reconnects", d["reconnects"]),
        ("bars compared with ground truth", d["bars_compared"]),
        (
            "lost / doubled / wrong OHLCV (target 0 / 0 / 0)",
            f"{d['bars_lost']} / {d['bars_doubled']} / {d['bars_wrong']}"
            + ("" if ok else " **(missed)**"),
        ),
        ("time to recover p50 / p90 / max (fault → first push after reconnect)", rec),
        (
            "RSS after warm-up → end (target growth ≤ 50 MB)",
            f"{d['rss_start_mb']} → {d['rss_end_mb']} MB (+{d['rss_growth_mb']} MB; process holds feed and server)",
        ),
        ("bars backfilled from REST", d["backfilled_bars"]),
        (
            "server closes by reason",
            ", ".join(f"{k}: {v}" for k, v in sorted(d["server_closes"].items())),
        ),
    ]
    return "| measure | value |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows) + "\n"


def _render_md(r: dict[str, Any] | None) -> str:
    if r is None:
        return (
            "No `benchmarks/render.py` in this run: the chromium render benchmark (first paint of 100 k "
            "bars, fps while updating at 20 Hz, tick-to-pixel latency) is not measured here yet. "
            "Measured limits of the chart library on this class of machine: `shared/frontend-facts.md`.\n"
        )
    if isinstance(r["data"], dict) and isinstance(r["data"].get("markdown"), str):
        return r["data"]["markdown"] + "\n"
    body = json.dumps(r["data"], indent=2) if r["data"] is not None else r["stdout"]
    return f"```\n{body}\n```\n"


def _notes(res: dict[str, Any]) -> str:
    notes = []
    wb = res["widget_bytes"]["data"] or []
    full = [x for x in wb if x.get("full_resends")]
    if full:
        x = full[0]
        notes.append(
            f"* **Ours at {x['bars']:,} bars**: the feed's bar store holds {x.get('store_capacity', 100_000):,} bars; once "
            "full, every new bar drops the oldest one, which raises the store's `epoch`, and `CandleChart` answers "
            "an epoch change with a full frame of its whole view (`max_bars` = "
            f"{x.get('view_max_bars', 15_000):,} bars × 56 B ≈ {x.get('view_max_bars', 15_000) * 56 / 2**20:.2f} MB) instead of "
            "the ~240 B delta. The per-update figure above averages that over the run; updates that do not open a "
            "bar stay at 240 B."
        )
    r = res.get("render") or {}
    rows = (r.get("data") or {}).get("rows") if isinstance(r.get("data"), dict) else None
    for row in rows or []:
        if row["view_bars"] >= 10_000 and row["fps_at_20hz"] < 30:
            notes.append(
                f"* **Front-end at {row['view_bars']:,} bars in the view**: {row['fps_at_20hz']:.0f} fps and "
                f"{row['latency_ms_p50']:,.0f} ms median tick-to-pixel while updating at 20 Hz (a new bar "
                "each second), far below what the chart library alone reached on this class of machine "
                "(60 fps at 10 k bars, 48 at 30 k: shared/frontend-facts.md; our chart also draws 4 moving "
                "averages and VWAP). Worth profiling the widget's per-update work (overlays, legend, store "
                "copies). The machine was shared while measuring."
            )
    hr = (res.get("hour") or {}).get("data")
    if hr:
        notes.append(
            f"* **20 widgets**: in a {hr['viewport'][0]}×{hr['viewport'][1]} window {hr['on_screen']} of the 20 "
            "views are on screen or within half a screen of it; the others keep their state (the store takes "
            "every frame until Python hears they are out of sight) but draw nothing, and after 1.5 s their "
            "widgets stop sending (the feed subscriptions stay; a view scrolled back draws at once and gets a "
            "full frame). That is what keeps the kernel's CPU and the page's frame rate where they are; the "
            "row with every view on screen is the page's load when nothing waits."
        )
    sk = res["soak"]["data"]
    if sk:
        notes.append(
            f"* **Soak**: recovery is measured in real seconds at speed {sk['speed']:g} (one real second = "
            f"{sk['speed']:g} simulated seconds); the client's backoff and silence watchdog scale with the "
            "speed. RSS includes the simulated server and its ground truth, which grow with the run."
        )
    return "\n".join(notes) + "\n" if notes else "(none)\n"


def _rows(res: dict[str, Any], name: str) -> list[dict[str, Any]]:
    d = (res.get(name) or {}).get("data")
    rows = d.get("rows", []) if isinstance(d, dict) else d
    return [x for x in rows or [] if isinstance(x, dict)]


def _plain_chart(res: dict[str, Any]) -> dict[str, Any]:
    """The render row of a plain chart (no studies) on a 100 k-bar feed."""
    return next(x for x in _rows(res, "render") if x["bars"] >= 100_000 and not x["studies"])


def _one_relay_200(res: dict[str, Any]) -> dict[str, Any]:
    """The fan-out row of 200 viewers on one relay."""
    return next(x for x in _rows(res, "fanout") if x["clients"] == 200 and x.get("relays", 1) == 1)


#: each target the issues set: (what, how it is read from this run's results, the bound, lower is better)
TARGETS: list[tuple[str, str, Any, float, bool]] = [
    (
        "ingest vs the orjson.loads floor",
        "×",
        lambda r: next(x["vs_floor"] for x in _rows(r, "ingest") if "vs_floor" in x),
        0.6,
        False,
    ),
    ("ingest vs the official SDK", "×", lambda r: _rows(r, "ingest")[0]["ratio"], 10.0, False),
    (
        "ingest, 50-frame batches vs 2000-frame ones",
        "×",
        lambda r: r["ingest"]["data"]["small_vs_large"],
        0.7,
        False,
    ),
    (
        "bytes per message, live chart with one view, everything on the comm",
        "B",
        lambda r: next(
            x["bytes_per_message"] for x in _rows(r, "traffic") if x["mode"] == "one view"
        ),
        200.0,
        True,
    ),
    (
        "bytes per update, four studies + two lines, 100 k-bar chart (200 B + 40 B per series)",
        "B",
        lambda r: next(
            x["bytes_per_update"]
            for x in r["widget_bytes"]["data"]
            if "studies" in x["lib"] and x["bars"] >= 100_000
        ),
        200.0 + 40.0 * 6,
        True,
    ),
    (
        "chart first render, 100 k-bar feed",
        "ms",
        lambda r: _plain_chart(r)["first_render_ms"],
        150.0,
        True,
    ),
    (
        "chart tick-to-pixel p50, 100 k-bar feed",
        "ms",
        lambda r: _plain_chart(r)["latency_ms_p50"],
        20.0,
        True,
    ),
    (
        "chart tick-to-pixel p99, 100 k-bar feed",
        "ms",
        lambda r: _plain_chart(r)["latency_ms_p99"],
        50.0,
        True,
    ),
    (
        "chart fps at 20 Hz, four study panes, 100 k bars",
        "fps",
        lambda r: next(x["fps_at_20hz"] for x in _rows(r, "render") if x["studies"]),
        55.0,
        False,
    ),
    (
        "a chart's whole Python frame with four studies (_delta + encode), the most of 1 k / 10 k / 100 k bars",
        "µs",
        lambda r: max(x["frame_us"] for x in _rows(r, "studies")),
        100.0,
        True,
    ),
    (
        "the four studies' forming-bar update (peek) per frame, 100 k bars",
        "µs",
        lambda r: max(x["peek_us"] for x in _rows(r, "studies") if x["bars"] >= 100_000),
        100.0,
        True,
    ),
    (
        "heatmap fps at 20 Hz, 20 levels, 30-minute window",
        "fps",
        lambda r: _rows(r, "heatmap")[0]["fps_at_20hz"],
        55.0,
        False,
    ),
    (
        "heatmap bytes per update (max), 20 levels",
        "B",
        lambda r: _rows(r, "heatmap")[0]["bytes_per_update_max"],
        1536.0,
        True,
    ),
    (
        "relay, 200 viewers: delivered",
        "%",
        lambda r: 100 * _one_relay_200(r)["delivered_ratio"],
        99.9,
        False,
    ),
    (
        "relay, 200 viewers: relay-added latency p99",
        "ms",
        lambda r: _one_relay_200(r)["latency_p99_ms"],
        50.0,
        True,
    ),
    (
        "relay, 400 viewers on two relays behind Redis: delivered",
        "%",
        lambda r: (
            100 * next(x["delivered_ratio"] for x in _rows(r, "fanout") if x.get("relays") == 2)
        ),
        99.9,
        False,
    ),
    (
        "20 widgets: kernel CPU",
        "% of a core",
        lambda r: r["hour"]["data"]["kernel_cpu_pct"],
        50.0,
        True,
    ),
    ("20 widgets: chromium fps", "fps", lambda r: r["hour"]["data"]["chromium_fps"], 50.0, False),
    (
        "20 widgets, every view on screen at once (1400×9000 window): chromium fps",
        "fps",
        lambda r: r["hour_all"]["data"]["chromium_fps"],
        50.0,
        False,
    ),
    (
        "20 widgets: tick-to-pixel p99",
        "ms",
        lambda r: r["hour"]["data"]["tick_to_pixel_ms_p99"],
        100.0,
        True,
    ),
    (
        "long run: kernel RSS growth",
        "MB",
        lambda r: r["hour"]["data"]["rss_growth_mb"],
        20.0,
        True,
    ),
    (
        "long run: JS heap growth",
        "%",
        lambda r: r["hour"]["data"]["js_heap_growth_pct"],
        10.0,
        True,
    ),
    ("long run: seq gaps", "", lambda r: r["hour"]["data"]["seq_gaps"], 0.0, True),
]


def _targets_md(res: dict[str, Any]) -> str:
    """Every target of the issues beside what this run measured: met, missed or not measured."""
    lines = ["| target | measured | bound | |", "|---|---:|---:|---|"]
    for what, unit, read, bound, lower in TARGETS:
        try:
            value = float(read(res))
        except (KeyError, TypeError, StopIteration, IndexError, AttributeError):
            lines.append(f"| {what} | not measured in this run | {bound:g} {unit} | |")
            continue
        met = value <= bound if lower else value >= bound
        shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
        sign = "≤" if lower else "≥"
        lines.append(
            f"| {what} | {shown} {unit} | {sign} {bound:g} {unit} | {'met' if met else '**missed**'} |"
        )
    return "\n".join(lines) + "\n"


def write_page(
    path: Path, m: dict[str, Any], res: dict[str, Any], command: str, started: str, wall: float
) -> None:
    v = m["versions"]
    ing = res["ingest"]["data"]
    head = ["| what | infoway-widgets | peer | ratio |", "|---|---|---|---:|"]
    if ing:
        ours = ing["rows"][0]
        sdk = next(x for x in ing["rows"] if "parse=True" in x["path"])
        head.append(
            f"| ingest, trades/s on one core | {ours['trades_per_s']:,.0f} | infoway-sdk {v['infoway-sdk']}: "
            f"{sdk['trades_per_s']:,.0f} | {ours['ratio']:.1f}× |"
        )
        fl = next((x for x in ing["rows"] if x["path"].startswith("floor")), None)
        if fl is not None:
            head.append(
                f"| ingest vs decoding alone, trades/s | {ours['trades_per_s']:,.0f} | "
                f"orjson.loads of each frame: {fl['trades_per_s']:,.0f} | {ours['vs_floor']:.2f}× |"
            )
    wb = res["widget_bytes"]["data"] or []
    for n in (1_000, 10_000, 100_000):
        o = next((x for x in wb if x["bars"] == n and x["lib"].startswith("infoway")), None)
        for peer in ("bqplot", "plotly"):
            p = next((x for x in wb if x["bars"] == n and x["lib"].startswith(peer)), None)
            if o and p:
                head.append(
                    f"| bytes per live update, {n:,}-bar chart | {_kb(o['bytes_per_update'])} | "
                    f"{p['lib']}: {_kb(p['bytes_per_update'])} | {p['bytes_per_update'] / o['bytes_per_update']:,.0f}× fewer |"
                )
    sk = res["soak"]["data"]
    if sk:
        head.append(
            f"| fault soak, {sk['simulated_minutes']:g} simulated min: lost / doubled / wrong bars | "
            f"{sk['bars_lost']} / {sk['bars_doubled']} / {sk['bars_wrong']} of {sk['bars_compared']} | "
            f"ground truth | |"
        )
    text = f"""# Benchmarks

Generated by `benchmarks/run_all.py` on {started} UTC (total {wall:.0f} s). Every number below was
measured in this one run, side by side with the peer it is compared to; the ratios come from the
same run. Re-run with:

```bash
{command}
```

## Summary

{chr(10).join(head)}

## Targets

What the issues ask for, beside what this run measured (each figure's section below has its
command and its peers).

{_targets_md(res)}
## Machine

| | |
|---|---|
| CPU | {m["cpu"]} |
| cores (`nproc`) | {m["nproc"]} |
| RAM | {m["ram"]} |
| OS | {m["os"]} |
| Python | {m["python"]} |
| chromium | {m["chromium"]} |
| commit | {m["commit"]} |

Versions: {", ".join(f"{k} {x}" for k, x in v.items())}.

The machine is shared (other processes ran during the measurements); expect noise of tens of
percent on absolute times. No test asserts an absolute time.

## Ingest: trades/s through codec and aggregation (vs the official SDK)

Command: `{res["ingest"]["cmd"]}`

{_ingest_md(res["ingest"])}
## Bytes to the front-end per live update (vs bqplot and plotly)

Command: `{res["widget_bytes"]["cmd"]}`

Every message the widget libraries would put on the wire, captured at the ipywidgets comm (a
recording comm replaces `comm.create_comm`; JSON encoded with jupyter_client's packer + binary
buffers). Ours: `CandleChart` on a detached feed fed trades through `feed.ingest`, coalesced at 20 Hz.
bqplot: `OHLC` mark, `y` (and `x` when a bar opens) reassigned under `hold_sync`. plotly:
`FigureWidget` candlestick, columns assigned inside `batch_update()`. Target for ours: ≤ 1 KB per
update independent of history length.

{_bytes_md(res["widget_bytes"])}
## Everything a live chart sends, by who is looking

Command: `{(res.get("traffic") or {}).get("cmd", "(not run)")}`

A `CandleChart` on the embedded simulated market for the whole window: every comm message counted
(custom frames with their binary buffers, every trait update, the saved-state snapshot included).

{_json_md(res.get("traffic"), "the comm traffic benchmark", TRAFFIC_COLS)}
## Studies: Python cost per frame

Command: `{(res.get("studies") or {}).get("cmd", "(not run)")}`

Four studies (MACD, KDJ, RSI, DMI, 通达信 conventions) on a chart's bars: the forming bar's values
for each coalesced frame (incremental, from the tail), a `CandleChart`'s whole Python frame with
them (a few trades into the forming bar, then the coalescer's call timed: the bars delta, the
studies' values, the header, the encode to header JSON + buffers) beside the plain chart's frame
measured in the same run, a new bar, and recomputing everything (what a naive chart would do
each frame) for comparison.

{_json_md(res.get("studies"), "the studies benchmark", STUDY_COLS)}
## Order-book heatmap in chromium

Command: `{(res.get("heatmap") or {}).get("cmd", "(not run)")}`

{_json_md(res.get("heatmap"), "the heatmap benchmark", {})}
## Fault soak

Command: `{res["soak"]["cmd"]}`

A local server (127.0.0.1) with faults on a schedule of simulated time, a feed watching 20
A-shares; every completed bar compared with the server's ground truth after `await feed.settle()`.

{_soak_md(res["soak"])}
## Rendering in chromium

Command: `{(res.get("render") or {}).get("cmd", "(not run)")}`

JupyterLab 4 in headless Debian chromium (software rendering). A new bar opens every second.

{_render_md(res.get("render"))}
## Relay fan-out (one upstream, many viewers)

Command: `{(res.get("fanout") or {}).get("cmd", "(not run)")}`

The relays run as their own processes; a synthetic upstream sends 1000 frames/s, each stamped with
its send time and a sequence number; every viewer subscribes to every frame. The viewers run in
four processes of their own (a minimal WebSocket client each); "delivered" is the share of the
frames each viewer should have had (a sequence gap is a lost frame), latency is arrival − send on
the same clock. The `direct` row is one viewer on the upstream itself: the path without a relay.

{_fanout_md(res.get("fanout") or {})}
## Long run: 20 live widgets in chromium

Command: `{(res.get("hour") or {}).get("cmd", "(not run)")}`

One JupyterLab notebook with 5 candle charts, 5 order books, 5 tapes and 5 quote boards on 50
symbols of one feed fed 5 000 trades/s; growth measured from a baseline after the warm-up, memory
after a forced GC on both sides. The hour itself: `.venv/bin/python benchmarks/hour.py --minutes 60`.

{_hour_md(res.get("hour"))}
The same notebook with every view on screen at once (a 1400×9000 window; a short run: the
page's load, not its memory, is the point):

Command: `{(res.get("hour_all") or {}).get("cmd", "(not run)")}`

{_hour_md(res.get("hour_all"))}
## Notes on these numbers

{_notes(res)}
"""
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="smaller sizes, shorter soak")
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--json", help="also write all raw results here")
    ap.add_argument(
        "--skip",
        default="",
        help="comma-separated: ingest,widget_bytes,soak,render,fanout,hour,studies,traffic,heatmap",
    )
    ap.add_argument(
        "--hour-minutes",
        type=float,
        default=0.0,
        help="also run benchmarks/hour.py for this many minutes (chromium; 0: not run)",
    )
    a = ap.parse_args(argv)
    skip = set(filter(None, a.skip.split(",")))
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    t0 = time.perf_counter()
    m = machine()
    empty = {"cmd": "(skipped)", "rc": None, "data": None, "stderr": "skipped"}
    res: dict[str, Any] = {
        "ingest": empty if "ingest" in skip else run_ingest(a.quick),
        "widget_bytes": empty if "widget_bytes" in skip else run_widget_bytes(a.quick),
        "soak": empty if "soak" in skip else run_soak(a.quick),
        "render": None if "render" in skip else run_render(a.quick),
        "fanout": {"cmd": "(skipped)", "data": None} if "fanout" in skip else run_fanout(a.quick),
        "hour": run_hour(a.hour_minutes) if a.hour_minutes and "hour" not in skip else None,
        "hour_all": run_hour(1.5, "1400x9000") if a.hour_minutes and "hour" not in skip else None,
        "studies": SKIPPED
        if "studies" in skip
        else run_json("studies", ["--frames", "1000" if a.quick else "4000"], 900),
        "traffic": SKIPPED
        if "traffic" in skip
        else run_json("comm_traffic", ["--seconds", "10" if a.quick else "20"], 900),
        "heatmap": SKIPPED
        if "heatmap" in skip
        else run_json("heatmap", ["--seconds", "5" if a.quick else "8"], 1800, browser=True),
    }
    wall = time.perf_counter() - t0
    command = (
        ".venv/bin/python benchmarks/run_all.py"
        + (" --quick" if a.quick else "")
        + (f" --skip {a.skip}" if a.skip else "")
        + (f" --hour-minutes {a.hour_minutes:g}" if a.hour_minutes else "")
    )
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_page(out, m, res, command, started, wall)
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": m, "results": res}, indent=2, default=str))
    print(f"[run_all] wrote {out} ({wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
