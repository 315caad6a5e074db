// @ts-check
// OrderBook view: a ladder of levels with size bars, spread / mid / imbalance, flashing changes,
// and a cumulative depth chart (toggle); beside it the 盘口 panel (委比, 委差, 外盘/内盘, 量比, ...)
// and a 涨停 / 跌停 badge, drawn from the numbers the feed put in the frame header (`stats`).

import { bookPanel, limitLabel } from "./lib/ashare.js";
import { View } from "./lib/base.js";
import { formatPct, formatPrice } from "./lib/format.js";
import { levelName } from "./lib/i18n.js";
import { BookState, bookStats, cumulative } from "./lib/levels.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { alpha } from "./lib/theme.js";
import { element, flash, hidpiContext, onResize, toggleButtons } from "./lib/ui.js";
import { formatSize, labelWithUnit } from "./lib/units.js";

/**
 * @typedef {import("./lib/store.js").Model} Model
 * @typedef {import("./lib/levels.js").BookChange} BookChange
 * @typedef {import("./lib/levels.js").Level} Level
 * @typedef {"up"|"down"|""} Dir
 * @typedef {ModelStore<BookState>} BookStore
 */

/** @param {Model} model @returns {BookStore} */
const createStore = (model) => new ModelStore(model, () => new BookState());

/**
 * @param {{model: Model, el: HTMLElement}} ctx
 * @param {BookStore} store
 */
