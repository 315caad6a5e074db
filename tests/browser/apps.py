"""The widgets outside JupyterLab (Voilà, marimo): serving a notebook or an app with its
command-line server on 127.0.0.1 (started in its own session, stopped with everything it started,
by pid), and the checks every such page gets (render, say simulated, move), which query through
shadow roots because marimo draws each widget inside one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .conftest import _alive, _free_port, copy_screenshot, kernel_env

STARTUP_S = 60


def app_env(tmp: Path) -> dict[str, str]:
    """The environment of a served app: this repository first on the path, Jupyter's and marimo's
    files in ``tmp``, and no API key or server (the embedded simulated market)."""
    # marimo keeps its config, cache and logs there: not in the user's home
    return kernel_env(
        tmp,
        XDG_CONFIG_HOME=str(tmp / "xdg-config"),
        XDG_CACHE_HOME=str(tmp / "xdg-cache"),
        XDG_STATE_HOME=str(tmp / "xdg-state"),
    )


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (kernels, their helpers), read from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for kid in parents.get(todo.pop(), []):
            out.append(kid)
            todo.append(kid)
    return out


@contextmanager
def served(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator[dict[str, Any]]:
    """Run ``argv`` (with ``{port}`` replaced by a free port) until the block ends.

    Yields ``{"url", "proc", "log"}`` once the port accepts connections. On exit: SIGTERM to the
    server, then SIGKILL to whatever it started that is still alive; fails if anything was left.
    """
    port = _free_port()
    out = open(log, "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [a.replace("{port}", str(port)) for a in argv],
        cwd=cwd,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited: {log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{argv[0]} never listened: {log.read_text()[-3000:]}"
                    ) from None
                time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}", "proc": proc, "log": log}
    finally:
        kids = _descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        out.close()
        deadline = time.monotonic() + 10  # kernels get a moment to follow their server
        while any(_alive(k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [k for k in kids if _alive(k)]
        for k in left:
            os.kill(k, signal.SIGKILL)
        assert not left, f"{argv[0]} left processes running: {left}"


# every element matching a selector, in the document and in every open shadow root under it
# (marimo renders each widget inside a shadow root, which document.querySelectorAll does not enter)
DEEP_ALL = """(sel) => { const out = [];
  const walk = (n) => { out.push(...n.querySelectorAll(sel));
    for (const e of n.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot); };
  walk(document); return out; }"""
# non-background pixels of every canvas under the first match of a selector
DEEP_INK = f"""(sel) => {{ const root = ({DEEP_ALL})(sel)[0]; if (!root) return -1; let n = 0;
  for (const c of root.querySelectorAll('canvas')) {{ if (!c.width || !c.height) continue;
    const ctx = c.getContext('2d'); if (!ctx) continue;
    const d = ctx.getImageData(0, 0, c.width, c.height).data; const r0 = d[0], g0 = d[1], b0 = d[2];
    for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && Math.abs(d[i]-r0) + Math.abs(d[i+1]-g0) + Math.abs(d[i+2]-b0) > 40) n++; }}
  return n; }}"""
# the checks walk every shadow root (and read canvases): on a timer, not on every animation frame
POLL_MS = 100
DEEP_ATTR = f"([s, a]) => ({DEEP_ALL})(s)[0]?.getAttribute(a) ?? null"
# a wait looks at the widget it waits for, as its reader would: a view off screen draws nothing and
# its widget stops sending (it says so in data-on-screen), so the wait scrolls it into view
DEEP_LOOK = f"""(s) => {{ const e = ({DEEP_ALL})(s)[0];
  if (e && e.dataset.onScreen === '0') e.scrollIntoView({{block: 'center'}}); return !!e; }}"""

BOARD = ["600519.SH", "00700.HK", "AAPL.US", "BTCUSDT"]
ROOTS = {
    "candle": ".iw-root.iw-candle",
    "book": ".iw-root.iw-book",
    "board": ".iw-root.iw-board",
}
BOARD_TEXT = f"() => ({DEEP_ALL})('{ROOTS['board']} tr.iw-quote').map(r => r.textContent).join('|')"


def deep_attr(page: Any, sel: str, name: str) -> str | None:
    return page.evaluate(DEEP_ATTR, [sel, name])


def wait_attr_at_least(page: Any, sel: str, name: str, value: float, timeout: int = 45_000) -> None:
    try:
        page.wait_for_function(
            f"([s, a, v]) => ({DEEP_LOOK})(s) && Number(({DEEP_ATTR})([s, a]) ?? NaN) >= v",
            arg=[sel, name, value],
            polling=POLL_MS,
            timeout=timeout,
        )
    except Exception:
        raise AssertionError(
            f"{sel} never had {name} >= {value}: {deep_attr(page, sel, name)}"
        ) from None


def wait_ink(page: Any, sel: str, pixels: int, timeout: int = 30_000) -> None:
    """Wait until the canvases under ``sel`` have more than ``pixels`` non-background pixels."""
    try:
        page.wait_for_function(
            f"(s) => ({DEEP_LOOK})(s) && ({DEEP_INK})(s) > {pixels}",
            arg=sel,
            polling=POLL_MS,
            timeout=timeout,
        )
    except Exception:
        raise AssertionError(f"{sel}: only {page.evaluate(DEEP_INK, sel)} pixels drawn") from None


def assert_widgets_live(page: Any) -> None:
    """A CandleChart, an OrderBook and a QuoteBoard of :data:`BOARD` on the simulated market render
    (canvases drawn, book levels and board rows filled), say simulated, and move."""
    for kind in ROOTS:  # the first wait includes the kernel's start and the cells' run
        page.wait_for_selector(f'{ROOTS[kind]}[data-status="simulated"]', timeout=90_000)
    assert page.locator(f"{ROOTS['candle']} .iw-badge").first.inner_text() == "Simulated"
    wait_attr_at_least(page, ROOTS["candle"], "data-bars", 100)
    wait_attr_at_least(page, ROOTS["book"], "data-levels", 10)
    wait_attr_at_least(page, ROOTS["board"], "data-rows", len(BOARD))
    wait_ink(page, ROOTS["candle"], 3000)
    wait_ink(page, ROOTS["board"], 100 * len(BOARD))  # a sparkline per row
    before_text = page.evaluate(BOARD_TEXT)
    for sel in ROOTS.values():  # live frames arrive in every view
        before = int(deep_attr(page, sel, "data-updates") or 0)
        wait_attr_at_least(page, sel, "data-updates", before + 2, timeout=30_000)
    # and what a viewer sees changes: a price or volume on the board
    page.wait_for_function(
        f"(b) => ({BOARD_TEXT})() !== b", arg=before_text, polling=POLL_MS, timeout=30_000
    )
    for sel in ROOTS.values():  # still simulated after moving (no error, no disconnect)
        assert deep_attr(page, sel, "data-status") == "simulated", sel


def screenshot(page: Any, tmp: Path, name: str) -> None:
    """A full-page screenshot into docs/images/``name`` with the update flashes stopped (in shadow
    roots too, where Playwright's ``animations="disabled"`` does not reach)."""
    page.evaluate(
        f"""() => {{ const css = '*, *::before, *::after {{ animation: none !important; transition: none !important; }}';
        for (const n of [document.head, ...({DEEP_ALL})('*').filter(e => e.shadowRoot).map(e => e.shadowRoot)]) {{
          const s = document.createElement('style'); s.textContent = css; n.appendChild(s); }} }}"""
    )
    shot = tmp / name
    page.screenshot(path=str(shot), full_page=True)
    copy_screenshot(shot, name)


def check_app_page(browser: Any, url: str, tmp: Path, shot: str, **goto: Any) -> None:
    """Open ``url`` (an app server's page) in a fresh context: the widgets render, say simulated
    and move, a screenshot is taken, and no page error was raised. ``goto``: page.goto options."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 1100})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url, **goto)
        assert_widgets_live(page)
        screenshot(page, tmp, shot)
        assert not errors, errors
    finally:
        ctx.close()
