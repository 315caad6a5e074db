"""The relay: one upstream Infoway connection served to many clients over the same
REST + WebSocket protocol, optionally shared by several relays through Redis.

See ``docs/relay.md``. Entry points: :class:`RelayServer` with :class:`RelayConfig`, and
``python -m infoway_widgets.relay`` (``infoway-widgets serve --upstream ...``).
"""

from .config import RelayConfig
from .server import RelayServer

__all__ = ["RelayConfig", "RelayServer"]
