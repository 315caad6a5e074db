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
