import { describe, expect, it } from "vitest";
import { HeatState } from "../src/lib/heatstate.js";
import { FlowState } from "../src/lib/moneyflow.js";

const f64 = (a) => Float64Array.from(a);
/** A heatmap frame: `books` is [t, [bid px...], [bid vol...], [ask px...], [ask vol...]] per bin. */
const frame = (seq, books, trades = [], extra = {}) => {
  const L = books.length ? books[0][1].length : 2;
  const flat = (k) => f64(books.flatMap((b) => b[k]));
  return {
    header: { kind: "heatmap", v: 1, seq, n: books.length, bin_ms: 1000, window_ms: 4000, capacity: 4, levels: L,
      now: books.length ? books[books.length - 1][0] : 0, market_ms: 0, symbol: "BTCUSDT", ...extra },
    cols: { t: f64(books.map((b) => b[0])), bid_px: flat(1), bid_vol: flat(2), ask_px: flat(3), ask_vol: flat(4),
      tr_t: f64(trades.map((x) => x[0])), tr_px: f64(trades.map((x) => x[1])), tr_vol: f64(trades.map((x) => x[2])),
      tr_dir: f64(trades.map((x) => x[3])) },
  };
};

describe("HeatState", () => {
  it("repeats the book into skipped bins, sums trades per price and side, stays bounded", () => {
    const s = new HeatState();
    s.apply(frame(1, [[1000, [10, 9.9], [5, 6], [10.1, 10.2], [1, 2]]], [], { reset: true }));
    const ch = s.apply(frame(2, [[3000, [10, 9.9], [7, 6], [10.1, 10.2], [1, 900]]], [[2000, 10.1, 2, 1], [2000, 10.1, 3, 1], [3000, 10, 1, 2]]));
    expect(new Set(ch.bins)).toEqual(new Set([2, 3]));
    expect([s.first, s.last]).toEqual([1, 3]);
    expect(s.restingAt(2, 10, 0.005)).toEqual({ vol: 5, side: "bid" }); // bin 2 repeats bin 1
    expect(s.restingAt(3, 10.2, 0.005)).toEqual({ vol: 900, side: "ask" });
    expect(s.tradedAt(2, 10.1, 0.005)).toBe(5);
    expect(s.maxVol).toBe(900);
    s.apply(frame(3, [[9000, [11, 10.9], [1, 1], [11.1, 11.2], [1, 1]]]));
    expect([s.first, s.last]).toEqual([6, 9]); // four bins held, whatever the session length
    expect(s.tradedAt(2, 10.1, 0.005)).toBe(0);
    expect(s.best(9)).toEqual({ bid: 11, ask: 11.1 });
  });
  it("saves the bins it holds as one full frame that restores them", () => {
    const s = new HeatState();
    s.apply(frame(1, [[1000, [10, 9.9], [5, 6], [10.1, 10.2], [1, 2]]], [[1000, 10, 4, 2]], { reset: true }));
    s.apply(frame(2, [[2000, [10, 9.9], [8, 6], [10.1, 10.2], [1, 2]]]));
    const snap = s.snapshot();
    const again = new HeatState();
    again.apply({ header: { ...snap.header, reset: true }, cols: Object.fromEntries(Object.entries(snap.cols).map(([k, v]) => [k, f64(v)])) });
    expect([again.first, again.last]).toEqual([1, 2]);
    expect(again.restingAt(2, 10, 0.005).vol).toBe(8);
    expect(again.tradedAt(1, 10, 0.005)).toBe(4);
  });
});

describe("FlowState", () => {
  it("replaces the line from the frame's offset", () => {
    const s = new FlowState();
    const h = (seq, offset, extra = {}) => ({ kind: "moneyflow", v: 1, seq, offset, inflow: [1, 2, 3, 4], outflow: [0, 0, 0, 0], main_net_total: 7, preset: "tushare", ...extra });
    s.apply({ header: h(1, 0, { reset: true }), cols: { t: f64([0, 60000]), main_net: f64([1, 2]) } });
    s.apply({ header: h(2, 1), cols: { t: f64([60000, 120000]), main_net: f64([3, 4]) } });
    expect(s.line).toEqual([1, 3, 4]);
    expect(s.snapshot().cols.t).toEqual([0, 60000, 120000]);
  });
});
