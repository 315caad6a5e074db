"""Loading the built front-end bundles.

``_esm`` is passed to anywidget as a string read once at import (a ``Path`` would make anywidget
watch the file and keep every instance alive). Contributors set ``ANYWIDGET_HMR=1`` and run
``npm run dev`` in ``js/``: then ``_esm`` is the bundle's path and views reload on rebuild.
"""

from __future__ import annotations

import os
import pathlib

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"

_MISSING = """
export default { render({ el }) {
  const d = document.createElement("pre");
  d.textContent = %r;
  el.appendChild(d);
} };
"""


def bundle(kind: str) -> str | pathlib.Path:
    """The ESM source of the ``kind`` bundle (``candle``, ``book``, ``tape``, ``board``)."""
    path = STATIC / f"{kind}.js"
    if os.environ.get("ANYWIDGET_HMR") == "1" and path.exists():
        return path
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = (
            f"infoway-widgets: the front-end bundle {path.name} is missing. "
            "Run `npm install && npm run build` in js/ (or reinstall the package)."
        )
        return _MISSING % msg