function render({ model, el }, store) {
  const view = new View({ model, el }, "book");
  const state = store.state;
  /** @type {{bids: Dir[], asks: Dir[]}} levels that changed since this view last drew */
  let changes = { bids: [], asks: [] };

  const ladder = element("div", "iw-ladder");
  const canvas = element("canvas", "iw-depth");
  const foot = element("div", "iw-head iw-foot");
  const main = element("div", "iw-book-main");
  const left = element("div", "iw-book-left");
  left.append(ladder, canvas);
  const panel = element("div", "iw-stats");
  main.append(left, panel);
  view.body.append(main, foot);
  const limitBadge = element("span", "iw-limit");
  view.head.insertBefore(limitBadge, view.tools);
  const panelShown = () => model.get("stats") !== false && !!state.stats;

  const sizeBody = () => {
    const h = model.get("height") || 300;
    ladder.style.maxHeight = `${h}px`;
    canvas.style.height = `${h}px`;
  };
  sizeBody();

  const modeButtons = () => {
    const items = /** @type {const} */ (["ladder", "depth"]).map((mode) => ({ value: mode, label: view.L[mode] }));
    toggleButtons(view.tools, items, model.get("view"), "mode", (mode) => view.setTrait("view", mode));
    const isLadder = model.get("view") !== "depth";
    ladder.style.display = isLadder ? "" : "none";
    canvas.style.display = isLadder ? "none" : "block";
    view.root.dataset.view = isLadder ? "ladder" : "depth";
  };
  modeButtons();

  /** @param {number} px */
  const priceClass = (px) => {
    const pc = state.book.prevClose;
    if (!Number.isFinite(pc)) return "iw-flat";
    return px > pc ? "iw-up" : px < pc ? "iw-down" : "iw-flat";
  };

  const renderLadder = () => {
    const book = state.book;
    const n = Math.max(1, model.get("levels") || 5);
    const d = view.decimals, loc = view.locale, L = view.L;
    const shownAsks = book.asks.slice(0, n);
    const shownBids = book.bids.slice(0, n);
    const maxVol = Math.max(1, ...shownAsks.map((l) => l.vol), ...shownBids.map((l) => l.vol));
    const table = element("table", "iw-table");
    const thead = document.createElement("tr");
    for (const h of ["", L.price, labelWithUnit(L.size, view.unit, loc, L)]) {
      const th = document.createElement("th");
      th.textContent = h;
      thead.append(th);
    }
    table.append(thead);
    /** @param {"bid"|"ask"} side @param {number} i @param {Level|undefined} lvl @param {Dir|undefined} dir */
    const row = (side, i, lvl, dir) => {
      const tr = element("tr", `iw-level iw-${side}`);
      tr.dataset.side = side;
      tr.dataset.level = String(i + 1);
      const name = element("td", "iw-muted");
      name.textContent = levelName(side, i + 1, loc);
      const px = document.createElement("td");
      const vol = element("td", "iw-size");
      if (lvl) {
        px.className = priceClass(lvl.px);
        px.textContent = formatPrice(lvl.px, d);
        const bar = element("div", "iw-size-bar");
        bar.style.width = `${(100 * lvl.vol) / maxVol}%`;
        bar.style.background = alpha(side === "bid" ? view.pal.up : view.pal.down, 0.18);
        const txt = element("span", "iw-size-text");
        txt.textContent = formatSize(lvl.vol, view.unit, loc);
        vol.append(bar, txt);
        flash(tr, dir);
      } else {
        px.textContent = "—";
        vol.textContent = "—";
        px.className = vol.className = "iw-muted";
      }
      tr.append(name, px, vol);
      return tr;
    };
    for (let i = n - 1; i >= 0; i--) table.append(row("ask", i, shownAsks[i], changes.asks[i]));
    const st = bookStats(book, n);
    const mid = element("tr", "iw-spread-row");
    const c1 = element("td", "iw-muted");
    c1.textContent = L.spread;
    const c2 = document.createElement("td");
    c2.textContent = formatPrice(st.spread, d);
    c2.colSpan = 2;
    mid.append(c1, c2);
    table.append(mid);
    for (let i = 0; i < n; i++) table.append(row("bid", i, shownBids[i], changes.bids[i]));
    ladder.replaceChildren(table);
    view.root.dataset.levels = String(shownAsks.length + shownBids.length);
  };

  const renderFoot = () => {
    const n = Math.max(1, model.get("levels") || 5);
    const st = bookStats(state.book, n);
    const L = view.L, d = view.decimals;
    foot.replaceChildren();
    /** @param {string} label @param {string} value @param {string} [cls] */
    const item = (label, value, cls) => {
      const a = element("span", "iw-muted");
      a.textContent = label;
      const b = element("span", cls || "");
      b.textContent = value;
      foot.append(a, b);
    };
    item(L.mid, formatPrice(st.mid, d + 1));
    item(L.spread, formatPrice(st.spread, d));
    const imb = st.imbalance * 100;
    // with the panel shown, 委比 is the feed's, in the panel
    if (!panelShown()) item(L.imbalance, formatPct(imb), imb > 0 ? "iw-up" : imb < 0 ? "iw-down" : "");
    view.root.dataset.imbalance = Number.isFinite(st.imbalance) ? st.imbalance.toFixed(4) : "";
  };

  const renderStats = () => {
    const stats = state.stats;
    const show = panelShown();
    panel.style.display = show ? "" : "none";
    const at = show && stats ? stats.at_limit || "" : "";
    limitBadge.textContent = limitLabel(at, view.L);
    limitBadge.dataset.limit = at;
    view.root.dataset.atLimit = at;
    view.root.dataset.stats = show ? "1" : "";
    if (!show || !stats) { panel.replaceChildren(); return; }
    const m = view.market;
    const items = bookPanel(stats, view.L, view.locale, {
      decimals: view.decimals, lots: m.market === "CN" && m.lot_size > 1, tz: view.tz, unit: view.unit,
    });
    /** @type {HTMLElement[]} */
    const out = [];
    items.forEach((it, i) => {
      const k = element("span", "iw-k");
      k.textContent = it.label;
      const v = element("span", `iw-v ${it.cls}`.trim());
      v.dataset.key = it.key;
      v.textContent = it.text;
      if (it.title) k.title = v.title = it.title;
      out.push(k, v);
      // a rule under 委比 / 委差, as in the apps
      if (i === 1) { const sep = document.createElement("span"); sep.className = "iw-sep"; out.push(sep); }
    });
    panel.replaceChildren(...out);
  };

  const renderDepth = () => {
    const book = state.book;
    const rect = canvas.getBoundingClientRect();
    const w = Math.max(100, Math.round(rect.width || 300)), h = Math.max(80, Math.round(rect.height || 200));
    const ctx = hidpiContext(canvas, w, h);
    if (!ctx) return;
    const p = view.pal;
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, w, h);
    const bids = cumulative(book.bids), asks = cumulative(book.asks);
    if (!bids.length && !asks.length) return;
    const lo0 = bids.length ? bids[bids.length - 1].px : asks[0].px;
    const hi0 = asks.length ? asks[asks.length - 1].px : bids[0].px;
    // a margin beyond the outermost levels, so they show as steps too
    const margin = (hi0 - lo0 || 1) * 0.06;
    const lo = lo0 - margin, hi = hi0 + margin;
    const span = hi - lo;
    const maxCum = Math.max(1, bids.length ? bids[bids.length - 1].cum : 0, asks.length ? asks[asks.length - 1].cum : 0);
    const pad = 24;
    /** @param {number} px */
    const x = (px) => 8 + ((px - lo) / span) * (w - 16);
    /** @param {number} cum */
    const y = (cum) => h - pad - (cum / maxCum) * (h - pad - 8);
    /** @param {{px: number, cum: number}[]} pts @param {string} color @param {boolean} leftward */
    const area = (pts, color, leftward) => {
      if (!pts.length) return;
      ctx.beginPath();
      ctx.moveTo(x(pts[0].px), y(0));
      let prevY = y(0);
      for (const pt of pts) {
        ctx.lineTo(x(pt.px), prevY);
        ctx.lineTo(x(pt.px), y(pt.cum));
        prevY = y(pt.cum);
      }
      ctx.lineTo(leftward ? 8 : w - 8, prevY);
      ctx.lineTo(leftward ? 8 : w - 8, y(0));
      ctx.closePath();
      ctx.fillStyle = alpha(color, 0.3);
      ctx.fill();
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    };
    area(bids, p.up, true);
    area(asks, p.down, false);
    ctx.fillStyle = p.muted;
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "bottom";
    ctx.fillText(formatPrice(lo0, view.decimals), 8, h - 4);
    const hiText = formatPrice(hi0, view.decimals);
    ctx.fillText(hiText, w - 8 - ctx.measureText(hiText).width, h - 4);
    const st = bookStats(book);
    if (Number.isFinite(st.mid)) {
      const midText = formatPrice(st.mid, view.decimals + 1);
      ctx.fillText(midText, x(st.mid) - ctx.measureText(midText).width / 2, h - 4);
    }
  };

  const draw = view.scheduler(() => {
    if (model.get("view") === "depth") renderDepth(); else renderLadder();
    renderStats();
    renderFoot();
    changes = { bids: [], asks: [] };
  });

  view.onTheme(draw);
  view.listen("change:view", () => { modeButtons(); draw(); });
  view.listen("change:locale", () => { modeButtons(); draw(); });
  view.listen("change:levels change:_market change:stats", draw);
  view.listen("change:height", () => { sizeBody(); draw(); });
  view.cleanups.push(onResize(canvas, () => { if (model.get("view") === "depth") draw(); }));

  view.follow(store, (ch) => {
    if (ch?.diff) changes = ch.diff;
    draw();
  });
  view.root.dataset.ready = "1";
  return () => view.destroy();
}

export default defineWidget(createStore, render);
