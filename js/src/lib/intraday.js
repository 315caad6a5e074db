// @ts-check
// Geometry of the 分时图 (intraday chart): a fixed axis of the day's minute slots and a price
// range symmetric around the previous close. Pure functions, unit-tested.

/**
 * Price range [lo, hi] symmetric around `prevClose` that holds every finite value, with a small
 * margin. Limit prices widen it only when they are near (they are "marked when in range").
 * @param {number} prevClose
 * @param {ArrayLike<number>[]} series
 * @param {{limitUp?: number|null, limitDown?: number|null, minPct?: number}} [o]
 * @returns {{lo: number, hi: number, maxPct: number}}
 */
export function symmetricRange(prevClose, series, o = {}) {
  let dev = 0;
  let ref = prevClose;
  if (!Number.isFinite(ref) || ref <= 0) {
    // no previous close yet: centre on the first value seen
    for (const s of series) for (let i = 0; i < s.length; i++) if (Number.isFinite(s[i])) { ref = s[i]; break; }
  }
  if (!Number.isFinite(ref) || ref <= 0) return { lo: 0, hi: 1, maxPct: 0 };
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (Number.isFinite(v)) dev = Math.max(dev, Math.abs(v - ref));
    }
  }
  const minDev = ref * ((o.minPct ?? 0.5) / 100);
  dev = Math.max(dev * 1.08, minDev);
  for (const lim of [o.limitUp, o.limitDown]) {
    if (lim != null && Number.isFinite(lim)) {
      const d = Math.abs(lim - ref);
      // a limit a little outside the data is worth showing; a far one would squash the line
      if (d <= dev * 1.25) dev = Math.max(dev, d * 1.02);
    }
  }
  return { lo: ref - dev, hi: ref + dev, maxPct: (dev / ref) * 100 };
}

/**
 * Centre x of slot `i` of `n` across [left, left + width]: slots are evenly spaced, so a break
 * between two sessions takes no room at all.
 * @param {number} i @param {number} n @param {number} left @param {number} width
 */
export function slotX(i, n, left, width) {
  return left + ((i + 0.5) * width) / Math.max(1, n);
}

/** x of a tick drawn at slot boundary `i` (0 = the open, n = the close). @param {number} i @param {number} n @param {number} left @param {number} width */
export function tickX(i, n, left, width) {
  return left + (i * width) / Math.max(1, n);
}

/**
 * The polylines of a series over its first `filled` slots: one run per stretch of finite values,
 * as [x, value] points. Each run starts at the left edge of its first slot, so a single minute
 * (the first of the day) is a short level line, not an invisible point.
 * @param {ArrayLike<number>} arr @param {number} filled @param {number} n @param {number} left @param {number} width
 * @returns {Array<Array<[number, number]>>}
 */
export function lineRuns(arr, filled, n, left, width) {
  /** @type {Array<Array<[number, number]>>} */
  const runs = [];
  /** @type {Array<[number, number]>|null} */
  let run = null;
  for (let i = 0; i < Math.min(filled, arr.length); i++) {
    const v = arr[i];
    if (!Number.isFinite(v)) { run = null; continue; }
    if (!run) { run = [[tickX(i, n, left, width), v]]; runs.push(run); }
    run.push([slotX(i, n, left, width), v]);
  }
  return runs;
}

/** Slot under pixel x (clamped), or -1 outside the plot. @param {number} x @param {number} n @param {number} left @param {number} width */
export function slotAt(x, n, left, width) {
  if (x < left || x > left + width) return -1;
  return Math.min(n - 1, Math.max(0, Math.floor(((x - left) / width) * n)));
}

/** y of price `p` in a pane [top, top + height] showing [lo, hi]. @param {number} p @param {number} lo @param {number} hi @param {number} top @param {number} height */
export function priceY(p, lo, hi, top, height) {
  return top + (1 - (p - lo) / (hi - lo || 1)) * height;
}

/**
 * @typedef {{t: Float64Array, close: Float64Array, avg: Float64Array, volume: Float64Array, up: Float64Array}} DaySeries
 * @typedef {Partial<import("./frames.js").IntradayHeader>} DayMeta the last frame's header fields
 */

/** What an IntradayChart model holds: the day's slots and the last frame's header fields. */
export class IntradayState {
  constructor() {
    /** @type {DaySeries} */
    this.s = IntradayState.empty(0);
    /** @type {DayMeta} */
    this.meta = { ticks: [], filled: 0 };
  }

  /** @param {number} slots @returns {DaySeries} */
  static empty(slots) {
    return {
      t: new Float64Array(slots), close: new Float64Array(slots).fill(NaN), avg: new Float64Array(slots).fill(NaN),
      volume: new Float64Array(slots), up: new Float64Array(slots),
    };
  }

  /**
   * A frame carries slots from `offset` on; a new day, a new axis or a full frame starts over.
   * @param {import("./wire.js").RawFrame} raw
   * @returns {{reset: boolean}|null}
   */
  apply(raw) {
    if (raw.header.kind !== "intraday") return null;
    const { header: h, cols: c } = /** @type {import("./frames.js").IntradayFrame} */ (raw);
    const slots = h.slots || c.t.length;
    if (h.reset || h.day !== this.meta.day || this.s.t.length !== slots) this.s = IntradayState.empty(slots);
    const off = h.offset || 0;
    for (const k of /** @type {const} */ (["t", "close", "avg", "volume", "up"])) {
      if (c[k]) this.s[k].set(c[k].subarray(0, Math.max(0, slots - off)), off);
    }
    this.meta = { ...this.meta, ...h };
    return { reset: !!h.reset };
  }

  /** The whole day, as one full frame (the saved state). @returns {import("./wire.js").StateFrame|null} */
  snapshot() {
    if (!this.meta.day) return null;
    const { kind: _k, v: _v, seq: _s, n: _n, cols: _c, reset: _r, ...meta } = /** @type {Record<string, any>} */ (this.meta);
    return { header: { ...meta, kind: "intraday", offset: 0, slots: this.s.t.length }, cols: { ...this.s } };
  }
}
