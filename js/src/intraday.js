// @ts-check
// IntradayChart (分时图): minute closes and the 均价线 on a fixed session axis, the previous close
// as the centre line, price on the left and percent change on the right (symmetric), limit prices
// when in range, a volume pane coloured by up/down minutes, and a crosshair with a legend.
// Everything drawn here was computed in Python; this view only draws.

import { View } from "./lib/base.js";
import { formatPct, formatPrice, formatTime } from "./lib/format.js";
import { IntradayState, lineRuns, priceY, slotAt, slotX, symmetricRange, tickX } from "./lib/intraday.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { alpha } from "./lib/theme.js";
import { element, hidpiContext, legendItem, onResize } from "./lib/ui.js";
import { formatSizeWithUnit } from "./lib/units.js";

/**
 * @typedef {import("./lib/store.js").Model} Model
 * @typedef {ModelStore<IntradayState>} IntradayStore
 */

const PRICE_COLOR = "#2f6fdf";
const AVG_COLOR = "#e0a100";
const AXIS_W = 64;

/** @param {Model} model @returns {IntradayStore} */
const createStore = (model) => new ModelStore(model, () => new IntradayState());

/**
 * @param {{model: Model, el: HTMLElement}} ctx
 * @param {IntradayStore} store
 */
function render({ model, el }, store) {
  const view = new View({ model, el }, "intraday");
  const state = store.state;
  let hover = -1;

  const wrap = element("div", "iw-intraday-wrap");
  const canvas = element("canvas", "iw-intraday-canvas");
  const legend = element("div", "iw-legend iw-intraday-legend");
  legend.style.left = `${AXIS_W + 6}px`;
  legend.style.right = `${AXIS_W + 6}px`; // wraps between the axes, never over the % labels
  wrap.append(canvas, legend);
  view.body.append(wrap);

  const title = () => { view.subEl.textContent = `${view.market.name || ""} · ${view.L.intraday}`; };
  title();
  view.listen("change:locale change:_market", title);

  const renderLegend = () => {
    const { s, meta } = state;
    const L = view.L;
    const n = meta.filled || 0;
    const i = hover >= 0 ? hover : n - 1;
    const d = view.decimals, pc = meta.prev_close;
    if (i < 0 || !Number.isFinite(s.close[i])) {
      legend.replaceChildren(legendItem(L.avgPrice, "—", { color: AVG_COLOR }));
      return;
    }
    const px = s.close[i];
    const pct = typeof pc === "number" && Number.isFinite(pc) && pc ? ((px - pc) / pc) * 100 : NaN;
    const cls = !Number.isFinite(pct) ? "iw-flat" : pct > 0 ? "iw-up" : pct < 0 ? "iw-down" : "iw-flat";
    legend.replaceChildren(
      legendItem(L.time, formatTime(s.t[i] + 60_000, view.tz, "time")),
      legendItem(L.price, formatPrice(px, d), { color: PRICE_COLOR }),
      legendItem(L.avgPrice, formatPrice(s.avg[i], d), { color: AVG_COLOR }),
      legendItem(L.changePct, formatPct(pct), { cls }),
      legendItem(L.volume, formatSizeWithUnit(s.volume[i], view.unit, view.locale, L)),
    );
  };

  const draw = () => {
    const { s, meta } = state;
    const w = Math.max(200, wrap.clientWidth || 600);
    const h = Math.max(160, model.get("height") || 380);
    const ctx = hidpiContext(canvas, w, h, { height: true });
    if (!ctx) return;
    const p = view.pal;
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, w, h);
    const n = Math.max(1, meta.slots || s.t.length || 240);
    const left = AXIS_W, right = w - AXIS_W, plotW = right - left;
    const top = 22, axisH = 18;
    const priceH = Math.round((h - top - axisH) * 0.72);
    const volTop = top + priceH + 6, volH = h - axisH - volTop;
    const pc = typeof meta.prev_close === "number" && Number.isFinite(meta.prev_close) ? meta.prev_close : NaN;
    const filled = Math.min(meta.filled || 0, s.close.length);
    const closes = s.close.subarray(0, filled), avgs = s.avg.subarray(0, filled);
    const { lo, hi, maxPct } = symmetricRange(pc, [closes, avgs], { limitUp: meta.limit_up, limitDown: meta.limit_down });
    const ref = Number.isFinite(pc) ? pc : (lo + hi) / 2;
    // horizontal rules on the pixel grid (x.5) so a 1-px line stays one crisp pixel row
    const Y = (/** @type {number} */ v) => priceY(v, lo, hi, top, priceH);
    const crisp = (/** @type {number} */ y) => Math.round(y) + 0.5;

    // grid and axes labels: price left, percent right, red above / green below the centre
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (let k = -2; k <= 2; k++) {
      const v = ref + ((hi - ref) * k) / 2;
      const y = crisp(Y(v));
      ctx.strokeStyle = p.grid;
      ctx.lineWidth = 1;
      ctx.setLineDash(k === 0 ? [4, 3] : []);
      if (k === 0) ctx.strokeStyle = p.muted;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = k > 0 ? p.up : k < 0 ? p.down : p.fg;
      ctx.textAlign = "right";
      ctx.fillText(formatPrice(v, view.decimals), left - 4, y);
      ctx.textAlign = "left";
      ctx.fillText(formatPct((maxPct * k) / 2), right + 4, y);
    }
    view.root.dataset.centerY = String(crisp(Y(ref)) - 0.5);
    view.root.dataset.prevClose = String(pc);

    // time ticks: 09:30, 10:30, 11:30/13:00, 14:00, 15:00 — the lunch break is one tick
    ctx.textBaseline = "top";
    ctx.fillStyle = p.muted;
    for (const [idx, label] of meta.ticks || []) {
      const x = tickX(idx, n, left, plotW);
      ctx.strokeStyle = p.grid;
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, volTop + volH); ctx.stroke();
      ctx.textAlign = idx === 0 ? "left" : idx >= n ? "right" : "center";
      ctx.fillText(label, x, h - axisH + 3);
    }
    const ticks = meta.ticks || [];
    if (ticks.length > 2) {
      const mid = ticks.find((t) => String(t[1]).includes("/"));
      if (mid) {
        view.root.dataset.breakSlot = String(mid[0]);
        // the distance between the last minute before the break and the first after it
        view.root.dataset.breakGapPx = String(slotX(mid[0], n, left, plotW) - slotX(mid[0] - 1, n, left, plotW));
        view.root.dataset.slotPx = String(plotW / n);
      }
    }

    // limit prices when in range
    /** @type {Array<[number|null|undefined, string, "up"|"down"]>} */
    const limits = [[meta.limit_up, p.up, "up"], [meta.limit_down, p.down, "down"]];
    for (const [lim, color, name] of limits) {
      if (lim == null || !Number.isFinite(lim) || lim > hi || lim < lo) { delete view.root.dataset[`limit_${name}_y`]; continue; }
      const y = crisp(Y(lim));
      ctx.strokeStyle = alpha(color, 0.8);
      ctx.setLineDash([2, 3]);
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = color;
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      ctx.fillText(`${name === "up" ? view.L.limitUp : view.L.limitDown} ${formatPrice(lim, view.decimals)}`, right - 2, y - 1);
      view.root.dataset[`limit_${name}_y`] = String(Math.round(y));
    }

    // price line (with a light area to the centre line) and the 均价线
    /** @param {Float64Array} arr @param {string} color @param {number} width */
    const line = (arr, color, width) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      for (const run of lineRuns(arr, filled, n, left, plotW)) {
        run.forEach(([x, v], k) => { if (k) ctx.lineTo(x, Y(v)); else ctx.moveTo(x, Y(v)); });
      }
      ctx.stroke();
    };
    if (filled > 0) {
      ctx.fillStyle = alpha(PRICE_COLOR, 0.08);
      for (const run of lineRuns(closes, filled, n, left, plotW)) {
        ctx.beginPath();
        ctx.moveTo(run[0][0], Y(ref));
        for (const [x, v] of run) ctx.lineTo(x, Y(v));
        ctx.lineTo(run[run.length - 1][0], Y(ref));
        ctx.closePath();
        ctx.fill();
      }
      line(closes, PRICE_COLOR, 1.4);
      line(avgs, AVG_COLOR, 1.2);
      // the latest price as a dot: in the first minute the line is a slot wide, a pixel or two
      const last = filled - 1;
      if (Number.isFinite(closes[last])) {
        ctx.fillStyle = PRICE_COLOR;
        ctx.beginPath();
        ctx.arc(slotX(last, n, left, plotW), Y(closes[last]), 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    view.root.dataset.filled = String(filled);
    view.root.dataset.slots = String(n);

    // volume pane
    let vmax = 0;
    for (let i = 0; i < filled; i++) vmax = Math.max(vmax, s.volume[i] || 0);
    const bw = Math.max(1, plotW / n - 0.6);
    for (let i = 0; i < filled; i++) {
      const v = s.volume[i] || 0;
      if (!v) continue;
      const bh = (v / (vmax || 1)) * (volH - 2);
      ctx.fillStyle = s.up[i] ? p.up : p.down;
      ctx.fillRect(slotX(i, n, left, plotW) - bw / 2, volTop + volH - bh, bw, bh);
    }
    ctx.strokeStyle = p.border;
    ctx.strokeRect(left + 0.5, top + 0.5, plotW, priceH);
    ctx.strokeRect(left + 0.5, volTop + 0.5, plotW, volH);
    ctx.fillStyle = p.muted;
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText(formatSizeWithUnit(vmax, view.unit, view.locale, view.L), left - 4, volTop);

    // crosshair
    if (hover >= 0 && hover < filled && Number.isFinite(closes[hover])) {
      const x = slotX(hover, n, left, plotW), y = Y(closes[hover]);
      ctx.strokeStyle = p.muted;
      ctx.setLineDash([3, 3]);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, volTop + volH); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke();
      ctx.setLineDash([]);
    }
    renderLegend();
  };

  const redraw = view.scheduler(draw);
  view.onTheme(redraw);
  view.listen("change:height change:locale change:timezone", redraw);

  /** @param {MouseEvent} ev */
  const onMove = (ev) => {
    const r = canvas.getBoundingClientRect();
    const n = Math.max(1, state.meta.slots || state.s.t.length || 240);
    hover = slotAt(ev.clientX - r.left, n, AXIS_W, r.width - 2 * AXIS_W);
    redraw();
  };
  const onLeave = () => { hover = -1; redraw(); };
  canvas.addEventListener("mousemove", onMove);
  canvas.addEventListener("mouseleave", onLeave);
  view.cleanups.push(() => { canvas.removeEventListener("mousemove", onMove); canvas.removeEventListener("mouseleave", onLeave); });
  view.cleanups.push(onResize(wrap, redraw));

  view.follow(store, redraw);
  return () => view.destroy();
}

export default defineWidget(createStore, render);
