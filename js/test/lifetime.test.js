// @vitest-environment happy-dom
// What a page tells Python about its views, the saved state it keeps, and what a view says once
// its kernel is gone.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import board from "../src/board.js";
import book from "../src/book.js";
import { BookState } from "../src/lib/levels.js";
import { CandleState } from "../src/lib/candlestate.js";
import { IntradayState } from "../src/lib/intraday.js";
import { QuotesState } from "../src/lib/quotes.js";
import { ModelStore } from "../src/lib/store.js";
import { TapeState } from "../src/lib/tape.js";
import tape from "../src/tape.js";
import { FakeModel } from "./fake-model.js";

const SYM = "600519.SH";
const T0 = Date.UTC(2026, 10, 25, 1, 30);
const TRAITS = {
  status: "simulated", locale: "en", theme: "light", _market: { code: SYM, tz: "Asia/Shanghai", price_decimals: 2 },
  height: 300, max_rows: 50, levels: 5, view: "ladder", stats: true, preset: "compact", columns: [],
};
/** @param {number} from @param {number} n */
const trades = (from, n) => {
  const t = Array.from({ length: n }, (_, i) => T0 + (from + i) * 1000);
  return { t, price: t.map((_, i) => 10 + i / 100), volume: t.map(() => 100), direction: t.map((_, i) => (i % 2) + 1) };
};
/** @param {HTMLElement} el @param {string} key */
const data = (el, key) => /** @type {HTMLElement} */ (el.querySelector(".iw-root")).dataset[key];
/** @param {HTMLElement} el */
const badge = (el) => /** @type {HTMLElement} */ (el.querySelector(".iw-badge"));
/**
 * What the widget manager writes into a saved notebook for the model: anywidget copies the state
 * with structuredClone, ipywidgets through JSON; both must give the store's state.
 * @param {FakeModel} model
 */
const savedSnapshot = (model) => {
  const viaJson = JSON.parse(JSON.stringify(model.get("_snapshot")));
  expect(structuredClone(model.get("_snapshot"))).toEqual(viaJson);
  return viaJson;
};
/** @param {FakeModel} model */
const viewReports = (model) => model.sent.filter((m) => m.type === "views");

beforeEach(() => { vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "requestAnimationFrame", "cancelAnimationFrame", "queueMicrotask"] }); });
afterEach(() => { vi.useRealTimers(); document.body.replaceChildren(); });

/** @param {any} def @param {FakeModel} model */
function mount(def, model) {
  const widget = def();
  const dispose = widget.initialize({ model });
  /** @type {Array<() => void>} */
  const cleanups = [];
  /** @param {(el: HTMLElement) => void} [prepare] */
  const view = (prepare) => {
    const el = document.createElement("div");
    prepare?.(el);
    document.body.append(el);
    cleanups.push(widget.render({ model, el }));
    vi.runOnlyPendingTimers();
    return el;
  };
  return { view, cleanups, dispose };
}

