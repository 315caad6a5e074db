"""Infoway REST client: candles (with backward paging), latest trades, order books, instruments,
trading days. Async on httpx, with a small synchronous wrapper for scripts.

Errors are mapped to the classes of :mod:`infoway_widgets.errors` by
:mod:`infoway_widgets.protocol.verdicts`. Retries (exponential backoff with jitter) happen only
where they can help: 5xx, network failures and rate limits (honouring ``Retry-After``). An
authentication failure is never retried: repeated refusals risk an IP ban.

The key travels only in the ``apiKey`` header; it is registered with
:func:`infoway_widgets._secrets.register_key` so that no log line or message can show it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import httpx
import orjson

from .._secrets import install_log_filter, mask_key, redact, register_key
from ..errors import (
    BadParameterError,
    ConnectionLostError,
    InfowayError,
    ProtocolError,
    RateLimitError,
)
from ..market import Instrument, Interval, parse_interval, parse_symbols
from ..protocol.codes import REST_MAX_CANDLES_MANY, REST_MAX_CANDLES_ONE, REST_MAX_CODES
from ..protocol.events import Candle, Depth, Trade
from ..protocol.payloads import FrameError, candle_from, depth_from, trade_from
from ..protocol.verdicts import http_error, is_retryable, rest_error

log = logging.getLogger("infoway_widgets.client.rest")

DEFAULT_BASE_URL = "https://data.infoway.io"
#: Service limits (protocol notes): codes per call, candles for one code, candles each for several.
MAX_CODES_PER_CALL = REST_MAX_CODES
MAX_CANDLES_ONE = REST_MAX_CANDLES_ONE
MAX_CANDLES_MANY = REST_MAX_CANDLES_MANY
#: Concurrent requests when one call fans out (one candle request per code): enough to hide
#: latency, few enough not to trip the per-minute frequency limit.
FANOUT_CONCURRENCY = 4
_MAX_BACKOFF_S = 30.0
_MAX_RETRY_AFTER_S = 60.0
_MAX_PAGES = 10_000

Codes = str | Sequence[str]
Progress = Callable[[int, int | None], Any]
T = TypeVar("T")


def _instruments(codes: Codes) -> list[Instrument]:
    insts = parse_symbols(codes if isinstance(codes, str) else list(codes))
    if not insts:
        raise BadParameterError("No symbol given: pass a code like '600519.SH' or a list of codes.")
    return insts


def _by_prefix(insts: Iterable[Instrument]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for inst in insts:
        groups.setdefault(inst.rest_prefix, []).append(inst.code)
    return groups


def _chunks(items: list[str], n: int) -> list[list[str]]:
    return [items[i : i + n] for i in range(0, len(items), n)]


def _day(value: str | int | dt.date) -> str:
    """``YYYYMMDD`` from a date, ``'2026-01-02'``, ``'20260102'`` or ``20260102``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    s = str(value).strip().replace("-", "").replace("/", "")
    if len(s) != 8 or not s.isdigit():
        raise BadParameterError(f"{value!r} is not a day: use a date, 'YYYY-MM-DD' or 'YYYYMMDD'.")
    return s


def _retry_after(resp: httpx.Response) -> float | None:
    v = resp.headers.get("retry-after")
    if not v:
        return None
    try:
        return max(0.0, float(v))
    except ValueError:
        return None  # an HTTP date: our own backoff is good enough


