"""IconButton: an SVG icon beside the words, clicked from the front-end or from code."""

from __future__ import annotations

import pytest
import traitlets

from infoway_widgets.widgets.controls.icon_button import ICONS, IconButton


def test_a_click_from_the_front_end_calls_the_handlers_unless_disabled():
    b = IconButton(icon="play", description="Play")
    clicks: list[IconButton] = []
    b.on_click(clicks.append)
    b._on_front_msg(b, {"type": "click"}, [])
    assert clicks == [b]
    b.disabled = True
    b._on_front_msg(b, {"type": "click"}, [])
    assert clicks == [b]  # a disabled button does nothing
    b.click()  # code still can, as with ipywidgets' Button
    assert clicks == [b, b]
    b.on_click(clicks.append, remove=True)
    b.click()
    assert len(clicks) == 2
    b._on_front_msg(b, {"type": "something else"}, [])
    b.close()


def test_only_known_icons_and_the_bundle_ships():
    assert set(ICONS) == {"play", "pause", "restart"}
    with pytest.raises(traitlets.TraitError):
        IconButton(icon="⏮")
    b = IconButton(icon="restart", description="Restart", button_style="success")
    assert "front-end bundle" not in b._esm and "restart" in b._esm  # built, not the stub
    assert "iw-icon-btn" in b._css
    assert repr(b) == "IconButton(icon='restart', description='Restart')"
    b.close()
