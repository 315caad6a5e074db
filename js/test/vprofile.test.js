import { describe, expect, it } from "vitest";
import { CandleState } from "../src/lib/candlestate.js";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 1, 30);
const spec = { ma: [], vwap: false, tz: "UTC", intraday: true };
/** @param {Record<string, any>} header @param {Record<string, number[]>} cols */
const raw = (header, cols) => ({
  header: { v: 1, seq: 1, n: (cols.t || []).length, cols: Object.keys(cols), ...header },
  cols: Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Float64Array.from(v)])),
});
/** @param {number} n @param {number} [from] */
const bars = (n, from = 0) => ({
  t: Array.from({ length: n }, (_, i) => T0 + (from + i) * MIN),
  open: Array(n).fill(1), high: Array(n).fill(2), low: Array(n).fill(0.5), close: Array(n).fill(1.5),
  volume: Array(n).fill(10), turnover: Array(n).fill(15),
});
const vp = (/** @type {number} */ v) => ({ px: [1, 1.5], buy: [v, 1], sell: [1, 1], vol: [v + 2, 3], step: 0.5, poc: 1, value_low: 1, value_high: 1.5 });

describe("the chart's volume profile in its state", () => {
  it("is kept across deltas that do not bring it, replaced by one that does, and saved", () => {
    const s = new CandleState(100, spec, () => {});
    s.apply(raw({ kind: "bars", reset: true, symbol: "X", interval: "1m", vp: vp(5) }, bars(3)));
    expect(s.vp?.buy).toEqual([5, 1]);
    s.apply(raw({ kind: "bars", symbol: "X", interval: "1m" }, bars(1, 3)));
    expect(s.vp?.buy).toEqual([5, 1]);
    s.apply(raw({ kind: "bars", symbol: "X", interval: "1m", vp: vp(9) }, bars(1, 3)));
    const saved = /** @type {any} */ (s.snapshot()).header;
    expect(saved.vp.buy).toEqual([9, 1]);
    // a page opening the saved state has it
    const again = new CandleState(100, spec, () => {});
    again.apply(raw({ kind: "bars", reset: true, ...saved }, bars(4)));
    expect(again.vp?.vol).toEqual([11, 3]);
  });
  it("goes with a full frame without it (the chart stopped showing it)", () => {
    const s = new CandleState(100, spec, () => {});
    s.apply(raw({ kind: "bars", reset: true, symbol: "X", interval: "1m", vp: vp(5) }, bars(3)));
    s.apply(raw({ kind: "bars", reset: true, symbol: "X", interval: "1m" }, bars(3)));
    expect(s.vp).toBe(null);
    expect("vp" in /** @type {any} */ (s.snapshot()).header).toBe(false);
  });
});
