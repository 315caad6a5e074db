"""Talking to a classroom server: the round, the teacher's clock, the board (httpx, async).

:class:`ClassroomClient` is what ``iw.Practice`` and ``iw.Leaderboard`` use; :class:`Classroom`
is the teacher's remote control (``iw.Classroom(base_url, token=...)``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from ..errors import BadParameterError, ConnectionLostError, InfowayError
from ..practice.market import PracticeMarket

#: seconds one long poll asks the server to hold the answer
POLL_WAIT = 20.0


class ClassroomClient:
    """Requests to the classroom server at ``base_url``.

    Parameters
    ----------
    base_url : str
        ``http://HOST:PORT`` as ``infoway-widgets serve --classroom`` printed it.
    token : str, optional
        The server's token (the teacher's; students need none).
    transport : httpx.AsyncBaseTransport, optional
        For tests.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(10.0, read=POLL_WAIT + 10),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"<ClassroomClient {self.base_url}>"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kw: Any) -> Any:
        try:
            resp = await self._http.request(method, path, **kw)
        except httpx.HTTPError as e:
            raise ConnectionLostError(
                f"the classroom server at {self.base_url} did not answer ({type(e).__name__}): "
                "check the address the teacher gave and that the server still runs"
            ) from None
        if resp.status_code == 404:
            raise BadParameterError(
                f"{self.base_url} is not a classroom server: the teacher starts one with "
                "`infoway-widgets serve --classroom` and gives its address"
            )
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if resp.status_code >= 400:
            msg = data.get("error") if isinstance(data, dict) else None
            raise InfowayError(f"the classroom server refused: {msg or resp.status_code}")
        return data

    async def round(self) -> tuple[PracticeMarket, dict[str, Any]]:
        """The class's practice market and the teacher's clock now."""
        data = await self._request("GET", "/classroom")
        return PracticeMarket.from_json(data["market"]), dict(data["clock"])

    async def clock(self, after: int = -1, wait: float = 0.0) -> dict[str, Any]:
        """The teacher's clock once its version is above ``after`` (or after ``wait`` seconds)."""
        return dict(
            await self._request("GET", "/classroom/clock", params={"after": after, "wait": wait})
        )

    async def board(self, after: int = -1, wait: float = 0.0) -> dict[str, Any]:
        """The board (``version``, ``rows`` best first) once newer than ``after``."""
        return dict(
            await self._request("GET", "/classroom/board", params={"after": after, "wait": wait})
        )

    async def submit(self, name: str, pnl: float, return_pct: float, trades: int) -> dict[str, Any]:
        """Post a student's result: the name, P&L, return and trade count, nothing else."""
        body = {"name": name, "pnl": pnl, "return_pct": return_pct, "trades": trades}
        return dict(await self._request("POST", "/classroom/results", json=body))

    async def control(self, action: str, **fields: Any) -> dict[str, Any]:
        """Move the class clock (``pause``, ``resume``, ``seek``): needs the token."""
        if not self._token:
            raise BadParameterError("moving the class clock needs the server's token: token=...")
        return dict(
            await self._request(
                "POST",
                "/classroom/clock",
                json={"action": action, **fields},
                headers={"Authorization": f"Bearer {self._token}"},
            )
        )


class Classroom:
    """The teacher's remote control of a classroom server's clock.

    Every method returns an :class:`asyncio.Task` (``await`` it for the new clock); students who
    follow (``iw.Practice(..., follow=True)``) move with it.

    Parameters
    ----------
    base_url : str
    token : str
        The token the server printed at start.

    Examples
    --------
    >>> teacher = iw.Classroom("http://127.0.0.1:8780", token="...")   # doctest: +SKIP
    >>> await teacher.resume(speed=2)                                  # doctest: +SKIP
    >>> await teacher.pause()                                          # doctest: +SKIP
    """

    def __init__(self, base_url: str, *, token: str) -> None:
        self._client = ClassroomClient(base_url, token=token)

    def __repr__(self) -> str:
        return f"<Classroom {self._client.base_url}>"

    def _run(self, action: str, **fields: Any) -> asyncio.Task[dict[str, Any]]:
        return asyncio.get_running_loop().create_task(self._client.control(action, **fields))

    def pause(self) -> asyncio.Task[dict[str, Any]]:
        """Stop the class clock."""
        return self._run("pause")

    def resume(self, speed: float | None = None) -> asyncio.Task[dict[str, Any]]:
        """Let the class clock advance, ``speed`` bars per second (default: as before)."""
        return self._run("resume", **({} if speed is None else {"speed": speed}))

    def seek(self, index: int) -> asyncio.Task[dict[str, Any]]:
        """Put the class clock on bar ``index`` (the round's first bar is ``market.first``)."""
        return self._run("seek", index=int(index))

    def clock(self) -> asyncio.Task[dict[str, Any]]:
        """The clock now."""
        return asyncio.get_running_loop().create_task(self._client.clock())

    async def aclose(self) -> None:
        await self._client.aclose()


__all__ = ["Classroom", "ClassroomClient"]
