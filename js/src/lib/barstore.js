// @ts-check
// Bars held by one chart model: sorted by open time, about `maxBars` (the oldest drop off). Besides
// the bar columns it holds whatever other columns the frames carry (a study's values: "macd.dif"),
// one value per bar, so they move, trim and page in with their bars.

/** @typedef {import("./frames.js").BarsColumn} BarsColumn */

/** @type {readonly BarsColumn[]} */
export const BAR_COLS = ["t", "open", "high", "low", "close", "volume", "turnover"];

/** Index of the first element >= x in a sorted array. @param {ArrayLike<number>} arr @param {number} x */
export function lowerBound(arr, x) {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * @typedef {{mode: "none"|"tail"|"full", from: number, prepended: number}} ApplyResult
 * `tail`: only bars at index >= from changed or were appended (cheap `series.update`);
 * `full`: bars were inserted before the end (redraw with `setData`); `prepended`: bars added
 * before the previous first bar (to keep the user's scroll position).
 */
export class BarStore {
  /**
   * @param {number} [maxBars] bars kept after a trim
   * @param {number} [slack] bars it may grow past `maxBars` before the oldest are cut in one go:
   *   dropping one bar per new bar would force a full redraw of every series (setData over the
   *   whole window) on every bar; with slack it happens once per `slack` new bars
   */
  constructor(maxBars = 15000, slack = Math.max(1, Math.floor(maxBars / 10))) {
    this.maxBars = maxBars;
    this.slack = slack;
    /** window size kept: grows when the user pages older bars in, back to maxBars on reset */
    this.keep = maxBars;
    /** @type {Record<BarsColumn, number[]> & Record<string, number[]>} */
    this.c = { t: [], open: [], high: [], low: [], close: [], volume: [], turnover: [] };
    /** @type {string[]} every column held: the bar columns, then the others of the last full frame */
    this.names = [...BAR_COLS];
  }

  get length() { return this.c.t.length; }

  clear() { for (const k of this.names) this.c[k] = []; }

  /** Bar i as an object. @param {number} i */
  bar(i) {
    /** @type {Record<string, number>} */
    const o = {};
    for (const k of BAR_COLS) o[k] = this.c[k][i];
    return o;
  }

  /**
   * Replace everything with the columns of a full frame.
   * @param {Record<string, ArrayLike<number>>} cols
   * @returns {ApplyResult}
   */
  reset(cols) {
    const n = cols.t ? cols.t.length : 0;
    for (const k of this.names) if (!BAR_COLS.includes(/** @type {BarsColumn} */ (k))) delete this.c[k];
    this.names = [...BAR_COLS, ...Object.keys(cols).filter((k) => !BAR_COLS.includes(/** @type {BarsColumn} */ (k)))];
    for (const k of this.names) this.c[k] = cols[k] ? Array.from(cols[k]) : new Array(n).fill(NaN);
    this.keep = this.maxBars;
    this._trim();
    return { mode: "full", from: 0, prepended: 0 };
  }

  /**
   * Insert or replace bars (one per open time) from a delta frame.
   * @param {Record<string, ArrayLike<number>>} cols
   * @returns {ApplyResult}
   */
  upsert(cols) {
    const ct = cols.t;
    const n = ct ? ct.length : 0;
    if (!ct || !n) return { mode: "none", from: this.length, prepended: 0 };
    const t = this.c.t;
    const firstBefore = t.length ? t[0] : Infinity;
    let from = Infinity;
    let structural = false;
    let prepended = 0;
    for (let j = 0; j < n; j++) {
      const tj = ct[j];
      const len = t.length;
      let i;
      if (len && t[len - 1] === tj) i = len - 1;
      else if (!len || tj > t[len - 1]) i = len;
      else i = lowerBound(t, tj);
      if (i < t.length && t[i] === tj) {
        for (const k of this.names) this.c[k][i] = cols[k] ? cols[k][j] : NaN;
      } else if (i === t.length) {
        for (const k of this.names) this.c[k].push(cols[k] ? cols[k][j] : NaN);
      } else {
        for (const k of this.names) this.c[k].splice(i, 0, cols[k] ? cols[k][j] : NaN);
        structural = true;
        if (tj < firstBefore) prepended += 1;
      }
      from = Math.min(from, i);
    }
    // bars inserted before the end come from scrolling back: let the window grow for them (up to
    // a hard cap) instead of cutting off the page just loaded
    if (prepended) this.keep = Math.min(this.maxBars * 4, Math.max(this.keep, this.length));
    const trimmed = this._trim();
    if (structural || trimmed) return { mode: "full", from: 0, prepended };
    return { mode: "tail", from, prepended: 0 };
  }

  /** Cut the oldest bars down to `keep` once the store is more than `slack` past it. */
  _trim() {
    if (this.length <= this.keep + this.slack) return false;
    const extra = this.length - this.keep;
    for (const k of this.names) this.c[k].splice(0, extra);
    return true;
  }
}