class RestClient:
    """Async client of the Infoway REST API.

    Parameters
    ----------
    base_url : str
        Service root, ``https://data.infoway.io`` or a local server's ``server.url``.
    api_key : str, optional
        The key; defaults to the ``INFOWAY_API_KEY`` environment variable. ``None`` and no
        variable sends no key (the local simulated server accepts that).
    timeout : float
        Seconds per HTTP request.
    retries : int
        Extra attempts after a retryable failure (5xx, network error, rate limit).
    backoff : float
        First retry delay in seconds; doubles each attempt, with jitter, capped at 30 s.
    transport : httpx.AsyncBaseTransport, optional
        For tests (``httpx.MockTransport``).

    Examples
    --------
    >>> async with RestClient() as rest:                       # doctest: +SKIP
    ...     bars = await rest.history("600519.SH", "1m", count=2000)
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        install_log_filter()
        key = api_key if api_key is not None else os.environ.get("INFOWAY_API_KEY")
        key = key.strip() if key else None
        register_key(key)
        self._key_info = mask_key(key)
        self.base_url = base_url.rstrip("/")
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        headers = {"Accept": "application/json", "User-Agent": "infoway-widgets"}
        if key:
            headers["apiKey"] = key
        self._http = httpx.AsyncClient(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )
        self._closed = False
        #: Counters for tests and diagnostics: requests sent, retries done.
        self.stats: dict[str, int] = {"requests": 0, "retries": 0}

    def __repr__(self) -> str:
        return f"RestClient(base_url={self.base_url!r}, key={self._key_info})"

    # ---- lifecycle ----------------------------------------------------------------------
    async def aclose(self) -> None:
        """Close the connection pool. Idempotent."""
        if not self._closed:
            self._closed = True
            await self._http.aclose()

    async def __aenter__(self) -> RestClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- transport with error mapping and retries ----------------------------------------
    def _delay(self, attempt: int, err: InfowayError | None) -> float:
        # exponential backoff with jitter (0.5x-1.5x) so that many clients do not retry in step
        d: float = min(_MAX_BACKOFF_S, self.backoff * float(2**attempt)) * random.uniform(0.5, 1.5)
        if isinstance(err, RateLimitError) and err.retry_after:
            d = max(d, min(err.retry_after, _MAX_RETRY_AFTER_S))
        return d

    async def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        """Send one request, retrying where that can help; return the ``data`` of the answer."""
        if self._closed:
            raise ConnectionLostError("This RestClient is closed: create a new one.")
        attempt = 0
        while True:
            err: InfowayError
            try:
                self.stats["requests"] += 1
                resp = await self._http.request(method, path, params=params, json=json)
                return self._answer(resp, what)
            except InfowayError as e:
                err = e
            except httpx.TimeoutException as e:
                err = ConnectionLostError(
                    f"Infoway {what} timed out ({type(e).__name__}) talking to {self.base_url}: "
                    "check the network, or raise timeout=."
                )
            except httpx.TransportError as e:
                err = ConnectionLostError(
                    f"Infoway {what} could not reach {self.base_url} ({type(e).__name__}: "
                    f"{redact(e)}): check the network and base_url."
                )
            if not is_retryable(err) or attempt >= self.retries:
                if attempt:
                    log.warning("Infoway %s failed after %d attempts: %s", what, attempt + 1, err)
                raise err
            delay = self._delay(attempt, err)
            attempt += 1
            self.stats["retries"] += 1
            log.info(
                "Infoway %s failed (%s); retry %d/%d in %.2fs",
                what,
                type(err).__name__,
                attempt,
                self.retries,
                delay,
            )
            await asyncio.sleep(delay)

    def _answer(self, resp: httpx.Response, what: str) -> Any:
        try:
            body: Any = orjson.loads(resp.content) if resp.content else None
        except orjson.JSONDecodeError:
            body = resp.text[:300]
        if resp.status_code != 200:
            raise http_error(resp.status_code, body, what=what, retry_after=_retry_after(resp))
        if isinstance(body, dict):
            if "ret" in body:
                ret = body.get("ret")
                if ret == 200 or ret == "200":
                    return body.get("data")
                retn = ret if isinstance(ret, int) and not isinstance(ret, bool) else None
                raise rest_error(retn, body.get("msg"), what=what)
            if "detail" in body or body.get("code") == 401:
                # HTTP 200 {"detail": "Rate limit exceeded"}, or a 401 body on a 200
                raise http_error(200, body, what=what, retry_after=_retry_after(resp))
        raise ProtocolError(
            f"Infoway {what}: unexpected answer {redact(str(body))[:200]!r}; "
            "expected {'ret', 'msg', 'data'}. Check base_url."
        )

    # ---- candles ------------------------------------------------------------------------
    async def _kline_call(
        self,
        prefix: str,
        kline_type: int,
        num: int,
        codes: list[str],
        end_s: int | None,
        interval: Interval,
    ) -> dict[str, list[Candle]]:
        payload: dict[str, Any] = {
            "klineType": kline_type,
            "klineNum": num,
            "codes": ",".join(codes),
        }
        if end_s is not None:
            payload["timestamp"] = int(end_s)
        data = await self._request(
            "POST",
            f"/{prefix}/v2/batch_kline",
            json=payload,
            what=f"candles for {','.join(codes[:3])}" + ("…" if len(codes) > 3 else ""),
        )
        out: dict[str, list[Candle]] = {}
        if data is None:
            return out
        if not isinstance(data, list):
            raise ProtocolError("Infoway candles: 'data' is not a list. " + "Check base_url.")
        bad = 0
        for item in data:
            if not isinstance(item, dict) or not isinstance(item.get("s"), str):
                bad += 1
                continue
            sym = item["s"]
            rows = item.get("respList") or []
            bars = out.setdefault(sym, [])
            for row in rows if isinstance(rows, list) else ():
                try:
                    bars.append(candle_from(row, symbol=sym, interval=interval))
                except FrameError:
                    bad += 1
        if bad:
            log.warning("Infoway candles: skipped %d malformed rows", bad)
        for sym, bars in out.items():  # the service sends newest first; we keep oldest first
            uniq = {b.t: b for b in bars}
            out[sym] = [uniq[t] for t in sorted(uniq)]
        return out

    async def _gather_limited(self, coros: Sequence[Awaitable[T]]) -> list[T]:
        sem = asyncio.Semaphore(FANOUT_CONCURRENCY)

        async def one(c: Awaitable[T]) -> T:
            async with sem:
                return await c

        return list(await asyncio.gather(*(one(c) for c in coros)))

    async def klines(
        self,
        codes: Codes,
        interval: str | int | Interval,
        count: int = 500,
        end_ms: int | None = None,
    ) -> dict[str, list[Candle]]:
        """Recent candles of one or many codes.

        Parameters
        ----------
        codes : str or sequence of str
            One code, comma-joined codes, or a list; mixed markets are fine.
        interval : str, int or Interval
            ``"1m"``, ``"5m"``, ``"1h"``, ``"1d"``, … or a klineType number.
        count : int
            Bars per code. The service gives at most 500 for one code and 2 each for several;
            this method splits calls to fit (one call per code when ``count > 2``) and pages
            through :meth:`history` when ``count > 500``.
        end_ms : int, optional
            Only bars that open at or before this UTC epoch-ms time.

        Returns
        -------
        dict[str, list[Candle]]
            Code → bars, oldest first, in the order of ``codes``. A code the service does not
            return maps to an empty list.
        """
        if not isinstance(count, int) or count <= 0:
            raise BadParameterError(f"count must be a positive integer, not {count!r}.")
        iv = parse_interval(interval)
        insts = _instruments(codes)
        end_s = None if end_ms is None else int(end_ms) // 1000
        result: dict[str, list[Candle]] = {i.code: [] for i in insts}
        if count > MAX_CANDLES_MANY or len(insts) == 1:

            async def per_code(inst: Instrument) -> tuple[str, list[Candle]]:
                if count > MAX_CANDLES_ONE:
                    return inst.code, await self.history(inst.code, iv, count=count, end_ms=end_ms)
                got = await self._kline_call(
                    inst.rest_prefix, iv.kline_type, count, [inst.code], end_s, iv
                )
                return inst.code, got.get(inst.code, [])

            for code, bars in await self._gather_limited([per_code(i) for i in insts]):
                result[code] = bars[-count:]
        else:
            calls = [
                self._kline_call(prefix, iv.kline_type, count, chunk, end_s, iv)
                for prefix, group in _by_prefix(insts).items()
                for chunk in _chunks(group, MAX_CODES_PER_CALL)
            ]
            for got in await self._gather_limited(calls):
                for code, bars in got.items():
                    if code in result:
                        result[code] = bars[-count:]
        if end_ms is not None:
            result = {c: [b for b in bars if b.t <= end_ms] for c, bars in result.items()}
        return result

    async def history(
        self,
        code: str,
        interval: str | int | Interval,
        count: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        progress: Progress | None = None,
    ) -> list[Candle]:
        """Candles of one code, paging backwards 500 at a time, so more than 500 bars can be had.

        Each page asks for bars ending one second before the oldest bar received so far; bars
        are de-duplicated by open time. Paging stops when ``count`` bars are held, when the
        oldest bar reaches ``start_ms``, or when a page adds nothing (the service has no more).

        Parameters
        ----------
        code : str
            One code.
        interval : str, int or Interval
            Bar interval.
        count : int, optional
            How many of the newest bars to return. Default: 500 when ``start_ms`` is not given,
            otherwise everything from ``start_ms``.
        start_ms, end_ms : int, optional
            UTC epoch-ms bounds on the bars' open times (inclusive).
        progress : callable(done, total), optional
            Called after each page with the number of bars held and ``count`` (``None`` when
            paging to ``start_ms``), e.g. to drive a progress bar.

        Returns
        -------
        list[Candle]
            Oldest first.
        """
        if count is not None and (not isinstance(count, int) or count <= 0):
            raise BadParameterError(f"count must be a positive integer, not {count!r}.")
        if count is None and start_ms is None:
            count = MAX_CANDLES_ONE
        if start_ms is not None and end_ms is not None and start_ms > end_ms:
            raise BadParameterError("start_ms is after end_ms: swap them.")
        iv = parse_interval(interval)
        insts = _instruments(code)
        if len(insts) != 1:
            raise BadParameterError("history() takes one code; use klines() for several.")
        inst = insts[0]
        bars: dict[int, Candle] = {}
        end_s = None if end_ms is None else int(end_ms) // 1000
        for _ in range(_MAX_PAGES):
            held = sum(1 for t in bars if start_ms is None or t >= start_ms)
            want = MAX_CANDLES_ONE if count is None else min(MAX_CANDLES_ONE, max(count - held, 1))
            got = await self._kline_call(
                inst.rest_prefix, iv.kline_type, want, [inst.code], end_s, iv
            )
            page = [b for b in got.get(inst.code, []) if end_ms is None or b.t <= end_ms]
            added = 0
            for b in page:
                if b.t not in bars:
                    bars[b.t] = b
                    added += 1
            held = sum(1 for t in bars if start_ms is None or t >= start_ms)
            if progress is not None:
                progress(min(held, count) if count is not None else held, count)
            if added == 0 or not bars:
                break
            oldest = min(bars)
            if count is not None and held >= count:
                break
            if start_ms is not None and oldest <= start_ms:
                break
            end_s = oldest // 1000 - 1
        out = [bars[t] for t in sorted(bars) if start_ms is None or t >= start_ms]
        return out[-count:] if count is not None else out

    # ---- snapshots ----------------------------------------------------------------------
    async def _snapshot(self, kind: str, codes: Codes) -> list[Any]:
        insts = _instruments(codes)
        calls = [
            self._request(
                "GET",
                f"/{prefix}/batch_{kind}/{','.join(chunk)}",
                what=f"{kind} for {','.join(chunk[:3])}" + ("…" if len(chunk) > 3 else ""),
            )
            for prefix, group in _by_prefix(insts).items()
            for chunk in _chunks(group, MAX_CODES_PER_CALL)
        ]
        rows: list[Any] = []
        for data in await self._gather_limited(calls):
            if isinstance(data, list):
                rows.extend(data)
            elif data is not None:
                raise ProtocolError(f"Infoway {kind}: 'data' is not a list. Check base_url.")
        return rows

    async def trades(self, codes: Codes) -> list[Trade]:
        """The latest trade of each code (``GET /{prefix}/batch_trade/{codes}``).

        Returns
        -------
        list[Trade]
            One per code the service knows; malformed rows are skipped with a warning.
        """
        out: list[Trade] = []
        for row in await self._snapshot("trade", codes):
            try:
                out.append(trade_from(row))
            except FrameError as e:
                log.warning("Infoway trades: skipped a malformed row (%s)", e)
        return out

    async def depth(self, codes: Codes) -> list[Depth]:
        """The current order book of each code (``GET /{prefix}/batch_depth/{codes}``).

        Returns
        -------
        list[Depth]
            One snapshot per code, best level first on each side.
        """
        out: list[Depth] = []
        for row in await self._snapshot("depth", codes):
            try:
                out.append(depth_from(row))
            except FrameError as e:
                log.warning("Infoway depth: skipped a malformed row (%s)", e)
        return out

    async def symbols(self, type: str = "STOCK_CN") -> list[dict[str, Any]]:
        """Instruments of one kind (``STOCK_CN``, ``STOCK_HK``, ``STOCK_US``, ``CRYPTO``, ``FOREX``, …).

        Returns
        -------
        list[dict]
            The service's records as sent.
        """
        data = await self._request(
            "GET", "/common/basic/symbols", params={"type": type}, what=f"symbols of type {type}"
        )
        if data is None:
            return []
        if not isinstance(data, list):
            raise ProtocolError("Infoway symbols: 'data' is not a list. Check base_url.")
        return [d for d in data if isinstance(d, dict)]

    async def trading_days(
        self, market: str, begin: str | int | dt.date, end: str | int | dt.date
    ) -> Any:
        """Trading days of ``market`` (``CN``, ``HK``, ``US``) between ``begin`` and ``end``.

        ``begin``/``end`` accept a date, ``'YYYY-MM-DD'`` or ``'YYYYMMDD'``.

        Returns
        -------
        Any
            The service's ``data`` as sent. The protocol notes say "list of days"; the local
            server answers ``{"trade_days": ["YYYYMMDD", ...], "half_trade_days": [...]}``.
        """
        return await self._request(
            "GET",
            "/common/basic/markets/trading_days",
            params={"market": market, "beginDay": _day(begin), "endDay": _day(end)},
            what=f"trading days of {market}",
        )


class SyncRestClient:
    """Blocking wrapper of :class:`RestClient` for scripts, on a private event loop.

    Same constructor and methods, without ``await``. It cannot run inside an already running
    loop (a Jupyter cell): there, ``await`` the :class:`RestClient` methods, or use the
    package's ``iw.history()`` helper.
    """

    def __init__(
        self, base_url: str = DEFAULT_BASE_URL, api_key: str | None = None, **kwargs: Any
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = RestClient(base_url, api_key, **kwargs)

    def __repr__(self) -> str:
        return "Sync" + repr(self._client)

    def _run(self, coro: Awaitable[T]) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            if asyncio.iscoroutine(coro):
                coro.close()
            raise RuntimeError(
                "SyncRestClient cannot be used inside a running event loop "
                "(e.g. a notebook cell): use `await RestClient(...).method()` "
                "or iw.history()."
            )
        if self._loop.is_closed():
            if asyncio.iscoroutine(coro):
                coro.close()
            raise ConnectionLostError("This SyncRestClient is closed: create a new one.")
        return self._loop.run_until_complete(coro)

    def klines(
        self,
        codes: Codes,
        interval: str | int | Interval,
        count: int = 500,
        end_ms: int | None = None,
    ) -> dict[str, list[Candle]]:
        """See :meth:`RestClient.klines`."""
        return self._run(self._client.klines(codes, interval, count, end_ms))

    def history(
        self,
        code: str,
        interval: str | int | Interval,
        count: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        progress: Progress | None = None,
    ) -> list[Candle]:
        """See :meth:`RestClient.history`."""
        return self._run(self._client.history(code, interval, count, start_ms, end_ms, progress))

    def trades(self, codes: Codes) -> list[Trade]:
        """See :meth:`RestClient.trades`."""
        return self._run(self._client.trades(codes))

    def depth(self, codes: Codes) -> list[Depth]:
        """See :meth:`RestClient.depth`."""
        return self._run(self._client.depth(codes))

    def symbols(self, type: str = "STOCK_CN") -> list[dict[str, Any]]:
        """See :meth:`RestClient.symbols`."""
        return self._run(self._client.symbols(type))

    def trading_days(
        self, market: str, begin: str | int | dt.date, end: str | int | dt.date
    ) -> Any:
        """See :meth:`RestClient.trading_days`."""
        return self._run(self._client.trading_days(market, begin, end))

    def close(self) -> None:
        """Close the client and its loop. Idempotent."""
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._client.aclose())
            self._loop.close()

    def __enter__(self) -> SyncRestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_CANDLES_MANY",
    "MAX_CANDLES_ONE",
    "MAX_CODES_PER_CALL",
    "RestClient",
    "SyncRestClient",
]
