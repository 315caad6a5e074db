// @ts-check
// The DepthHeatmap's plot, painted once in screen (device) pixels into an offscreen canvas over
// the times t0…t1 (the window and a quarter of it ahead of the live edge): the heat from the ring
// image, the best bid / ask steps and the trade circles. A frame repaints only the columns its new
// bins touch; the view copies the layer onto the screen at the scroll offset. The whole layer is
// painted again only when its geometry changes (see js/src/heatmap.js).

import { alpha } from "./theme.js";

/** background of the plot */
export const PLOT_BG = "#0b0f14";
/** CSS px of the largest trade circle (radius), and of the lines */
export const MAX_R = 7.5;
const LINE_W = 1.5;
const NEUTRAL = "#9aa4b2";

/**
 * What the layer was painted for (any change of `key` paints it whole).
 * @typedef {{key: string, t0: number, t1: number, span: number, pTop: number, pBot: number,
 *   pw: number, ph: number, dpr: number}} LayerGeometry
 * How to paint: the ring's rows (row r holds prices within half a step of rowTop - r * step),
 * the colours, whether trades are drawn and the circle scale, and whether the view is live.
 * @typedef {{rowTop: number, step: number, rows: number, up: string, down: string,
 *   trades: boolean, tradeScale: number, live: boolean}} LayerLook
 * @typedef {{key: string, tStart: number, tEnd: number, span: number, pTop: number, pBot: number,
 *   pw: number, ph: number, dpr: number}} LayerView
 */

/** the colour scale spans three decades of resting size below its top */
const SHADE_RANGE = 1000;
const SHADE_LOG = Math.log1p(SHADE_RANGE);

/**
 * The colour index (0…255) of resting size `v` on a log scale whose top is `scale`: sizes down to a
 * thousandth of the top take the colours below it (that thousandth a tenth of the way up), the top
 * the brightest. Relative to the top, so it does not depend on the unit (0.05 BTC of a 2 BTC book
 * shades as 50 lots of 2 000).
 * @param {number} v @param {number} scale
 */
export function shade(v, scale) {
  if (!(v > 0) || !(scale > 0)) return 0;
  return Math.min(255, Math.round((255 * Math.log1p((SHADE_RANGE * v) / scale)) / SHADE_LOG));
}

export class HeatLayer {
  /**
   * @param {import("./heatstate.js").HeatState} state the bins
   * @param {HTMLCanvasElement} ring their ring image (a column per bin)
   */
  constructor(state, ring) {
    this.state = state;
    this.ring = ring;
    this.canvas = document.createElement("canvas");
    this.ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    /** @type {LayerGeometry|null} null: paint it whole at the next draw */
    this.drawn = null;
    /** the first bin whose columns are out of date (new data since) */
    this.staleFrom = Infinity;
    /** whole paints and column paints so far */
    this.full = 0;
    this.parts = 0;
  }

