"""REST endpoints of the simulated service, answering as production does (see the protocol doc)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..market import BY_KLINE, trading_days
from ..protocol import encode
from ..protocol.codes import BUSINESSES, REST_MAX_CANDLES_MANY, REST_MAX_CANDLES_ONE, REST_MAX_CODES
from . import wire

if TYPE_CHECKING:
    from .server import SimServer

#: the REST path prefixes are the business channels
PREFIXES = BUSINESSES
MAX_CODES = REST_MAX_CODES
MAX_KLINES = REST_MAX_CANDLES_ONE
MAX_KLINES_BATCHED = REST_MAX_CANDLES_MANY
_CALENDARS = {"CN": "XSHG", "HK": "XHKG", "US": "XNYS"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(text=encode.dumps(body), status=status, content_type="application/json")


class Rest:
    """The REST routes and middlewares of one :class:`~infoway_widgets.sim.server.SimServer`."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self._recent: deque[int] = deque()

    def install(self, app: web.Application) -> None:
        app.middlewares.append(self._middleware)
        r = app.router
        r.add_get("/", self.index)
        r.add_get("/common/basic/symbols", self.symbols)
        r.add_get("/common/basic/markets/trading_days", self.trading_days)
        r.add_post("/{prefix}/v2/batch_kline", self.kline_post)
        r.add_get("/{prefix}/batch_kline/{type}/{num}/{codes}", self.kline_get)
        r.add_get("/{prefix}/batch_trade/{codes}", self.trades)
        r.add_get("/{prefix}/batch_depth/{codes}", self.depth)

    # ---- cross-cutting -------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        srv = self.server
        if request.path == "/ws":
            return await handler(request)
        srv.stats.rest_requests += 1
        if srv.api_key and request.path != "/":
            key = request.headers.get("apiKey") or request.headers.get("apikey")
            if key != srv.api_key:
                srv.stats.rest_errors[401] += 1
                return _json(
                    {"code": 401, "message": "Token invalid", "timestamp": int(time.time() * 1000)},
                    status=401,
                )
        if self._rate_limited():
            srv.stats.faults["rate_limit"] += 1
            status = srv.faults.rate_limit_status
            srv.stats.rest_errors[429] += 1
            return _json({"detail": "Rate limit exceeded"}, status=status)
        try:
            resp = await handler(request)
        except web.HTTPNotFound:
            resp = _json(
                encode.problem(
                    404,
                    "Not Found",
                    f"No static resource {request.path.lstrip('/')}.",
                    request.path,
                ),
                status=404,
            )
        except web.HTTPMethodNotAllowed:
            resp = _json(
                encode.problem(
                    405,
                    "Method Not Allowed",
                    f"Request method '{request.method}' is not supported.",
                    request.path,
                ),
                status=405,
            )
        if resp.status >= 400:
            srv.stats.rest_errors[resp.status] += 1
        return resp

    def _rate_limited(self) -> bool:
        rl = self.server.faults.rate_limit
        if rl is True:
            return True
        if not rl or rl is False:
            return False
        now = self.server.clock.elapsed_ms()
        q = self._recent
        while q and q[0] <= now - 60_000:
            q.popleft()
        if len(q) >= int(rl):
            return True
        q.append(now)
        return False

    def _fail(self, ret: int, msg: str) -> web.Response:
        self.server.stats.rest_errors[ret] += 1
        return _json(encode.fail(ret, msg))

    def _resolve(self, prefix: str, codes: str) -> tuple[list[str] | None, web.Response | None]:
        """Known codes of ``prefix`` among ``codes`` or an error answer."""
        if prefix not in PREFIXES:
            raise web.HTTPNotFound()
        items = list(dict.fromkeys(c.strip() for c in codes.split(",") if c.strip()))
        if not items:
            return None, self._fail(507, "Param lost：codes")
        if len(items) > MAX_CODES:
            return None, self._fail(505, f"Products quantity exceeds the limit：{MAX_CODES}")
        market = self.server.market
        known = []
        for c in items:
            s = market.get(c)
            # a code is served only under its own prefix, as production does
            if s is not None and s.inst.rest_prefix == prefix:
                known.append(c)
        if not known:
            return None, self._fail(500, "All product not exists")
        return known, None

    # ---- pages -------------------------------------------------------------------------------
    async def index(self, request: web.Request) -> web.Response:
        srv = self.server
        lines = [
            "infoway-widgets local server: a SIMULATED market speaking the Infoway protocol.",
            "Prices are generated from a seed; they are not real market data.",
            "",
            f"seed={srv.market.seed} speed={srv.clock.speed:g} clock={srv.clock.mode}",
            f"simulated now (Asia/Shanghai clock): {dt.datetime.fromtimestamp(srv.clock.now_ms() / 1000, dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M:%S}",
            f"symbols: {', '.join(list(srv.market.profiles)[:12])}"
            + (" …" if len(srv.market.profiles) > 12 else ""),
            "",
            "REST: POST /stock/v2/batch_kline, GET /stock/batch_trade/{codes}, GET /stock/batch_depth/{codes},",
            "      GET /common/basic/symbols?type=STOCK_CN, GET /common/basic/markets/trading_days?market=CN",
            "WebSocket: /ws?business=stock|crypto|common&apikey=...",
        ]
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")

    # ---- candles ----------------------------------------------------------------------------
    async def kline_post(self, request: web.Request) -> web.Response:
        prefix = request.match_info["prefix"]
        if prefix not in PREFIXES:
            raise web.HTTPNotFound()
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            body = None
            return self._fail(
                515,
                "Param not json：send a JSON body such as "
                '{"klineType":1,"klineNum":10,"codes":"600519.SH"}',
            )
        if not isinstance(body, dict):
            return self._fail(515, "Param not json：the body must be a JSON object")
        for name in ("codes", "klineType", "klineNum"):
            if body.get(name) in (None, ""):
                return self._fail(507, f"Param lost：{name}")
        return self._klines(
            prefix, body["klineType"], body["klineNum"], str(body["codes"]), body.get("timestamp")
        )

    async def kline_get(self, request: web.Request) -> web.Response:
        m = request.match_info
        return self._klines(m["prefix"], m["type"], m["num"], m["codes"], None)

    def _klines(self, prefix: str, kt: Any, num: Any, codes: str, ts: Any) -> web.Response:
        if prefix not in PREFIXES:
            raise web.HTTPNotFound()
        try:
            kline_type = int(kt)
            if kline_type not in BY_KLINE or isinstance(kt, bool):
                raise ValueError
        except (TypeError, ValueError):
            return self._fail(506, "Param error：klineType must be 1..12")
        try:
            count = int(num)
            if count < 1:
                raise ValueError
        except (TypeError, ValueError):
            return self._fail(506, "Param error：klineNum must be a positive integer")
        if count > MAX_KLINES:
            return self._fail(503, f"Kline quantity exceeds the limit：{MAX_KLINES}")
        end_ms = None
        if ts not in (None, ""):
            try:
                end_ms = int(ts) * 1000
            except (TypeError, ValueError):
                return self._fail(506, "Param error：timestamp must be unix seconds")
        known, err = self._resolve(prefix, codes)
        if err is not None:
            return err
        assert known is not None
        if len(known) > 1 or len(codes.split(",")) > 1:
            count = min(count, MAX_KLINES_BATCHED)
        market = self.server.market
        data = []
        for c in known:
            u = market.sim(c).units
            rows = market.candles(c, kline_type, count, end_ms)
            data.append({"s": c, "respList": [wire.candle_rest(u, r) for r in rows]})
        return _json(encode.ok(data))

    # ---- trades and depth -------------------------------------------------------------------
    async def trades(self, request: web.Request) -> web.Response:
        known, err = self._resolve(request.match_info["prefix"], request.match_info["codes"])
        if err is not None:
            return err
        m = self.server.market
        return _json(
            encode.ok([wire.trade_rest(m.sim(c).units, m.last_trade(c)) for c in known or []])
        )

    async def depth(self, request: web.Request) -> web.Response:
        known, err = self._resolve(request.match_info["prefix"], request.match_info["codes"])
        if err is not None:
            return err
        m = self.server.market
        return _json(encode.ok([wire.depth_rest(m.sim(c).units, m.depth(c)) for c in known or []]))

    # ---- reference data ---------------------------------------------------------------------
    async def symbols(self, request: web.Request) -> web.Response:
        typ = request.query.get("type")
        if not typ:
            return _json(
                encode.problem(
                    400, "Bad Request", "Required parameter 'type' is not present.", request.path
                ),
                status=400,
            )
        wanted = {c.strip() for c in request.query.get("symbols", "").split(",") if c.strip()}
        out = []
        for code, p in self.server.market.profiles.items():
            if p.inst.symbol_type != typ.upper() or (wanted and code not in wanted):
                continue
            out.append(
                {
                    "symbol": code,
                    "market": p.inst.market,
                    "type": p.inst.symbol_type,
                    "name_cn": p.name_cn,
                    "name_en": p.name_en,
                    "name_hk": p.name_cn,
                    "exchange": p.inst.exchange,
                    "currency": p.inst.currency,
                    "lot_size": p.inst.lot_size,
                    "simulated": True,
                }
            )
        return _json(encode.ok(out))

    async def trading_days(self, request: web.Request) -> web.Response:
        q = request.query
        for name in ("market", "beginDay", "endDay"):
            if not q.get(name):
                return _json(
                    encode.problem(
                        400,
                        "Bad Request",
                        f"Required parameter '{name}' is not present.",
                        request.path,
                    ),
                    status=400,
                )
        cal = _CALENDARS.get(q["market"].upper())
        if cal is None:
            return self._fail(506, "Param error：market must be CN, HK or US")
        try:
            begin = dt.datetime.strptime(q["beginDay"], "%Y%m%d").date()
            end = dt.datetime.strptime(q["endDay"], "%Y%m%d").date()
        except ValueError:
            return self._fail(506, "Param error：days are YYYYMMDD, e.g. beginDay=20260101")
        days = [d.strftime("%Y%m%d") for d in trading_days(cal, begin, end)] if begin <= end else []
        return _json(encode.ok({"trade_days": days, "half_trade_days": []}))
