"""Command line of the relay: ``infoway-widgets serve --upstream infoway|simulated`` (once wired
into :mod:`infoway_widgets.cli`) or ``python -m infoway_widgets.relay``.

:func:`add_relay_arguments` adds only the relay's own options, so that ``serve`` keeps its
``--host/--port/--seed/--speed/...``; :func:`run_relay` runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any

from .._web import serve_until_signalled, start_listening
from ..errors import BadParameterError
from .config import RelayConfig

#: codes one viewer's connection may hold through a relay unless --max-codes says otherwise
RELAY_MAX_CODES = 200


def add_relay_arguments(p: argparse.ArgumentParser) -> None:
    """The relay's options (``--upstream`` selects relay mode; without it ``serve`` is unchanged)."""
    g = p.add_argument_group("relay (--upstream): serve one upstream connection to many clients")
    g.add_argument(
        "--upstream",
        choices=("infoway", "simulated"),
        default=None,
        help="relay the Infoway service (key from INFOWAY_API_KEY) or an in-process "
        "simulated market to any number of clients",
    )
    g.add_argument(
        "--upstream-url",
        default=None,
        metavar="URL",
        help="REST base of the upstream (default https://data.infoway.io); its WebSocket is URL/ws",
    )
    g.add_argument(
        "--relay-token",
        default=None,
        metavar="TOKEN",
        help="clients must send this as their api key (also INFOWAY_RELAY_TOKEN); "
        "required when --host is not loopback",
    )
    g.add_argument(
        "--redis",
        default=None,
        metavar="URL",
        help="share one upstream with other relays through Redis, e.g. redis://host:6379/0",
    )
    g.add_argument("--redis-prefix", default="infoway-relay", help="namespace of the relay group")
    g.add_argument(
        "--lock-ttl",
        type=float,
        default=3.0,
        metavar="S",
        help="leader lock expiry: a dead leader is replaced within about this long",
    )
    g.add_argument(
        "--client-frames-per-min",
        type=int,
        default=60,
        metavar="N",
        help="frames one client connection may send per minute (protocol: 60)",
    )
    g.add_argument(
        "--time-scale",
        type=float,
        default=None,
        metavar="X",
        help="divide protocol timers by X (a time-compressed upstream); "
        "default: --speed with --upstream simulated, else 1",
    )
    g.add_argument(
        "--status-every",
        type=float,
        default=10.0,
        metavar="S",
        help="print a status line every S seconds (0: never)",
    )


def config_from_args(args: argparse.Namespace) -> RelayConfig:
    """A :class:`RelayConfig` from parsed ``serve``/relay arguments (the upstream URL and key
    are filled in by :func:`run_relay` for ``--upstream simulated``)."""
    token = args.relay_token or os.environ.get("INFOWAY_RELAY_TOKEN") or None
    speed = float(getattr(args, "speed", 1.0) or 1.0)
    scale = args.time_scale or (speed if args.upstream == "simulated" else 1.0)
    return RelayConfig(
        host=args.host,
        port=args.port,
        upstream_url=args.upstream_url or "https://data.infoway.io",
        upstream_key=(os.environ.get("INFOWAY_API_KEY") or None)
        if args.upstream == "infoway"
        else None,
        relay_token=token,
        time_scale=scale,
        max_codes_per_client=args.max_codes or RELAY_MAX_CODES,
        client_frames_per_min=args.client_frames_per_min,
        redis_url=args.redis,
        redis_prefix=args.redis_prefix,
        lock_ttl_ms=int(args.lock_ttl * 1000),
        status_every_s=args.status_every or None,
    )


async def run_relay(args: argparse.Namespace) -> int:
    """Run a relay until SIGINT/SIGTERM. Prints ``listening on URL`` first, then a status line
    every ``--status-every`` seconds. Returns the process exit code."""
    from .server import RelayServer

    cfg = config_from_args(args)
    sim: Any = None
    if args.upstream == "infoway" and not cfg.upstream_key and not args.upstream_url:
        print(
            "infoway-widgets: --upstream infoway needs INFOWAY_API_KEY in the environment "
            "(the key is never taken on the command line, where `ps` would show it).",
            file=sys.stderr,
        )
        return 2
    if args.upstream == "simulated":
        from ..sim.server import SimServer

        # the simulated market as the upstream, on a private loopback port
        sim = SimServer(
            host="127.0.0.1",
            port=0,
            seed=getattr(args, "seed", 1),
            speed=float(getattr(args, "speed", 1.0) or 1.0),
        )
        await sim.start()
        cfg.upstream_url = sim.url
    try:
        relay = RelayServer(cfg)
        listening = await start_listening(relay, cfg.host, cfg.port)
    except BadParameterError as e:
        print(f"infoway-widgets: {e}", file=sys.stderr)
        listening = None
    if not listening:
        if sim is not None:
            await sim.stop()
        return 2 if listening is None else 1
    what = "a SIMULATED market" if sim is not None else "Infoway"
    print(
        f"relay of {what}; WebSocket {relay.ws_url}?business=stock"
        + (f"; relay group {cfg.redis_prefix!r} via redis" if cfg.redis_url else "")
        + ("; clients need the relay token" if cfg.token_required() else ""),
        flush=True,
    )
    return await serve_until_signalled(relay, *([sim] if sim is not None else []))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m infoway_widgets.relay --upstream simulated --port 8765``."""
    p = argparse.ArgumentParser(
        prog="python -m infoway_widgets.relay",
        description="Relay one Infoway upstream to many clients.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--seed", type=int, default=1, help="simulated upstream: random seed")
    p.add_argument("--speed", type=float, default=1.0, help="simulated upstream: time compression")
    p.add_argument(
        "--max-codes",
        type=int,
        default=RELAY_MAX_CODES,
        metavar="N",
        help=f"codes one client connection may hold (default {RELAY_MAX_CODES})",
    )
    add_relay_arguments(p)
    args = p.parse_args(argv)
    if args.upstream is None:
        args.upstream = "infoway"
    try:
        return asyncio.run(run_relay(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
