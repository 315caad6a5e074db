import { describe, expect, it } from "vitest";
import { formatVolume } from "../src/lib/format.js";
import { labels } from "../src/lib/i18n.js";
import { lineRuns, slotX, tickX } from "../src/lib/intraday.js";
import { formatSignedSize, formatSize, formatSizeWithUnit, labelWithUnit, unitName, unitOf } from "../src/lib/units.js";

const zh = labels("zh"), en = labels("en");
// what market_info sends (infoway_widgets/widgets/_base.py)
const ASHARE = { code: "600519.SH", market: "CN", lot_size: 100, volume_unit: "lots", volume_per_unit: 100, volume_decimals: 2, size_decimals: 0 };
const BTC = { code: "BTCUSDT", market: "CRYPTO", currency: "USDT", lot_size: 0.00001, volume_unit: "BTC", volume_per_unit: 1, volume_decimals: 5, size_decimals: 5 };
const HK = { code: "00700.HK", market: "HK", lot_size: 100, volume_unit: "shares", volume_per_unit: 1, volume_decimals: 0 };

describe("one unit per market", () => {
  it("from market_info", () => {
    expect(unitOf(ASHARE)).toEqual({ key: "lots", per: 100, decimals: 2 });
    expect(unitOf(BTC)).toEqual({ key: "BTC", per: 1, decimals: 5 });
    expect(unitOf(HK)).toEqual({ key: "shares", per: 1, decimals: 0 });
  });
  it("a state saved before units were sent still counts A-shares in lots and BTC in BTC", () => {
    expect(unitOf({ market: "CN", lot_size: 100 })).toEqual({ key: "lots", per: 100, decimals: 2 });
    expect(unitOf({ market: "CRYPTO", code: "BTCUSDT", currency: "USDT" })).toEqual({ key: "BTC", per: 1, decimals: 5 });
    expect(unitOf({ market: "HK" }).key).toBe("shares");
    expect(unitOf(undefined)).toEqual({ key: "units", per: 1, decimals: 0 });
  });
  it("names in both locales; a base asset reads as itself", () => {
    expect(unitName(unitOf(ASHARE), zh)).toBe("手");
    expect(unitName(unitOf(ASHARE), en)).toBe("lots");
    expect(unitName(unitOf(HK), zh)).toBe("股");
    expect(unitName(unitOf(BTC), zh)).toBe("BTC");
    expect(labelWithUnit(zh.size, unitOf(ASHARE), "zh", zh)).toBe("数量(手)");
    expect(labelWithUnit(en.size, unitOf(BTC), "en", en)).toBe("Size (BTC)");
  });
});

describe("sizes at the instrument's decimals", () => {
  it("crypto sizes never round to 0", () => {
    const u = unitOf(BTC);
    expect(formatSize(0.00002, u, "en")).toBe("0.00002");
    expect(formatSize(0.1234567, u, "en")).toBe("0.12346");
    expect(formatSize(2, u, "en")).toBe("2");
    expect(formatSizeWithUnit(0.00002, u, "zh", zh)).toBe("0.00002 BTC");
    // the old fixed two decimals
    expect(formatVolume(0.00002, "en")).toBe("0");
  });
  it("A-shares in lots: 成交量, 外盘 and 内盘 in one unit", () => {
    const u = unitOf(ASHARE);
    expect(formatSizeWithUnit(34_300, u, "zh", zh)).toBe("343手");
    expect(formatSizeWithUnit(140_000, u, "zh", zh)).toBe("1400手");
    expect(formatSizeWithUnit(140_000, u, "en", en)).toBe("1.40K lots");
    expect(formatSize(150, u, "zh")).toBe("1.5"); // an odd lot
    expect(formatSignedSize(48_700, u, "zh", zh)).toBe("+487手");
    expect(formatSignedSize(-1_100, u, "en", en)).toBe("-11 lots");
    expect(formatSizeWithUnit(NaN, u, "en", en)).toBe("—");
  });
});

describe("the 分时图's lines", () => {
  it("a single first minute is a level line across its slot, not an invisible point", () => {
    const close = new Float64Array([10.5, NaN, NaN]);
    const runs = lineRuns(close, 1, 240, 64, 480);
    expect(runs.length).toBe(1);
    const [[x0, v0], [x1, v1]] = runs[0];
    expect(v0).toBe(10.5);
    expect(v1).toBe(10.5);
    expect(x0).toBe(tickX(0, 240, 64, 480));
    expect(x1).toBe(slotX(0, 240, 64, 480));
    expect(x1 - x0).toBeGreaterThan(0.9);
  });
  it("runs break at missing values and stop at `filled`", () => {
    const v = new Float64Array([1, 2, NaN, 3, 4, 5]);
    const runs = lineRuns(v, 5, 6, 0, 60);
    expect(runs.map((r) => r.map(([, y]) => y))).toEqual([[1, 1, 2], [3, 3, 4]]);
    expect(lineRuns(v, 0, 6, 0, 60)).toEqual([]);
  });
});
