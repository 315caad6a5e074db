import { describe, expect, it } from "vitest";
import { sessionAxis } from "../src/lib/moneyflow.js";

const MIN = 60_000;
// 2026-12-02 in Shanghai: 09:30-11:30 and 13:00-15:00 (01:30-03:30, 05:00-07:00 UTC)
const at = (/** @type {number} */ h, /** @type {number} */ m) => Date.UTC(2026, 11, 2, h, m);
const ASHARE = /** @type {Array<[number, number]>} */ ([[at(1, 30), at(3, 30)], [at(5, 0), at(7, 0)]]);

describe("the money-flow line's time axis", () => {
  it("runs over the trading time from the open to the close, the lunch break closed up", () => {
    const ax = sessionAxis(ASHARE, []);
    expect(ax.at(at(1, 30))).toBe(0);
    expect(ax.at(at(3, 30))).toBe(0.5);
    expect(ax.at(at(4, 15))).toBe(0.5); // lunch: held at the break
    expect(ax.at(at(5, 0))).toBe(0.5);
    expect(ax.at(at(6, 0))).toBe(0.75);
    expect(ax.at(at(7, 0))).toBe(1);
    // a print before the open (the call auction, a warm-up trade at midnight) sits at the open
    expect(ax.at(at(1, 25))).toBe(0);
    expect(ax.at(at(-8, 0))).toBe(0);
    expect(ax.ticks).toEqual([[at(1, 30), null], [at(3, 30), at(5, 0)], [at(7, 0), null]]);
  });
  it("a day-long session gets its quarters; no sessions: the minutes counted", () => {
    const day = /** @type {Array<[number, number]>} */ ([[at(0, 0), at(24, 0)]]);
    expect(sessionAxis(day, []).ticks.map(([t]) => (t - at(0, 0)) / (60 * MIN))).toEqual([0, 6, 12, 18, 24]);
    const ax = sessionAxis(undefined, [at(1, 30), at(1, 31), at(1, 40)]);
    expect(ax.at(at(1, 35))).toBe(0.5);
    expect(ax.ticks).toEqual([[at(1, 30), null], [at(1, 40), null]]);
    expect(sessionAxis([], []).ticks).toEqual([]);
  });
});