describe("the views a page draws", () => {
  it("are counted per store and reported as they come and go", () => {
    const model = new FakeModel(TRAITS);
    const w = mount(tape, model);
    w.view();
    w.view();
    w.cleanups[0]();
    const reports = viewReports(model);
    expect(reports.map((r) => r.n)).toEqual([1, 2, 1]);
    expect(new Set(reports.map((r) => r.id)).size).toBe(1);
    // another page's store of the same model counts under another id
    const other = new ModelStore(new FakeModel(TRAITS), () => new TapeState(50));
    expect(other.id).not.toBe(reports[0].id);
    w.cleanups[1]();
    expect(viewReports(model).at(-1)).toEqual({ type: "views", id: reports[0].id, n: 0, on: 0 });
    w.dispose();
  });

  it("a view off screen draws nothing, and Python hears it is not seen; back on, it draws once", () => {
    /** @type {Array<(entries: Array<{isIntersecting: boolean}>) => void>} */
    const observers = [];
    const saved = globalThis.IntersectionObserver;
    // @ts-ignore a stand-in that lets the test scroll
    globalThis.IntersectionObserver = class { constructor(fn) { observers.push(fn); } observe() {} disconnect() {} };
    try {
      const model = new FakeModel(TRAITS);
      const w = mount(tape, model);
      const a = w.view();
      w.view();
      const rows = () => a.querySelectorAll("tbody tr").length;
      model.frame({ kind: "tape", reset: true, total: 3, symbol: SYM }, trades(0, 3));
      vi.runOnlyPendingTimers();
      expect(rows()).toBe(3);
      observers[0]([{ isIntersecting: false }]);
      expect(viewReports(model).at(-1)).toMatchObject({ n: 2, on: 1 });
      model.frame({ kind: "tape", total: 5, symbol: SYM }, trades(3, 2));
      vi.runOnlyPendingTimers();
      expect(rows()).toBe(3); // off screen: the state has the trades, the table waits
      expect(data(a, "updates")).toBe("2"); // but the view counts what it was given
      observers[0]([{ isIntersecting: true }]);
      expect(viewReports(model).at(-1)).toMatchObject({ n: 2, on: 2 });
      vi.runOnlyPendingTimers();
      expect(rows()).toBe(5);
      // a view that goes while off screen takes its off-screen count with it
      observers[1]([{ isIntersecting: false }]);
      w.cleanups[1]();
      expect(viewReports(model).at(-1)).toMatchObject({ n: 1, on: 1 });
      w.dispose();
    } finally {
      globalThis.IntersectionObserver = saved;
    }
  });

  it("a page going away says its views are gone, and says so again if it comes back", () => {
    const model = new FakeModel(TRAITS);
    const w = mount(tape, model);
    w.view();
    window.dispatchEvent(new Event("pagehide"));
    expect(viewReports(model).at(-1)?.n).toBe(0);
    const back = new Event("pageshow");
    Object.defineProperty(back, "persisted", { value: true });
    window.dispatchEvent(back);
    expect(viewReports(model).at(-1)?.n).toBe(1);
    w.dispose();
    const n = model.sent.length;
    window.dispatchEvent(new Event("pagehide"));
    expect(model.sent.length).toBe(n); // a released store listens no more
  });

  it("a store released while it draws views (a module reload) reports none", () => {
    const model = new FakeModel(TRAITS);
    const w = mount(tape, model);
    w.view();
    w.dispose();
    expect(viewReports(model).at(-1)?.n).toBe(0);
  });
});

