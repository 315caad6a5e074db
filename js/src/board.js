// @ts-check
// QuoteBoard view: a row per symbol with last, change, change %, volume, turnover, high/low and
// a sparkline (preset "compact"), or a brokerage list (preset "cn": 涨跌幅, 涨跌额, 成交量 in 手,
// 成交额, 振幅, 量比, 最高, 最低, 今开, 昨收) with a 涨停 / 跌停 badge; changed cells flash;
// sortable columns; a click on a row tells Python. A symbol with a problem (unknown code, refused
// by the plan) says so on its own row, from the `symbol_errors` trait.

import { boardCell, columnLabel, columnSortKey, limitLabel, limitOfCode, resolveColumns } from "./lib/ashare.js";
import { View } from "./lib/base.js";
import { QuotesState, compareBy } from "./lib/quotes.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { element, flash, hidpiContext } from "./lib/ui.js";
import { unitOf } from "./lib/units.js";

export { compareBy };

/**
 * @typedef {import("./lib/store.js").Model} Model
 * @typedef {import("./lib/quotes.js").Flashes} Flashes
 * @typedef {import("./lib/quotes.js").QuotesChange} QuotesChange
 * @typedef {ModelStore<QuotesState>} QuotesStore
 */

const SPARK_W = 80, SPARK_H = 22;

/**
 * Draw a sparkline of `values` on `canvas`.
 * @param {HTMLCanvasElement} canvas @param {number[]} values @param {string} color
 */
function spark(canvas, values, color) {
  const w = SPARK_W, h = SPARK_H;
  const ctx = hidpiContext(canvas, w, h, { width: true, height: true });
  if (!ctx) return;
  ctx.clearRect(0, 0, w, h);
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return;
  const lo = Math.min(...v), hi = Math.max(...v), span = hi - lo || 1;
  ctx.beginPath();
  v.forEach((x, i) => {
    const px = (i / (v.length - 1)) * (w - 2) + 1, py = h - 2 - ((x - lo) / span) * (h - 4);
    if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
  });
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.25;
  ctx.stroke();
}

/** @param {Model} model @returns {QuotesStore} */
const createStore = (model) => new ModelStore(model, () => new QuotesState());

/**
 * @param {{model: Model, el: HTMLElement}} ctx
 * @param {QuotesStore} store
 */
