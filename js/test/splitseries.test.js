import { describe, expect, it } from "vitest";
import { FIRST_BARS, SplitSeries, TAIL_MAX } from "../src/lib/splitseries.js";

/** A series that records what it was given, as Lightweight Charts holds it (one point per time). */
class FakeSeries {
  /** @param {Record<string, any>} options */
  constructor(options) {
    this.options = options;
    /** @type {any[]} */
    this.data = [];
    this.setDataCalls = 0;
    this.updates = 0;
  }

  /** @param {any[]} data */
  setData(data) { this.data = [...data]; this.setDataCalls += 1; }

  /** @param {any} point @param {boolean} historical */
  update(point, historical) {
    this.updates += 1;
    const last = this.data[this.data.length - 1];
    if (last && last.time === point.time) this.data[this.data.length - 1] = point;
    else if (!last || point.time > last.time) this.data.push(point);
    else {
      if (!historical) throw new Error("Cannot update oldest data");
      this.data[this.data.findIndex((p) => p.time === point.time)] = point;
    }
  }

  /** @param {Record<string, any>} options */
  applyOptions(options) { this.options = { ...this.options, ...options }; }

  /** @param {number} i */
  dataByIndex(i) { return this.data.find((p) => p.i === i) ?? null; }
}

class FakeChart {
  constructor() {
    /** @type {FakeSeries[]} */
    this.series = [];
  }

  /** @param {any} _type @param {Record<string, any>} options */
  addSeries(_type, options) { const s = new FakeSeries(options); this.series.push(s); return s; }

  /** @param {FakeSeries} s */
  removeSeries(s) { this.series = this.series.filter((x) => x !== s); }
}

/** bars 0..n-1 with a value per bar; `values` changes in place as the state would */
function setup(n, how = {}) {
  const values = Array.from({ length: n }, (_, i) => i * 10);
  const chart = new FakeChart();
  const s = new SplitSeries(/** @type {any} */ (chart), null, { color: "red", lastValueVisible: true }, 0,
    (i) => ({ time: i, i, value: values[i] }), how);
  return { values, chart, s, history: /** @type {FakeSeries} */ (/** @type {unknown} */ (s.history)), tail: /** @type {FakeSeries} */ (/** @type {unknown} */ (s.tail)) };
}

/** every bar drawn, by time: the history's, then the tail's (a joined line repeats one) */
const drawn = (/** @type {FakeSeries} */ h, /** @type {FakeSeries} */ t) => {
  const byTime = new Map();
  for (const p of [...h.data, ...t.data]) byTime.set(p.time, p.value);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
};

describe("a series drawn as its history and its newest bars", () => {
  it("puts all but the newest bar in the history, which alone carries no last-value label", () => {
    const { s, history, tail, values } = setup(1000);
    s.setAll(1000);
    expect(history.data).toHaveLength(999);
    expect(tail.data.map((p) => p.time)).toEqual([999]);
    expect(history.options.lastValueVisible).toBe(false);
    expect(tail.options.lastValueVisible).toBe(true);
    expect(drawn(history, tail)).toEqual(values);
  });

  it("a tick and new bars touch the tail only; the tail folds into the history past TAIL_MAX", () => {
    const { s, history, tail, values } = setup(1000);
    s.setAll(1000);
    values[999] = -1; // the forming bar moves
    s.drawFrom(999, 1000, 1000);
    expect(history.setDataCalls).toBe(1);
    expect(tail.updates).toBe(1);
    let n = 1000;
    for (let k = 0; k < TAIL_MAX - 1; k++) { values.push(n * 10); s.drawFrom(n - 1, n + 1, n); n += 1; }
    expect(history.setDataCalls).toBe(1); // still only the tail
    expect(tail.data).toHaveLength(TAIL_MAX);
    values.push(n * 10); s.drawFrom(n - 1, n + 1, n); n += 1;
    expect(history.setDataCalls).toBe(2); // folded once
    expect(tail.data).toHaveLength(1);
    expect(drawn(history, tail)).toEqual(values);
  });

  it("a change inside the history draws everything again", () => {
    const { s, history, tail, values } = setup(500);
    s.setAll(500);
    values[10] = 7;
    s.drawFrom(10, 500, 500);
    expect(history.setDataCalls).toBe(2);
    expect(drawn(history, tail)).toEqual(values);
  });

  it("a joined line's tail starts at the history's last point (no gap)", () => {
    const { s, history, tail } = setup(300, { joined: true });
    s.setAll(300);
    expect(history.data[history.data.length - 1].time).toBe(298);
    expect(tail.data.map((p) => p.time)).toEqual([298, 299]);
  });

  it("a first draw holds the newest FIRST_BARS bars in the tail, the rest comes with the next full draw", () => {
    const { s, history, tail, values } = setup(5000);
    s.setAll(5000, FIRST_BARS);
    expect(history.data).toHaveLength(0);
    expect(tail.data).toHaveLength(FIRST_BARS);
    expect(tail.data[0].time).toBe(5000 - FIRST_BARS);
    values[4999] = 1; // a tick before the rest is in
    s.drawFrom(4999, 5000, 5000);
    expect(history.setDataCalls).toBe(1);
    s.setAll(5000);
    expect(drawn(history, tail)).toEqual(values);
    expect(s.dataByIndex(3)?.time).toBe(3);
    expect(s.dataByIndex(4999)?.value).toBe(1);
  });
});