describe("the saved state", () => {
  it("is what the view shows when the notebook is saved: 7 trades of 7, the trait never set", () => {
    const model = new FakeModel({ ...TRAITS, _snapshot: {} });
    const set = vi.spyOn(model, "set");
    const w = mount(tape, model);
    const el = w.view();
    model.frame({ kind: "tape", reset: true, total: 1, symbol: SYM }, trades(0, 1));
    for (let i = 1; i < 7; i++) model.frame({ kind: "tape", total: i + 1, symbol: SYM }, trades(i, 1));
    vi.runOnlyPendingTimers();
    expect(data(el, "rows")).toBe("7");
    const saved = savedSnapshot(model);
    expect(saved.cols.t).toEqual(trades(0, 7).t);
    expect(saved.header).toMatchObject({ kind: "tape", total: 7, seq: 7, n: 7, reset: true, symbol: SYM });
    expect(set).not.toHaveBeenCalledWith("_snapshot", expect.anything());
    // the notebook saved, then reopened without a kernel: the same seven rows
    const reopened = new FakeModel({ ...TRAITS, _snapshot: saved });
    const el2 = mount(tape, reopened).view();
    expect(data(el2, "rows")).toBe("7");
    expect(el2.querySelector("tbody")?.textContent).toBe(el.querySelector("tbody")?.textContent);
    // and saving that again keeps them
    expect(savedSnapshot(reopened)).toEqual(saved);
    w.dispose();
  });

  it("is built only when saved, never while frames come; a new trait value is followed", () => {
    const model = new FakeModel({ ...TRAITS, _snapshot: {} });
    const w = mount(tape, model);
    w.view();
    const spy = vi.spyOn(TapeState.prototype, "snapshot");
    for (let i = 0; i < 50; i++) model.frame({ kind: "tape", reset: i === 0, total: i + 1, symbol: SYM }, trades(i, 1));
    vi.advanceTimersByTime(60_000);
    expect(spy).toHaveBeenCalledTimes(0);
    expect(savedSnapshot(model).header.total).toBe(50);
    expect(spy).toHaveBeenCalledTimes(1);
    // Python pushed a snapshot (a widget not shown before): the new object saves the store's state too
    model.set("_snapshot", { header: { kind: "tape", seq: 1 }, cols: {} });
    expect(savedSnapshot(model).header.total).toBe(50);
    spy.mockRestore();
    w.dispose();
  });

  /** @param {() => any} makeState @param {Array<[Record<string, any>, Record<string, number[]>]>} frames */
  const roundTrip = (makeState, frames) => {
    const model = new FakeModel({ _snapshot: {} });
    const store = new ModelStore(model, makeState);
    for (const [h, c] of frames) model.frame(h, c);
    const again = new ModelStore(new FakeModel({ _snapshot: savedSnapshot(model) }), makeState);
    return [store.state, again.state];
  };

  it("of a chart holds its newest bars, bounded", () => {
    const spec = { ma: [2], vwap: false, tz: "Asia/Shanghai", intraday: true };
    const make = () => { const s = new CandleState(1000, spec, () => {}); s.snapshotBars = 3; return s; };
    const t = [0, 1, 2, 3, 4].map((i) => T0 + i * 60_000);
    const bar = (/** @type {number[]} */ ts) => ({ t: ts, open: ts.map(() => 1), high: ts.map(() => 2), low: ts.map(() => 0.5), close: ts.map((_, i) => 1 + i), volume: ts.map(() => 5), turnover: ts.map(() => 5) });
    const [live, saved] = roundTrip(make, [
      [{ kind: "bars", reset: true, symbol: SYM, interval: "1m" }, bar(t.slice(0, 4))],
      [{ kind: "bars", symbol: SYM, interval: "1m" }, bar(t.slice(3))],
    ]);
    expect(saved.bars.c.t).toEqual(live.bars.c.t.slice(-3));
    expect(saved.bars.c.close).toEqual(live.bars.c.close.slice(-3));
    expect([saved.symbol, saved.interval]).toEqual([SYM, "1m"]);
  });

  it("of a book, a board and an intraday chart is the state they show", () => {
    const stats = { last: 10, prev_close: 9.5, at_limit: null };
    const [b1, b2] = roundTrip(() => new BookState(), [
      [{ kind: "book", reset: true, symbol: SYM, prev_close: 9.5, stats, t: T0 }, { bid_px: [9.99, 9.98], bid_vol: [100, 200], ask_px: [10.01, NaN], ask_vol: [300, NaN] }],
    ]);
    expect(b2.book).toEqual(b1.book);
    expect(b2.stats).toEqual(stats);

    const q = (/** @type {number} */ last, /** @type {number} */ n) => ({
      last: [last], prev_close: [9], open: [9], high: [11], low: [8], volume: [1e6], turnover: [1e7], change: [last - 9],
      change_pct: [(last - 9) / 9 * 100], t: [T0], decimals: [2], red_up: [1], amplitude: [3], volume_ratio: [NaN],
      limit_up: [9.9], limit_down: [8.1], volume_lots: [1e4], at_limit: [0], spark_len: [n], spark: Array.from({ length: n }, (_, i) => 9 + i / 10),
    });
    const [q1, q2] = roundTrip(() => new QuotesState(), [
      [{ kind: "quotes", reset: true, symbols: [SYM], names: ["贵州茅台"] }, q(10, 3)],
      [{ kind: "quotes", symbols: [SYM], names: ["贵州茅台"] }, q(10.5, 4)],
    ]);
    expect([...q2.quotes.entries()]).toEqual([...q1.quotes.entries()]);
    expect(q2.quotes.get(SYM)?.last).toBe(10.5);

    const head = { kind: "intraday", symbol: SYM, day: "2026-11-25", prev_close: 10, limit_up: 11, limit_down: 9, slots: 4, ticks: [[0, "09:30"]] };
    const [d1, d2] = roundTrip(() => new IntradayState(), [
      [{ ...head, reset: true, filled: 1, offset: 0 }, { t: [1, 2, 3, 4], close: [10, NaN, NaN, NaN], avg: [10, NaN, NaN, NaN], volume: [5, 0, 0, 0], up: [1, 0, 0, 0] }],
      [{ ...head, filled: 2, offset: 1 }, { t: [2], close: [10.2], avg: [10.1], volume: [7], up: [1] }],
    ]);
    expect(Array.from(d2.s.close)).toEqual(Array.from(d1.s.close));
    expect(d2.meta).toMatchObject({ day: head.day, filled: 2, prev_close: 10, ticks: head.ticks });
  });
});

