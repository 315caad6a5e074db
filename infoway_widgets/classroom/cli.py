"""``infoway-widgets serve --classroom``: one practice market for a class."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from .._web import serve_until_signalled, start_listening
from ..errors import InfowayError


def add_classroom_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``serve --classroom`` (``--seed``, ``--host``, ``--port`` are serve's own)."""
    g = p.add_argument_group(
        "classroom (--classroom): one practice market for a class (K线训练), a teacher's clock "
        "and a leaderboard"
    )
    g.add_argument("--classroom", action="store_true", help="serve a practice round to a class")
    g.add_argument("--replay", default=None, metavar="FILE", help="the market of a recording")
    g.add_argument("--symbol", default="000001.SZ", help="the stock of the round")
    g.add_argument("--days", type=int, default=1, help="trading days played")
    g.add_argument("--start", default=None, help="first day played (YYYY-MM-DD; default by seed)")
    g.add_argument("--interval", default="1m", help="bar interval: 1m 5m 15m 30m 1h 1d")
    g.add_argument(
        "--scenario", default=None, choices=("limit_up", "limit_down"), help="script day one"
    )
    g.add_argument("--token", default=None, help="the teacher's token (default: a random one)")
    g.add_argument(
        "--bars-per-second", type=float, default=1.0, help="the teacher's clock when it plays"
    )


async def run_classroom(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM. The first line printed says where it listens."""
    from ..practice import simulate
    from .server import ClassroomServer

    try:
        if args.replay:
            from .recording import recorded_market

            market = await recorded_market(
                args.replay, args.symbol, days=args.days, interval=args.interval
            )
        else:
            start = dt.date.fromisoformat(args.start) if args.start else None
            market = simulate(
                args.symbol,
                days=args.days,
                start=start,
                interval=args.interval,
                seed=args.seed,
                scenario=args.scenario,
            )
        server = ClassroomServer(
            market,
            host=args.host,
            port=args.port,
            token=args.token,
            speed=args.bars_per_second,
        )
    except (InfowayError, ValueError, OSError) as e:
        print(f"infoway-widgets: {e}", file=sys.stderr)
        return 2
    if not await start_listening(server, args.host, args.port):
        return 1
    days = ", ".join(d.isoformat() for d in market.practice_days)
    origin = f"recording {args.replay}" if args.replay else f"SIMULATED, seed {args.seed}"
    print(
        f"classroom: {market.inst.code} {market.interval} on {days} ({origin}); students: "
        f"iw.Practice({market.inst.code!r}, feed=iw.connect(base_url={server.url!r}), name=...)",
        flush=True,
    )
    print(f"teacher token: {server.token}", flush=True)
    return await serve_until_signalled(server)


__all__ = ["add_classroom_arguments", "run_classroom"]
