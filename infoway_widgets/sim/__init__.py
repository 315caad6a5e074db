"""The simulated market and the local server that serves it over the real Infoway protocol.

Everything here runs offline on 127.0.0.1: a deterministic market (from a seed) with order books,
trades, exchange rules and history, and an aiohttp server that speaks the production protocol
(REST + WebSocket) byte for byte, with optional faults and a ground-truth record.

>>> from infoway_widgets.sim import serve            # doctest: +SKIP
>>> async with serve(port=0, seed=1, speed=60) as server:
...     server.url, server.ws_url, server.market, server.ground_truth
"""

from .clock import SimClock
from .events import SimDepth, SimTrade
from .faults import Faults
from .ground_truth import GroundTruth, read_record
from .market import SimMarket
from .server import SimServer, serve
from .stats import ServerStats
from .universe import Profile, default_profiles

__all__ = [
    "Faults",
    "GroundTruth",
    "Profile",
    "ServerStats",
    "SimClock",
    "SimDepth",
    "SimMarket",
    "SimServer",
    "SimTrade",
    "default_profiles",
    "read_record",
    "serve",
]
