// @ts-check
// DepthHeatmap view: the order book over time. x = time, y = price (a row per tick), colour =
// resting size (log scale, legend), best bid / ask lines, trades as circles by volume and side.
//
// Drawn with canvas 2D from a ring-buffer image, not WebGL2. Each bin is one column of an
// offscreen canvas (`capacity` × ROWS px): a frame writes one column with putImageData. The plot
// (heat, best bid / ask, trade circles) is painted once into a second offscreen canvas, the
// layer, in screen pixels over the window plus a quarter of it ahead of the live edge; a frame
// paints only the columns its new bins touch, and a draw at display rate is one unscaled
// drawImage of the layer at the scroll offset plus the axes: the per-update work is one column,
// whatever the window (docs/benchmarks.md). The layer is painted whole again only when the
// geometry changes (zoom, pan past it, the price range, the size, the colour or circle scale, the
// live edge reaching its end). WebGL2 would draw the same texture no faster at this size, but a
// page holds only about 16 live WebGL contexts (a notebook of widgets loses the oldest), headless
// and VM browsers often have none, and HTML export and screenshots of canvas 2D need nothing
// special. The colour and circle scales change rarely (they rise in powers of two); only then, or
// when the price leaves the rows held, is the ring image rebuilt.

import { View } from "./lib/base.js";
import { formatPrice, formatTime } from "./lib/format.js";
import { HeatLayer, PLOT_BG, shade } from "./lib/heatlayer.js";
import { HeatState } from "./lib/heatstate.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { element, hidpiContext, onResize } from "./lib/ui.js";
import { formatSize, formatSizeWithUnit } from "./lib/units.js";

/**
 * @typedef {import("./lib/store.js").Model} Model
 * @typedef {ModelStore<HeatState>} HeatStore
 */

/** price rows held by the ring image */
const ROWS = 512;
const AXIS_W = 64;
const TIME_H = 18;
/** colour stops of the size scale, dim to bright */
const STOPS = [[0, [20, 30, 80]], [0.35, [30, 110, 200]], [0.6, [40, 200, 200]], [0.8, [250, 220, 60]], [1, [255, 255, 255]]];

/** 256 RGB entries along STOPS. */
function makeLut() {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const f = i / 255;
    let k = 0;
    while (k < STOPS.length - 2 && f > /** @type {number} */ (STOPS[k + 1][0])) k++;
    const [f0, c0] = /** @type {[number, number[]]} */ (STOPS[k]), [f1, c1] = /** @type {[number, number[]]} */ (STOPS[k + 1]);
    const u = Math.min(1, Math.max(0, (f - f0) / (f1 - f0)));
    for (let j = 0; j < 3; j++) lut[i * 3 + j] = c0[j] + (c1[j] - c0[j]) * u;
  }
  return lut;
}
const LUT = makeLut();

/** The power of two at or above `x` (a scale that changes rarely as `x` grows). @param {number} x */
const pow2 = (x) => (x > 0 ? 2 ** Math.ceil(Math.log2(x)) : 0);

