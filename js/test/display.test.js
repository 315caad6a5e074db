// @vitest-environment happy-dom
// What the widgets show: every volume in its market's unit, sizes at the instrument's decimals,
// status messages whole on hover, control icons as SVG.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import board from "../src/board.js";
import book from "../src/book.js";
import button from "../src/button.js";
import tape from "../src/tape.js";
import { FakeModel } from "./fake-model.js";

const ASHARE = {
  code: "600519.SH", tz: "Asia/Shanghai", market: "CN", price_decimals: 2, lot_size: 100, tick: 0.01,
  volume_unit: "lots", volume_per_unit: 100, volume_decimals: 2, size_decimals: 0,
};
const BTC = {
  code: "BTCUSDT", tz: "UTC", market: "CRYPTO", currency: "USDT", price_decimals: 2, lot_size: 0.00001, tick: 0.01,
  volume_unit: "BTC", volume_per_unit: 1, volume_decimals: 5, size_decimals: 5,
};
const HK = { code: "00700.HK", tz: "Asia/Hong_Kong", market: "HK", price_decimals: 3, lot_size: 100, volume_unit: "shares", volume_per_unit: 1, volume_decimals: 0 };
const BASE = { status: "simulated", locale: "en", theme: "light", height: 300, max_rows: 50, levels: 5, view: "ladder", stats: true };
const T0 = Date.UTC(2026, 10, 25, 1, 30);

beforeEach(() => { vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "requestAnimationFrame", "cancelAnimationFrame"] }); });
afterEach(() => { vi.useRealTimers(); document.body.replaceChildren(); });

/** @param {any} def @param {FakeModel} model */
function mount(def, model) {
  const widget = def();
  const dispose = widget.initialize?.({ model });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = widget.render({ model, el });
  vi.runOnlyPendingTimers();
  return { el, close: () => { cleanup(); dispose?.(); } };
}

/** @param {Element} el @param {string} sel */
const texts = (el, sel) => [...el.querySelectorAll(sel)].map((e) => e.textContent);

describe("TradeTape", () => {
  it("a BTC print of 0.00002 reads 0.00002, under a header that names the unit", () => {
    const model = new FakeModel({ ...BASE, _market: BTC });
    const w = mount(tape, model);
    const vol = [0.00002, 0.5, 1.23456, 0.00001];
    model.frame({ kind: "tape", reset: true, total: 4, symbol: "BTCUSDT" },
      { t: vol.map((_, i) => T0 + i * 1000), price: vol.map(() => 90000), volume: vol, direction: [1, 2, 1, 0] });
    vi.runOnlyPendingTimers();
    expect(texts(w.el, "thead th")[2]).toBe("Size (BTC)");
    const sizes = [...w.el.querySelectorAll("tbody tr")].map((r) => r.children[2].textContent);
    expect(sizes).toEqual(["0.00001", "1.23456", "0.5", "0.00002"]); // newest first
    expect(sizes).not.toContain("0");
    w.close();
  });
  it("A-share prints in 手 in zh and lots in en", () => {
    const model = new FakeModel({ ...BASE, locale: "zh", _market: ASHARE });
    const w = mount(tape, model);
    model.frame({ kind: "tape", reset: true, total: 2, symbol: "600519.SH" },
      { t: [T0, T0 + 1000], price: [1500, 1500.01], volume: [1400, 150], direction: [1, 2] });
    vi.runOnlyPendingTimers();
    expect(texts(w.el, "thead th")[2]).toBe("数量(手)");
    expect([...w.el.querySelectorAll("tbody tr")].map((r) => r.children[2].textContent)).toEqual(["1.5", "14"]);
    model.set("locale", "en");
    vi.runOnlyPendingTimers();
    expect(texts(w.el, "thead th")[2]).toBe("Size (lots)");
    w.close();
  });
});

