"""Opening and closing one WebSocket to the service: the URL (it carries the key: never logged
or shown unredacted), the ``websockets`` options, and handshake refusals as our errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import urllib.parse

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, InvalidURI

from .._secrets import redact
from ..errors import AuthError, BadParameterError, ProtocolError

# websockets logs the request line (with the key in the query) at DEBUG; its records go to a
# logger of ours, which the redacting record factory of _secrets masks at creation.
_wire_log = logging.getLogger("infoway_widgets.client.ws.wire")
#: hosts reached without a proxy (a local server)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def ws_url(ws_base: str, business: str, key: str | None) -> str:
    """``{ws_base}?business=...&apikey=...`` (no ``apikey`` without a key)."""
    q = {"business": business}
    if key:
        q["apikey"] = key
    sep = "&" if "?" in ws_base else "?"
    return f"{ws_base}{sep}{urllib.parse.urlencode(q)}"


async def dial(
    ws_base: str, business: str, key: str | None, open_timeout: float
) -> ClientConnection:
    """Open the WebSocket of ``business``.

    Raises
    ------
    AuthError
        HTTP 401/403 at the handshake (not to be retried: repeated refusals risk an IP ban).
    ProtocolError
        HTTP 404: no WebSocket endpoint there.
    BadParameterError
        ``ws_base`` is not a WebSocket URL.
    OSError, TimeoutError, websockets.exceptions.InvalidHandshake
        Anything else that a retry may cure.
    """
    url = ws_url(ws_base, business, key)
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return await connect(
            url,
            open_timeout=open_timeout,
            ping_interval=None,
            ping_timeout=None,
            close_timeout=min(2.0, open_timeout),
            max_queue=256,
            logger=_wire_log,
            compression=None,
            proxy=None if host in LOCAL_HOSTS else True,
            user_agent_header="infoway-widgets",
        )
    except InvalidStatus as e:
        status = e.response.status_code
        if status in (401, 403):
            raise AuthError(
                f"The {business} stream refused the API key (HTTP {status}): check "
                "INFOWAY_API_KEY or the api_key argument. Not retried: repeated refusals "
                "risk an IP ban.",
                code=status,
            ) from None
        if status == 404:
            raise ProtocolError(
                f"No WebSocket endpoint at {redact(ws_base)!r} (HTTP 404): check ws_base.",
                code=404,
            ) from None
        raise
    except InvalidURI:
        raise BadParameterError(
            f"{redact(ws_base)!r} is not a WebSocket URL: use wss://host/ws."
        ) from None


async def hang_up(ws: ClientConnection, timeout: float, abort: bool = False) -> None:
    """Close ``ws``: with a close handshake of at most ``timeout`` s, or at once (``abort``, a
    link that does not answer)."""
    if not abort:
        try:
            await asyncio.wait_for(ws.close(), timeout=timeout)
            return
        except Exception:  # a half-open socket: do not wait for a close handshake
            pass
    with contextlib.suppress(Exception):
        ws.transport.abort()


__all__ = ["LOCAL_HOSTS", "dial", "hang_up", "ws_url"]
