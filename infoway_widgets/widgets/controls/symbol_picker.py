"""SymbolPicker: search the symbol list by code, Chinese or English name."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as w
import traitlets as t

from ...errors import InfowayError
from ...i18n import check_locale, label
from .._base import default_feed
from ..coalesce import running_loop

log = logging.getLogger("infoway_widgets.controls")

#: symbol-list types asked from ``/common/basic/symbols``
SYMBOL_TYPES: tuple[str, ...] = ("STOCK_CN", "STOCK_HK", "STOCK_US", "CRYPTO", "FOREX", "METAL")


class SymbolPicker(w.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Search the symbol list by code, Chinese or English name; ``value`` is the chosen code.

    The list comes from the service's ``/common/basic/symbols`` (through the feed's REST client;
    the simulated market answers it too), or from ``symbols=`` when given. Without the service's
    list (no REST, or it failed) it holds the simulated market's symbols, or else the symbols
    the feed watches and ``value``.

    Parameters
    ----------
    feed : Feed, optional
        Default: ``iw.connect()``.
    value : str
        The code selected at first.
    symbols : iterable of str or dict, optional
        A fixed list instead of the service's (codes, or records with ``symbol``, ``name_cn``,
        ``name_en``).
    types : sequence of str
        Symbol-list types to load.
    locale : {"en", "zh"}
        Names shown in Chinese or English; search always matches both.
    max_results : int

    Examples
    --------
    >>> picker = iw.SymbolPicker(feed, locale="zh")                    # doctest: +SKIP
    >>> picker.observe(lambda ch: print(ch["new"]), names="value")    # doctest: +SKIP
    >>> picker.search("茅台")[0]["symbol"]                              # doctest: +SKIP
    '600519.SH'
    """

    value = t.Unicode("", help="The selected code, e.g. '600519.SH'.")
    query = t.Unicode("", help="The search text.")
    locale = t.Unicode("en")

    def __init__(
        self,
        feed: Any = None,
        *,
        value: str = "600519.SH",
        symbols: Iterable[str | dict[str, Any]] | None = None,
        types: Sequence[str] = SYMBOL_TYPES,
        locale: str = "en",
        max_results: int = 50,
    ) -> None:
        self.feed = default_feed(feed)
        loc = check_locale(locale)
        self.types = tuple(types)
        self.max_results = int(max_results)
        self.records: list[dict[str, Any]] = []
        self._showing = False
        self.text = w.Text(
            placeholder=label("search_placeholder", loc),
            description=label("search", loc),
            continuous_update=True,
            layout=w.Layout(width="320px"),
        )
        self.select = w.Select(options=[], rows=6, layout=w.Layout(width="320px"))
        self.text.observe(lambda ch: setattr(self, "query", ch["new"]), names="value")
        self.select.observe(self._on_select, names="value")
        super().__init__([self.text, self.select], locale=loc, value=value)
        self.add_class("iw-symbol-picker")
        self._loaded: asyncio.Future[list[dict[str, Any]]] = running_loop().create_future()
        if symbols is not None:
            self._set_records([self._record(s) for s in symbols])
        else:
            task = running_loop().create_task(self._load())
            task.add_done_callback(lambda tk: tk.cancelled() or tk.exception())

    @t.observe("query")
    def _on_query(self, change: dict[str, Any]) -> None:
        if self.text.value != change["new"]:
            self.text.value = change["new"]
        hits = self.search(change["new"])
        self._show(hits)
        if len(hits) == 1 and change["new"].strip():  # one match: take it
            self.value = hits[0]["symbol"]

    @t.observe("value")
    def _on_value(self, change: dict[str, Any]) -> None:
        codes = [v for _, v in self.select.options]
        if change["new"] in codes and self.select.value != change["new"]:
            self.select.value = change["new"]

    def _on_select(self, change: dict[str, Any]) -> None:
        if change["new"] and not self._showing:
            self.value = change["new"]

    def choose_first(self) -> str | None:
        """Select the best match of the current search (what a student means by "that one")."""
        hits = self.search(self.query)
        if hits:
            self.value = hits[0]["symbol"]
        return self.value if hits else None

    # ---- data ----------------------------------------------------------------------------------
    @staticmethod
    def _record(s: str | dict[str, Any]) -> dict[str, Any]:
        if isinstance(s, dict):
            return {
                "symbol": str(s.get("symbol", "")),
                "name_cn": str(s.get("name_cn") or ""),
                "name_en": str(s.get("name_en") or ""),
                "type": str(s.get("type") or ""),
            }
        return {"symbol": str(s), "name_cn": "", "name_en": "", "type": ""}

    async def _load(self) -> None:
        feed = self.feed
        recs: list[dict[str, Any]] = []
        try:
            await feed.ready()
            rest = getattr(feed, "rest", None)
            if rest is not None:
                got = await asyncio.gather(
                    *(rest.symbols(ty) for ty in self.types), return_exceptions=True
                )
                for g in got:
                    if isinstance(g, list):
                        recs.extend(self._record(d) for d in g if d.get("symbol"))
        except Exception as e:  # fall back to what is known locally
            log.info("symbol list unavailable: %s", e)
        if not recs:
            recs = self._local_records()
        self._set_records(recs)

    def _local_records(self) -> list[dict[str, Any]]:
        server = getattr(self.feed, "server", None)
        market = getattr(server, "market", None)
        if market is not None:
            return [
                {
                    "symbol": c,
                    "name_cn": p.name_cn,
                    "name_en": p.name_en,
                    "type": p.inst.symbol_type,
                }
                for c, p in market.profiles.items()
            ]
        # no list from the service: the symbols the feed watches, and the one selected
        codes = [key.split(":")[1] for key in self.feed.watched()]
        out = []
        for code in dict.fromkeys([*codes, self.value]):
            try:
                inst = self.feed.instrument(code)
            except InfowayError:
                continue
            out.append(
                {
                    "symbol": inst.code,
                    "name_cn": inst.name or "",
                    "name_en": "",
                    "type": inst.symbol_type,
                }
            )
        return out

    def _set_records(self, recs: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        uniq: list[dict[str, Any]] = []
        for r in recs:
            if r["symbol"] and r["symbol"] not in seen:
                seen.add(r["symbol"])
                uniq.append(r)
        self.records = uniq
        self._show(self.search(self.query))
        if not self._loaded.done():
            self._loaded.set_result(self.records)

    async def loaded(self) -> list[dict[str, Any]]:
        """Wait until the symbol list is in; returns it."""
        return await self._loaded

    def search(self, query: str) -> list[dict[str, Any]]:
        """Records matching ``query`` (code, Chinese or English name; case-insensitive), best first.

        Exact code, then code prefix (``"600"``, ``"00700"``, ``"btc"``), then name prefix, then
        anywhere in the code or a name.
        """
        q = query.strip().lower()
        if not q:
            return self.records[: self.max_results]
        scored: list[tuple[int, int, dict[str, Any]]] = []
        for i, r in enumerate(self.records):
            code = r["symbol"].lower()
            names = (r["name_cn"].lower(), r["name_en"].lower())
            if code == q or code.split(".")[0] == q:
                rank = 0
            elif code.startswith(q):
                rank = 1
            elif any(n.startswith(q) for n in names):
                rank = 2
            elif q in code or any(q in n for n in names):
                rank = 3
            else:
                continue
            scored.append((rank, i, r))
        scored.sort(key=lambda x: (x[0], x[1]))
        return [r for _, _, r in scored[: self.max_results]]

    def _option(self, r: dict[str, Any]) -> tuple[str, str]:
        first, second = (
            (r["name_cn"], r["name_en"]) if self.locale == "zh" else (r["name_en"], r["name_cn"])
        )
        name = first or second
        return (f"{r['symbol']}  {name}" if name else r["symbol"], r["symbol"])

    def _show(self, hits: list[dict[str, Any]]) -> None:
        opts = [self._option(r) for r in hits]
        codes = [v for _, v in opts]
        self._showing = True  # a Select picks its first option when options change: not a choice
        try:
            self.select.options = opts
            self.select.value = self.value if self.value in codes else None
        finally:
            self._showing = False

    def close(self) -> None:
        for c in (getattr(self, "text", None), getattr(self, "select", None)):
            if c is not None:
                c.close()
        super().close()

    def __repr__(self) -> str:
        return f"SymbolPicker(value={self.value!r}, {len(self.records)} symbols)"


__all__ = ["SYMBOL_TYPES", "SymbolPicker"]
