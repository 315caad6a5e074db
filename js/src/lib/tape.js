// @ts-check
// Trades held by a tape model: newest first, bounded, de-duplicated by the running trade count.

/**
 * @typedef {{t: number, price: number, volume: number, direction: number}} Trade
 */
export class TapeRows {
  /** @param {number} max */
  constructor(max = 200) {
    this.max = max;
    /** @type {Trade[]} newest first */
    this.rows = [];
    this.total = 0;
  }

  /**
   * Apply a frame's columns (oldest first). `total` is the count of trades ever seen after this
   * frame; rows this view already holds (a snapshot newer than its seq) are skipped.
   * @param {Record<string, ArrayLike<number>>} cols @param {number} total @param {boolean} reset
   * @returns {Trade[]} the trades added, newest first
   */
  apply(cols, total, reset) {
    const n = cols.t ? cols.t.length : 0;
    if (reset) { this.rows = []; this.total = total - n; }
    const skip = Math.max(0, this.total - (total - n));
    const added = [];
    for (let i = n - 1; i >= skip; i--) {
      added.push({ t: cols.t[i], price: cols.price[i], volume: cols.volume[i], direction: cols.direction ? cols.direction[i] : 0 });
    }
    if (added.length) {
      this.rows = added.concat(this.rows).slice(0, this.max);
    }
    this.total = Math.max(this.total, total);
    return added.slice(0, this.max);
  }
}

/**
 * "buy" | "sell" | "neutral" from Infoway's direction (1 buy, 2 sell, 0 neutral).
 * @param {number} direction
 * @returns {"buy"|"sell"|"neutral"}
 */
export function side(direction) {
  return direction === 1 ? "buy" : direction === 2 ? "sell" : "neutral";
}

/**
 * @typedef {{reset: boolean, added: Trade[]}} TapeChange `added`: the new trades, newest first
 */

/** What a TradeTape model holds: its rows, fed by tape frames. */
export class TapeState {
  /** @param {number} max rows kept */
  constructor(max) {
    this.rows = new TapeRows(max);
    this.symbol = "";
  }

  /**
   * @param {import("./wire.js").RawFrame} raw
   * @returns {TapeChange|null}
   */
  apply(raw) {
    if (raw.header.kind !== "tape") return null;
    const { header: h, cols } = /** @type {import("./frames.js").TapeFrame} */ (raw);
    const added = this.rows.apply(cols, Number(h.total) || 0, !!h.reset);
    if (h.symbol) this.symbol = h.symbol;
    return { reset: !!h.reset, added };
  }

  /** The rows shown, oldest first, as one full frame (the saved state). @returns {import("./wire.js").StateFrame|null} */
  snapshot() {
    if (!this.symbol) return null;
    const rows = [...this.rows.rows].reverse();
    return {
      header: { kind: "tape", symbol: this.symbol, total: this.rows.total },
      cols: {
        t: rows.map((r) => r.t), price: rows.map((r) => r.price),
        volume: rows.map((r) => r.volume), direction: rows.map((r) => r.direction),
      },
    };
  }
}