/** A Lumino-like signal of a fake kernel connection. */
class FakeSignal {
  constructor() { /** @type {Set<Function>} */ this.slots = new Set(); }
  /** @param {Function} fn */
  connect(fn) { this.slots.add(fn); }
  /** @param {Function} fn */
  disconnect(fn) { this.slots.delete(fn); }
  /** @param {any} value */
  emit(value) { for (const fn of [...this.slots]) fn({}, value); }
}

describe("a view whose kernel is gone", () => {
  it("says disconnected once the widget manager marks its comm dead (a kernel restart)", () => {
    const model = new FakeModel(TRAITS);
    const w = mount(book, model);
    const el = w.view();
    expect(data(el, "status")).toBe("simulated");
    expect(data(el, "link")).toBe("live");
    // what ipywidgets' DOMWidgetView does on "comm_live_update" with comm_live false
    el.classList.add("jupyter-widgets-disconnected");
    model.emit("comm_live_update");
    vi.runAllTicks();
    vi.runOnlyPendingTimers();
    expect(data(el, "status")).toBe("disconnected");
    expect(badge(el).textContent).toBe("Disconnected");
    expect(badge(el).title).toMatch(/run the cell again/i);
    model.set("status", "live"); // a late trait change does not make it look live again
    expect(badge(el).textContent).toBe("Disconnected");
    w.dispose();
  });

  it("says so when the kernel connection reports a restart, a shutdown or a lost connection", () => {
    const kernel = { status: "idle", isDisposed: false, statusChanged: new FakeSignal(), connectionStatusChanged: new FakeSignal(), disposed: new FakeSignal() };
    const model = new FakeModel(TRAITS);
    /** @type {any} */ (model).widget_manager = { kernel };
    const w = mount(tape, model);
    const el = w.view();
    model.frame({ kind: "tape", reset: true, total: 1, symbol: SYM }, trades(0, 1));
    kernel.connectionStatusChanged.emit("connecting");
    expect(data(el, "status")).toBe("disconnected");
    kernel.connectionStatusChanged.emit("connected");
    expect(data(el, "status")).toBe("simulated");
    kernel.statusChanged.emit("busy");
    expect(data(el, "status")).toBe("simulated");
    kernel.statusChanged.emit("dead");
    expect(data(el, "status")).toBe("disconnected");
    kernel.connectionStatusChanged.emit("connected");
    expect(data(el, "status")).toBe("disconnected"); // its comm does not come back with a kernel
    w.dispose();
    expect(kernel.statusChanged.slots.size + kernel.connectionStatusChanged.slots.size + kernel.disposed.slots.size).toBe(0);
  });

  it("restored with the notebook and no kernel behind it says saved state, in every view", () => {
    const saved = { header: { kind: "quotes", v: 1, seq: 9, n: 1, cols: ["last"], reset: true, symbols: [SYM], names: [""] }, cols: { last: [10] } };
    const model = new FakeModel({ ...TRAITS, symbols: [SYM], _snapshot: saved });
    const w = mount(board, model);
    // a model without a comm: ipywidgets marks its views disconnected from the first render
    const el = w.view((e) => e.classList.add("jupyter-widgets-disconnected"));
    expect(data(el, "link")).toBe("saved");
    expect(badge(el).textContent).toBe("Saved state");
    expect(badge(el).dataset.status).toBe("saved");
    expect(data(el, "status")).toBe("simulated"); // what the saved data came from
    expect(data(el, "rows")).toBe("1");
    model.set("locale", "zh");
    expect(badge(el).textContent).toBe("已保存状态");
    const second = w.view((e) => e.classList.add("jupyter-widgets-disconnected"));
    expect(badge(second).textContent).toBe("已保存状态");
    expect(data(second, "rows")).toBe("1");
    w.dispose();
  });

  it("a page written by iw.export_html keeps its note: when and from what it was saved", () => {
    const model = new FakeModel({ ...TRAITS, symbols: [SYM], status: "saved", status_message: "simulated, 2026-12-02 01:00 UTC" });
    const w = mount(board, model);
    const el = w.view((e) => e.classList.add("jupyter-widgets-disconnected"));
    expect(data(el, "link")).toBe("saved");
    expect(badge(el).textContent).toBe("Saved state: simulated, 2026-12-02 01:00 UTC");
    expect(badge(el).dataset.status).toBe("saved");
    w.dispose();
  });
});
