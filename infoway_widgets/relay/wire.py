"""WebSocket frames as bytes, built once and written as they are to every client that gets them.

A relay sends each push to many clients: building the frame (header and payload) once, and
writing a client's frames of one loop turn in one ``transport.write``, keeps the cost per client
to a list append and a share of one write. Server-to-client frames are not masked (RFC 6455 §5.1)
and the relay negotiates no compression, so the bytes are the same for every client.
"""

from __future__ import annotations

_TEXT_FIN = 0x81


def text_frame(payload: bytes) -> bytes:
    """One final, unmasked text frame carrying ``payload`` (UTF-8)."""
    n = len(payload)
    if n < 126:
        return bytes((_TEXT_FIN, n)) + payload
    if n < 1 << 16:
        return bytes((_TEXT_FIN, 126)) + n.to_bytes(2, "big") + payload
    return bytes((_TEXT_FIN, 127)) + n.to_bytes(8, "big") + payload


__all__ = ["text_frame"]
