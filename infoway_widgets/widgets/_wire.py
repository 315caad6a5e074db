"""Frames from Python to the widget front-ends (schema version 1).

A frame is a small JSON header plus one little-endian float64 column per name in
``header["cols"]``::

    {"kind": "bars", "v": 1, "seq": 42, "n": 3, "cols": ["t", "open", ...], "reset": false, ...}

Live frames travel as anywidget custom messages (header as content, columns as binary
buffers). The same frame, with its columns as JSON lists (NaN as null), is what the
``_snapshot`` trait holds, so a view without a kernel (HTML export, a re-opened notebook)
renders the last state. Times are UTC epoch milliseconds in float64, never float32/int32.

A frame whose columns begin with its kind's usual ones (:data:`USUAL_COLUMNS`: a chart's
``t, open, high, low, close, volume, turnover``) names them ``"*"``: ``"cols": ["*", "studies"]``.
That is most of a live delta's header (a chart's update is ~180 B, ~60 of them the names), and a
front-end expands it before anything reads the header (``js/src/lib/wire.js`` ``expandColumns``,
the same table).

Some front-ends drop the binary buffers of custom messages (Colab's widget manager). There a
frame's columns travel base64-encoded in the header instead (``"b64": [...]``, one string per
name in ``cols``): when the kernel runs in Colab, when a front-end reports that a probe buffer did
not reach it, or always with ``INFOWAY_WIDGETS_BUFFERS=0``.
"""

from __future__ import annotations

import base64
import math
import os
import struct
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

SCHEMA_VERSION = 1
#: ``0`` sends every frame base64 in the JSON; ``1`` trusts binary buffers (no Colab guess)
BUFFERS_ENV = "INFOWAY_WIDGETS_BUFFERS"
#: what the probe buffer holds: a front-end that reads these back takes binary buffers
PROBE_VALUES = (1.5, -0.25, 2.0**53, 1e-300)


#: each kind's usual columns, in order; a frame's ``cols`` that begin with them say ``"*"`` instead
USUAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "bars": ("t", "open", "high", "low", "close", "volume", "turnover"),
    "book": ("bid_px", "bid_vol", "ask_px", "ask_vol"),
    "tape": ("t", "price", "volume", "direction"),
}
USUAL = "*"


def short_columns(kind: str, names: list[str]) -> list[str]:
    """``names`` as a frame's header says them: the kind's usual columns at the start as ``"*"``."""
    usual = USUAL_COLUMNS.get(kind)
    if usual and tuple(names[: len(usual)]) == usual:
        return [USUAL, *names[len(usual) :]]
    return names


def column_names(header: Mapping[str, Any]) -> list[str]:
    """The columns a frame's header names, ``"*"`` expanded (the inverse of :func:`short_columns`)."""
    names = list(header.get("cols") or [])
    if names[:1] == [USUAL]:
        return [*USUAL_COLUMNS[str(header.get("kind"))], *names[1:]]
    return names


def f64(a: Any) -> np.ndarray:
    """A contiguous little-endian float64 copy-or-view of ``a``."""
    return np.ascontiguousarray(np.asarray(a, dtype="<f8"))


def column_bytes(a: Any) -> bytes:
    """A column as a frame's buffer: little-endian float64 bytes (``bytes`` are taken as such)."""
    if type(a) is bytes:
        return a
    return f64(a).tobytes()


#: one value as a frame's buffer (:func:`pack_values` of one)
_ONE = struct.Struct("<d")


def pack_values(values: Any) -> bytes:
    """Python floats as one column's buffer, without numpy: a live frame's columns of one bar
    (seven numbers and a few study values) cost less this way than as arrays."""
    if len(values) == 1:
        return _ONE.pack(values[0])
    return struct.pack(f"<{len(values)}d", *values)


def make_frame(
    kind: str, seq: int, cols: Mapping[str, Any], **extra: Any
) -> tuple[dict[str, Any], list[bytes]]:
    """Header and buffers of one frame.

    Parameters
    ----------
    kind : str
        ``"bars"``, ``"book"``, ``"tape"`` or ``"quotes"``.
    seq : int
        Frame sequence number of the widget (rises by one per frame sent).
    cols : mapping of str to array-like
        Columns, each sent as float64; a ``bytes`` column is taken as little-endian float64
        already (:func:`pack_values`). ``n`` in the header is the length of the first.
    **extra
        Further JSON-safe header fields (``reset``, ``interval``, ...).
    """
    names = list(cols)
    buffers = [column_bytes(cols[k]) for k in names]
    header: dict[str, Any] = {
        "kind": kind,
        "v": SCHEMA_VERSION,
        "seq": int(seq),
        "n": len(buffers[0]) // 8 if buffers else 0,
        "cols": short_columns(kind, names),
    }
    header.update(extra)
    return header, buffers


def _json_list(a: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(x) else x for x in f64(a).tolist()]


def snapshot_value(header: Mapping[str, Any], cols: Mapping[str, Any]) -> dict[str, Any]:
    """The ``_snapshot`` trait form of a frame (JSON columns; NaN and inf as null)."""
    return {"header": dict(header), "cols": {k: _json_list(np.asarray(v)) for k, v in cols.items()}}


def decode_frame(
    header: Mapping[str, Any], buffers: list[bytes | memoryview]
) -> dict[str, np.ndarray]:
    """Columns of a frame from its buffers (the inverse of :func:`make_frame`; used by tests)."""
    names = column_names(header)
    return {name: np.frombuffer(bytes(b), dtype="<f8") for name, b in zip(names, buffers)}


def buffers_setting() -> bool | None:
    """What ``INFOWAY_WIDGETS_BUFFERS`` asks for: False (``0``, ``false``, ``no``, ``off``),
    True (``1``, ``true``, ``yes``, ``on``), or None when it is unset or says neither."""
    value = os.environ.get(BUFFERS_ENV, "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    return None


def binary_buffers_by_default() -> bool:
    """Whether a new widget sends its columns as binary buffers: as ``INFOWAY_WIDGETS_BUFFERS``
    says, else unless the kernel runs in Colab (whose widget manager drops them)."""
    setting = buffers_setting()
    if setting is not None:
        return setting
    return "google.colab" not in sys.modules


def inline_columns(header: Mapping[str, Any], buffers: list[bytes]) -> dict[str, Any]:
    """The header of a frame that carries its ``buffers`` base64-encoded (``"b64"``), for a
    front-end that drops binary buffers."""
    return {**header, "b64": [base64.b64encode(b).decode("ascii") for b in buffers]}


def probe_message() -> tuple[dict[str, Any], list[bytes]]:
    """The reply to a front-end's ``probe``: known values in one buffer, and as JSON."""
    return {"kind": "probe", "values": list(PROBE_VALUES)}, [f64(PROBE_VALUES).tobytes()]


def decode_inline(header: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Columns of a frame sent with ``"b64"`` (the inverse of :func:`inline_columns`; for tests)."""
    return {
        name: np.frombuffer(base64.b64decode(text), dtype="<f8")
        for name, text in zip(column_names(header), header["b64"])
    }
