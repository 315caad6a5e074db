"""The Infoway protocol, pure: no sockets, no clocks, no widgets.

* :mod:`.codes` — frame codes, stream kinds, channels and the service's limits
* :mod:`.events` — typed events the client decodes
* :mod:`.decode` — frames and REST payloads to events (one frame, or a batch into numpy columns)
* :mod:`.encode` — the frames each end sends
* :mod:`.verdicts` — what an error answer means (which exception, and whether to reconnect)
"""

from .codes import KINDS, Kind
from .decode import FrameError, TradeColumns, decode_batch, decode_frame
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
