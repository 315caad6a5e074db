// Order-book state of one view: levels of both sides, and which of them changed last time.

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
  const out = [];
  const n = px ? px.length : 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(px[i])) continue;
    out.push({ px: px[i], vol: vol && Number.isFinite(vol[i]) ? vol[i] : 0 });
  }
  return out;
}

/**
 * Which levels differ from the previous book: per side, an array of
 * "" (same) | "up" (size grew or new price) | "down" (size shrank).
 * @param {Level[]} prev @param {Level[]} next
 */
export function diffSide(prev, next) {
  return next.map((l, i) => {
    const p = prev[i];
    if (!p) return "up";
    if (p.px !== l.px) return "up";
    if (l.vol > p.vol) return "up";
    if (l.vol < p.vol) return "down";
    return "";
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
