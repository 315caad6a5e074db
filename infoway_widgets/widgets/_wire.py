"""Frames from Python to the widget front-ends (schema version 1).

A frame is a small JSON header plus one little-endian float64 column per name in
``header["cols"]``::

    {"kind": "bars", "v": 1, "seq": 42, "n": 3, "cols": ["t", "open", ...], "reset": false, ...}

Live frames travel as anywidget custom messages (header as content, columns as binary
buffers). The same frame, with its columns as JSON lists (NaN as null), is what the
``_snapshot`` trait holds, so a view without a kernel (HTML export, a re-opened notebook)
renders the last state. Times are UTC epoch milliseconds in float64, never float32/int32.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

SCHEMA_VERSION = 1


def f64(a: Any) -> np.ndarray:
    """A contiguous little-endian float64 copy-or-view of ``a``."""
    return np.ascontiguousarray(np.asarray(a, dtype="<f8"))


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
        Columns, each sent as float64. ``n`` in the header is the length of the first.
    **extra
        Further JSON-safe header fields (``reset``, ``interval``, ...).
    """
    names = list(cols)
    arrays = [f64(cols[k]) for k in names]
    header: dict[str, Any] = {
        "kind": kind,
        "v": SCHEMA_VERSION,
        "seq": int(seq),
        "n": int(len(arrays[0])) if arrays else 0,
        "cols": names,
    }
    header.update(extra)
    return header, [a.tobytes() for a in arrays]


def _json_list(a: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(x) else x for x in f64(a).tolist()]


def snapshot_value(header: Mapping[str, Any], cols: Mapping[str, Any]) -> dict[str, Any]:
    """The ``_snapshot`` trait form of a frame (JSON columns; NaN and inf as null)."""
    return {"header": dict(header), "cols": {k: _json_list(np.asarray(v)) for k, v in cols.items()}}


def decode_frame(
    header: Mapping[str, Any], buffers: list[bytes | memoryview]
) -> dict[str, np.ndarray]:
    """Columns of a frame from its buffers (the inverse of :func:`make_frame`; used by tests)."""
    return {name: np.frombuffer(bytes(b), dtype="<f8") for name, b in zip(header["cols"], buffers)}
