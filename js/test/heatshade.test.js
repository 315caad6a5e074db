import { describe, expect, it } from "vitest";
import { shade } from "../src/lib/heatlayer.js";

describe("the heatmap's colour scale", () => {
  it("is relative to its top: the unit of the sizes does not matter", () => {
    // a crypto book of fractions of a coin shades as a book of lots a thousand times larger
    for (const v of [0.002, 0.05, 0.3, 1.5, 2]) expect(shade(v, 2)).toBe(shade(v * 1000, 2000));
    // a twentieth of the top is well above the darkest colour (it was ~11 of 255 for 0.05 of 2)
    expect(shade(0.05, 2)).toBeGreaterThan(100);
  });
  it("rises with the size, 255 at the top, a thousandth of the top a tenth of the way up", () => {
    const c = [0.001, 0.01, 0.1, 1, 10, 100, 512].map((v) => shade(v, 512));
    for (let k = 1; k < c.length; k++) expect(c[k]).toBeGreaterThan(c[k - 1]);
    expect(shade(512, 512)).toBe(255);
    expect(shade(1024, 512)).toBe(255);
    // log1p(1000 v / top) / log1p(1000): at v = top / 1000, log(2) / log(1001) of the way
    expect(shade(0.512, 512)).toBe(Math.round((255 * Math.log(2)) / Math.log1p(1000)));
    expect([shade(0, 512), shade(-1, 512), shade(NaN, 512), shade(1, 0)]).toEqual([0, 0, 0, 0]);
  });
});
