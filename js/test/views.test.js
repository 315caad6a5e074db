// @vitest-environment happy-dom
// Whole widgets in a DOM: two views of one model share its store.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import book from "../src/book.js";
import tape from "../src/tape.js";
import { FakeModel } from "./fake-model.js";

const TRAITS = {
  status: "simulated", locale: "en", theme: "light", _market: { code: "600519.SH", tz: "Asia/Shanghai", price_decimals: 2 },
  height: 300, max_rows: 50, levels: 5, view: "ladder", stats: true,
};
const T0 = Date.UTC(2026, 10, 25, 1, 30);
/** @param {number} from @param {number} n */
const trades = (from, n) => {
  const t = Array.from({ length: n }, (_, i) => T0 + (from + i) * 1000);
  return { t, price: t.map(() => 10), volume: t.map(() => 100), direction: t.map((_, i) => (i % 2) + 1) };
};
/** @param {HTMLElement} el @param {string} key */
const data = (el, key) => /** @type {HTMLElement} */ (el.querySelector(".iw-root")).dataset[key];

beforeEach(() => { vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "requestAnimationFrame", "cancelAnimationFrame"] }); });
afterEach(() => { vi.useRealTimers(); });

/** @param {any} def @param {FakeModel} model */
function mount(def, model) {
  const widget = def();
  const dispose = widget.initialize({ model });
  /** @type {Array<() => void>} */
  const cleanups = [];
  const view = () => {
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(widget.render({ model, el }));
    vi.runOnlyPendingTimers();
    return el;
  };
  return { view, close: () => { cleanups.forEach((c) => c()); dispose(); } };
}

describe("two views of one TradeTape", () => {
  it("the second shows the trades at once; the first is not reset; one resync in all", () => {
    const model = new FakeModel(TRAITS);
    const w = mount(tape, model);
    const first = w.view();
    model.frame({ kind: "tape", reset: true, total: 3, symbol: "600519.SH" }, trades(0, 3));
    model.frame({ kind: "tape", total: 5, symbol: "600519.SH" }, trades(3, 2));
    vi.runOnlyPendingTimers();
    expect(data(first, "rows")).toBe("5");
    const updates = Number(data(first, "updates"));

    const second = w.view();
    expect(data(second, "rows")).toBe("5");
    expect(second.querySelector("tbody")?.textContent).toBe(first.querySelector("tbody")?.textContent);
    model.frame({ kind: "tape", total: 6, symbol: "600519.SH" }, trades(5, 1));
    vi.runOnlyPendingTimers();
    expect(data(first, "rows")).toBe("6");
    expect(data(second, "rows")).toBe("6");
    expect(Number(data(first, "updates"))).toBe(updates + 1);
    expect(data(first, "resets")).toBe("1"); // the one full frame, before the second view came
    expect(data(second, "resets")).toBe("0");
    expect(model.resyncs()).toBe(1);
    w.close();
    expect(model.count("msg:custom")).toBe(0);
    expect(document.querySelectorAll(".iw-root").length).toBe(0);
  });
});

describe("two views of one OrderBook", () => {
  it("both draw the same ladder from one decode", () => {
    const model = new FakeModel(TRAITS);
    const w = mount(book, model);
    const first = w.view();
    const stats = { last: 10, prev_close: 9.5, at_limit: null };
    model.frame({ kind: "book", reset: true, symbol: "600519.SH", prev_close: 9.5, stats, t: T0 },
      { bid_px: [9.99, 9.98], bid_vol: [100, 200], ask_px: [10.01, 10.02], ask_vol: [300, 400] });
    const second = w.view();
    for (const el of [first, second]) {
      expect(data(el, "levels")).toBe("4");
      expect(el.querySelectorAll("tr.iw-level").length).toBe(10);
    }
    expect(second.querySelector(".iw-ladder")?.textContent).toBe(first.querySelector(".iw-ladder")?.textContent);
    // the depth toggle of one view sets the model's trait (every view follows it)
    /** @type {HTMLButtonElement} */ (second.querySelector('button[data-mode="depth"]')).click();
    expect(model.get("view")).toBe("depth");
    vi.runOnlyPendingTimers();
    expect(data(first, "view")).toBe("depth");
    expect(model.resyncs()).toBe(1);
    w.close();
  });
});

describe("a QuoteBoard with one bad symbol", () => {
  it("says so on that row only, as text, and follows the trait", async () => {
    const board = (await import("../src/board.js")).default;
    const model = new FakeModel({ ...TRAITS, symbols: ["600519.SH", "999999.SH"], preset: "compact",
      columns: [], sort_by: "", symbol_errors: { "999999.SH": "no data for 999999.SH: check the code <b>x</b>" } });
    const w = mount(board, model);
    const el = w.view();
    const nan = [NaN, NaN];
    const cols = Object.fromEntries(["last", "prev_close", "open", "high", "low", "volume", "turnover",
      "change", "change_pct", "t", "amplitude", "volume_ratio", "limit_up", "limit_down", "volume_lots",
      "at_limit", "decimals", "red_up", "spark_len"].map((k) => [k, nan]));
    cols.last = [1500, NaN];
    cols.spark = [];
    model.frame({ kind: "quotes", reset: true, symbols: ["600519.SH", "999999.SH"], names: ["贵州茅台", ""] }, cols);
    vi.runOnlyPendingTimers();
    const row = (/** @type {string} */ s) => /** @type {HTMLElement} */ (el.querySelector(`tr[data-symbol="${s}"]`));
    expect(row("999999.SH").dataset.error).toBe("1");
    expect(row("999999.SH").querySelector(".iw-row-error")?.textContent).toBe("no data for 999999.SH: check the code <b>x</b>");
    expect(row("999999.SH").querySelector("b")).toBeNull();
    expect(row("999999.SH").title).toContain("check the code");
    expect(row("600519.SH").dataset.error).toBeUndefined();
    expect(row("600519.SH").querySelector(".iw-quote-name")?.textContent).toBe("贵州茅台");
    expect(data(el, "errors")).toBe("1");
    model.set("symbol_errors", {});
    vi.runOnlyPendingTimers();
    expect(row("999999.SH").dataset.error).toBeUndefined();
    expect(el.querySelector(".iw-row-error")).toBeNull();
    expect(data(el, "errors")).toBe("0");
    w.close();
  });
});

describe("a page written by iw.export_html", () => {
  it("says its widgets show saved state, in English and in Chinese", () => {
    const msg = "simulated, 2026-12-02 00:10 UTC";
    for (const [locale, text] of [["en", "Saved state"], ["zh", "已保存状态"]]) {
      const model = new FakeModel({ ...TRAITS, locale, status: "saved", status_message: msg });
      const w = mount(book, model);
      const el = w.view();
      const badge = /** @type {HTMLElement} */ (el.querySelector(".iw-badge"));
      expect(badge.dataset.status).toBe("saved");
      expect(badge.textContent).toBe(`${text}: ${msg}`);
      w.close();
    }
  });
});
