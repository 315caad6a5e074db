"""Pictures of a chart taken by its front-end (``chart.save_png``).

Python asks every view with a control message; the first view to answer sends the PNG back
(base64 in the JSON) and the picture is written to its path. The kernel handles that answer
only between cells, so in a notebook the file appears once the cell that asked has finished.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import uuid
from pathlib import Path
from typing import Any

from ..errors import BadParameterError, InfowayTimeoutError
from .coalesce import running_loop

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: how long a request waits for a view's answer (a cell may run for a while before the kernel
#: reads it)
ANSWER_WITHIN = 120.0


class Screenshots:
    """Requests of one widget waiting for a view's picture."""

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[Path, asyncio.Future[Path], Any]] = {}

    def request(self, path: str | Path, timeout: float = ANSWER_WITHIN) -> tuple[str, Any]:
        """A new request: its id (to send to the views) and the future of the written path."""
        target = Path(path).expanduser()
        if target.suffix.lower() != ".png":
            raise BadParameterError(f"save_png writes a .png file; got {str(target)!r}")
        loop = running_loop()
        fut: asyncio.Future[Path] = loop.create_future()
        rid = uuid.uuid4().hex[:12]
        timer = loop.call_later(timeout, self._expire, rid, timeout)
        self._waiting[rid] = (target, fut, timer)
        return rid, fut

    def _expire(self, rid: str, timeout: float) -> None:
        entry = self._waiting.pop(rid, None)
        if entry is not None and not entry[1].done():
            entry[1].set_exception(
                InfowayTimeoutError(
                    f"no view of the chart sent its picture within {timeout:g} s: display the "
                    "chart in a notebook or page first (the picture is drawn by the browser)"
                )
            )

    def answer(self, content: dict[str, Any]) -> None:
        """A view's answer: write its picture and resolve the request (later answers of other
        views to the same request are ignored)."""
        entry = self._waiting.pop(str(content.get("id")), None)
        if entry is None:
            return
        target, fut, timer = entry
        timer.cancel()
        try:
            data = base64.b64decode(str(content.get("png") or ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        if not data.startswith(PNG_MAGIC):
            fut.set_exception(BadParameterError("the view sent no PNG picture; try again"))
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if not fut.done():
            fut.set_result(target)

    def close(self) -> None:
        for _, fut, timer in self._waiting.values():
            timer.cancel()
            fut.cancel()
        self._waiting.clear()
