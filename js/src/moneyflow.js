// @ts-check
// MoneyFlow view (资金流向): inflow and outflow per size class as paired bars, 主力净流入 through
// the day as a line, the total in the legend, and the note that it is an estimate with the preset.
// Every number was computed in Python (feed.money_flow); this view only draws.

import { View } from "./lib/base.js";
import { formatTime, formatVolume } from "./lib/format.js";
import { FlowState, sessionAxis } from "./lib/moneyflow.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { alpha } from "./lib/theme.js";
import { element, hidpiContext, onResize } from "./lib/ui.js";

/**
 * @typedef {import("./lib/store.js").Model} Model
 * @typedef {ModelStore<FlowState>} FlowStore
 */

const CLASSES = /** @type {const} */ (["small", "medium", "large", "xlarge"]);
const LINE = "#2f6fdf";

/** @param {Model} model @returns {FlowStore} */
const createStore = (model) => new ModelStore(model, () => new FlowState());

/**
 * @param {{model: Model, el: HTMLElement}} ctx
 * @param {FlowStore} store
 */
function render({ model, el }, store) {
  const view = new View({ model, el }, "moneyflow");
  const state = store.state;
  const note = element("div", "iw-head iw-foot iw-flow-note");
  const canvas = element("canvas", "iw-flow-canvas");
  const legend = element("div", "iw-flow-legend");
  view.body.append(legend, canvas, note);

  /** @param {number} x */
  const money = (x) => formatVolume(x, view.locale, 2, 0);

  const draw = view.scheduler(() => {
    const L = view.L, p = view.pal, h = state.header;
    const rect = canvas.getBoundingClientRect();
    const W = Math.max(200, Math.round(rect.width || 600)), H = Math.max(120, (model.get("height") || 300) - 56);
    const ctx = hidpiContext(canvas, W, H, { height: true });
    note.textContent = L.flowEstimate.replace("{p}", h ? h.preset : model.get("preset") || "");
    note.title = L.flowEstimateHint;
    view.root.dataset.preset = h ? h.preset : "";
    if (!ctx) return;
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, W, H);
    const total = h ? h.main_net_total : NaN;
    const k = element("span", "iw-muted");
    k.textContent = `${L.mainNet} `;
    const v = element("span", total > 0 ? "iw-up" : total < 0 ? "iw-down" : "");
    v.textContent = Number.isFinite(total) ? `${total > 0 ? "+" : ""}${money(total)}` : "—";
    v.dataset.key = "main_net";
    legend.replaceChildren(k, v);
    view.root.dataset.mainNet = Number.isFinite(total) ? String(total) : "";
    if (!h) return;
    // bars: in / out per class, on the left half
    const bw = Math.floor(W * 0.45), top = 8, bottom = H - 20;
    const max = Math.max(1, ...h.inflow, ...h.outflow);
    const slot = bw / CLASSES.length;
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "alphabetic";
    CLASSES.forEach((c, i) => {
      const x = 8 + i * slot;
      const w = Math.max(4, slot * 0.32);
      for (const [j, val, color] of /** @type {const} */ ([[0, h.inflow[i], p.up], [1, h.outflow[i], p.down]])) {
        const bh = ((bottom - top) * (val || 0)) / max;
        ctx.fillStyle = alpha(color, 0.8);
        ctx.fillRect(x + j * (w + 2), bottom - bh, w, bh);
      }
      ctx.fillStyle = p.muted;
      const label = L[c];
      ctx.fillText(label, x, H - 5);
    });
    // 主力净流入 through the day, on the right half
    const lx = bw + 24, lw = W - lx - 8;
    const n = state.line.length;
    ctx.strokeStyle = p.grid;
    ctx.beginPath();
    let lo = 0, hi = 0;
    for (const y of state.line) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
    const span = hi - lo || 1;
    /** @param {number} y */
    const Y = (y) => top + ((hi - y) / span) * (bottom - top);
    ctx.moveTo(lx, Y(0)); ctx.lineTo(lx + lw, Y(0));
    ctx.stroke();
    // the time axis is the day's trading time (the lunch break closed up), from the session
    // open to the close; without the sessions, the minutes counted
    const axis = sessionAxis(model.get("_sessions"), state.t);
    if (n) {
      ctx.strokeStyle = LINE;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      state.line.forEach((y, i) => {
        const x = lx + axis.at(state.t[i]) * lw;
        if (i) ctx.lineTo(x, Y(y)); else ctx.moveTo(x, Y(y));
      });
      ctx.stroke();
    }
    ctx.fillStyle = p.muted;
    const labels = axis.ticks.map(([t0, t1]) => (t1 == null ? formatTime(t0, view.tz, "time") : `${formatTime(t0, view.tz, "time")}/${formatTime(t1, view.tz, "time")}`));
    axis.ticks.forEach(([t0], i) => {
      const text = labels[i], w = ctx.measureText(text).width;
      const x = Math.min(lx + lw - w, Math.max(lx, lx + axis.at(t0) * lw - w / 2));
      ctx.fillText(text, x, H - 5);
    });
    view.root.dataset.axis = labels.join(" ");
    view.root.dataset.minutes = String(n);
  });

  view.onTheme(draw);
  view.listen("change:locale change:height change:_market change:timezone change:_sessions", draw);
  view.cleanups.push(onResize(canvas, draw));
  view.follow(store, () => draw());
  view.root.dataset.ready = "1";
  return () => view.destroy();
}

export default defineWidget(createStore, render);
