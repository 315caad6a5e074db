import { describe, expect, it } from "vitest";
import { BarStore } from "../src/lib/barstore.js";
import { sma, vwap } from "../src/lib/indicators.js";
import { bookStats, cumulative, diffSide, sideFrom } from "../src/lib/levels.js";
import { TapeRows, side } from "../src/lib/tape.js";

const bars = (ts, base = 10) => ({
  t: ts, open: ts.map(() => base), high: ts.map(() => base + 1), low: ts.map(() => base - 1),
  close: ts.map(() => base), volume: ts.map(() => 100), turnover: ts.map(() => 100 * base),
});

describe("BarStore", () => {
  it("appends and updates the last bar as a tail change", () => {
    const s = new BarStore();
    s.reset(bars([60, 120, 180]));
    const r = s.upsert({ ...bars([180, 240], 11) });
    expect(r).toEqual({ mode: "tail", from: 2, prepended: 0 });
    expect(s.c.t).toEqual([60, 120, 180, 240]);
    expect(s.c.close[2]).toBe(11);
  });
  it("inserts older bars as a full change and counts the prepended ones", () => {
    const s = new BarStore();
    s.reset(bars([300, 360]));
    const r = s.upsert(bars([180, 240]));
    expect(r.mode).toBe("full");
    expect(r.prepended).toBe(2);
    expect(s.c.t).toEqual([180, 240, 300, 360]);
  });
  it("keeps at most maxBars, dropping the oldest", () => {
    const s = new BarStore(3, 0);
    s.reset(bars([1, 2, 3]));
    s.upsert(bars([4]));
    expect(s.c.t).toEqual([2, 3, 4]);
  });
  it("keeps older pages loaded by scrolling back", () => {
    const s = new BarStore(3, 0);
    s.reset(bars([4, 5, 6]));
    s.upsert(bars([1, 2, 3]));
    expect(s.c.t).toEqual([1, 2, 3, 4, 5, 6]);
    s.upsert(bars([7]));  // a live bar after scrolling back keeps the pages the user loaded
    expect(s.c.t).toEqual([2, 3, 4, 5, 6, 7]);
    s.reset(bars([10, 11, 12, 13]));
    expect(s.c.t).toEqual([11, 12, 13]);
  });
  it("grows by its slack before cutting back, so a full redraw is rare", () => {
    const s = new BarStore(4, 2);
    s.reset(bars([1, 2, 3, 4]));
    expect(s.upsert(bars([5])).mode).toBe("tail");
    expect(s.upsert(bars([6])).mode).toBe("tail");
    const r = s.upsert(bars([7]));
    expect(r.mode).toBe("full");
    expect(s.c.t).toEqual([4, 5, 6, 7]);
    expect(s.upsert(bars([8])).mode).toBe("tail");
  });
  it("replaces a bar in the middle without moving anything", () => {
    const s = new BarStore();
    s.reset(bars([1, 2, 3]));
    const r = s.upsert(bars([2], 50));
    expect(r).toEqual({ mode: "tail", from: 1, prepended: 0 });
    expect(s.c.close).toEqual([10, 50, 10]);
  });
});

describe("indicators", () => {
  it("sma over n bars, NaN before n", () => {
    const out = sma([1, 2, 3, 4, 5], 3);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out.slice(2)).toEqual([2, 3, 4]);
  });
  it("vwap resets each day", () => {
    const day = (t) => Math.floor(t / 100);
    const out = vwap([10, 20, 110], [1, 3, 2], [10, 60, 50], day);
    expect(out).toEqual([10, 70 / 4, 25]);
  });
});

describe("book levels", () => {
  const book = { bids: sideFrom([9.99, 9.98, NaN], [100, 300, NaN]), asks: sideFrom([10.01, 10.02], [200, 400]), t: 0, prevClose: 10 };
  it("drops NaN padding", () => expect(book.bids.length).toBe(2));
  it("spread, mid, imbalance", () => {
    const s = bookStats(book);
    expect(s.spread).toBeCloseTo(0.02);
    expect(s.mid).toBeCloseTo(10);
    expect(s.imbalance).toBeCloseTo((400 - 600) / 1000);
  });
  it("cumulative depth", () => expect(cumulative(book.asks).map((l) => l.cum)).toEqual([200, 600]));
  it("flags changed levels", () => {
    const next = sideFrom([9.99, 9.97], [150, 300]);
    expect(diffSide(book.bids, next)).toEqual(["up", "up"]); // more size at 9.99; 9.97 is new
    expect(diffSide(book.bids, sideFrom([9.99, 9.98], [50, 300]))).toEqual(["down", ""]);
    // the book shifts down a tick: only the new outer level flashes
    expect(diffSide(book.bids, sideFrom([9.98, 9.97], [300, 10]))).toEqual(["", "up"]);
  });
});

describe("tape rows", () => {
  it("newest first, bounded, de-duplicated by the running total", () => {
    const tape = new TapeRows(3);
    tape.apply({ t: [1, 2], price: [1, 1], volume: [1, 1], direction: [1, 2] }, 2, true);
    // a frame that overlaps what a snapshot already gave: trades 2..4, total 4
    tape.apply({ t: [2, 3, 4], price: [1, 1, 1], volume: [1, 1, 1], direction: [0, 0, 1] }, 4, false);
    expect(tape.rows.map((r) => r.t)).toEqual([4, 3, 2]);
    expect(tape.total).toBe(4);
  });
  it("maps Infoway directions", () => {
    expect([side(1), side(2), side(0)]).toEqual(["buy", "sell", "neutral"]);
  });
});

import { compareBy } from "../src/board.js";

describe("board sorting", () => {
  it("numbers ascending or descending, NaN last either way", () => {
    const rows = [{ s: "a", v: 2 }, { s: "b", v: NaN }, { s: "c", v: 5 }, { s: "d", v: -1 }];
    expect([...rows].sort(compareBy("v", true)).map((r) => r.s)).toEqual(["c", "a", "d", "b"]);
    expect([...rows].sort(compareBy("v", false)).map((r) => r.s)).toEqual(["d", "a", "c", "b"]);
  });
  it("text by locale order", () => {
    const rows = [{ symbol: "AAPL.US" }, { symbol: "00700.HK" }];
    expect([...rows].sort(compareBy("symbol", false)).map((r) => r.symbol)).toEqual(["00700.HK", "AAPL.US"]);
  });
});
