"""Talks Infoway: wire codec (pure), REST, WebSocket session, key handling."""

from . import codec
from .codec import (
    Ack,
    Candle,
    Depth,
    Event,
    Greeting,
    ServerError,
    SubscribeFail,
    Trade,
    Unparsed,
    UnsubscribeAck,
    Welcome,
    decode_batch,
    decode_frame,
)
from .rest import RestClient, SyncRestClient
from .ws import WsSession

__all__ = [
    "Ack",
    "Candle",
    "Depth",
    "Event",
    "Greeting",
    "RestClient",
    "ServerError",
    "SubscribeFail",
    "SyncRestClient",
    "Trade",
    "Unparsed",
    "UnsubscribeAck",
    "Welcome",
    "WsSession",
    "codec",
    "decode_batch",
    "decode_frame",
]
