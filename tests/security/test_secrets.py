"""Secrets: the API key never appears in anything a notebook produces.

A notebook (``notebooks/quickstart.ipynb`` when it exists, and always our own one that exercises
connect + every widget + history + record + failing connections) runs under nbclient with
``INFOWAY_API_KEY=<random>`` and ``INFOWAY_BASE_URL`` pointing at a local ``serve(api_key=key)``.
Then every output is searched for the key: the saved ``.ipynb`` (with widget state), the nbconvert
HTML export, an ``embed_minimal_html`` export of the widgets, the widgets' state, a DEBUG log of
every logger, exception texts and tracebacks, ``repr``s, and the recording.

In-process as well: failing connections (closed port, refused key, HTTP 503 at the handshake) give
exceptions, tracebacks (with their chained causes: websockets puts the URI in some errors) and
DEBUG logs without the key.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import os
import secrets
import socket
import sys
import threading
import traceback
from pathlib import Path

import nbformat
import pytest

import infoway_widgets as iw
from infoway_widgets.client.rest import RestClient
from infoway_widgets.sim import SimServer, serve

from ..feed.conftest import wait_for

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """A SimServer on its own loop in a thread (the notebook's kernel is another process)."""

    def __init__(self, **kw):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = SimServer(**kw)
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(60)

    def stop(self):
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


OWN_CELLS = [
    # DEBUG logs of every logger, to a file and to the cell's stderr
    """import asyncio, json, logging, os, sys, traceback
logging.basicConfig(level=logging.DEBUG, force=True,
                    handlers=[logging.FileHandler(os.environ["IW_LOG"]), logging.StreamHandler(sys.stderr)])
import infoway_widgets as iw
feed = await iw.aconnect()
print(repr(feed)); print(feed.rest); feed""",
    """chart = iw.CandleChart("600519.SH")
book = iw.OrderBook("600519.SH")
tape = iw.TradeTape("600519.SH")
board = iw.QuoteBoard(["600519.SH", "000001.SZ", "BTCUSDT"])
dash = iw.Dashboard("000001.SZ")
display(chart, book, tape, board, dash)
print(repr(chart), repr(book), repr(tape), repr(board), repr(dash))""",
    """rec = feed.record(os.environ["IW_REC"])
ev = asyncio.Event()
off = feed.on_change(lambda s: ev.set() if feed.stats["trades"] > 50 else None)
await asyncio.wait_for(ev.wait(), 90)
off()
feed.stop_recording()
print(feed.stats, feed.warnings, feed.status, feed.status_message)""",
    """df = await iw.ahistory("600519.SH", "1m", count=50)
print(df.tail()); df.tail()""",
    # failing connections with the key set: traceback texts and statuses
    """for url in [os.environ["IW_CLOSED_URL"], os.environ["IW_OTHER_URL"]]:
    try:
        await iw.ahistory("600519.SH", "1m", count=5, base_url=url)
    except Exception:
        traceback.print_exc()
for url in [os.environ["IW_CLOSED_URL"], os.environ["IW_OTHER_URL"]]:
    f2 = iw.connect(base_url=url, new=True)
    await f2.ready()
    c2 = iw.CandleChart("600519.SH", feed=f2)
    st = asyncio.Event()
    f2.on_status(lambda s, m: st.set())
    try:
        await asyncio.wait_for(st.wait(), 20)
    except asyncio.TimeoutError:
        pass
    print(repr(f2), f2.status, f2.status_message, f2.warnings, c2.status_message, repr(c2))
    display(c2)
    c2.close()
    await f2.aclose()""",
    """from ipywidgets.embed import embed_minimal_html
embed_minimal_html(os.environ["IW_EMBED"], views=[chart, book, tape, board, dash], title="export")
with open(os.environ["IW_STATE"], "w") as fh:
    json.dump({w.model_id: w.get_state() for w in (chart, book, tape, board, dash)}, fh, default=repr)
print(chart.get_state().keys())""",
    """for w in (chart, book, tape, board, dash):
    w.close()
await feed.aclose()
print(repr(feed))""",
]


def _own_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(c) for c in OWN_CELLS]
    nbformat.write(nb, path)


def _texts(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def _run_notebook(
    src: Path, out_dir: Path, key: str, env: dict[str, str], timeout: int = 300
) -> dict[str, Path]:
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(out_dir)}},
        store_widget_state=True,
    )
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client.execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    saved = out_dir / f"{src.stem}.executed.ipynb"
    nbformat.write(nb, saved)
    html, _ = HTMLExporter().from_notebook_node(nb)
    html_path = out_dir / f"{src.stem}.html"
    html_path.write_text(html)
    return {"ipynb": saved, "html": html_path}


