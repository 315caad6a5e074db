// @ts-check
// What a QuoteBoard model holds: the latest numbers of each symbol, from quotes frames, and
// which of them moved (for the flashing cells).

/** The per-row numbers of a quotes frame (its columns but the sparkline ones). */
export const NUM_FIELDS = /** @type {const} */ (["last", "prev_close", "open", "high", "low", "volume", "turnover", "change",
  "change_pct", "t", "decimals", "red_up", "amplitude", "volume_ratio", "limit_up", "limit_down", "volume_lots", "at_limit", "main_net"]);
/** Fields whose change flashes their cell. */
export const FLASH_FIELDS = /** @type {const} */ (["last", "change", "change_pct", "volume", "turnover", "high", "low",
  "amplitude", "volume_ratio"]);

/**
 * @typedef {Record<typeof NUM_FIELDS[number], number> & {name: string, spark: number[]}} Quote
 * @typedef {Record<string, "up"|"down">} Flashes field -> direction of its change
 * @typedef {{reset: boolean, rows: Map<string, Flashes>, reorder: boolean}} QuotesChange
 *   `rows`: the symbols this frame carried; `reorder`: the set of rows changed
 */

export class QuotesState {
  constructor() {
    /** @type {Map<string, Quote>} */
    this.quotes = new Map();
  }

  /**
   * @param {import("./wire.js").RawFrame} raw
   * @returns {QuotesChange|null}
   */
  apply(raw) {
    if (raw.header.kind !== "quotes") return null;
    const { header: h, cols: c } = /** @type {import("./frames.js").QuotesFrame} */ (raw);
    const syms = h.symbols || [];
    const names = h.names || [];
    const lens = c.spark_len || [];
    let off = 0;
    let reorder = false;
    if (h.reset) { this.quotes.clear(); reorder = true; }
    /** @type {Map<string, Flashes>} */
    const rows = new Map();
    syms.forEach((sym, i) => {
      const q = /** @type {Quote} */ (/** @type {unknown} */ ({ name: names[i] || "", spark: [] }));
      for (const k of NUM_FIELDS) q[k] = c[k] ? c[k][i] : NaN;
      const n = lens[i] || 0;
      q.spark = c.spark ? Array.from(c.spark.subarray(off, off + n)) : [];
      off += n;
      const old = this.quotes.get(sym);
      /** @type {Flashes} */
      const f = {};
      if (old && !h.reset) {
        for (const k of FLASH_FIELDS) {
          if (q[k] !== old[k] && Number.isFinite(q[k]) && Number.isFinite(old[k])) f[k] = q[k] > old[k] ? "up" : "down";
        }
      }
      if (!old) reorder = true;
      this.quotes.set(sym, q);
      rows.set(sym, f);
    });
    return { reset: !!h.reset, rows, reorder };
  }

  /** Every row, as one full frame (the saved state). @returns {import("./wire.js").StateFrame|null} */
  snapshot() {
    if (!this.quotes.size) return null;
    const list = [...this.quotes.values()];
    /** @type {Record<string, number[]>} */
    const cols = {};
    for (const k of NUM_FIELDS) cols[k] = list.map((q) => q[k]);
    cols.spark_len = list.map((q) => q.spark.length);
    cols.spark = list.flatMap((q) => q.spark);
    return { header: { kind: "quotes", symbols: [...this.quotes.keys()], names: list.map((q) => q.name) }, cols };
  }
}

/**
 * Compare for sorting: numbers ascending, NaN last; text in locale order.
 * @param {string} key @param {boolean} desc
 * @returns {(a: Record<string, any>, b: Record<string, any>) => number}
 */
export function compareBy(key, desc) {
  return (a, b) => {
    const x = a[key], y = b[key];
    if (typeof x === "string" || typeof y === "string") return (desc ? -1 : 1) * String(x).localeCompare(String(y));
    const fx = Number.isFinite(x), fy = Number.isFinite(y);
    if (!fx || !fy) return fx === fy ? 0 : fx ? -1 : 1;
    return desc ? y - x : x - y;
  };
}
