"""``iw.export_html``: widgets, or a whole notebook, as one HTML file that needs no network.

``ipywidgets.embed.embed_minimal_html`` and nbconvert write pages that load require.js and the
widgets' HTML manager from CDNs, so an exported lesson shows nothing offline. This page carries
every script itself: require.js and the HTML manager (copied from their npm packages by the
front-end build into ``static/``), anywidget's AMD module (from the installed anywidget), and the
widgets' own bundles inside their saved state. The widgets render the state they had when it was
written, and their status badges say "Saved state" and of when.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import BadParameterError, InfowayError
from ._esm import STATIC

#: where the template of a notebook export lives (a nbconvert template extending ``lab``)
TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"
STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
#: the status an exported live widget shows (its badge reads "Saved state")
SAVED = "saved"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 16px; }}
.widget-subarea {{ margin-bottom: 12px; }}</style>
</head>
<body>
<script type="{state_mime}">
{state}
</script>
{views}
{scripts}
</body>
</html>
"""

# anywidget's AMD module is anonymous (it expects a loader to name it by its URL): name the one
# define() it makes "anywidget", the module name its models ask the HTML manager for
_NAME_ANYWIDGET = """(function () {
  var define = window.define;
  window.define = function (name, deps, factory) {
    if (typeof name !== "string") return define("anywidget", name, deps);
    return define.apply(this, arguments);
  };
  window.define.amd = define.amd;
  window.__iwDefine = define;
})();"""
_RESTORE_DEFINE = "window.define = window.__iwDefine; delete window.__iwDefine;"

_SCRIPT_END = re.compile(r"<(/script|!--)", re.IGNORECASE)
_CLOSE_TAG = re.compile(r"</(script)", re.IGNORECASE)


def _inline(code: str, label: str) -> str:
    # "</script" or "<!--" in the code would end or bend the element early; in JavaScript they
    # occur only in strings, regular expressions and comments, where "<\/" reads "</" and
    # "\x3C" reads "<" (in every regular expression mode)
    safe = _CLOSE_TAG.sub(r"<\\/\1", code).replace("<!--", "\\x3C!--")
    return f"<script data-iw-inline={json.dumps(label)}>\n{safe}\n</script>"


