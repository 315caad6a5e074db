"""Loading the built front-end bundles and their stylesheet.

``_esm`` and ``_css`` are passed to anywidget as strings read once at import (a ``Path`` would
make anywidget watch the file and keep every instance alive). Contributors set
``ANYWIDGET_HMR=1`` and run ``npm run dev`` in ``js/``: then both are the files' paths and views
reload on rebuild.
"""

from __future__ import annotations

import os
import pathlib

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"
#: the stylesheet every view uses, injected by anywidget once per page (not once per view)
STYLESHEET = STATIC / "widgets.css"

_MISSING = """
export default { render({ el }) {
  const d = document.createElement("pre");
  d.textContent = %r;
  el.appendChild(d);
} };
"""


def _hmr(path: pathlib.Path) -> bool:
    return os.environ.get("ANYWIDGET_HMR") == "1" and path.exists()


def bundle(kind: str) -> str | pathlib.Path:
    """The ESM source of the ``kind`` bundle (``candle``, ``book``, ``tape``, ``board``,
    ``intraday``); its path with ``ANYWIDGET_HMR=1``."""
    path = STATIC / f"{kind}.js"
    if _hmr(path):
        return path
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = (
            f"infoway-widgets: the front-end bundle {path.name} is missing. "
            "Run `npm install && npm run build` in js/ (or reinstall the package)."
        )
        return _MISSING % msg


def stylesheet() -> str | pathlib.Path:
    """The CSS of every widget view (``static/widgets.css``); its path with ``ANYWIDGET_HMR=1``.

    Empty when the build has not made it yet: the widgets then render unstyled, and
    :func:`bundle` already tells the user to run the build.
    """
    if _hmr(STYLESHEET):
        return STYLESHEET
    try:
        return STYLESHEET.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
