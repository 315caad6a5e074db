"""Talks to Infoway over the network: REST (httpx) and the WebSocket driver of the protocol's
client session. Everything pure (codes, events, decoding, verdicts) is in :mod:`infoway_widgets.protocol`."""

from .rest import RestClient, SyncRestClient
from .ws import WsSession

__all__ = ["RestClient", "SyncRestClient", "WsSession"]
