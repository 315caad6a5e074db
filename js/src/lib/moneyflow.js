// @ts-check
// MoneyFlow state of one model: today's inflow / outflow per size class, and 主力净流入 by minute.

/** @typedef {{reset: boolean}} FlowChange */

export class FlowState {
  constructor() {
    /** @type {number[]} */
    this.t = [];
    /** @type {number[]} running 主力净流入 at each minute */
    this.line = [];
    /** @type {import("./frames.js").MoneyFlowHeader|null} */
    this.header = null;
  }

  /**
   * @param {import("./wire.js").RawFrame} raw
   * @returns {FlowChange|null}
   */
  apply(raw) {
    if (raw.header.kind !== "moneyflow") return null;
    const { header: h, cols } = /** @type {import("./frames.js").MoneyFlowFrame} */ (raw);
    const off = h.reset ? 0 : Math.max(0, Math.min(Number(h.offset) || 0, this.t.length));
    this.t.length = off;
    this.line.length = off;
    for (let i = 0; i < cols.t.length; i++) { this.t.push(cols.t[i]); this.line.push(cols.main_net[i]); }
    this.header = h;
    return { reset: !!h.reset };
  }

  /** The day as one full frame (the saved state). */
  snapshot() {
    if (!this.header) return null;
    return { header: { ...this.header, offset: 0 }, cols: { t: this.t, main_net: this.line } };
  }
}

const HOUR = 3_600_000;

/**
 * Where a time falls on the day's trading time, 0 at the first session's open and 1 at the last
 * one's close (the breaks take no room; times outside are held at the nearest session edge), and
 * the axis labels: each open, a break as its end and the next open, the close. Without sessions,
 * the span of `times`.
 * @param {Array<[number, number]>|undefined} sessions UTC ms
 * @param {number[]} times
 * @returns {{at: (t: number) => number, ticks: Array<[number, number|null]>}}
 */
export function sessionAxis(sessions, times) {
  const ss = (sessions || []).filter(([a, b]) => b > a);
  if (!ss.length) {
    const a = times[0], b = times[times.length - 1];
    if (a === undefined) return { at: () => 0, ticks: [] };
    return { at: (t) => (b > a ? (t - a) / (b - a) : 0), ticks: b > a ? [[a, null], [b, null]] : [[a, null]] };
  }
  const total = ss.reduce((s, [a, b]) => s + (b - a), 0);
  const at = (/** @type {number} */ t) => {
    let acc = 0;
    for (const [a, b] of ss) {
      if (t < a) break;
      if (t < b) return (acc + t - a) / total;
      acc += b - a;
    }
    return acc / total;
  };
  /** @type {Array<[number, number|null]>} */
  const ticks = [[ss[0][0], null]];
  for (let i = 1; i < ss.length; i++) ticks.push([ss[i - 1][1], ss[i][0]]);
  ticks.push([ss[ss.length - 1][1], null]);
  // a day-long session (crypto): its quarters too
  const [a0, b0] = ss[0];
  if (ss.length === 1 && b0 - a0 >= 12 * HOUR) {
    const step = 6 * HOUR;
    for (let t = a0 + step; t < b0; t += step) ticks.splice(ticks.length - 1, 0, [t, null]);
  }
  return { at, ticks };
}
