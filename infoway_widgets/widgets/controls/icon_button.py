"""IconButton: a button like ipywidgets' own whose icon is inline SVG, drawn the same whatever the
fonts (⏮ and ⏸ render as empty boxes with many common ones)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

from .._esm import bundle, stylesheet

#: the icons an IconButton can show (outlines in js/src/button.js)
ICONS: tuple[str, ...] = ("play", "pause", "restart")


class IconButton(anywidget.AnyWidget):
    """A clickable button with an SVG icon before its text.

    It has the members of :class:`ipywidgets.Button` the controls use (``description``,
    ``disabled``, ``button_style``, ``tooltip``, ``on_click``, ``click``) and looks like one: the
    front-end draws it with ipywidgets' button classes.

    Parameters
    ----------
    description : str
        The text after the icon.
    icon : {"", "play", "pause", "restart"}
        The icon; empty for none.
    **kwargs
        Any other trait (``disabled``, ``button_style``, ``tooltip``, ``layout``).
    """

    _esm = bundle("button")
    _css = stylesheet()

    description = t.Unicode("", help="Button label.").tag(sync=True)
    icon = t.Enum(("", *ICONS), "", help="Icon before the label.").tag(sync=True)
    disabled = t.Bool(False, help="Whether a click does nothing.").tag(sync=True)
    tooltip = t.Unicode("", help="Text on hover.").tag(sync=True)
    button_style = t.Enum(
        ["", "primary", "success", "info", "warning", "danger"],
        "",
        help="One of ipywidgets' button styles.",
    ).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._click_handlers = CallbackDispatcher()
        self.on_msg(self._on_front_msg)

    def on_click(self, callback: Callable[[IconButton], Any], remove: bool = False) -> None:
        """Call ``callback(button)`` on every click (``remove=True`` unregisters it)."""
        self._click_handlers.register_callback(callback, remove=remove)

    def click(self) -> None:
        """Click the button from code: calls the registered callbacks, as ipywidgets' does."""
        self._click_handlers(self)

    def _on_front_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "click" and not self.disabled:
            self.click()

    def __repr__(self) -> str:
        return f"IconButton(icon={self.icon!r}, description={self.description!r})"


__all__ = ["ICONS", "IconButton"]
