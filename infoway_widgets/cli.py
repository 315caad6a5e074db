"""``infoway-widgets`` command line: ``serve`` runs the simulated market's local Infoway server
(``--upstream``: the relay; ``--classroom``: a practice market for a class)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ._web import serve_until_signalled, start_listening
from .sim.faults import Faults
from .sim.faults import __doc__ as FAULTS_DOC

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="infoway-widgets",
        description="Live market-data widgets for Infoway; `serve` runs a SIMULATED market locally.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser(
        "serve",
        help="serve a simulated market over the Infoway protocol (REST + WebSocket)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Serve a deterministic SIMULATED market over the real Infoway protocol on one port.\n"
            "Point any Infoway client at it (the official SDK: base_url=http://HOST:PORT for REST,\n"
            "base_url=ws://HOST:PORT/ws for the WebSocket). The first line printed is\n"
            "`listening on http://HOST:PORT`. Stop with Ctrl-C or SIGTERM."
        ),
        epilog="--faults SPEC\n" + "\n".join((FAULTS_DOC or "").splitlines()[2:]),
    )
    s.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8765, help="port (0 picks a free one; default 8765)")
    s.add_argument("--seed", type=int, default=1, help="random seed: same seed, same market")
    s.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated seconds per real second (60 plays an A-share day in ~4 min)",
    )
    s.add_argument("--api-key", default=None, help="require this key (header apiKey / ?apikey=)")
    s.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help="inject faults, e.g. drop=60,halfopen=120,errors=500|516@30 (see below)",
    )
    s.add_argument(
        "--record",
        default=None,
        metavar="FILE",
        help="write every trade and completed bar as JSON lines (.gz compresses)",
    )
    s.add_argument(
        "--clock",
        choices=("session", "wall"),
        default="session",
        help="session: replay each market's latest trading day from its open (default); "
        "wall: follow real time and real sessions",
    )
    s.add_argument(
        "--extra-symbols",
        type=int,
        default=0,
        metavar="N",
        help="add N generated A-shares (603xxx.SH / 002xxx.SZ)",
    )
    s.add_argument(
        "--max-codes",
        type=int,
        default=None,
        metavar="N",
        help="codes one client connection may hold; beyond it subscriptions get 505, as a plan "
        "does (default: no limit; a relay: 200)",
    )
    # relay mode: --upstream infoway|simulated (one upstream key, many viewers; see docs/relay.md)
    from .relay.cli import add_relay_arguments

    add_relay_arguments(s)
    # classroom mode: --classroom [--seed N | --replay FILE] (one practice market for a class)
    from .classroom.cli import add_classroom_arguments

    add_classroom_arguments(s)
    return p


async def _serve(args: argparse.Namespace) -> int:
    from .sim.server import SimServer

    try:
        faults = Faults.parse(args.faults)
    except ValueError as e:
        print(f"infoway-widgets: {e}", file=sys.stderr)
        return 2
    server = SimServer(
        host=args.host,
        port=args.port,
        seed=args.seed,
        speed=args.speed,
        api_key=args.api_key,
        faults=faults,
        record=args.record,
        clock=args.clock,
        extra_symbols=args.extra_symbols,
        max_codes=args.max_codes,
    )
    if not await start_listening(server, args.host, args.port):
        return 1
    print(
        f"SIMULATED market (seed {args.seed}, speed {args.speed:g}x, clock {args.clock}); "
        f"WebSocket {server.ws_url}?business=stock",
        flush=True,
    )
    if args.host not in _LOOPBACK and not args.api_key:
        print(
            f"WARNING: bound to {args.host} without --api-key: anyone who can reach this "
            "machine can use the server. Add --api-key KEY or bind 127.0.0.1.",
            file=sys.stderr,
            flush=True,
        )
    return await serve_until_signalled(server)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``infoway-widgets``."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        try:
            if getattr(args, "classroom", False):
                from .classroom.cli import run_classroom

                return asyncio.run(run_classroom(args))
            if getattr(args, "upstream", None):
                from .relay.cli import run_relay

                return asyncio.run(run_relay(args))
            return asyncio.run(_serve(args))
        except KeyboardInterrupt:  # a second Ctrl-C before the handler is installed
            return 0
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
