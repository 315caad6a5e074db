import { describe, expect, it } from "vitest";
import { cutLabelWidth } from "../src/lib/axisedge.js";

/** A w × h white bitmap with black ink in the columns of `spans` ([from, to) each), rows 8–16. */
function bitmap(w, h, spans) {
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  for (const [a, b] of spans) for (let x = a; x < b; x++) for (let y = 8; y < 16; y++) data.set([0, 0, 0, 255], (y * w + x) * 4);
  // the axis border line along the top
  for (let x = 0; x < w; x++) data.set([120, 120, 120, 255], x * 4);
  return { data, width: w, height: h };
}

describe("time-axis labels cut by an edge", () => {
  it("a label touching the left edge is covered up to the gap after it", () => {
    // "026-06": characters 0–30 with 2-px gaps between them, the next label from 90
    const img = bitmap(200, 25, [[0, 5], [7, 12], [14, 19], [21, 30], [90, 120]]);
    expect(cutLabelWidth(img, "left")).toBe(30);
    expect(cutLabelWidth(img, "right")).toBe(0);
  });
  it("a label clear of the edge, and the border line, are left alone", () => {
    expect(cutLabelWidth(bitmap(200, 25, [[4, 30], [90, 120]]), "left")).toBe(0);
    expect(cutLabelWidth(bitmap(200, 25, []), "left")).toBe(0);
  });
  it("the right edge too", () => {
    expect(cutLabelWidth(bitmap(200, 25, [[20, 40], [170, 185], [188, 200]]), "right")).toBe(30);
  });
  it("an empty bitmap", () => {
    expect(cutLabelWidth({ data: [], width: 0, height: 0 }, "left")).toBe(0);
  });
});
