import { describe, expect, it } from "vitest";
import { CandleState } from "../src/lib/candlestate.js";
import { localDay } from "../src/lib/format.js";
import { SessionVwap, sma, vwap } from "../src/lib/indicators.js";
import { FakeModel, buffersOf } from "./fake-model.js";
import { decodeFrame } from "../src/lib/wire.js";

const MIN = 60_000;
// 2026-11-25 09:30 in Shanghai is 01:30 UTC; the next session's open is 24 h later
const OPEN = Date.UTC(2026, 10, 25, 1, 30);

describe("sma from an index on", () => {
  it("recomputes only the tail, equal to a full computation", () => {
    const closes = [5, 6, 7, 8, 9, 10, 11];
    const out = sma(closes.slice(0, 5), 3);
    const tail = sma(closes, 3, out, 4); // bar 4 changed, 5 and 6 are new
    expect(tail).toBe(out);
    expect(tail).toEqual(sma(closes, 3));
    expect(tail.slice(2)).toEqual([6, 7, 8, 9, 10]);
  });
  it("a NaN close spoils only the windows that hold it", () => {
    const out = sma([1, NaN, 3, 4, 5, 6], 2);
    expect(out.map((x) => (Number.isNaN(x) ? null : x))).toEqual([null, null, null, 3.5, 4.5, 5.5]);
  });
});

describe("session VWAP", () => {
  const t = [OPEN, OPEN + MIN, OPEN + 2 * MIN, OPEN + 86_400_000, OPEN + 86_400_000 + MIN];
  const volume = [100, 300, 0, 200, 200];
  const turnover = [1000, 3300, 0, 2400, 2600];
  const day = (/** @type {number} */ ms) => localDay(ms, "Asia/Shanghai");

  it("restarts at each exchange-local day", () => {
    const out = vwap(t, volume, turnover, day);
    expect(out).toEqual([10, 4300 / 400, 4300 / 400, 12, 5000 / 400]);
  });
  it("breaks the line where a session opens", () => {
    const v = new SessionVwap();
    v.update(t, volume, turnover, day);
    expect([0, 1, 2, 3, 4].map((i) => v.opensSession(i))).toEqual([false, false, false, true, false]);
  });
  it("the day boundary is the exchange's, not UTC's", () => {
    // 23:30 and 00:30 UTC the next day are one Shanghai morning (07:30, 08:30)
    const late = Date.UTC(2026, 10, 25, 23, 30);
    const out = vwap([late, late + 3600_000], [1, 1], [10, 20], day);
    expect(out[1]).toBe(15);
  });
  it("per bar for daily bars", () => {
    const v = new SessionVwap();
    expect(v.update(t, volume, turnover, null)).toEqual([10, 11, NaN, 12, 13]);
    expect(v.opensSession(3)).toBe(false);
  });
  it("an incremental tail equals the full computation", () => {
    const v = new SessionVwap();
    v.update(t.slice(0, 4), volume.slice(0, 4), turnover.slice(0, 4), day);
    const changed = [...turnover];
    changed[3] = 2000; // the last bar moved, one more came
    expect(v.update(t, volume, changed, day, 3)).toEqual(vwap(t, volume, changed, day));
  });
});

describe("the chart's state computes the lines the chart draws", () => {
  const spec = { ma: [2], vwap: true, tz: "Asia/Shanghai", intraday: true };
  /** @param {Record<string, any>} header @param {Record<string, number[]>} cols */
  const frame = (header, cols) => decodeFrame({ kind: "bars", v: 1, seq: 1, cols: Object.keys(cols), interval: "1m", symbol: "600519.SH", ...header }, buffersOf(cols));
  const bars = (/** @type {number[]} */ ts, /** @type {number} */ px) => ({
    t: ts, open: ts.map(() => px), high: ts.map(() => px), low: ts.map(() => px), close: ts.map(() => px),
    volume: ts.map(() => 100), turnover: ts.map(() => 100 * px),
  });

  it("live bars update the tail of every line", () => {
    const s = new CandleState(100, spec, () => {});
    s.apply(frame({ reset: true }, bars([OPEN, OPEN + MIN], 10)));
    const ch = s.apply(frame({}, bars([OPEN + MIN, OPEN + 2 * MIN], 12)));
    expect(ch).toMatchObject({ type: "bars", mode: "tail", from: 1, oldLen: 2 });
    expect(s.ma.get(2)).toEqual([NaN, 11, 12]);
    expect(s.vwap?.out).toEqual([10, 11, (1000 + 1200 + 1200) / 300]);
  });
  it("new settings recompute from the first bar; the same settings change nothing", () => {
    const s = new CandleState(100, spec, () => {});
    s.apply(frame({ reset: true }, bars([OPEN, OPEN + MIN, OPEN + 2 * MIN], 10)));
    expect(s.setSpec({ ...spec })).toBeNull();
    expect(s.setSpec({ ...spec, ma: [3], vwap: false })).toEqual({ type: "overlays" });
    expect([...s.ma.keys()]).toEqual([3]);
    expect(s.ma.get(3)?.[2]).toBe(10);
    expect(s.vwap).toBeNull();
  });
  it("draws no VWAP on daily bars, and again on intraday ones with the setting unchanged", () => {
    const s = new CandleState(100, spec, () => {});
    s.apply(frame({ reset: true }, bars([OPEN, OPEN + MIN], 10)));
    expect(s.vwap?.out).toHaveLength(2);
    expect(s.setSpec({ ...spec, intraday: false })).toEqual({ type: "overlays" });
    expect(s.vwap).toBeNull();
    expect(s.spec.vwap).toBe(true);
    expect(s.setSpec({ ...spec, intraday: true })).toEqual({ type: "overlays" });
    expect(s.vwap?.out).toEqual([10, 10]);
    const daily = new CandleState(100, { ...spec, intraday: false }, () => {});
    daily.apply(frame({ reset: true, interval: "1d" }, bars([OPEN, OPEN + 86_400_000], 10)));
    expect(daily.vwap).toBeNull();
    expect(daily.ma.get(2)).toEqual([NaN, 10]);
  });
  it("tells a full frame of the same series from a settings change", () => {
    const s = new CandleState(100, spec, () => {});
    expect(s.apply(frame({ reset: true }, bars([OPEN], 10)))).toMatchObject({ reset: true, sameSeries: false });
    expect(s.apply(frame({ reset: true }, bars([OPEN], 10)))).toMatchObject({ reset: true, sameSeries: true });
    expect(s.apply(frame({ reset: true, interval: "5m" }, bars([OPEN], 10)))).toMatchObject({ sameSeries: false });
    expect(s.apply(frame({ reset: true, interval: "5m", keep_range: true }, bars([OPEN], 10)))).toMatchObject({ keepRange: true });
  });
  it("pages older bars once per model until the reply", () => {
    const model = new FakeModel();
    const s = new CandleState(100, spec, (m) => model.send(m));
    expect(s.requestOlder(50)).toBe(false); // nothing to page before yet
    s.apply(frame({ reset: true }, bars([OPEN + MIN], 10)));
    expect(s.requestOlder(50)).toBe(true);
    expect(s.requestOlder(50)).toBe(false); // one in flight, whichever view asks
    expect(model.sent).toEqual([{ type: "load_more", before: OPEN + MIN, count: 50 }]);
    expect(s.control({ kind: "control", what: "loaded", count: 0, before: OPEN + MIN })).toEqual({ type: "loaded", count: 0 });
    expect(s.requestOlder(50)).toBe(false); // nothing older a moment ago
    s.dispose();
  });
});
