import { describe, expect, it } from "vitest";
import { formatChange, formatPct, formatPrice, formatTime, formatVolume, localDay, tzOffsetMs } from "../src/lib/format.js";
import { levelName } from "../src/lib/i18n.js";

describe("prices", () => {
  it("fixed decimals", () => {
    expect(formatPrice(1688.5, 2)).toBe("1688.50");
    expect(formatPrice(3.1234, 3)).toBe("3.123");
    expect(formatPrice(NaN)).toBe("—");
  });
  it("signed changes and percents", () => {
    expect(formatChange(1.5)).toBe("+1.50");
    expect(formatChange(-0.5)).toBe("-0.50");
    expect(formatPct(-2.345)).toBe("-2.35%");
    expect(formatPct(10)).toBe("+10.00%");
  });
});

describe("volumes", () => {
  it("万 and 亿 in zh", () => {
    expect(formatVolume(12_345, "zh")).toBe("1.23万");
    expect(formatVolume(150_000_000, "zh")).toBe("1.50亿");
    expect(formatVolume(9_999, "zh")).toBe("9999");
    expect(formatVolume(2.5e12, "zh")).toBe("2.50万亿");
  });
  it("K / M / B in en", () => {
    expect(formatVolume(12_345)).toBe("12.35K");
    expect(formatVolume(150_000_000)).toBe("150.00M");
    expect(formatVolume(3.2e9)).toBe("3.20B");
    expect(formatVolume(950)).toBe("950");
  });
});

describe("times in the exchange zone", () => {
  const t = Date.UTC(2026, 10, 25, 1, 30); // 09:30 in Shanghai
  it("Asia/Shanghai", () => {
    expect(formatTime(t, "Asia/Shanghai")).toBe("2026-11-25 09:30");
    expect(formatTime(t, "Asia/Shanghai", "time")).toBe("09:30");
    expect(formatTime(t + 5000, "Asia/Shanghai", "time_s")).toBe("09:30:05");
  });
  it("New York across DST", () => {
    expect(formatTime(Date.UTC(2026, 6, 1, 13, 30), "America/New_York", "time")).toBe("09:30");
    expect(formatTime(Date.UTC(2026, 11, 1, 14, 30), "America/New_York", "time")).toBe("09:30");
    expect(tzOffsetMs(Date.UTC(2026, 6, 1, 13, 30), "America/New_York")).toBe(-4 * 3600_000);
  });
  it("local day numbers follow the zone", () => {
    // 23:30 UTC is already the next day in Shanghai
    const late = Date.UTC(2026, 10, 25, 23, 30);
    expect(localDay(late, "Asia/Shanghai") - localDay(late, "UTC")).toBe(1);
  });
});

describe("labels", () => {
  it("买一…卖五", () => {
    expect(levelName("bid", 1, "zh")).toBe("买一");
    expect(levelName("ask", 5, "zh")).toBe("卖五");
    expect(levelName("ask", 2, "en")).toBe("Ask 2");
  });
});
