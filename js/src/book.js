// OrderBook view: a ladder of levels with size bars, spread / mid / imbalance, flashing changes,
// and a cumulative depth chart (toggle); beside it the 盘口 panel (委比, 委差, 外盘/内盘, 量比, ...)
// and a 涨停 / 跌停 badge, drawn from the numbers the feed put in the frame header (`stats`).

import { bookPanel, limitLabel } from "./lib/ashare.js";
import { View } from "./lib/base.js";
import { formatPct, formatPrice, formatVolume } from "./lib/format.js";
import { levelName } from "./lib/i18n.js";
import { bookStats, cumulative, diffSide, sideFrom } from "./lib/levels.js";
import { alpha } from "./lib/theme.js";

function flash(el, dir) {
  if (!dir) return;
  el.classList.remove("iw-flash-up", "iw-flash-down");
  void el.offsetWidth; // restart the animation
  el.classList.add(dir === "up" ? "iw-flash-up" : "iw-flash-down");
}

function render({ model, el }) {
  const view = new View({ model, el }, "book");
  /** @type {import("./lib/levels.js").Book} */
  let book = { bids: [], asks: [], t: NaN, prevClose: NaN };
  let changes = { bids: [], asks: [] };
  /** @type {import("./lib/ashare.js").Stats | null} */
  let stats = null;

  const ladder = document.createElement("div");
  ladder.className = "iw-ladder";
  ladder.style.overflow = "auto";
  const canvas = document.createElement("canvas");
  canvas.className = "iw-depth";
  canvas.style.width = "100%";
  canvas.style.display = "block";
  const foot = document.createElement("div");
  foot.className = "iw-head iw-foot";
  foot.style.borderTop = "1px solid var(--iw-border)";
  foot.style.borderBottom = "0";
  const main = document.createElement("div");
  main.className = "iw-book-main";
  const left = document.createElement("div");
  left.className = "iw-book-left";
  left.append(ladder, canvas);
  const panel = document.createElement("div");
  panel.className = "iw-stats";
  main.append(left, panel);
  view.body.append(main, foot);
  const limitBadge = document.createElement("span");
  limitBadge.className = "iw-limit";
  view.head.insertBefore(limitBadge, view.tools);
  const panelShown = () => model.get("stats") !== false && !!stats;

  const sizeBody = () => {
    const h = model.get("height") || 300;
    ladder.style.maxHeight = `${h}px`;
    canvas.style.height = `${h}px`;
  };
  sizeBody();

  const modeButtons = () => {
    view.tools.replaceChildren();
    for (const mode of ["ladder", "depth"]) {
      const b = document.createElement("button");
      b.className = "iw-btn";
      b.dataset.mode = mode;
      b.textContent = view.L[mode];
      b.setAttribute("aria-pressed", String(model.get("view") === mode));
      b.addEventListener("click", () => { model.set("view", mode); model.save_changes(); });
      view.tools.append(b);
    }
    const isLadder = model.get("view") !== "depth";
    ladder.style.display = isLadder ? "" : "none";
    canvas.style.display = isLadder ? "none" : "block";
    view.root.dataset.view = isLadder ? "ladder" : "depth";
  };
  modeButtons();

  const priceClass = (px) => {
    const pc = book.prevClose;
    if (!Number.isFinite(pc)) return "iw-flat";
    return px > pc ? "iw-up" : px < pc ? "iw-down" : "iw-flat";
  };

  const renderLadder = () => {
    const n = Math.max(1, model.get("levels") || 5);
    const d = view.decimals, loc = view.locale, L = view.L;
    const shownAsks = book.asks.slice(0, n);
    const shownBids = book.bids.slice(0, n);
    const maxVol = Math.max(1, ...shownAsks.map((l) => l.vol), ...shownBids.map((l) => l.vol));
    const table = document.createElement("table");
    table.className = "iw-table";
    const thead = document.createElement("tr");
    for (const h of ["", L.price, L.size]) {
      const th = document.createElement("th");
      th.textContent = h;
      thead.append(th);
    }
    table.append(thead);
    const row = (side, i, lvl, dir) => {
      const tr = document.createElement("tr");
      tr.className = `iw-level iw-${side}`;
      tr.dataset.side = side;
      tr.dataset.level = String(i + 1);
      const name = document.createElement("td");
      name.className = "iw-muted";
      name.textContent = levelName(side, i + 1, loc);
      const px = document.createElement("td");
      const vol = document.createElement("td");
      vol.style.position = "relative";
      if (lvl) {
        px.className = priceClass(lvl.px);
        px.textContent = formatPrice(lvl.px, d);
        const bar = document.createElement("div");
        Object.assign(bar.style, {
          position: "absolute", right: "0", top: "2px", bottom: "2px", zIndex: "0",
          width: `${(100 * lvl.vol) / maxVol}%`,
          background: alpha(side === "bid" ? view.pal.up : view.pal.down, 0.18),
        });
        const txt = document.createElement("span");
        txt.style.position = "relative";
        txt.textContent = formatVolume(lvl.vol, loc);
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
    const mid = document.createElement("tr");
    mid.className = "iw-spread-row";
    const c1 = document.createElement("td");
    c1.className = "iw-muted";
    c1.textContent = L.spread;
    const c2 = document.createElement("td");
    c2.textContent = formatPrice(st.spread, d);
    c2.colSpan = 2;
    c2.style.textAlign = "center";
    c2.style.borderTop = c2.style.borderBottom = "1px dashed var(--iw-border)";
    c1.style.borderTop = c1.style.borderBottom = "1px dashed var(--iw-border)";
    mid.append(c1, c2);
    table.append(mid);
    for (let i = 0; i < n; i++) table.append(row("bid", i, shownBids[i], changes.bids[i]));
    ladder.replaceChildren(table);
    view.root.dataset.levels = String(shownAsks.length + shownBids.length);
  };

  const renderFoot = () => {
    const n = Math.max(1, model.get("levels") || 5);
    const st = bookStats(book, n);
    const L = view.L, d = view.decimals;
    foot.replaceChildren();
    const item = (label, value, cls) => {
      const a = document.createElement("span");
      a.className = "iw-muted";
      a.textContent = label;
      const b = document.createElement("span");
      b.className = cls || "";
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
      decimals: view.decimals, lots: m.market === "CN" && m.lot_size > 1,
    });
    const out = [];
    items.forEach((it, i) => {
      const k = document.createElement("span");
      k.className = "iw-k";
      k.textContent = it.label;
      const v = document.createElement("span");
      v.className = `iw-v ${it.cls}`.trim();
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
    const rect = canvas.getBoundingClientRect();
    const w = Math.max(100, Math.round(rect.width || 300)), h = Math.max(80, Math.round(rect.height || 200));
    const dpr = window.devicePixelRatio || 1;
    canvas.width = w * dpr;
    canvas.height = h * dpr;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
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
    const x = (px) => 8 + ((px - lo) / span) * (w - 16);
    const y = (cum) => h - pad - (cum / maxCum) * (h - pad - 8);
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

  const apply = (frame) => {
    const h = frame.header;
    if (h.kind !== "book") return;
    const next = {
      bids: sideFrom(frame.cols.bid_px, frame.cols.bid_vol),
      asks: sideFrom(frame.cols.ask_px, frame.cols.ask_vol),
      t: Number(h.t),
      prevClose: Number.isFinite(h.prev_close) ? h.prev_close : NaN,
    };
    stats = h.stats && typeof h.stats === "object" ? h.stats : null;
    if (!h.reset) {
      changes = { bids: diffSide(book.bids, next.bids), asks: diffSide(book.asks, next.asks) };
    }
    book = next;
    draw();
  };

  view.onTheme(draw);
  view.listen("change:view", () => { modeButtons(); draw(); });
  view.listen("change:locale", () => { modeButtons(); draw(); });
  view.listen("change:levels change:_market change:stats", draw);
  view.listen("change:height", () => { sizeBody(); draw(); });
  const ro = typeof ResizeObserver !== "undefined" ? new ResizeObserver(() => { if (model.get("view") === "depth") draw(); }) : null;
  ro?.observe(canvas);

  view.start(apply);
  draw();
  view.root.dataset.ready = "1";
  return () => { ro?.disconnect(); view.destroy(); };
}

export default { render };