describe("OrderBook", () => {
  it("ladder and panel count A-shares in lots: 成交量, 外盘, 内盘 and 委差 in one unit", () => {
    const model = new FakeModel({ ...BASE, locale: "zh", _market: ASHARE });
    const w = mount(book, model);
    const stats = {
      last: 1500, prev_close: 1490, volume: 34_300, volume_lots: 343, buy_volume: 140_000, sell_volume: 380_000,
      bid_ask_diff: -1_100, bid_ask_ratio: -5, at_limit: null,
    };
    model.frame({ kind: "book", reset: true, symbol: "600519.SH", prev_close: 1490, stats, t: T0 },
      { bid_px: [1499.99], bid_vol: [1200], ask_px: [1500.01], ask_vol: [350] });
    vi.runOnlyPendingTimers();
    expect(texts(w.el, ".iw-ladder th")[2]).toBe("数量(手)");
    const sizes = texts(w.el, "tr.iw-level .iw-size-text");
    expect(sizes).toEqual(["3.5", "12"]);
    const v = (/** @type {string} */ k) => w.el.querySelector(`.iw-stats [data-key="${k}"]`)?.textContent;
    expect(v("volume")).toBe("343手");
    expect(v("buy_volume")).toBe("1400手");
    expect(v("sell_volume")).toBe("3800手");
    expect(v("bid_ask_diff")).toBe("-11手");
    w.close();
  });
});

describe("QuoteBoard", () => {
  it("each row in its own market's unit", () => {
    const model = new FakeModel({
      ...BASE, symbols: ["600519.SH", "00700.HK", "BTCUSDT"], preset: "compact", columns: [], sort_by: "",
      _markets: { "600519.SH": ASHARE, "00700.HK": HK, BTCUSDT: BTC },
    });
    const w = mount(board, model);
    const n = 3;
    const col = (/** @type {number[]} */ v) => v;
    model.frame({ kind: "quotes", reset: true, symbols: ["600519.SH", "00700.HK", "BTCUSDT"], names: ["", "", ""] }, {
      last: col([1500, 480, 90000]), prev_close: col([1490, 470, 89000]), open: col([1495, 475, 89500]),
      high: col([1510, 482, 91000]), low: col([1488, 469, 88000]), volume: col([34_300, 12_345_678, 0.00002]),
      turnover: col([5e7, 6e9, 1.8]), change: col([10, 10, 1000]), change_pct: col([0.67, 2.1, 1.1]), t: col([T0, T0, T0]),
      amplitude: col([1, 1, 1]), volume_ratio: col([1, NaN, NaN]), limit_up: col([1639, NaN, NaN]), limit_down: col([1341, NaN, NaN]),
      volume_lots: col([343, NaN, NaN]), at_limit: col([0, 0, 0]), decimals: col([2, 3, 2]), red_up: col([1, 0, 0]),
      spark_len: col([0, 0, 0]), spark: [],
    });
    vi.runOnlyPendingTimers();
    const vol = (/** @type {string} */ s) => w.el.querySelector(`tr[data-symbol="${s}"] td[data-key="volume"]`)?.textContent;
    expect(vol("600519.SH")).toBe("343 lots");
    expect(vol("00700.HK")).toBe("12.35M shares");
    expect(vol("BTCUSDT")).toBe("0.00002 BTC");
    expect(n).toBe(w.el.querySelectorAll("tr.iw-quote").length);
    w.close();
  });
});

describe("the status badge", () => {
  it("elides a long message and keeps it whole on hover", () => {
    const msg = "688999.SH: no data for 688999.SH: check the code, the plan's markets, or the exchange suffix";
    const model = new FakeModel({ ...BASE, status: "error", status_message: msg, _market: ASHARE });
    const w = mount(tape, model);
    const badge = /** @type {HTMLElement} */ (w.el.querySelector(".iw-badge"));
    expect(badge.title).toBe(msg);
    expect(badge.textContent).toBe(`Error: ${msg}`);
    w.close();
  });
});

describe("IconButton", () => {
  it("draws an SVG icon, never a glyph; a click goes to Python unless disabled", () => {
    const model = new FakeModel({ description: "Restart", icon: "restart", disabled: false, tooltip: "", button_style: "success" });
    const w = mount(() => button, model);
    const b = /** @type {HTMLButtonElement} */ (w.el.querySelector("button"));
    expect(b.querySelector("svg path")).not.toBeNull();
    expect(b.textContent).toBe("Restart");
    expect(b.textContent).not.toMatch(/[\u23ee\u23f8\u25b6]/);
    expect(b.classList.contains("mod-success")).toBe(true);
    b.click();
    expect(model.sent).toEqual([{ type: "click" }]);
    model.set("icon", "pause");
    model.set("description", "Pause");
    expect(b.querySelector("svg")?.dataset.icon).toBe("pause");
    model.set("disabled", true);
    expect(b.disabled).toBe(true);
    b.click();
    expect(model.sent.length).toBe(1);
    model.set("icon", "");
    expect(b.querySelector("svg")).toBeNull();
    w.close();
    expect(model.count("change:icon")).toBe(0);
  });
});