function render({ model, el }, store) {
  const view = new View({ model, el }, "board");
  const quotes = store.state.quotes;
  /** @type {Map<string, {tr: HTMLTableRowElement, cells: Record<string, HTMLTableCellElement>, canvas: HTMLCanvasElement}>} */
  const rows = new Map();
  /** @type {Map<string, Flashes>} symbol -> its cells to flash at the next draw */
  let changed = new Map();

  const { thead, tbody, replaceRows } = view.scrollingTable(360, "maxHeight");

  /** @returns {[string, string, string][]} key, label, tooltip of each shown column */
  const columns = () => {
    const { name, keys } = resolveColumns(model.get("preset") || "auto", model.get("columns") || [], view.locale);
    view.root.dataset.preset = name;
    return keys.map((k) => { const c = columnLabel(k, view.L, name); return [k, c.label, c.title]; });
  };
  const renderHead = () => {
    const tr = document.createElement("tr");
    const sortBy = model.get("sort_by"), desc = model.get("sort_desc");
    for (const [key, label, title] of columns()) {
      const th = document.createElement("th");
      th.dataset.key = key;
      const field = columnSortKey(key);
      th.textContent = label + (field && sortBy === field ? (desc ? " ▼" : " ▲") : "");
      if (title) th.title = title;
      if (field) {
        th.classList.add("iw-sortable");
        th.addEventListener("click", () => {
          if (model.get("sort_by") === field) model.set("sort_desc", !model.get("sort_desc"));
          else { model.set("sort_by", field); model.set("sort_desc", field !== "symbol"); }
          model.save_changes();
        });
      }
      tr.append(th);
    }
    thead.replaceChildren(tr);
  };
  renderHead();

  /** @param {string} sym */
  const rowFor = (sym) => {
    let r = rows.get(sym);
    if (r) return r;
    const tr = element("tr", "iw-quote");
    tr.dataset.symbol = sym;
    tr.addEventListener("click", () => view.send({ type: "select", symbol: sym }));
    /** @type {Record<string, HTMLTableCellElement>} */
    const cells = {};
    for (const [key] of columns()) {
      const td = document.createElement("td");
      td.dataset.key = key;
      cells[key] = td;
      tr.append(td);
    }
    const canvas = element("canvas", "iw-spark");
    cells.spark?.append(canvas);
    r = { tr, cells, canvas };
    rows.set(sym, r);
    return r;
  };

  /** @param {string} sym @param {import("./lib/quotes.js").Quote} q @param {Flashes|undefined} flashes */
  const fillRow = (sym, q, flashes) => {
    const { tr, cells, canvas } = rowFor(sym);
    const loc = view.locale;
    // each row counts in its own market's unit (手 for A-shares, shares, BTC, ...)
    const m = (model.get("_markets") || {})[sym];
    const unit = m ? unitOf(m) : undefined;
    // a row's colours follow its own market (red up for A-shares, green up elsewhere)
    const upC = view.get("up_color") || (q.red_up ? "#e0313c" : "#16a34a");
    const downC = view.get("down_color") || (q.red_up ? "#16a34a" : "#e0313c");
    tr.style.setProperty("--iw-up", upC);
    tr.style.setProperty("--iw-down", downC);
    tr.style.setProperty("--iw-up-a", upC + "59");
    tr.style.setProperty("--iw-down-a", downC + "59");
    const sym1 = element("div", "iw-quote-symbol");
    sym1.textContent = sym;
    /** @type {string|undefined} network text: set as text, never as HTML */
    const problem = (model.get("symbol_errors") || {})[sym];
    const name = element("div", problem ? "iw-row-error iw-quote-name" : "iw-muted iw-quote-name");
    name.textContent = problem || q.name || "";
    tr.title = problem || "";
    if (problem) tr.dataset.error = "1"; else delete tr.dataset.error;
    // 涨停 / 跌停 on the row, from the feed's limit state
    const at = limitOfCode(q.at_limit);
    tr.dataset.limit = at;
    const badge = element("span", "iw-limit");
    badge.dataset.limit = at;
    badge.textContent = limitLabel(at, view.L);
    sym1.append(badge);
    cells.symbol?.replaceChildren(sym1, name);
    for (const key of Object.keys(cells)) {
      if (key === "symbol" || key === "spark") continue;
      const td = cells[key];
      const c = boardCell(key, q, view.L, loc, unit);
      td.textContent = c.text;
      td.className = c.cls;
      td.title = c.title;
      const field = columnSortKey(key);
      flash(td, flashes && field ? flashes[field] : undefined);
    }
    if (cells.spark) spark(canvas, q.spark || [], q.change < 0 ? downC : upC);
    const selected = model.get("selected") === sym;
    tr.classList.toggle("iw-selected", selected);
  };

  const order = () => {
    /** @type {string[]} */
    const syms = (model.get("symbols") || []).filter((/** @type {string} */ s) => quotes.has(s));
    const key = model.get("sort_by");
    if (!key) return syms;
    const items = syms.map((s) => ({ symbol: s, ...quotes.get(s) }));
    items.sort(compareBy(key, model.get("sort_desc")));
    return items.map((x) => x.symbol);
  };

  let reorder = true;
  const draw = view.scheduler(() => {
    for (const [sym, f] of changed) {
      const q = quotes.get(sym);
      if (q) fillRow(sym, q, f);
    }
    changed = new Map();
    if (reorder || model.get("sort_by")) {
      const want = order();
      const now = /** @type {HTMLTableRowElement[]} */ (Array.from(tbody.children)).map((r) => r.dataset.symbol);
      if (want.join("|") !== now.join("|")) replaceRows(want.map((s) => rowFor(s).tr));
      reorder = false;
    }
    view.root.dataset.rows = String(tbody.children.length);
    view.root.dataset.errors = String(Object.keys(model.get("symbol_errors") || {}).length);
    view.root.dataset.limits = String(/** @type {HTMLTableRowElement[]} */ (Array.from(tbody.children)).filter((r) => r.dataset.limit).length);
  });

  const redrawAll = () => { for (const s of quotes.keys()) changed.set(s, {}); reorder = true; draw(); };
  view.onTheme(redrawAll);
  view.listen("change:locale change:preset change:columns", () => { rows.clear(); tbody.replaceChildren(); renderHead(); redrawAll(); });
  view.listen("change:sort_by change:sort_desc", () => { renderHead(); reorder = true; draw(); });
  view.listen("change:selected change:symbols change:symbol_errors change:_markets", redrawAll);
  view.follow(store, (ch) => {
    if (!ch) { redrawAll(); return; }
    for (const [sym, f] of ch.rows) changed.set(sym, f);
    reorder ||= ch.reorder;
    draw();
  });
  view.root.dataset.ready = "1";
  return () => view.destroy();
}

export default defineWidget(createStore, render);
