import { describe, expect, it, vi } from "vitest";
import { SeqTracker, decodeFrame, decodeSnapshot, toFloat64 } from "../src/lib/wire.js";

const f64le = (values) => {
  const buf = new ArrayBuffer(values.length * 8);
  const dv = new DataView(buf);
  values.forEach((v, i) => dv.setFloat64(i * 8, v, true));
  return buf;
};

describe("buffer decoding", () => {
  it("reads DataViews as ipywidgets hands them over, honouring byteOffset", () => {
    const big = new ArrayBuffer(8 * 4 + 8);
    const inner = new Float64Array(big, 8, 4);
    inner.set([1, 2, 3, 1764000000123]);
    const dv = new DataView(big, 8, 32);
    expect(Array.from(toFloat64(dv))).toEqual([1, 2, 3, 1764000000123]);
  });
  it("copies unaligned buffers, little-endian", () => {
    const raw = new Uint8Array(f64le([1.5, -2.25]));
    const big = new Uint8Array(raw.length + 3);
    big.set(raw, 3);
    const dv = new DataView(big.buffer, 3, raw.length);
    expect(Array.from(toFloat64(dv))).toEqual([1.5, -2.25]);
  });
  it("keeps epoch milliseconds exact (float64, not float32)", () => {
    const t = 1764057600000 + 59_999;
    expect(toFloat64(new DataView(f64le([t])))[0]).toBe(t);
  });
  it("decodes a frame's columns by name", () => {
    const f = decodeFrame({ kind: "bars", seq: 3, n: 2, cols: ["t", "close"] }, [new DataView(f64le([10, 20])), new DataView(f64le([1.1, 1.2]))]);
    expect(f.header.seq).toBe(3);
    expect(Array.from(f.cols.close)).toEqual([1.1, 1.2]);
  });
  it("decodes the snapshot trait (JSON lists, null as NaN) as a reset frame", () => {
    const s = decodeSnapshot({ header: { kind: "book", seq: 7 }, cols: { bid_px: [1, null] } });
    expect(s.header.reset).toBe(true);
    expect(Number.isNaN(s.cols.bid_px[1])).toBe(true);
    expect(decodeSnapshot({})).toBeNull();
  });
});

describe("seq tracking", () => {
  it("applies in-order frames, drops duplicates", () => {
    const ask = vi.fn();
    const s = new SeqTracker(ask);
    expect(s.accept({ seq: 1, reset: true })).toBe(true);
    expect(s.accept({ seq: 2 })).toBe(true);
    expect(s.accept({ seq: 2 })).toBe(false);
    expect(ask).not.toHaveBeenCalled();
  });
  it("asks for a resync on a gap and waits for a full frame", () => {
    const ask = vi.fn();
    const s = new SeqTracker(ask);
    s.accept({ seq: 5, reset: true });
    expect(s.accept({ seq: 7 })).toBe(false);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(s.accept({ seq: 8 })).toBe(false); // still waiting
    expect(s.accept({ seq: 9, reset: true })).toBe(true);
    expect(s.accept({ seq: 10 })).toBe(true);
    expect(s.gaps).toBe(1);
  });
  it("a late view (snapshot at seq 3) takes seq 4 directly", () => {
    const s = new SeqTracker(vi.fn());
    s.accept({ seq: 3, reset: true });
    expect(s.accept({ seq: 4 })).toBe(true);
  });
});
