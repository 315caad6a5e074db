// @ts-check
// Moving averages and the session VWAP over the bar store's columns, computed from an index on
// so that a live bar costs only its own tail (the chart's lines are these numbers).

/**
 * Simple moving average of `values` over `n` bars for indices [from, len), NaN while fewer than
 * n bars exist (and wherever the window holds a NaN). Writes into `out` (resized to `values`)
 * and returns it; entries before `from` are left as they were.
 * @param {ArrayLike<number>} values
 * @param {number} n
 * @param {number[]} [out]
 * @param {number} [from]
 */
export function sma(values, n, out = [], from = 0) {
  const len = values.length;
  out.length = len;
  // a fresh sum per window: no drift over a long history, and a NaN leaves with its window
  for (let i = Math.max(0, from); i < len; i++) {
    if (i < n - 1) { out[i] = NaN; continue; }
    let sum = 0;
    for (let k = i - n + 1; k <= i; k++) sum += values[k];
    out[i] = sum / n;
  }
  return out;
}

/**
 * Volume-weighted average price, cumulative within each trading session: `dayOf(t)` gives the
 * bar's exchange-local day and the sums restart when it changes; with `dayOf` null each bar's
 * own average price (daily and longer bars). Incremental: `update(..., from)` recomputes only
 * bars from `from` on, from the sums kept for the bar before it.
 */
export class SessionVwap {
  constructor() {
    /** @type {number[]} */ this.cumVolume = [];
    /** @type {number[]} */ this.cumTurnover = [];
    /** @type {number[]} day key of each bar (NaN per bar) */ this.day = [];
    /** @type {number[]} */ this.out = [];
    this.perBar = false;
  }

  /**
   * @param {ArrayLike<number>} t open times (UTC ms)
   * @param {ArrayLike<number>} volume
   * @param {ArrayLike<number>} turnover
   * @param {((t: number) => number)|null} dayOf
   * @param {number} [from]
   * @returns {number[]} the VWAP of every bar
   */
  update(t, volume, turnover, dayOf, from = 0) {
    const n = t.length;
    for (const a of [this.cumVolume, this.cumTurnover, this.day, this.out]) a.length = n;
    this.perBar = !dayOf;
    for (let i = Math.max(0, from); i < n; i++) {
      const vol = volume[i] || 0, amt = turnover[i] || 0;
      if (!dayOf) {
        this.day[i] = NaN;
        this.out[i] = vol > 0 ? amt / vol : NaN;
        continue;
      }
      const d = dayOf(t[i]);
      const same = i > 0 && this.day[i - 1] === d;
      this.day[i] = d;
      this.cumVolume[i] = (same ? this.cumVolume[i - 1] : 0) + vol;
      this.cumTurnover[i] = (same ? this.cumTurnover[i - 1] : 0) + amt;
      this.out[i] = this.cumVolume[i] > 0 ? this.cumTurnover[i] / this.cumVolume[i] : NaN;
    }
    return this.out;
  }

  /** Whether bar `i` opens a new session (the line breaks before it). @param {number} i */
  opensSession(i) {
    return !this.perBar && i > 0 && this.day[i] !== this.day[i - 1];
  }
}

/**
 * The VWAP of every bar at once (see {@link SessionVwap}).
 * @param {ArrayLike<number>} t @param {ArrayLike<number>} volume @param {ArrayLike<number>} turnover
 * @param {((t: number) => number)|null} dayOf
 */
export function vwap(t, volume, turnover, dayOf) {
  return new SessionVwap().update(t, volume, turnover, dayOf).slice();
}
