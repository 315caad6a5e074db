// @ts-check
// TradeTape view: time & sales, newest first, bounded; buy / sell / neutral in the market's
// colours; prints at or above the large-trade threshold highlighted.

import { View } from "./lib/base.js";
import { formatPrice, formatTime } from "./lib/format.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { TapeState, side } from "./lib/tape.js";
import { alpha } from "./lib/theme.js";
import { element } from "./lib/ui.js";
import { formatSize, labelWithUnit } from "./lib/units.js";

/**
 * @typedef {import("./lib/store.js").Model} Model
 * @typedef {import("./lib/tape.js").Trade} Trade
 * @typedef {import("./lib/tape.js").TapeChange} TapeChange
 * @typedef {ModelStore<TapeState>} TapeStore
 */

/** @param {Model} model @returns {TapeStore} */
function createStore(model) {
  const store = new ModelStore(model, () => new TapeState(model.get("max_rows") || 200));
  store.listen("change:max_rows", () => { store.state.rows.max = model.get("max_rows") || 200; });
  return store;
}

/**
 * @param {{model: Model, el: HTMLElement}} ctx
 * @param {TapeStore} store
 */
function render({ model, el }, store) {
  const view = new View({ model, el }, "tape");
  const tape = store.state.rows;
  const { thead, tbody, replaceRows } = view.scrollingTable(300, "height");

  const renderHead = () => {
    const L = view.L;
    const tr = document.createElement("tr");
    for (const h of [L.time, L.price, labelWithUnit(L.size, view.unit, view.locale, L), ""]) {
      const th = document.createElement("th");
      th.textContent = h;
      tr.append(th);
    }
    thead.replaceChildren(tr);
  };
  renderHead();

  const threshold = () => Number(model.get("large_volume")) || Infinity;
  /** @param {Trade} tr @param {boolean} flashIt */
  const rowFor = (tr, flashIt) => {
    const L = view.L, s = side(tr.direction);
    const row = element("tr", `iw-trade iw-${s}`);
    row.dataset.side = s;
    const cls = s === "buy" ? "iw-up" : s === "sell" ? "iw-down" : "iw-flat";
    const cells = [
      [formatTime(tr.t, view.tz, "time_s"), "iw-muted"],
      [formatPrice(tr.price, view.decimals), cls],
      [formatSize(tr.volume, view.unit, view.locale), cls],
      [s === "buy" ? L.buy : s === "sell" ? L.sell : L.neutral, cls],
    ];
    for (const [text, c] of cells) {
      const td = element("td", c);
      td.textContent = text;
      row.append(td);
    }
    if (tr.volume >= threshold()) {
      row.classList.add("iw-large");
      row.dataset.large = "1";
      row.style.background = alpha(s === "sell" ? view.pal.down : s === "buy" ? view.pal.up : view.pal.muted, 0.14);
    }
    if (flashIt) row.classList.add("iw-flash");
    return row;
  };

  /** @type {Trade[]} */
  let pending = [];
  let rebuild = true;
  const draw = view.scheduler(() => {
    if (rebuild) {
      replaceRows(tape.rows.map((r) => rowFor(r, false)));
    } else if (pending.length) {
      const frag = document.createDocumentFragment();
      for (const r of pending.slice(0, tape.max)) frag.append(rowFor(r, true));
      tbody.prepend(frag);
      while (tbody.children.length > tape.max) tbody.lastElementChild?.remove();
    }
    pending = [];
    rebuild = false;
    view.root.dataset.rows = String(tbody.children.length);
    view.root.dataset.trades = String(tape.total);
  });

  const redraw = () => { rebuild = true; draw(); };
  view.onTheme(redraw);
  view.listen("change:locale", () => { renderHead(); redraw(); });
  view.listen("change:_market", renderHead);
  view.listen("change:large_volume change:timezone change:_market change:max_rows", redraw);
  view.follow(store, (ch) => {
    if (!ch || ch.reset) rebuild = true;
    else if (!rebuild) {
      pending = ch.added.concat(pending);
      // off screen the draw waits and the trades pile up: past a table's worth, draw it anew
      if (pending.length > tape.max) { rebuild = true; pending = []; }
    }
    draw();
  });
  view.root.dataset.ready = "1";
  return () => view.destroy();
}

export default defineWidget(createStore, render);
