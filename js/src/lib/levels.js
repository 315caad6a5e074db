// @ts-check
// Order-book state of one model: levels of both sides, and which of them changed last time.

/**
 * @typedef {{px: number, vol: number}} Level
 * @typedef {{bids: Level[], asks: Level[], t: number, prevClose: number}} Book
 */

/**
 * Levels of one side from a frame's columns (NaN padding dropped).
 * @param {ArrayLike<number>|undefined} px @param {ArrayLike<number>|undefined} vol
 * @returns {Level[]}
 */
export function sideFrom(px, vol) {
  /** @type {Level[]} */
  const out = [];
  if (!px) return out;
  for (let i = 0; i < px.length; i++) {
    if (!Number.isFinite(px[i])) continue;
    out.push({ px: px[i], vol: vol && Number.isFinite(vol[i]) ? vol[i] : 0 });
  }
  return out;
}

/**
 * Which levels changed since the previous book, matched by price (a book that shifts by a tick
 * flashes only the levels that are really new): per level "" (same), "up" (a new price, or more
 * size at that price) or "down" (less size at that price).
 * @param {Level[]} prev @param {Level[]} next
 * @returns {Array<"up"|"down"|"">}
 */
export function diffSide(prev, next) {
  const before = new Map(prev.map((l) => [l.px, l.vol]));
  return next.map((l) => {
    const v = before.get(l.px);
    if (v === undefined) return "up";
    return l.vol > v ? "up" : l.vol < v ? "down" : "";
  });
}

/**
 * Spread, mid and imbalance ((Σbid − Σask) / (Σbid + Σask), in [-1, 1]) over `levels`.
 * @param {Book} b @param {number} [levels]
 */
export function bookStats(b, levels = 5) {
  const bb = b.bids[0], ba = b.asks[0];
  const sb = b.bids.slice(0, levels).reduce((s, l) => s + l.vol, 0);
  const sa = b.asks.slice(0, levels).reduce((s, l) => s + l.vol, 0);
  return {
    spread: bb && ba ? ba.px - bb.px : NaN,
    mid: bb && ba ? (ba.px + bb.px) / 2 : NaN,
    imbalance: sb + sa > 0 ? (sb - sa) / (sb + sa) : NaN,
  };
}

/**
 * Cumulative depth: for bids, best first, running sum of sizes; same for asks.
 * @param {Level[]} side
 * @returns {{px: number, cum: number}[]}
 */
export function cumulative(side) {
  let s = 0;
  return side.map((l) => ({ px: l.px, cum: (s += l.vol) }));
}

/**
 * @typedef {{reset: boolean, diff: {bids: Array<"up"|"down"|"">, asks: Array<"up"|"down"|"">}|null}} BookChange
 *   `diff`: the levels that changed (diffSide), null for a full frame
 */

/** What an OrderBook model holds: the latest book and the 盘口 numbers that came with it. */
export class BookState {
  constructor() {
    /** @type {Book} */
    this.book = { bids: [], asks: [], t: NaN, prevClose: NaN };
    /** @type {import("./frames.js").BookStats|null} */
    this.stats = null;
    /** @type {import("./wire.js").RawFrame|null} the last frame: a book frame is the whole book */
    this.last = null;
  }

  /**
   * @param {import("./wire.js").RawFrame} raw
   * @returns {BookChange|null}
   */
  apply(raw) {
    if (raw.header.kind !== "book") return null;
    const { header: h, cols } = /** @type {import("./frames.js").BookFrame} */ (raw);
    /** @type {Book} */
    const next = {
      bids: sideFrom(cols.bid_px, cols.bid_vol),
      asks: sideFrom(cols.ask_px, cols.ask_vol),
      t: Number(h.t),
      prevClose: typeof h.prev_close === "number" && Number.isFinite(h.prev_close) ? h.prev_close : NaN,
    };
    this.stats = h.stats && typeof h.stats === "object" ? h.stats : null;
    const diff = h.reset ? null : { bids: diffSide(this.book.bids, next.bids), asks: diffSide(this.book.asks, next.asks) };
    this.book = next;
    this.last = raw;
    return { reset: !!h.reset, diff };
  }

  /** The book shown, as one full frame (the saved state). */
  snapshot() {
    return this.last;
  }
}
