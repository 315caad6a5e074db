"""The Infoway WebSocket protocol's numbers and names, defined once for both ends.

Frame codes, the three stream kinds (named as the client API names them: ``trades``, ``depth``,
``candles``), the business channels, and the service's limits in protocol time (the simulated
server and the tests compress them with a time scale). See ``shared/infoway-protocol.md``.
"""

from __future__ import annotations

from typing import Literal

SUB_TRADE, ACK_TRADE, PUSH_TRADE = 10000, 10001, 10002
SUB_DEPTH, ACK_DEPTH, PUSH_DEPTH = 10003, 10004, 10005
SUB_CANDLE, ACK_CANDLE, PUSH_CANDLE = 10006, 10007, 10008
HEARTBEAT = 10010
UNSUB_TRADE, UNSUB_DEPTH, UNSUB_CANDLE = 11000, 11001, 11002
ACK_UNSUB = 11010
WELCOME = 200

#: the stream kinds, as the client API and both servers name them
Kind = Literal["trades", "depth", "candles"]
KINDS: tuple[Kind, ...] = ("trades", "depth", "candles")

SUBSCRIBE_CODES: dict[str, int] = {"trades": SUB_TRADE, "depth": SUB_DEPTH, "candles": SUB_CANDLE}
UNSUBSCRIBE_CODES: dict[str, int] = {
    "trades": UNSUB_TRADE,
    "depth": UNSUB_DEPTH,
    "candles": UNSUB_CANDLE,
}
ACK_KINDS: dict[int, Kind] = {ACK_TRADE: "trades", ACK_DEPTH: "depth", ACK_CANDLE: "candles"}

PUSH_CODES = (PUSH_TRADE, PUSH_DEPTH, PUSH_CANDLE)
PUSH_KINDS: dict[int, Kind] = {PUSH_TRADE: "trades", PUSH_DEPTH: "depth", PUSH_CANDLE: "candles"}
SUBSCRIBE_KINDS: dict[int, Kind] = {SUB_TRADE: "trades", SUB_DEPTH: "depth", SUB_CANDLE: "candles"}
UNSUBSCRIBE_KINDS: dict[int, Kind] = {
    UNSUB_TRADE: "trades",
    UNSUB_DEPTH: "depth",
    UNSUB_CANDLE: "candles",
}
ACK_OF = {SUB_TRADE: ACK_TRADE, SUB_DEPTH: ACK_DEPTH, SUB_CANDLE: ACK_CANDLE}

#: business channels of ``/ws?business=...``; a channel carries only its own instruments
BUSINESSES = ("stock", "crypto", "common", "japan", "india", "korea", "taiwan")

# ---- limits, in protocol (service) time ----------------------------------------------------------
#: client frames (heartbeats included) per connection per budget window
FRAME_BUDGET = 60
BUDGET_WINDOW_MS = 60_000
#: without any client frame for this long the service closes the connection
IDLE_MS = 60_000
#: the client's heartbeat period
HEARTBEAT_MS = 30_000
#: the largest client frame a server accepts
MAX_FRAME_BYTES = 256 * 1024
#: REST: codes per call; candles for one code; candles each when several codes are asked at once
REST_MAX_CODES = 100
REST_MAX_CANDLES_ONE = 500
REST_MAX_CANDLES_MANY = 2

#: production's texts for the error frames our servers send (``{"code", "msg", "traceId"}``)
ERROR_MESSAGES = {
    500: "Server error, please try again later",
    501: "Request exceeds the frequency limit per minute",
    502: "Request exceeds the frequency limit per day",
    505: "Products quantity exceeds the limit",
    511: "API key is blacklisted",
    513: "Heartbeat timeout, connection closed",
    516: "The number of products subscribed by the account exceeds the limit",
}
