"""Fixtures that drive a real JupyterLab 4 / Notebook 7 in Debian chromium (see
shared/recipes/browser-tests.md): a server per app on 127.0.0.1, one browser, a context per test."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
TOKEN = "iw-browser-test"
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
KERNEL_READY = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }"""

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and ") Z " in stat.read_text())


@pytest.fixture(scope="session")
def bundles() -> None:
    static = REPO / "infoway_widgets" / "static"
    if not all((static / f"{k}.js").exists() for k in ("candle", "book", "tape", "board")):
        subprocess.run(["npm", "run", "build"], cwd=REPO / "js", check=True)


# module scope, not session: Playwright's sync API keeps an asyncio loop running on this thread
# while it lives, and every later test that starts a loop (pytest-asyncio, asyncio.run) would fail
@pytest.fixture(scope="module")
def browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        yield b
        b.close()


def kernel_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a server the tests start: this repository first on the path, Jupyter's
    files in ``tmp`` (plus ``extra``), and no API key or server: the embedded simulated market."""
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp / "cfg"),
        JUPYTER_RUNTIME_DIR=str(tmp / "rt"),
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        **extra,
    )
    env.pop("INFOWAY_API_KEY", None)
    env.pop("INFOWAY_BASE_URL", None)
    return env


def _start_server(app: str, tmp: Path) -> dict[str, Any]:
    root, port = tmp / "root", _free_port()
    root.mkdir()
    env = kernel_env(
        tmp,
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"),
    )
    settings = tmp / "settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false"}'
    )
    # every cell rendered (no virtual windowing), so off-screen charts still lay out
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}'
    )
    cls = "LabApp" if app == "lab" else "JupyterNotebookApp"
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            app,
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--port-retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            f"--{cls}.expose_app_in_browser=True",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter {app} exited: {(tmp / 'server.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/api", timeout=2) as r:
                json.load(r)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    srv = {"app": app, "url": url, "root": root, "proc": proc, "tmp": tmp}
    _RUNNING.append(srv)
    return srv


#: servers started by this session and not stopped yet (their kernels are shut down after each test)
_RUNNING: list[dict[str, Any]] = []


def shutdown_kernels() -> None:
    """Shut down every kernel of the servers this session runs, through their REST API.

    Each test opens its own notebook, whose kernel runs a live (simulated) market; left running,
    forty of them would share two cores with the tests that follow."""
    auth = {"Authorization": f"token {TOKEN}"}
    for srv in list(_RUNNING):
        try:
            req = urllib.request.Request(srv["url"] + "/api/kernels", headers=auth)
            with urllib.request.urlopen(req, timeout=10) as r:
                ids = [k["id"] for k in json.loads(r.read())]
        except Exception:
            continue  # an app server without the kernels API (marimo, Voilà's own)
        for kid in ids:
            with contextlib.suppress(Exception):
                urllib.request.urlopen(
                    urllib.request.Request(
                        f"{srv['url']}/api/kernels/{kid}", method="DELETE", headers=auth
                    ),
                    timeout=20,
                ).close()


def _stop_server(srv: dict[str, Any]) -> None:
    with contextlib.suppress(ValueError):
        _RUNNING.remove(srv)
    proc = srv["proc"]
    kids = _children(proc.pid)
    try:
        req = urllib.request.Request(
            srv["url"] + "/api/shutdown", method="POST", headers={"Authorization": f"token {TOKEN}"}
        )
        urllib.request.urlopen(req, timeout=10)
        proc.wait(20)
    except Exception:
        proc.terminate()
        proc.wait(10)
    left = [k for k in kids if _alive(k)]
    for k in left:
        os.kill(k, 9)
    assert not left, f"kernels left running: {left}"


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, bundles: None) -> Any:
    srv = _start_server("lab", tmp_path_factory.mktemp("lab"))
    yield srv
    _stop_server(srv)


@pytest.fixture(scope="session")
def nb7(tmp_path_factory: pytest.TempPathFactory, bundles: None) -> Any:
    srv = _start_server("notebook", tmp_path_factory.mktemp("nb7"))
    yield srv
    _stop_server(srv)


@pytest.fixture
def page(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    logs: list[str] = []
    pg.on(
        "console",
        lambda m: (
            logs.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    pg.on("pageerror", lambda e: logs.append(f"pageerror: {e}"))
    yield pg
    print("\n".join(logs[-40:]))  # shown by pytest when the test failed
    ctx.close()
    shutdown_kernels()


@pytest.fixture(scope="session")
def export_assets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three scripts an ``embed_minimal_html`` page loads from CDNs (require.js, the
    html-manager, anywidget's AMD module), fetched once from the npm registry with ``npm pack``:
    the test machine is offline for CDNs, so the page's requests are answered from these."""
    import anywidget

    cache = REPO / "js" / "node_modules" / ".cache" / "embed-assets"
    want = {
        "require": ("requirejs@2.3.8", "package/require.js"),
        "html-manager": ("@jupyter-widgets/html-manager@1.0.15", "package/dist/embed-amd.js"),
        "anywidget": (f"anywidget@{anywidget.__version__}", "package/dist/index.js"),
    }
    out: dict[str, Path] = {}
    for name, (spec, member) in want.items():
        target = cache / f"{name}.js"
        if not target.exists():
            cache.mkdir(parents=True, exist_ok=True)
            tmp = tmp_path_factory.mktemp(f"pack-{name}")
            try:
                res = subprocess.run(
                    ["npm", "pack", spec, "--pack-destination", str(tmp)],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=True,
                )
            except (subprocess.SubprocessError, OSError) as exc:
                pytest.skip(f"cannot fetch {spec} for the HTML export test: {exc}")
            tgz = tmp / res.stdout.strip().splitlines()[-1]
            with tarfile.open(tgz) as tf:
                f = tf.extractfile(member)
                assert f is not None
                target.write_bytes(f.read())
        out[name] = target
    return out


def run_in_kernel(page: Any, code: str, timeout: int = 60_000) -> None:
    """Execute ``code`` in the notebook's kernel (as a cell would, without adding one)."""
    page.evaluate(
        """async (code) => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const f = k.requestExecute({ code, silent: false, store_history: false });
        let err = null;
        f.onIOPub = (m) => { if (m.header.msg_type === 'error') err = m.content.ename + ': ' + m.content.evalue; };
        await f.done; if (err) throw new Error(err); }""",
        code,
    )


def copy_screenshot(src: Path, name: str) -> None:
    dest = REPO / "docs" / "images" / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