/** A round step of at least `x` (1, 2 or 5 × 10^k). @param {number} x */
function niceStep(x) {
  if (!(x > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(x));
  const m = x / e;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((s) => s * 1000);

/** @param {Model} model @returns {HeatStore} */
const createStore = (model) => new ModelStore(model, () => new HeatState());

/**
 * @param {{model: Model, el: HTMLElement}} ctx
 * @param {HeatStore} store
 */
function render({ model, el }, store) {
  const view = new View({ model, el }, "heatmap");
  const state = store.state;
  const wrap = element("div", "iw-heat-wrap");
  const canvas = element("canvas", "iw-heat-canvas");
  const legend = element("div", "iw-legend iw-heat-legend");
  const readout = element("div", "iw-legend iw-heat-readout");
  wrap.append(canvas, legend, readout);
  view.body.append(wrap);
  const liveBtn = element("button", "iw-btn");
  view.tools.append(liveBtn);

  const ring = document.createElement("canvas");
  const rctx = /** @type {CanvasRenderingContext2D} */ (ring.getContext("2d"));
  // the rows of the ring: row r holds prices within half a step of rowTop - r * step
  let rowTop = NaN, step = NaN, vScale = 0;
  // the viewport: live follows the newest time; otherwise ends at viewEnd
  let live = true, viewEnd = 0, spanMs = 0, priceAuto = true, priceMid = NaN, priceSpan = NaN;
  /** @type {{x: number, y: number}|null} */
  let hover = null;
  let draws = 0, fpsCount = 0, fpsSince = performance.now();
  /** @type {{l: number, t: number, w: number, h: number}} */
  let plot = { l: 0, t: 0, w: 1, h: 1 };

  const tickOf = () => {
    const t = view.market.tick;
    return Number.isFinite(t) && t > 0 ? t : 10 ** -view.decimals;
  };
  /** The smallest gap between adjacent prices of a bin's book. @param {number} at @param {number} L */
  const levelGap = (at, L) => {
    let g = Infinity;
    for (const pxs of [state.bidPx, state.askPx]) {
      for (let j = 1; j < L; j++) {
        const d = Math.abs(pxs[at + j] - pxs[at + j - 1]);
        if (d > 0 && d < g) g = d;
      }
    }
    return g;
  };
  /** Row step and centre from the newest book: a tick, coarser if the book spans too many rows. */
  const fitRows = () => {
    if (state.last < 0) return false;
    const L = state.levels, at = state.slot(state.last) * L;
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < L; j++) {
      for (const p of [state.bidPx[at + j], state.askPx[at + j]]) if (Number.isFinite(p)) { lo = Math.min(lo, p); hi = Math.max(hi, p); }
    }
    if (!Number.isFinite(lo)) return false;
    // a row per tick, or per level where levels sit several ticks apart (a high-priced share)
    const tick = tickOf();
    const gap = levelGap(at, L);
    const base = Number.isFinite(gap) && gap > tick ? Math.round(gap / tick) * tick : tick;
    const want = Math.max(base, niceStep((hi - lo) / (ROWS * 0.4)));
    const s = want <= base ? base : Math.ceil(want / tick) * tick;
    const mid = (lo + hi) / 2;
    const row = (rowTop - mid) / s;
    if (s === step && Number.isFinite(row) && row > ROWS * 0.2 && row < ROWS * 0.8) return false;
    step = s;
    rowTop = Math.round((mid + (ROWS / 2) * s) / s) * s;
    return true;
  };
  const colImg = new ImageData(1, ROWS);
  /** Write bin `b` into its column of the ring. @param {number} b @param {ImageData} [img] @param {number} [x] */
  const rasterize = (b, img = colImg, x = 0) => {
    const data = img.data, W = img.width, L = state.levels, at = state.slot(b) * L;
    for (let r = 0; r < ROWS; r++) data[(r * W + x) * 4 + 3] = 0;
    for (const [pxs, vols] of [[state.bidPx, state.bidVol], [state.askPx, state.askVol]]) {
      for (let j = 0; j < L; j++) {
        const p = pxs[at + j], v = vols[at + j];
        if (!Number.isFinite(p) || !(v > 0)) continue;
        const r = Math.round((rowTop - p) / step);
        if (r < 0 || r >= ROWS) continue;
        const i = (r * W + x) * 4;
        const c = shade(v, vScale || 1) * 3;
        // rows shared by several levels (a coarse step) show the largest
        if (data[i + 3] && data[i + 3] > 0 && (data[i] + data[i + 1] + data[i + 2]) >= LUT[c] + LUT[c + 1] + LUT[c + 2]) continue;
        data[i] = LUT[c]; data[i + 1] = LUT[c + 1]; data[i + 2] = LUT[c + 2]; data[i + 3] = 255;
      }
    }
    if (img === colImg) rctx.putImageData(colImg, state.slot(b), 0);
  };
  const rebuild = () => {
    if (ring.width !== state.capacity || ring.height !== ROWS) { ring.width = state.capacity; ring.height = ROWS; }
    rctx.clearRect(0, 0, ring.width, ring.height);
    if (state.last < 0 || !Number.isFinite(step)) return;
    const img = new ImageData(state.capacity, ROWS);
    for (let b = state.first; b <= state.last; b++) rasterize(b, img, state.slot(b));
    rctx.putImageData(img, 0, 0);
    view.root.dataset.rebuilds = String(Number(view.root.dataset.rebuilds || 0) + 1);
  };
  /** @param {import("./lib/heatstate.js").HeatChange|null} ch */
  const absorb = (ch) => {
    const began = performance.now();
    absorbed(ch);
    work.ms += performance.now() - began;
    work.n += 1;
  };
  /** main-thread ms spent on updates (absorbing them, painting their columns), and how many */
  const work = { ms: 0, n: 0 };
  /** @param {import("./lib/heatstate.js").HeatChange|null} ch */
  const absorbed = (ch) => {
    const scale = state.maxVol > vScale ? 2 ** Math.ceil(Math.log2(Math.max(1, state.maxVol))) : vScale;
    const tScale = ch?.reset ? pow2(state.maxTrade) : Math.max(tradeScale, pow2(state.maxTrade));
    const refit = fitRows();
    if (!ch || ch.reset || refit || scale !== vScale || ring.width !== state.capacity) {
      const legendDue = scale !== vScale;
      vScale = scale;
      rebuild();
      layer.drawn = null;
      if (legendDue || !ch || ch.reset) renderLegend();
    } else {
      // bins the ring skipped repeat the book before them: write every bin since the last drawn
      const from = Math.max(state.first, Math.min(...ch.bins, lastDrawn + 1));
      for (let b = from; b <= state.last; b++) rasterize(b);
      layer.staleFrom = Math.min(layer.staleFrom, from);
    }
    if (tScale !== tradeScale) { tradeScale = tScale; layer.drawn = null; }
    lastDrawn = state.last;
  };
  let lastDrawn = -1;
  /** circle areas are relative to this (a power of two at or above the largest trade held) */
  let tradeScale = 0;

  const layer = new HeatLayer(state, ring);

  const liveEdge = () => {
    if (!Number.isFinite(state.now)) return (state.last + 1) * state.binMs;
    const ahead = (performance.now() - state.nowAt) * state.rate;
    return state.now + Math.min(Math.max(0, ahead), Math.max(2 * state.binMs, state.rate * 400));
  };
  const windowMs = () => state.windowMs || state.capacity * state.binMs;

  const renderLegend = () => {
    const L = view.L, loc = view.locale;
    const bar = element("span", "iw-heat-scale");
    bar.style.background = `linear-gradient(to right, ${STOPS.map(([f, c]) => `rgb(${/** @type {number[]} */ (c).join(",")}) ${Number(f) * 100}%`).join(", ")})`;
    const lo = element("span", "iw-muted");
    lo.textContent = `${L.restingSize} 0`;
    const hi = element("span", "iw-muted");
    hi.textContent = formatSizeWithUnit(vScale || 0, view.unit, loc, L);
    legend.replaceChildren(lo, bar, hi);
    legend.title = L.heatHint;
    view.root.dataset.vmax = String(vScale);
  };
  const renderTools = () => {
    liveBtn.textContent = view.L.liveEdge;
    liveBtn.setAttribute("aria-pressed", String(live));
    liveBtn.dataset.live = live ? "1" : "0";
    view.root.dataset.live = live ? "1" : "0";
  };
  const goLive = () => { live = true; priceAuto = true; priceMid = NaN; spanMs = 0; renderTools(); kick(); };
  liveBtn.addEventListener("click", goLive);

  // the width comes from the resize observer: reading layout on every frame would force it
  let width = 0;
  /** data-* for tests and tools, written at most four times a second while live (each write is
   * a DOM mutation the page's observers hear) */
  let lastMeta = 0;
  /** @param {Record<string, string>} kv */
  const meta = (kv) => {
    const ds = view.root.dataset;
    for (const [k, v] of Object.entries(kv)) if (ds[k] !== v) ds[k] = v;
  };
  let drawMs = 0, scrolls = 0, seenFrames = -1, lastEnd = -Infinity, forced = true, lastSig = "";
  // time-axis labels by time, zone and form: the same dozen are drawn on every frame while the
  // view scrolls, and formatting one (Intl) costs more than drawing it
  /** @type {Map<string, {text: string, w: number}>} */
  const labels = new Map();
  /** @param {CanvasRenderingContext2D} ctx @param {number} t @param {string|undefined} tz @param {"time"|"time_s"} form */
  const timeLabel = (ctx, t, tz, form) => {
    const key = `${t}|${tz}|${form}`;
    let got = labels.get(key);
    if (!got) {
      if (labels.size > 256) labels.clear();
      const text = formatTime(t, tz, form);
      got = { text, w: ctx.measureText(text).width };
      labels.set(key, got);
    }
    return got;
  };
  const draw = () => {
    const began = performance.now();
    // the ms of the draws made (a frame the view did not move in returns false)
    if (drawFrame() !== false) drawMs += performance.now() - began;
  };
  const drawFrame = () => {
    if (!width) width = Math.round(wrap.getBoundingClientRect().width || 600);
    const W = Math.max(160, width), H = Math.max(80, model.get("height") || 360);
    const ctx = hidpiContext(canvas, W, H, { height: true });
    if (!ctx) return;
    const p = view.pal;
    plot = { l: 0, t: 0, w: W - AXIS_W, h: H - TIME_H };
    /** the axes' strips only: the plot is covered by the layer (or its background) */
    const begin = () => {
      forced = false;
      ctx.fillStyle = p.bg;
      ctx.fillRect(plot.l + plot.w, 0, W - plot.w, H);
      ctx.fillRect(0, plot.t + plot.h, plot.w, H - plot.h);
      draws += 1; fpsCount += 1;
    };
    const nowWall = performance.now();
    if (nowWall - fpsSince >= 1000) {
      meta({
        fps: String(Math.round((fpsCount * 1000) / (nowWall - fpsSince))),
        drawMs: (drawMs / Math.max(1, fpsCount)).toFixed(2),
        updateMs: (work.ms / Math.max(1, work.n)).toFixed(2),
      });
      drawMs = 0;
      work.ms = 0; work.n = 0;
      fpsCount = 0; fpsSince = nowWall;
    }
    let moved = false;
    const due = () => moved || !live || hover !== null || nowWall - lastMeta >= 250;
    if (due()) meta({ draws: String(draws), scrolls: String(scrolls), layerFull: String(layer.full), layerParts: String(layer.parts) });
    if (state.last < 0 || !Number.isFinite(step)) {
      if (!forced && lastSig === `empty|${W}|${H}`) return false;
      lastSig = `empty|${W}|${H}`;
      begin();
      ctx.fillStyle = PLOT_BG;
      ctx.fillRect(plot.l, plot.t, plot.w, plot.h);
      return;
    }
    const span = spanMs || windowMs();
    const tEnd = live ? liveEdge() : viewEnd;
    const tStart = tEnd - span;
    // price viewport: the newest book with a margin, unless the user moved it
    if (priceAuto) {
      const best = state.best(state.last);
      const L = state.levels, at = state.slot(state.last) * L;
      let lo = Infinity, hi = -Infinity;
      for (let j = 0; j < L; j++) for (const q of [state.bidPx[at + j], state.askPx[at + j]]) if (Number.isFinite(q)) { lo = Math.min(lo, q); hi = Math.max(hi, q); }
      const mid = Number.isFinite(best.bid) && Number.isFinite(best.ask) ? (best.bid + best.ask) / 2 : (lo + hi) / 2;
      const want = Math.max(20 * step, (Math.max(hi - mid, mid - lo) * 2 || 20 * step) * 1.25);
      // steady unless the book nears an edge or its depth changes much: a view that followed
      // every tick of the mid would shake
      const inner = priceSpan * 0.45;
      if (!Number.isFinite(priceMid) || lo < priceMid - inner || hi > priceMid + inner
        || want > priceSpan * 1.3 || want < priceSpan * 0.6) {
        priceMid = mid;
        priceSpan = want;
        moved = true;
      }
    }
    const pTop = priceMid + priceSpan / 2, pBot = priceMid - priceSpan / 2;
    /** @param {number} t */
    const X = (t) => plot.l + ((t - tStart) / span) * plot.w;
    /** @param {number} px */
    const Y = (px) => plot.t + ((pTop - px) / (pTop - pBot)) * plot.h;
    // the layer, brought up to date, at the scroll offset: one unscaled copy in device pixels
    const dpr = window.devicePixelRatio || 1;
    const pw = Math.round(plot.w * dpr), ph = Math.round(plot.h * dpr);
    const key = [span, pTop, pBot, pw, ph, dpr, vScale, tradeScale, step, rowTop, p.up, p.down, model.get("trades") !== false].join("|");
    const look = { rowTop, step, rows: ROWS, up: p.up, down: p.down, trades: model.get("trades") !== false, tradeScale, live };
    work.ms += layer.update({ key, tStart, tEnd, span, pTop, pBot, pw, ph, dpr }, look);
    const g = /** @type {import("./lib/heatlayer.js").LayerGeometry} */ (layer.drawn);
    const sx = Math.round(((tStart - g.t0) * g.pw) / g.span);
    // a display frame in which the view moved less than a device pixel and nothing else
    // changed draws nothing (at 1× a 30-minute window scrolls a pixel every second or so)
    const sig = `${key}|${sx}|${g.t0}|${layer.full}|${layer.parts}|${W}|${H}|${p.bg}|${p.muted}`;
    if (!forced && sig === lastSig) return false;
    lastSig = sig;
    begin();
    // draws that moved the live edge between two frames: the view scrolls at display rate
    if (live && state.frames === seenFrames && tEnd > lastEnd) scrolls += 1;
    seenFrames = state.frames;
    lastEnd = tEnd;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(layer.canvas, sx, 0, pw, ph, Math.round(plot.l * dpr), Math.round(plot.t * dpr), pw, ph);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.l, plot.t, plot.w, plot.h);
    ctx.clip();
    // crosshair
    if (hover) {
      ctx.strokeStyle = "rgba(255,255,255,0.5)";
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(hover.x, plot.t); ctx.lineTo(hover.x, plot.t + plot.h);
      ctx.moveTo(plot.l, hover.y); ctx.lineTo(plot.l + plot.w, hover.y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
    // axes
    ctx.fillStyle = p.muted;
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "middle";
    const d = view.decimals;
    const pStep = Math.max(step, niceStep((pTop - pBot) / Math.max(2, plot.h / 36)));
    for (let q = Math.ceil(pBot / pStep) * pStep; q <= pTop; q += pStep) {
      const y = Y(q);
      if (y < 6 || y > plot.h - 6) continue;
      ctx.fillText(formatPrice(q, d), plot.l + plot.w + 6, y);
    }
    const tz = view.tz;
    const tStep = TIME_STEPS.find((s) => (s / span) * plot.w >= 80) || TIME_STEPS[TIME_STEPS.length - 1];
    ctx.textBaseline = "alphabetic";
    for (let t = Math.ceil(tStart / tStep) * tStep; t <= tEnd; t += tStep) {
      const x = X(t);
      const { text, w } = timeLabel(ctx, t, tz, tStep < 60_000 ? "time_s" : "time");
      if (x - w / 2 < 0 || x + w / 2 > plot.w) continue;
      ctx.fillText(text, x - w / 2, H - 5);
    }
    if (due()) {
      lastMeta = nowWall;
      meta({
        plot: `${plot.l},${plot.t},${plot.w},${plot.h}`,
        priceTop: String(pTop), priceBottom: String(pBot), tStart: String(tStart), tEnd: String(tEnd),
        rowStep: String(step), bins: String(state.last >= 0 ? state.last - state.first + 1 : 0),
        levels: String(state.levels),
      });
    }
    renderReadout(tStart, span, pTop, pBot);
  };

  /** @param {number} tStart @param {number} span @param {number} pTop @param {number} pBot */
  const renderReadout = (tStart, span, pTop, pBot) => {
    if (!hover) { readout.style.display = "none"; return; }
    const t = tStart + ((hover.x - plot.l) / plot.w) * span;
    const raw = pTop - ((hover.y - plot.t) / plot.h) * (pTop - pBot);
    const px = Math.round(raw / step) * step;
    const b = Math.floor(t / state.binMs);
    const rest = state.restingAt(b, px, step / 2);
    const traded = state.tradedAt(b, px, step / 2);
    const L = view.L, loc = view.locale;
    /** @type {Array<[string, string]>} */
    const items = [
      [L.time, formatTime(t, view.tz, "datetime_s")],
      [L.price, formatPrice(px, view.decimals)],
      [L.resting, formatSize(rest.vol, view.unit, loc)],
      [L.traded, formatSize(traded, view.unit, loc)],
    ];
    readout.replaceChildren(...items.flatMap(([k, v]) => {
      const a = element("span", "iw-muted"); a.textContent = `${k} `;
      const bv = element("span", ""); bv.textContent = v;
      return [a, bv];
    }));
    readout.style.display = "";
    view.root.dataset.readout = `${px}|${rest.vol}|${traded}`;
  };

  // a frame per display refresh while live (the view scrolls), else on demand
  let raf = 0;
  const loop = () => {
    raf = 0;
    if (view.destroyed) return;
    draw();
    if (live) raf = requestAnimationFrame(loop);
  };
  // an event asks for a real draw; the loop's own frames draw only when the view moved
  const kick = () => { forced = true; if (!raf) raf = requestAnimationFrame(loop); };
  view.cleanups.push(() => { if (raf) cancelAnimationFrame(raf); raf = 0; });

  // wheel: zoom time at the pointer (Shift: price); drag: pan; double click: back to live
  canvas.addEventListener("wheel", (ev) => {
    if (state.last < 0) return;
    ev.preventDefault();
    const f = Math.exp(Math.sign(ev.deltaY) * 0.15);
    if (ev.shiftKey) {
      priceAuto = false;
      priceSpan = Math.max(4 * step, Math.min(ROWS * step, priceSpan * f));
    } else {
      const span = spanMs || windowMs();
      const next = Math.max(20 * state.binMs, Math.min(windowMs(), span * f));
      if (!live) {
        const tEnd = viewEnd, at = tEnd - span + ((ev.offsetX - plot.l) / plot.w) * span;
        viewEnd = at + ((tEnd - at) * next) / span;
      }
      spanMs = next;
    }
    kick();
  }, { passive: false });
  /** @type {{x: number, y: number, end: number, mid: number}|null} */
  let drag = null;
  canvas.addEventListener("pointerdown", (ev) => {
    drag = { x: ev.clientX, y: ev.clientY, end: live ? liveEdge() : viewEnd, mid: priceMid };
    canvas.setPointerCapture?.(ev.pointerId);
  });
  canvas.addEventListener("pointermove", (ev) => {
    hover = { x: ev.offsetX, y: ev.offsetY };
    if (drag && (Math.abs(ev.clientX - drag.x) > 2 || Math.abs(ev.clientY - drag.y) > 2)) {
      const span = spanMs || windowMs();
      live = false;
      viewEnd = drag.end - ((ev.clientX - drag.x) / plot.w) * span;
      if (Math.abs(ev.clientY - drag.y) > 2) {
        priceAuto = false;
        priceMid = drag.mid + ((ev.clientY - drag.y) / plot.h) * priceSpan;
      }
      renderTools();
    }
    kick();
  });
  const endDrag = () => { drag = null; };
  canvas.addEventListener("pointerup", endDrag);
  canvas.addEventListener("pointercancel", endDrag);
  canvas.addEventListener("pointerleave", () => { hover = null; kick(); });
  canvas.addEventListener("dblclick", goLive);

  view.onTheme(() => kick());
  view.listen("change:locale", () => { renderTools(); renderLegend(); kick(); });
  view.listen("change:_market", () => { renderLegend(); kick(); });
  view.listen("change:height change:trades change:timezone", () => kick());
  view.cleanups.push(onResize(wrap, () => { width = Math.round(wrap.getBoundingClientRect().width); kick(); }));
  renderTools();
  view.follow(store, (ch) => { absorb(ch); kick(); });
  view.root.dataset.ready = "1";
  return () => view.destroy();
}

export default defineWidget(createStore, render);
