import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  COLUMN_KEYS, PRESETS, boardCell, bookPanel, columnLabel, columnSortKey, formatAmplitude, formatLots,
  formatRatio, formatSignedVolume, limitLabel, limitOfCode, resolveColumns, signClass,
} from "../src/lib/ashare.js";
import { labels } from "../src/lib/i18n.js";

const zh = labels("zh"), en = labels("en");
// what OrderBook sends at limit up (numbers from Feed.ashare)
const STATS = {
  last: 1652.35, change: 150.21, change_pct: 9.9997, open: 1530.91, prev_close: 1502.14, high: 1652.35,
  low: 1526.81, volume: 94700, volume_lots: 947, turnover: 145978749, amplitude: 8.3574,
  bid_ask_ratio: 100, bid_ask_diff: 48700, buy_volume: 37800, sell_volume: 25100, buy_sell_ratio: 1.50598,
  volume_ratio: 2.7594, limit_up: 1652.35, limit_down: 1351.93, at_limit: "up",
};

describe("formatting", () => {
  it("ratios, amplitude, lots, signed amounts", () => {
    expect(formatRatio(2.7594)).toBe("2.76");
    expect(formatRatio(null)).toBe("—");
    expect(formatAmplitude(8.3574)).toBe("8.36%");
    expect(formatAmplitude(undefined)).toBe("—");
    expect(formatLots(947, "zh")).toBe("947手");
    expect(formatLots(123456, "zh")).toBe("12.35万手");
    expect(formatLots(947, "en")).toBe("947 lots");
    expect(formatLots(NaN, "en")).toBe("—");
    expect(formatSignedVolume(48700, "zh")).toBe("+4.87万");
    expect(formatSignedVolume(-1100, "en")).toBe("-1.10K");
    expect(formatSignedVolume(0, "en")).toBe("0");
    expect(signClass(-1)).toBe("iw-down");
    expect(signClass(0)).toBe("iw-flat");
    expect(signClass(null)).toBe("");
  });
  it("limit badges", () => {
    expect(limitLabel("up", zh)).toBe("涨停");
    expect(limitLabel("down", zh)).toBe("跌停");
    expect(limitLabel("up", en)).toBe("Limit up");
    expect(limitLabel(null, en)).toBe("");
    expect(limitOfCode(1)).toBe("up");
    expect(limitOfCode(-1)).toBe("down");
    expect(limitOfCode(0)).toBe("");
    expect(limitOfCode(NaN)).toBe("");
  });
});

describe("book panel", () => {
  it("brokerage pairs in zh", () => {
    const items = bookPanel(STATS, zh, "zh", { decimals: 2, lots: true });
    expect(items.length % 2).toBe(0);
    expect(items.map((i) => i.label)).toEqual([
      "委比", "委差", "最新", "今开", "涨跌", "昨收", "涨幅", "最高", "振幅", "最低", "成交量", "成交额",
      "外盘", "内盘", "量比", "外内比", "涨停", "跌停",
    ]);
    const by = Object.fromEntries(items.map((i) => [i.key, i]));
    expect(by.bid_ask_ratio.text).toBe("+100.00%");
    expect(by.bid_ask_ratio.cls).toBe("iw-up");
    expect(by.bid_ask_diff.text).toBe("+4.87万");
    expect(by.volume.text).toBe("947手");
    expect(by.turnover.text).toBe("1.46亿");
    expect(by.amplitude.text).toBe("8.36%");
    expect(by.volume_ratio.text).toBe("2.76");
    expect(by.buy_sell_ratio.text).toBe("1.51");
    expect(by.limit_up.text).toBe("1652.35");
    expect(by.change_pct.text).toBe("+10.00%");
    expect(by.low.cls).toBe("iw-up"); // above the previous close
    expect(by.buy_volume.title).toBe(zh.sinceWatching);
  });
  it("外盘 / 内盘 incomplete since a reconnect say so, with the time in the exchange's zone", () => {
    const gap = Date.UTC(2026, 10, 25, 2, 5); // 10:05 in Shanghai
    const items = bookPanel({ ...STATS, flow_incomplete_since: gap }, zh, "zh", { decimals: 2, lots: true, tz: "Asia/Shanghai" });
    const by = Object.fromEntries(items.map((i) => [i.key, i]));
    for (const k of ["buy_volume", "sell_volume", "buy_sell_ratio"]) {
      expect(by[k].text.endsWith(" *")).toBe(true);
      expect(by[k].cls).toContain("iw-incomplete");
      expect(by[k].title).toBe("自 10:05 起不完整：重连期间的成交未计入");
    }
    expect(by.volume.text).toBe("947手"); // bars are backfilled exactly: not marked
    expect(by.volume.title).not.toContain("不完整");
    const complete = Object.fromEntries(bookPanel(STATS, en, "en").map((i) => [i.key, i]));
    expect(complete.buy_volume.text.endsWith("*")).toBe(false);
  });
  it("English labels; shares without lots; no limit row without limits", () => {
    const s = { ...STATS, limit_up: null, limit_down: null, at_limit: null, volume_ratio: null };
    const items = bookPanel(s, en, "en", { decimals: 3, lots: false });
    const labelsEn = items.map((i) => i.label);
    expect(labelsEn).toContain("Bid/ask ratio");
    expect(labelsEn).toContain("Bid/ask diff");
    expect(labelsEn).toContain("Buy volume");
    expect(labelsEn).toContain("Sell volume");
    expect(labelsEn).toContain("Buy/sell ratio");
    expect(labelsEn).toContain("Volume ratio");
    expect(labelsEn).toContain("Amplitude");
    expect(labelsEn).toContain("Prev close");
    expect(labelsEn).not.toContain("Limit up");
    const by = Object.fromEntries(items.map((i) => [i.key, i]));
    expect(by.volume.text).toBe("94.70K");
    expect(by.last.text).toBe("1652.350");
    expect(by.volume_ratio.text).toBe("—");
  });
  it("shows only keys the Python side sends", () => {
    const py = readFileSync(new URL("../../infoway_widgets/widgets/book.py", import.meta.url), "utf8");
    const m = py.match(/STATS_KEYS = \(([^)]*)\)/);
    const keys = [...m[1].matchAll(/"(\w+)"/g)].map((x) => x[1]);
    for (const it of bookPanel(STATS, zh, "zh", { lots: true })) expect(keys).toContain(it.key);
    for (const k of Object.keys(STATS)) expect(keys).toContain(k);
  });
});

