// IntradayChart (分时图): minute closes and the 均价线 on a fixed session axis, the previous close
// as the centre line, price on the left and percent change on the right (symmetric), limit prices
// when in range, a volume pane coloured by up/down minutes, and a crosshair with a legend.
// Everything drawn here was computed in Python; this view only draws.

import { View } from "./lib/base.js";
import { formatPct, formatPrice, formatTime, formatVolume } from "./lib/format.js";
import { priceY, slotAt, slotX, symmetricRange, tickX } from "./lib/intraday.js";
import { alpha } from "./lib/theme.js";

const PRICE_COLOR = "#2f6fdf";
const AVG_COLOR = "#e0a100";
const AXIS_W = 64;

function render({ model, el }) {
  const view = new View({ model, el }, "intraday");
  /** @type {{t: Float64Array, close: Float64Array, avg: Float64Array, volume: Float64Array, up: Float64Array}} */
  let s = { t: new Float64Array(0), close: new Float64Array(0), avg: new Float64Array(0), volume: new Float64Array(0), up: new Float64Array(0) };
  /** @type {Record<string, any>} */
  let meta = { ticks: [], filled: 0 };
  let hover = -1;

  const wrap = document.createElement("div");
  wrap.style.position = "relative";
  const canvas = document.createElement("canvas");
  canvas.className = "iw-intraday-canvas";
  canvas.style.display = "block";
  canvas.style.width = "100%";
  const legend = document.createElement("div");
  legend.className = "iw-legend";
  Object.assign(legend.style, { position: "absolute", left: `${AXIS_W + 6}px`, top: "4px", fontSize: "11px",
    pointerEvents: "none", display: "flex", gap: "10px", flexWrap: "wrap" });
  wrap.append(canvas, legend);
  view.body.append(wrap);

  const title = () => { view.subEl.textContent = `${view.market.name || ""} · ${view.locale === "zh" ? "分时" : "Intraday"}`; };
  title();
  view.listen("change:locale change:_market", title);

  const item = (label, value, color, cls) => {
    const span = document.createElement("span");
    const k = document.createElement("span");
    k.className = "iw-muted";
    k.textContent = `${label} `;
    const v = document.createElement("span");
    if (cls) v.className = cls;
    if (color) v.style.color = color;
    v.textContent = value;
    span.append(k, v);
    return span;
  };

  const renderLegend = () => {
    const zh = view.locale === "zh";
    const n = meta.filled || 0;
    const i = hover >= 0 ? hover : n - 1;
    const d = view.decimals, pc = meta.prev_close;
    if (i < 0 || !Number.isFinite(s.close[i])) {
      legend.replaceChildren(item(zh ? "均价" : "Avg price", "—", AVG_COLOR));
      return;
    }
    const px = s.close[i];
    const pct = Number.isFinite(pc) && pc ? ((px - pc) / pc) * 100 : NaN;
    const cls = !Number.isFinite(pct) ? "iw-flat" : pct > 0 ? "iw-up" : pct < 0 ? "iw-down" : "iw-flat";
    legend.replaceChildren(
      item(zh ? "时间" : "Time", formatTime(s.t[i] + 60_000, view.tz, "time")),
      item(zh ? "价格" : "Price", formatPrice(px, d), PRICE_COLOR),
      item(zh ? "均价" : "Avg price", formatPrice(s.avg[i], d), AVG_COLOR),
      item(zh ? "涨跌幅" : "Chg %", formatPct(pct), null, cls),
      item(zh ? "成交量" : "Vol", formatVolume(s.volume[i], view.locale)),
    );
  };

  const draw = () => {
    const w = Math.max(200, wrap.clientWidth || 600);
    const h = Math.max(160, model.get("height") || 380);
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.height = `${h}px`;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const p = view.pal;
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, w, h);
    const n = Math.max(1, meta.slots || s.t.length || 240);
    const left = AXIS_W, right = w - AXIS_W, plotW = right - left;
    const top = 22, axisH = 18;
    const priceH = Math.round((h - top - axisH) * 0.72);
    const volTop = top + priceH + 6, volH = h - axisH - volTop;
    const pc = Number.isFinite(meta.prev_close) ? meta.prev_close : NaN;
    const filled = Math.min(meta.filled || 0, s.close.length);
    const closes = s.close.subarray(0, filled), avgs = s.avg.subarray(0, filled);
    const { lo, hi, maxPct } = symmetricRange(pc, [closes, avgs], { limitUp: meta.limit_up, limitDown: meta.limit_down });
    const ref = Number.isFinite(pc) ? pc : (lo + hi) / 2;
    // horizontal rules on the pixel grid (x.5) so a 1-px line stays one crisp pixel row
    const Y = (v) => priceY(v, lo, hi, top, priceH);
    const crisp = (y) => Math.round(y) + 0.5;

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
    if (meta.ticks?.length > 2) {
      const mid = meta.ticks.find((t) => String(t[1]).includes("/"));
      if (mid) {
        view.root.dataset.breakSlot = String(mid[0]);
        // the distance between the last minute before the break and the first after it
        view.root.dataset.breakGapPx = String(slotX(mid[0], n, left, plotW) - slotX(mid[0] - 1, n, left, plotW));
        view.root.dataset.slotPx = String(plotW / n);
      }
    }

    // limit prices when in range
    for (const [lim, color, name] of [[meta.limit_up, p.up, "up"], [meta.limit_down, p.down, "down"]]) {
      if (lim == null || !Number.isFinite(lim) || lim > hi || lim < lo) { delete view.root.dataset[`limit_${name}_y`]; continue; }
      const y = crisp(Y(lim));
      ctx.strokeStyle = alpha(color, 0.8);
      ctx.setLineDash([2, 3]);
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = color;
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      ctx.fillText(`${view.locale === "zh" ? (name === "up" ? "涨停" : "跌停") : (name === "up" ? "Limit up" : "Limit down")} ${formatPrice(lim, view.decimals)}`, right - 2, y - 1);
      view.root.dataset[`limit_${name}_y`] = String(Math.round(y));
    }

    // price line (with a light area to the centre line) and the 均价线
    const line = (arr, color, width) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < filled; i++) {
        const v = arr[i];
        if (!Number.isFinite(v)) { started = false; continue; }
        const x = slotX(i, n, left, plotW), y = Y(v);
        if (!started) { ctx.moveTo(x, y); started = true; } else ctx.lineTo(x, y);
      }
      ctx.stroke();
    };
    if (filled > 0) {
      ctx.fillStyle = alpha(PRICE_COLOR, 0.08);
      ctx.beginPath();
      ctx.moveTo(slotX(0, n, left, plotW), Y(ref));
      for (let i = 0; i < filled; i++) if (Number.isFinite(closes[i])) ctx.lineTo(slotX(i, n, left, plotW), Y(closes[i]));
      ctx.lineTo(slotX(filled - 1, n, left, plotW), Y(ref));
      ctx.closePath();
      ctx.fill();
      line(closes, PRICE_COLOR, 1.4);
      line(avgs, AVG_COLOR, 1.2);
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
    ctx.fillText(formatVolume(vmax, view.locale), left - 4, volTop);

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

  const onMove = (ev) => {
    const r = canvas.getBoundingClientRect();
    const n = Math.max(1, meta.slots || s.t.length || 240);
    hover = slotAt(ev.clientX - r.left, n, AXIS_W, r.width - 2 * AXIS_W);
    redraw();
  };
  const onLeave = () => { hover = -1; redraw(); };
  canvas.addEventListener("mousemove", onMove);
  canvas.addEventListener("mouseleave", onLeave);
  view.cleanups.push(() => { canvas.removeEventListener("mousemove", onMove); canvas.removeEventListener("mouseleave", onLeave); });
  const ro = typeof ResizeObserver !== "undefined" ? new ResizeObserver(redraw) : null;
  ro?.observe(wrap);
  view.cleanups.push(() => ro?.disconnect());

  view.start((frame) => {
    const h = frame.header, c = frame.cols;
    const slots = h.slots || c.t.length;
    if (h.reset || h.day !== meta.day || s.t.length !== slots) {
      s = { t: new Float64Array(slots), close: new Float64Array(slots).fill(NaN), avg: new Float64Array(slots).fill(NaN),
        volume: new Float64Array(slots), up: new Float64Array(slots) };
    }
    const off = h.offset || 0;
    for (const k of ["t", "close", "avg", "volume", "up"]) if (c[k]) s[k].set(c[k].subarray(0, Math.max(0, slots - off)), off);
    meta = { ...meta, ...h };
    redraw();
  });
  return () => view.destroy();
}

export default { render };
