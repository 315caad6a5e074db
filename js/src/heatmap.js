// @ts-check
// DepthHeatmap view: the order book over time. x = time, y = price (a row per tick), colour =
// resting size (log scale, legend), best bid / ask lines, trades as circles by volume and side.
//
// Drawn with canvas 2D from a ring-buffer image, not WebGL2. Each bin is one column of an
// offscreen canvas (`capacity` × ROWS px): a frame writes one column with putImageData, and a
// draw is at most two drawImage calls (the ring wraps once) plus the lines and circles, under a
// millisecond on a software-rendered chromium (docs/benchmarks.md). WebGL2 would draw the same
// texture no faster at this size, but a page holds only about 16 live WebGL contexts (a notebook
// of widgets loses the oldest), headless and VM browsers often have none, and HTML export and
// screenshots of canvas 2D need nothing special. The colour scale changes rarely (it rises in
// powers of two); only then, or when the price leaves the rows held, is the image rebuilt.

import { View } from "./lib/base.js";
import { formatPrice, formatTime } from "./lib/format.js";
import { HeatState } from "./lib/heatstate.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { alpha } from "./lib/theme.js";
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
const PLOT_BG = "#0b0f14";
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
    const lv = Math.log1p(vScale || 1);
    for (const [pxs, vols] of [[state.bidPx, state.bidVol], [state.askPx, state.askVol]]) {
      for (let j = 0; j < L; j++) {
        const p = pxs[at + j], v = vols[at + j];
        if (!Number.isFinite(p) || !(v > 0)) continue;
        const r = Math.round((rowTop - p) / step);
        if (r < 0 || r >= ROWS) continue;
        const i = (r * W + x) * 4;
        const c = Math.min(255, Math.round((255 * Math.log1p(v)) / lv)) * 3;
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
    const scale = state.maxVol > vScale ? 2 ** Math.ceil(Math.log2(Math.max(1, state.maxVol))) : vScale;
    const refit = fitRows();
    if (!ch || ch.reset || refit || scale !== vScale || ring.width !== state.capacity) {
      vScale = scale;
      rebuild();
    } else {
      // bins the ring skipped repeat the book before them: write every bin since the last drawn
      const from = Math.max(state.first, Math.min(...ch.bins, lastDrawn + 1));
      for (let b = from; b <= state.last; b++) rasterize(b);
    }
    lastDrawn = state.last;
    renderLegend();
  };
  let lastDrawn = -1;

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
  let drawMs = 0, scrolls = 0, seenFrames = -1, lastEnd = -Infinity;
  const draw = () => {
    const began = performance.now();
    drawFrame();
    drawMs += performance.now() - began;
  };
  const drawFrame = () => {
    if (!width) width = Math.round(wrap.getBoundingClientRect().width || 600);
    const W = Math.max(160, width), H = Math.max(80, model.get("height") || 360);
    const ctx = hidpiContext(canvas, W, H, { height: true });
    if (!ctx) return;
    const p = view.pal;
    plot = { l: 0, t: 0, w: W - AXIS_W, h: H - TIME_H };
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = PLOT_BG;
    ctx.fillRect(plot.l, plot.t, plot.w, plot.h);
    draws += 1; fpsCount += 1;
    const nowWall = performance.now();
    if (nowWall - fpsSince >= 1000) {
      meta({
        fps: String(Math.round((fpsCount * 1000) / (nowWall - fpsSince))),
        drawMs: (drawMs / Math.max(1, fpsCount)).toFixed(2),
      });
      drawMs = 0;
      fpsCount = 0; fpsSince = nowWall;
    }
    let moved = false;
    const due = () => moved || !live || hover !== null || nowWall - lastMeta >= 250;
    if (due()) meta({ draws: String(draws), scrolls: String(scrolls) });
    if (state.last < 0 || !Number.isFinite(step)) return;
    const span = spanMs || windowMs();
    const tEnd = live ? liveEdge() : viewEnd;
    const tStart = tEnd - span;
    // draws that moved the live edge between two frames: the view scrolls at display rate
    if (live && state.frames === seenFrames && tEnd > lastEnd) scrolls += 1;
    seenFrames = state.frames;
    lastEnd = tEnd;
    const bm = state.binMs;
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
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.l, plot.t, plot.w, plot.h);
    ctx.clip();
    // the ring image: bins [b0, b1] in at most two runs of consecutive slots
    ctx.imageSmoothingEnabled = false;
    const b0 = Math.max(state.first, Math.floor(tStart / bm)), b1 = Math.min(state.last, Math.floor(tEnd / bm));
    // source rows of the price range (row r spans r - 0.5 … r + 0.5 around rowTop - r * step)
    const r0 = Math.max(0, (rowTop - pTop) / step + 0.5), r1 = Math.min(ROWS, (rowTop - pBot) / step + 0.5);
    if (r1 > r0) {
      const yOf = (/** @type {number} */ r) => Y(rowTop - (r - 0.5) * step);
      for (let b = b0; b <= b1;) {
        const s = state.slot(b);
        const e = Math.min(b1, b + (state.capacity - s) - 1);
        const x0 = X(b * bm), x1 = X((e + 1) * bm);
        ctx.drawImage(ring, s, r0, e - b + 1, r1 - r0, x0, yOf(r0), x1 - x0, yOf(r1) - yOf(r0));
        b = e + 1;
      }
    }
    // best bid and ask, as steps
    for (const [side, color] of /** @type {const} */ ([["bid", p.up], ["ask", p.down]])) {
      ctx.beginPath();
      let on = false;
      for (let b = b0; b <= b1; b++) {
        const q = state.best(b)[side];
        if (!Number.isFinite(q)) { on = false; continue; }
        const y = Y(q);
        if (!on) { ctx.moveTo(X(b * bm), y); on = true; } else ctx.lineTo(X(b * bm), y);
        ctx.lineTo(X((b + 1) * bm), y);
      }
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    // trades: circles by volume (area), by side
    // one path per side: thousands of circles in a full window cost three fills, not thousands
    if (model.get("trades") !== false && state.maxTrade > 0) {
      const sides = [[1, p.up], [2, p.down], [0, "#9aa4b2"]];
      // zoomed out (bins a few px wide) the circles of a bin overlap: draw each side's largest
      const crowded = X(bm) - X(0) < 4;
      for (const [dir, col] of /** @type {Array<[number, string]>} */ (sides)) {
        ctx.beginPath();
        let any = false;
        for (let b = b0; b <= b1; b++) {
          const m = state.trades[state.slot(b)];
          if (!m.size) continue;
          const x = X((b + 0.5) * bm);
          let top = null;
          if (crowded) {
            for (const c of m.values()) {
              if ((c.dir === 1 || c.dir === 2 ? c.dir : 0) === dir && (!top || c.vol > top.vol)) top = c;
            }
          }
          for (const c of top ? [top] : crowded ? [] : m.values()) {
            if ((c.dir === 1 || c.dir === 2 ? c.dir : 0) !== dir) continue;
            const rr = 1.5 + 6 * Math.sqrt(c.vol / state.maxTrade), y = Y(c.px);
            ctx.moveTo(x + rr, y);
            ctx.arc(x, y, rr, 0, 2 * Math.PI);
            any = true;
          }
        }
        if (!any) continue;
        ctx.fillStyle = alpha(col, 0.35);
        ctx.fill();
        ctx.strokeStyle = col;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    }
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
      const text = formatTime(t, tz, tStep < 60_000 ? "time_s" : "time");
      const w = ctx.measureText(text).width;
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
  const kick = () => { if (!raf) raf = requestAnimationFrame(loop); };
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
  view.listen("change:height change:trades change:_market change:timezone", () => kick());
  view.cleanups.push(onResize(wrap, () => { width = Math.round(wrap.getBoundingClientRect().width); kick(); }));
  renderTools();
  view.follow(store, (ch) => { absorb(ch); kick(); });
  view.root.dataset.ready = "1";
  return () => view.destroy();
}

export default defineWidget(createStore, render);