def _read(path: pathlib.Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InfowayError(
            f"{what} is missing ({path}): rebuild the front-end (`npm ci && npm run build` in "
            "js/) or reinstall infoway-widgets"
        ) from None


def _anywidget_amd() -> str:
    import anywidget

    path = pathlib.Path(anywidget.__file__).resolve().parent / "nbextension" / "index.js"
    return _read(path, "anywidget's AMD module (anywidget/nbextension/index.js)")


def scripts() -> str:
    """Every script an exported page runs, inlined: require.js, anywidget's AMD module (named
    ``anywidget``) and the ipywidgets HTML manager, which renders the page's widgets on load."""
    return "\n".join(
        [
            "<!-- Scripts inlined for viewing offline: RequireJS (MIT), anywidget (MIT), "
            "@jupyter-widgets/html-manager (BSD-3-Clause); see infoway_widgets/static/NOTICE.txt -->",
            _inline(_read(STATIC / "require.js", "require.js"), "require.js"),
            _inline(_NAME_ANYWIDGET, "name-anywidget"),
            _inline(_anywidget_amd(), "anywidget"),
            _inline(_RESTORE_DEFINE, "restore-define"),
            _inline(
                _read(STATIC / "html-manager.js", "the ipywidgets HTML manager"), "html-manager"
            ),
        ]
    )


def _json_script(value: Any) -> str:
    return _SCRIPT_END.sub(r"\\u003c\1", json.dumps(value))


def _widgets_state(widgets: list[Any]) -> dict[str, Any]:
    """The saved state of ``widgets`` and every widget they refer to (children, links)."""
    from ipywidgets import Widget
    from ipywidgets.embed import dependency_state

    manager = Widget.get_manager_state(widgets=[])
    manager["state"] = dependency_state(widgets, drop_defaults=False)
    return dict(manager)


#: where the saved numbers came from, by the widget's status when it was saved
_ORIGIN = {"simulated": "simulated", "live": "live", "data": "your data"}


def _saved(states: Mapping[str, Any], when: str) -> dict[str, Any]:
    """``states`` with every live widget's status badge saying it shows saved state, and
    ``when`` it was taken (the widgets themselves keep their status)."""
    out: dict[str, Any] = {}
    for model_id, entry in states.items():
        state = entry.get("state") if isinstance(entry, Mapping) else None
        if isinstance(state, Mapping) and "_snapshot" in state and state.get("status") != SAVED:
            was = _ORIGIN.get(str(state.get("status")))
            message = f"{was}, {when}" if was else when
            state = {**state, "status": SAVED, "status_message": message}
            entry = {**entry, "state": state}
        out[model_id] = entry
    return out


def _as_of(now: datetime.datetime) -> str:
    return now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _widget_page(widgets: list[Any], title: str, when: datetime.datetime) -> str:
    state = _widgets_state(widgets)
    state["state"] = _saved(state["state"], _as_of(when))
    views = "\n".join(
        f'<script type="{VIEW_MIME}">\n{_json_script(w.get_view_spec())}\n</script>'
        for w in widgets
    )
    return _PAGE.format(
        title=_html_text(title),
        state_mime=STATE_MIME,
        state=_json_script(state),
        views=views,
        scripts=scripts(),
    )


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _view_ids(nb: Mapping[str, Any]) -> list[str]:
    ids = []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            spec = (out.get("data") or {}).get(VIEW_MIME)
            if isinstance(spec, Mapping) and spec.get("model_id"):
                ids.append(str(spec["model_id"]))
    return ids


def _notebook_page(path: pathlib.Path, title: str | None, when: datetime.datetime) -> str:
    try:
        import nbformat
        from nbconvert import HTMLExporter
    except ImportError:
        raise InfowayError(
            "exporting a notebook needs nbconvert and nbformat: "
            "pip install 'infoway-widgets[export]' (or pip install nbconvert)"
        ) from None
    from ipywidgets import Widget
    from ipywidgets.widgets import widget as widget_module

    nb = nbformat.read(str(path), as_version=4)
    saved = nb.metadata.get("widgets", {}).get(STATE_MIME, {})
    state = _saved(saved.get("state", {}), f"from {path.name}")
    # widgets of this kernel that the notebook's outputs show: their current state, fresher than
    # what was saved (and there even when the notebook was saved without widget state); the
    # registry is what ipywidgets.embed reads too (Widget.widgets is deprecated)
    alive = widget_module._instances
    live = [alive[i] for i in _view_ids(nb) if i in alive]
    if live:
        state.update(_saved(_widgets_state(live)["state"], _as_of(when)))
    manager = Widget.get_manager_state(widgets=[])
    manager["state"] = state
    nb.metadata["widgets"] = {STATE_MIME: manager}
    if title:
        nb.metadata["title"] = title
    exporter = HTMLExporter(template_name="iw_offline", extra_template_basedirs=[str(TEMPLATES)])
    body, _ = exporter.from_notebook_node(nb, resources={"iw_scripts": scripts()})
    return str(body)


def _is_notebook(item: Any) -> bool:
    return isinstance(item, (str, pathlib.Path)) and str(item).endswith(".ipynb")


def export_html(
    path: str | pathlib.Path, *widgets_or_notebook: Any, title: str | None = None
) -> pathlib.Path:
    """Write widgets, or a notebook with its widgets, to one HTML file that opens offline.

    Every script the page needs is inside it (require.js, the ipywidgets HTML manager, anywidget
    and the widgets' bundles): no CDN, no network. The widgets show the state they have now, and
    say it is saved state.

    Parameters
    ----------
    path : str or Path
        The HTML file to write.
    *widgets_or_notebook
        Widgets (any ipywidgets, e.g. a chart, a book and a board, or a Dashboard), shown one
        below the other; or one notebook file (``"lesson.ipynb"``), rendered with its cells. For
        a notebook, the widgets its outputs show are taken from this kernel when they are alive
        here (run the notebook, save it, then export it from a cell), else from the widget state
        saved in the file. Math in Markdown stays TeX source: MathJax would need the network.
    title : str, optional
        The page's title (default: the file's or the notebook's name).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> chart = iw.CandleChart("600519.SH")  # doctest: +SKIP
    >>> iw.export_html("moutai.html", chart, iw.OrderBook("600519.SH"))  # doctest: +SKIP
    >>> iw.export_html("lesson.html", "lesson.ipynb")  # doctest: +SKIP
    """
    out = pathlib.Path(path)
    now = datetime.datetime.now(datetime.timezone.utc)
    items = list(widgets_or_notebook)
    if not items:
        raise BadParameterError(
            "nothing to export: pass widgets, e.g. iw.export_html('page.html', chart, book), "
            "or a notebook file, e.g. iw.export_html('lesson.html', 'lesson.ipynb')"
        )
    notebooks = [x for x in items if _is_notebook(x)]
    if notebooks:
        if len(items) != 1:
            raise BadParameterError(
                "export one notebook at a time, without widgets beside it: "
                "iw.export_html('lesson.html', 'lesson.ipynb')"
            )
        nb_path = pathlib.Path(notebooks[0])
        if not nb_path.exists():
            raise BadParameterError(f"no notebook at {nb_path}: save it first, or check the path")
        html = _notebook_page(nb_path, title, now)
    else:
        html = _widget_page(_widgets(items), title or out.stem, now)
    out.write_text(html, encoding="utf-8")
    return out


def _widgets(items: Iterable[Any]) -> list[Any]:
    from ipywidgets import Widget

    out = []
    for x in items:
        if not isinstance(x, Widget):
            raise BadParameterError(
                f"export_html takes widgets or one notebook file (.ipynb), not {type(x).__name__}"
            )
        if getattr(x, "closed", False) or x.comm is None:
            raise BadParameterError(f"{type(x).__name__} is closed: export it before closing it")
        out.append(x)
    return out
