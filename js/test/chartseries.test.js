import { describe, expect, it } from "vitest";
import { CandleState } from "../src/lib/candlestate.js";
import { studyDecimals } from "../src/lib/chartseries.js";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 1, 30);
const spec = { ma: [], vwap: false, tz: "UTC", intraday: true };
/** @param {Record<string, any>} header @param {Record<string, number[]>} cols */
const raw = (header, cols) => ({
  header: { v: 1, seq: 1, n: (cols.t || []).length, cols: Object.keys(cols), ...header },
  cols: Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Float64Array.from(v)])),
});
const bars = (n, extra = {}) => ({
  t: Array.from({ length: n }, (_, i) => T0 + i * MIN),
  open: Array(n).fill(1), high: Array(n).fill(2), low: Array(n).fill(0.5), close: Array(n).fill(1.5),
  volume: Array(n).fill(10), turnover: Array(n).fill(15), ...extra,
});

describe("study columns ride with their bars", () => {
  it("a full frame names them, a delta packs them bar by bar in that order", () => {
    const s = new CandleState(100, spec, () => {});
    s.apply(raw({ kind: "bars", reset: true, symbol: "X", interval: "1m" }, bars(3, { "macd.dif": [1, 2, 3], "macd.dea": [4, 5, 6] })));
    expect(s.bars.names.slice(7)).toEqual(["macd.dif", "macd.dea"]);
    // the last bar changes and a new one opens: (dif, dea) per bar
    s.apply(raw({ kind: "bars", symbol: "X", interval: "1m" }, {
      ...bars(2), t: [T0 + 2 * MIN, T0 + 3 * MIN], studies: [30, 60, 40, 70],
    }));
    expect(s.bars.c["macd.dif"]).toEqual([1, 2, 30, 40]);
    expect(s.bars.c["macd.dea"]).toEqual([4, 5, 60, 70]);
    // the snapshot keeps them by name
    const snap = /** @type {any} */ (s.snapshot());
    expect(Object.keys(snap.cols)).toContain("macd.dea");
    // a full frame without studies drops them
    s.apply(raw({ kind: "bars", reset: true, symbol: "X", interval: "1m" }, bars(2)));
    expect(s.bars.names).toHaveLength(7);
    expect(s.bars.c["macd.dif"]).toBeUndefined();
  });
});

describe("the user's lines and markers", () => {
  it("set, append (merged by time), points in a bars delta, remove, and the saved state", () => {
    const s = new CandleState(100, spec, () => {});
    s.apply(raw({ kind: "bars", reset: true, symbol: "X", interval: "1m" }, bars(3)));
    const set = s.apply(raw({ kind: "line", id: "l1", op: "set", name: "eq", color: "", pane: "new", style: "solid" }, { t: [T0, T0 + MIN], value: [1, 1.1] }));
    expect(set).toEqual({ type: "series", what: "line", id: "l1", op: "set" });
    s.apply(raw({ kind: "line", id: "l1", op: "append" }, { t: [T0 + MIN, T0 + 2 * MIN], value: [1.2, 1.3] }));
    expect(s.lines.get("l1")?.v).toEqual([1, 1.2, 1.3]);
    const ch = s.apply(raw({ kind: "bars", symbol: "X", interval: "1m", line_points: { l1: [T0 + 3 * MIN, 1.4] } }, { ...bars(1), t: [T0 + 3 * MIN] }));
    expect(ch && ch.type === "bars" && ch.lines).toEqual(["l1"]);
    expect(s.lines.get("l1")?.t).toHaveLength(4);
    s.apply(raw({ kind: "markers", id: "m2", op: "set", shape: ["arrowUp"], position: ["below"], color: ["buy"], text: ["B"] }, { t: [T0] }));
    s.apply(raw({ kind: "markers", id: "m2", op: "append", shape: ["circle"], position: ["above"], color: [""], text: [""] }, { t: [T0 + 2 * MIN] }));
    expect(s.markers.get("m2")?.shape).toEqual(["arrowUp", "circle"]);
    const saved = /** @type {any} */ (s.snapshot()).header;
    expect(saved.lines[0].name).toBe("eq");
    expect(saved.markers[0].t).toEqual([T0, T0 + 2 * MIN]);
    // a saved state (or a full frame) brings them back whole
    const again = new CandleState(100, spec, () => {});
    again.apply(raw({ kind: "bars", reset: true, ...saved }, bars(3)));
    expect(again.lines.get("l1")?.v).toEqual([1, 1.2, 1.3, 1.4]);
    expect(again.markers.get("m2")?.text).toEqual(["B", ""]);
    s.apply(raw({ kind: "line", id: "l1", op: "remove" }, { t: [], value: [] }));
    expect(s.lines.size).toBe(0);
  });
  it("a screenshot request and a linked chart's moves reach the views", () => {
    const s = new CandleState(100, spec, () => {});
    expect(s.control({ kind: "control", what: "screenshot", id: "abc", count: 0, before: 0 })).toEqual({ type: "screenshot", id: "abc" });
    expect(s.control({ kind: "control", what: "crosshair", t: T0, count: 0, before: 0 })).toEqual({ type: "follow", what: "crosshair", t: T0, from: null, to: null });
  });
});

describe("the decimals of a study's pane", () => {
  it("oscillators 2, price-pane studies the price's, MACD one more, OBV and VOL volume units", () => {
    for (const key of ["rsi", "kdj", "wr", "cci", "dmi", "bias"]) expect(studyDecimals(key, 2, 2)).toBe(2);
    expect(studyDecimals("rsi", 3, 4)).toBe(2); // whatever the price's decimals
    expect(studyDecimals("boll", 0, 2)).toBe(2);
    expect(studyDecimals("boll", 0, 4)).toBe(4);
    expect(studyDecimals("macd", 2, 2)).toBe(3);
    expect(studyDecimals("macd", 2, 6)).toBe(4);
    expect(studyDecimals("obv", 2, 2)).toBe("volume");
    expect(studyDecimals("vol", 1, 2)).toBe("volume");
    expect(studyDecimals("mine", 2, 2)).toBe(3); // a user's study: as a price difference
  });
});