  /**
   * Paint device columns `x0`…`x1`: the heat, then the lines, then the circles of every bin that
   * reaches into them, clipped, so a part painted alone equals the whole painted.
   * @param {LayerGeometry} g @param {LayerLook} look @param {number} x0 @param {number} x1
   */
  paint(g, look, x0, x1) {
    const c = this.ctx, state = this.state, bm = state.binMs;
    const k = g.pw / g.span; // device px per ms
    const LX = (/** @type {number} */ t) => Math.round((t - g.t0) * k);
    const LY = (/** @type {number} */ px) => ((g.pTop - px) / (g.pTop - g.pBot)) * g.ph;
    const tAt = (/** @type {number} */ x) => g.t0 + x / k;
    c.save();
    c.beginPath();
    c.rect(x0, 0, x1 - x0, g.ph);
    c.clip();
    c.fillStyle = PLOT_BG;
    c.fillRect(x0, 0, x1 - x0, g.ph);
    c.imageSmoothingEnabled = false;
    const bA = Math.max(state.first, Math.floor(tAt(x0) / bm)), bB = Math.min(state.last, Math.floor(tAt(x1) / bm));
    // the ring image: one column per bin, its edges on whole device pixels (no seams)
    const r0 = Math.max(0, (look.rowTop - g.pTop) / look.step + 0.5), r1 = Math.min(look.rows, (look.rowTop - g.pBot) / look.step + 0.5);
    if (r1 > r0) {
      const yOf = (/** @type {number} */ r) => LY(look.rowTop - (r - 0.5) * look.step);
      const ya = yOf(r0), yh = yOf(r1) - ya;
      for (let b = bA; b <= bB; b++) {
        const cx0 = LX(b * bm), cx1 = LX((b + 1) * bm);
        if (cx1 > cx0) c.drawImage(this.ring, state.slot(b), r0, 1, r1 - r0, cx0, ya, cx1 - cx0, yh);
      }
    }
    // best bid and ask, as steps: the bins beside the range too (their joins reach into it)
    const lA = Math.max(state.first, bA - 1), lB = Math.min(state.last, bB + 1);
    c.lineWidth = LINE_W * g.dpr;
    for (const [side, color] of /** @type {const} */ ([["bid", look.up], ["ask", look.down]])) {
      c.beginPath();
      let on = false;
      for (let b = lA; b <= lB; b++) {
        const q = state.best(b)[side];
        if (!Number.isFinite(q)) { on = false; continue; }
        const y = LY(q);
        if (!on) { c.moveTo(LX(b * bm), y); on = true; } else c.lineTo(LX(b * bm), y);
        c.lineTo(LX((b + 1) * bm), y);
      }
      c.strokeStyle = color;
      c.stroke();
    }
    // trades: circles by volume (area), by side; one path per side (three fills, not thousands);
    // bins as far as the largest circle reaches
    if (look.trades && look.tradeScale > 0) {
      const colW = Math.max(1e-6, bm * k);
      const reach = Math.ceil(((MAX_R + 1) * g.dpr) / colW) + 1;
      const tA = Math.max(state.first, bA - reach), tB = Math.min(state.last, bB + reach);
      const sides = [[1, look.up], [2, look.down], [0, NEUTRAL]];
      // zoomed out (bins a few px wide) the circles of a bin overlap: draw each side's largest
      const crowded = colW < 4 * g.dpr;
      c.lineWidth = g.dpr;
      for (const [dir, col] of /** @type {Array<[number, string]>} */ (sides)) {
        c.beginPath();
        let any = false;
        for (let b = tA; b <= tB; b++) {
          const m = state.trades[state.slot(b)];
          if (!m.size) continue;
          const x = (b * bm + bm / 2 - g.t0) * k;
          let top = null;
          if (crowded) {
            for (const cell of m.values()) {
              if ((cell.dir === 1 || cell.dir === 2 ? cell.dir : 0) === dir && (!top || cell.vol > top.vol)) top = cell;
            }
          }
          for (const cell of top ? [top] : crowded ? [] : m.values()) {
            if ((cell.dir === 1 || cell.dir === 2 ? cell.dir : 0) !== dir) continue;
            const rr = (1.5 + (MAX_R - 1.5) * Math.sqrt(Math.min(1, cell.vol / look.tradeScale))) * g.dpr, y = LY(cell.px);
            c.moveTo(x + rr, y);
            c.arc(x, y, rr, 0, 2 * Math.PI);
            any = true;
          }
        }
        if (!any) continue;
        c.fillStyle = alpha(col, 0.35);
        c.fill();
        c.strokeStyle = col;
        c.stroke();
      }
    }
    c.restore();
  }

  /**
   * Bring the layer up to date for a draw: whole when its geometry changed, else the columns of
   * the bins that changed. Returns the ms spent on those columns (the per-update work).
   * @param {LayerView} v @param {LayerLook} look
   */
  update(v, look) {
    const g = this.drawn, state = this.state;
    let ms = 0;
    if (!g || g.key !== v.key || v.tStart < g.t0 || v.tEnd > g.t1) {
      // a quarter of the window ahead (the live edge moves into it), and behind while panning
      const t0 = v.tStart - (look.live ? 0 : v.span / 4), t1 = v.tEnd + v.span / 4;
      const ng = { key: v.key, t0, t1, span: v.span, pTop: v.pTop, pBot: v.pBot, pw: v.pw, ph: v.ph, dpr: v.dpr };
      const lw = Math.ceil(((t1 - t0) * v.pw) / v.span) + 1;
      if (this.canvas.width !== lw || this.canvas.height !== v.ph) { this.canvas.width = lw; this.canvas.height = v.ph; }
      this.drawn = ng;
      this.paint(ng, look, 0, lw);
      this.full += 1;
    } else if (this.staleFrom <= state.last) {
      const k = g.pw / g.span, bm = state.binMs, pad = Math.ceil((MAX_R + LINE_W + 1) * g.dpr);
      const from = Math.max(state.first, this.staleFrom);
      const x0 = Math.max(0, Math.round((from * bm - g.t0) * k) - pad);
      const x1 = Math.min(this.canvas.width, Math.round(((state.last + 1) * bm - g.t0) * k) + pad);
      const began = performance.now();
      if (x1 > x0) this.paint(g, look, x0, x1);
      ms = performance.now() - began;
      this.parts += 1;
    }
    this.staleFrom = Infinity;
    return ms;
  }
}
