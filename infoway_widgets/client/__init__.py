"""Talks Infoway: wire codec (pure), REST, WebSocket session, key handling."""

from . import codec
from .codec import Ack, Candle, Depth, Event, Greeting, ServerError, SubscribeFail, Trade, Unparsed, UnsubscribeAck, Welcome, decode_batch, decode_frame

__all__ = [
    "Ack", "Candle", "Depth", "Event", "Greeting", "ServerError", "SubscribeFail", "Trade",
    "Unparsed", "UnsubscribeAck", "Welcome", "codec", "decode_batch", "decode_frame",
]
