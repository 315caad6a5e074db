// Front-ends that drop binary buffers (Colab): the probe, the detection and base64 columns.
import { describe, expect, it } from "vitest";
import { ModelStore } from "../src/lib/store.js";
import { buffersDropped, decodeFrame, fromBase64, probeArrived } from "../src/lib/wire.js";
import { FakeModel, buffersOf } from "./fake-model.js";

/** Base64 of little-endian float64s, as Python's inline_columns writes them. @param {number[]} values */
const b64 = (values) => {
  const bytes = new Uint8Array(new Float64Array(values).buffer);
  return btoa(String.fromCharCode(...bytes));
};
const PROBE = [1.5, -0.25, 2 ** 53, 1e-300];

class Last {
  constructor() { this.close = NaN; }
  /** @param {any} f */
  apply(f) { this.close = f.cols.close[f.cols.close.length - 1]; return { close: this.close }; }
}

describe("base64 columns", () => {
  it("decode to the same float64 values as buffers, epoch ms exact", () => {
    const t = [1764057600000 + 59_999, 1764057660000];
    expect(Array.from(fromBase64(b64(t)))).toEqual(t);
    const f = decodeFrame({ kind: "bars", seq: 1, n: 2, cols: ["t", "close"], b64: [b64(t), b64([NaN, 2.5])] });
    expect(Array.from(f.cols.t)).toEqual(t);
    expect(Number.isNaN(f.cols.close[0])).toBe(true);
    expect(f.cols.close[1]).toBe(2.5);
    expect(fromBase64("").length).toBe(0);
  });
  it("tell a frame whose buffers were dropped from an empty or an inline one", () => {
    const msg = { kind: "bars", n: 2, cols: ["t", "close"] };
    expect(buffersDropped(msg, [])).toBe(true);
    expect(buffersDropped(msg, undefined)).toBe(true);
    expect(buffersDropped(msg, buffersOf({ t: [1, 2], close: [3, 4] }))).toBe(false);
    expect(buffersDropped({ ...msg, n: 0 }, [])).toBe(false);
    expect(buffersDropped({ ...msg, b64: ["", ""] }, [])).toBe(false);
  });
  it("check the probe's buffer against its values", () => {
    const msg = { kind: "probe", values: PROBE };
    expect(probeArrived(msg, buffersOf({ p: PROBE }))).toBe(true);
    expect(probeArrived(msg, [])).toBe(false);
    expect(probeArrived(msg, buffersOf({ p: [1.5, -0.25, 0, 0] }))).toBe(false);
  });
});

describe("the store reports what reaches it", () => {
  it("asks for the probe with its first resync and answers it once", () => {
    const model = new FakeModel();
    const store = new ModelStore(model, () => new Last());
    expect(model.sent).toEqual([{ type: "resync", probe: true }]);
    model.emit("msg:custom", { kind: "probe", values: PROBE }, buffersOf({ p: PROBE }));
    model.emit("msg:custom", { kind: "probe", values: PROBE }, buffersOf({ p: PROBE }));
    expect(model.sent.slice(1)).toEqual([{ type: "capabilities", buffers: true }]);
    expect(store.buffers).toBe(true);
  });

  it("without buffers: says so, draws nothing empty, and takes the base64 full frame", () => {
    const model = new FakeModel();
    const store = new ModelStore(model, () => new Last());
    model.emit("msg:custom", { kind: "probe", values: PROBE }, []);
    expect(model.sent.at(-1)).toEqual({ type: "capabilities", buffers: false });
    // frames sent before Python heard it lose their columns on the way: none is applied
    model.emit("msg:custom", { kind: "bars", v: 1, seq: 1, n: 2, cols: ["close"], reset: true }, []);
    model.emit("msg:custom", { kind: "bars", v: 1, seq: 2, n: 1, cols: ["close"] }, []);
    expect(store.updates).toBe(0);
    // Python's full frame, base64 in the JSON, then deltas the same way
    model.emit("msg:custom", { kind: "bars", v: 1, seq: 3, n: 2, cols: ["close"], reset: true, b64: [b64([7, 8])] }, []);
    model.emit("msg:custom", { kind: "bars", v: 1, seq: 4, n: 1, cols: ["close"], b64: [b64([9])] }, []);
    expect(store.updates).toBe(2);
    expect(store.state.close).toBe(9);
    expect(model.sent.filter((m) => m.type === "capabilities")).toHaveLength(1);
  });

  it("notices dropped buffers on a frame even before the probe's answer", () => {
    const model = new FakeModel();
    const store = new ModelStore(model, () => new Last());
    model.emit("msg:custom", { kind: "bars", v: 1, seq: 1, n: 1, cols: ["close"], reset: true }, []);
    expect(store.buffers).toBe(false);
    expect(model.sent.at(-1)).toEqual({ type: "capabilities", buffers: false });
    // a probe that arrives later cannot turn it back
    model.emit("msg:custom", { kind: "probe", values: PROBE }, buffersOf({ p: PROBE }));
    expect(store.buffers).toBe(false);
    expect(model.sent.filter((m) => m.type === "capabilities")).toHaveLength(1);
  });
});