describe("board columns", () => {
  it("presets: auto is cn in zh, compact in en; explicit columns win", () => {
    expect(resolveColumns("auto", [], "en")).toEqual({ name: "compact", keys: PRESETS.compact });
    expect(resolveColumns("auto", [], "zh")).toEqual({ name: "cn", keys: PRESETS.cn });
    expect(resolveColumns("cn", [], "en").name).toBe("cn");
    expect(resolveColumns("auto", ["symbol", "amplitude", "nope"], "zh")).toEqual({ name: "custom", keys: ["symbol", "amplitude"] });
  });
  it("the same keys as board.py's BOARD_COLUMNS", () => {
    const py = readFileSync(new URL("../../infoway_widgets/widgets/board.py", import.meta.url), "utf8");
    const m = py.match(/BOARD_COLUMNS = \(([^)]*)\)/);
    expect([...m[1].matchAll(/"(\w+)"/g)].map((x) => x[1])).toEqual(COLUMN_KEYS);
    for (const p of Object.values(PRESETS)) for (const k of p) expect(COLUMN_KEYS).toContain(k);
  });
  it("labels and sort keys", () => {
    const cn = PRESETS.cn.map((k) => columnLabel(k, zh, "cn").label);
    expect(cn).toEqual(["代码", "最新", "涨跌幅", "涨跌额", "成交量", "成交额", "振幅", "量比", "最高", "最低", "今开", "昨收", "走势"]);
    expect(columnLabel("change", en, "compact").label).toBe("Chg");
    expect(columnLabel("volume_lots", zh, "cn").title).toContain("手");
    expect(columnSortKey("change_pct")).toBe("change_pct");
    expect(columnSortKey("high_low")).toBe("high");
    expect(columnSortKey("volume_lots")).toBe("volume");
    expect(columnSortKey("spark")).toBe(null);
  });
  it("cells", () => {
    const q = { ...STATS, decimals: 2, at_limit: 1 };
    expect(boardCell("change_pct", q, zh, "zh")).toEqual({ text: "+10.00%", cls: "iw-up", title: "" });
    expect(boardCell("change", q, zh, "zh").text).toBe("+150.21");
    expect(boardCell("volume_lots", q, zh, "zh").text).toBe("947手");
    expect(boardCell("volume_lots", { ...q, volume_lots: NaN }, zh, "zh").text).toBe("9.47万");
    expect(boardCell("turnover", q, zh, "zh").text).toBe("1.46亿");
    expect(boardCell("turnover", q, en, "en").text).toBe("145.98M");
    expect(boardCell("amplitude", q, zh, "zh").text).toBe("8.36%");
    expect(boardCell("volume_ratio", q, zh, "zh").text).toBe("2.76");
    expect(boardCell("high_low", q, en, "en").text).toBe("1652.35 / 1526.81");
    expect(boardCell("open", q, zh, "zh")).toEqual({ text: "1530.91", cls: "iw-up", title: "" });
    expect(boardCell("prev_close", q, zh, "zh").text).toBe("1502.14");
    expect(boardCell("last", { ...q, last: NaN, change: NaN }, en, "en")).toEqual({ text: "—", cls: "iw-flat", title: "" });
  });
});