@pytest.mark.slow
def test_notebook_outputs_never_contain_the_key(tmp_path):
    key = "iwk_" + secrets.token_hex(16)
    srv = ServerThread(port=0, seed=4, speed=60, api_key=key)
    other = ServerThread(
        port=0, seed=5, speed=60, api_key="a-different-key-" + secrets.token_hex(4)
    )
    try:
        files = {
            "log": tmp_path / "debug.log",
            "rec": tmp_path / "session.jsonl.gz",
            "embed": tmp_path / "embed.html",
            "state": tmp_path / "state.json",
        }
        env = {
            "INFOWAY_API_KEY": key,
            "INFOWAY_BASE_URL": srv.server.url,
            "IW_LOG": str(files["log"]),
            "IW_REC": str(files["rec"]),
            "IW_EMBED": str(files["embed"]),
            "IW_STATE": str(files["state"]),
            "IW_CLOSED_URL": f"http://127.0.0.1:{_closed_port()}",
            "IW_OTHER_URL": other.server.url,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
        }
        own = tmp_path / "secrets_probe.ipynb"
        _own_notebook(own)
        out = _run_notebook(own, tmp_path, key, env)
        files.update(out)
        if QUICKSTART.exists():
            qs = tmp_path / "qs"
            qs.mkdir()
            for k, p in _run_notebook(QUICKSTART, qs, key, env, timeout=600).items():
                files[f"quickstart_{k}"] = p
        # the notebook did what it claims: data flowed with the key, the exports and the recording exist
        assert srv.server.stats.__dict__ and files["rec"].exists() and files["embed"].exists()
        nb_text = _texts(files["ipynb"])
        assert "CandleChart(" in nb_text and "application/vnd.jupyter.widget-state+json" in nb_text
        assert (
            "check the network" in nb_text and "INFOWAY_API_KEY" in nb_text
        )  # the failures were seen
        log_text = _texts(files["log"])
        assert "DEBUG" in log_text and len(log_text) > 1000
        assert "apikey=***" in log_text  # the WebSocket URL was logged, masked (positive control)
        leaks = {name: _texts(p).count(key) for name, p in files.items() if p.exists()}
        assert leaks and all(n == 0 for n in leaks.values()), leaks
        # also no unmasked apikey= in any URL that was logged
        for name, p in files.items():
            t = _texts(p).lower()
            assert "apikey=iwk_" not in t, name
    finally:
        srv.stop()
        other.stop()


# ---- in-process: failing connections -------------------------------------------------------------------
def _all_text(exc: BaseException) -> str:
    parts = [
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        repr(exc),
        str(exc),
    ]
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:  # every chained cause and context, with its args
        seen.add(id(e))
        parts += [
            repr(e),
            repr(getattr(e, "args", ())),
            repr(vars(e)) if hasattr(e, "__dict__") else "",
        ]
        e = e.__cause__ or e.__context__
    return "\n".join(parts)


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("websockets", "httpx", "httpcore", "infoway_widgets", "aiohttp", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


def _log_text(caplog) -> str:
    out = []
    for r in caplog.records:
        out.append(r.getMessage())
        if r.exc_info:
            out.append("".join(traceback.format_exception(*r.exc_info)))
        if r.exc_text:
            out.append(r.exc_text)
    return "\n".join(out) + caplog.text


async def test_failing_rest_connections_do_not_leak_the_key(debug_logs):
    key = "iwk_" + secrets.token_hex(16)
    texts = []
    for url in (f"http://127.0.0.1:{_closed_port()}",):
        async with RestClient(url, api_key=key, retries=1, backoff=0.01) as rest:
            texts.append(repr(rest))
            with pytest.raises(iw.ConnectionLostError) as ei:
                await rest.klines("600519.SH", "1m", count=5)
            texts.append(_all_text(ei.value))
    async with serve(port=0, seed=2, speed=60, api_key="another-key-xyz") as srv:
        with pytest.raises(iw.AuthError) as ei:
            await iw.ahistory("600519.SH", "1m", count=5, base_url=srv.url, api_key=key)
        texts.append(_all_text(ei.value))
    text = "\n".join(texts) + _log_text(debug_logs)
    assert "could not reach" in text and "API key was refused" in text
    assert key not in text


@pytest.mark.parametrize("where", ["closed", "refused_key", "http503"])
async def test_failing_websocket_does_not_leak_the_key(debug_logs, where):
    key = "iwk_" + secrets.token_hex(16)
    texts: list[str] = []

    async def run(url: str, until) -> None:
        feed = iw.connect(base_url=url, api_key=key, speed=60, new=True, history=5)
        try:
            await feed.ready()
            feed.watch("600519.SH", depth=True, intervals=["1m"])
            ev = asyncio.Event()
            feed.on_status(lambda s, m: ev.set())
            await wait_for(lambda: until(feed), 30, f"the failure to show ({where})", ev)
            texts.extend([repr(feed), feed.status, feed.status_message, *feed.warnings])
            for s in feed.source.sessions.values():
                texts.append(repr(s))
                err = getattr(s, "error", None)
                if err is not None:
                    texts.append(_all_text(err))
        finally:
            await feed.aclose()

    if where == "closed":
        await run(f"http://127.0.0.1:{_closed_port()}", lambda f: "retrying" in f.status_message)
    elif where == "refused_key":
        async with serve(port=0, seed=2, speed=60, api_key="another-key-xyz") as srv:
            await run(srv.url, lambda f: f.status == "error")
    else:
        async with serve(port=0, seed=2, speed=60, api_key=key, faults="refuse=600") as srv:
            await run(srv.url, lambda f: "retrying" in f.status_message)
    text = "\n".join(texts) + _log_text(debug_logs)
    assert key not in text, [line for line in text.splitlines() if key in line][:5]


def test_redaction_of_an_unregistered_key_in_a_websockets_error():
    """websockets' InvalidURI / InvalidStatus texts carry the URI; our errors redact whatever they wrap."""
    from infoway_widgets.errors import ConnectionLostError

    key = "iwk_" + secrets.token_hex(16)
    uri = f"wss://data.infoway.io/ws?business=stock&apikey={key}"
    e = ConnectionLostError(f"could not connect to {uri}")
    assert key not in str(e) and key not in repr(e)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
