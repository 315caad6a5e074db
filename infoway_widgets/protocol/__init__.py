"""The Infoway protocol, pure: no sockets, no clocks, no widgets.

* :mod:`.codes` — frame codes, stream kinds, channels and the service's limits
* :mod:`.events` — typed events the client decodes
* :mod:`.payloads` — one trade, book or candle (socket and REST alike) to an event
* :mod:`.decode` — frames to events (one frame, or a batch into numpy columns)
* :mod:`.encode` — the frames each end sends
* :mod:`.verdicts` — what an error answer means (which exception, and whether to reconnect)
* :mod:`.window` — the sliding window both ends count the frame budget with
* :mod:`.client` — the client session (with :mod:`.reconcile` and :mod:`.client_config`):
  subscriptions, budget, acks, deferrals, verdicts and deadlines, driven by ``(frame, now)``
* :mod:`.server` — the server session of one connection (requests, budget, idle close, code
  limit), and :mod:`.handshake` — the refusals at the WebSocket handshake
"""

from .codes import KINDS, Kind
from .decode import TradeColumns, decode_batch, decode_frame
from .events import (
    Ack,
    Candle,
    Depth,
    ErrorFrame,
    Event,
    Greeting,
    SubscribeFail,
    Trade,
    Unparsed,
    UnsubscribeAck,
    Welcome,
)
from .payloads import FrameError

__all__ = [
    "KINDS",
    "Ack",
    "Candle",
    "Depth",
    "ErrorFrame",
    "Event",
    "FrameError",
    "Greeting",
    "Kind",
    "SubscribeFail",
    "Trade",
    "TradeColumns",
    "Unparsed",
    "UnsubscribeAck",
    "Welcome",
    "decode_batch",
    "decode_frame",
]
