import { describe, expect, it, vi } from "vitest";
import { ModelStore, defineWidget } from "../src/lib/store.js";
import { FakeModel } from "./fake-model.js";

/** A reducer that keeps the last close it saw and counts the frames it decoded. */
class Last {
  constructor() { this.applied = 0; this.close = NaN; }
  /** @param {any} f */
  apply(f) {
    this.applied += 1;
    this.close = f.cols.close[f.cols.close.length - 1];
    return { reset: !!f.header.reset, close: this.close };
  }
  /** @param {any} msg */
  control(msg) { return { control: msg.what }; }
}

describe("one store per model", () => {
  it("decodes each frame once and tells every view", () => {
    const model = new FakeModel();
    const store = new ModelStore(model, () => new Last());
    const a = vi.fn(), b = vi.fn();
    store.subscribe(a);
    store.subscribe(b);
    model.frame({ kind: "bars", reset: true }, { close: [1, 2] });
    model.frame({ kind: "bars" }, { close: [3] });
    expect(store.state.applied).toBe(2);
    expect(a.mock.calls).toEqual([[{ reset: true, close: 2 }], [{ reset: false, close: 3 }]]);
    expect(b.mock.calls).toEqual(a.mock.calls);
    expect(store.seq).toBe(2);
    expect(store.resets).toBe(1);
  });

  it("asks for the whole state once at start, not once per view", () => {
    const model = new FakeModel();
    const widget = defineWidget((m) => new ModelStore(m, () => new Last()), (_ctx, store) => {
      store.subscribe(() => {});
      return () => {};
    })();
    widget.initialize({ model });
    widget.render({ model, el: /** @type {any} */ ({}) });
    widget.render({ model, el: /** @type {any} */ ({}) });
    expect(model.resyncs()).toBe(1);
  });

  it("a late view draws the model's state at once and sends nothing but its view count", () => {
    const model = new FakeModel();
    /** @type {Array<{store: any, first: any}>} */
    const views = [];
    const widget = defineWidget((m) => new ModelStore(m, () => new Last()), (_ctx, store) => {
      // what a view draws first: the state the store already holds
      views.push({ store, first: store.updates ? store.state.close : null });
      return () => {};
    })();
    widget.initialize({ model });
    widget.render({ model, el: /** @type {any} */ ({}) });
    model.frame({ kind: "bars", reset: true }, { close: [10, 11] });
    model.frame({ kind: "bars" }, { close: [12] });
    const sent = model.sent.length;
    widget.render({ model, el: /** @type {any} */ ({}) });
    expect(views[1].store).toBe(views[0].store);
    expect(views[1].first).toBe(12);
    // nothing that makes Python send anything: only the count of views this page draws
    expect(model.sent.slice(sent)).toEqual([{ type: "views", id: views[0].store.id, n: 2, on: 2 }]);
    expect(views[0].store.state.applied).toBe(2); // nothing decoded again for the new view
  });

  it("a gap asks for one resync and drops deltas until the full frame", () => {
    const model = new FakeModel();
    const store = new ModelStore(model, () => new Last());
    const view = vi.fn();
    store.subscribe(view);
    model.frame({ kind: "bars", reset: true }, { close: [1] }, 1);
    model.frame({ kind: "bars" }, { close: [2] }, 2);
    model.frame({ kind: "bars" }, { close: [4] }, 4); // 3 was lost
    model.frame({ kind: "bars" }, { close: [5] }, 5);
    expect(model.resyncs()).toBe(2); // the one at start, and one for the gap
    expect(store.state.close).toBe(2);
    model.frame({ kind: "bars", reset: true }, { close: [6] }, 6);
    model.frame({ kind: "bars" }, { close: [7] }, 7);
    expect(view.mock.calls.map((c) => c[0].close)).toEqual([1, 2, 6, 7]);
    expect(model.resyncs()).toBe(2);
  });

  it("starts from the snapshot trait and takes the next seq directly", () => {
    const model = new FakeModel({ _snapshot: { header: { kind: "bars", seq: 41, cols: ["close"] }, cols: { close: [9, null] } } });
    const store = new ModelStore(model, () => new Last());
    expect(store.updates).toBe(1);
    expect(Number.isNaN(store.state.close)).toBe(true);
    model.frame({ kind: "bars" }, { close: [3] }, 42);
    expect(store.state.close).toBe(3);
    expect(model.resyncs()).toBe(1);
  });

  it("routes control replies past the seq check", () => {
    const model = new FakeModel();
    const store = new ModelStore(model, () => new Last());
    const view = vi.fn();
    store.subscribe(view);
    model.emit("msg:custom", { kind: "control", what: "loaded", count: 3 }, []);
    expect(view).toHaveBeenCalledWith({ control: "loaded" });
    expect(store.seq).toBe(-1);
  });

  it("recomputes on trait changes and tells the views", () => {
    const model = new FakeModel({ ma: [5] });
    const store = new ModelStore(model, () => new Last());
    const view = vi.fn();
    store.subscribe(view);
    store.derive("change:ma", () => ({ reset: false, close: model.get("ma").length }));
    model.set("ma", [5, 10]);
    expect(view).toHaveBeenCalledWith({ reset: false, close: 2 });
  });

  it("one view's error does not starve the others", () => {
    const model = new FakeModel();
    const store = new ModelStore(model, () => new Last());
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const good = vi.fn();
    store.subscribe(() => { throw new Error("boom"); });
    store.subscribe(good);
    model.frame({ kind: "bars", reset: true }, { close: [1] });
    expect(good).toHaveBeenCalledTimes(1);
    expect(err).toHaveBeenCalled();
    err.mockRestore();
  });

  it("is released when the model closes: no listeners left, frames ignored", () => {
    const model = new FakeModel();
    const widget = defineWidget((m) => new ModelStore(m, () => new Last()), () => () => {})();
    const cleanup = widget.initialize({ model });
    expect(model.count("msg:custom")).toBe(1);
    cleanup();
    expect(model.count("msg:custom")).toBe(0);
    model.frame({ kind: "bars", reset: true }, { close: [1] });
    expect(model.sent.length).toBe(1);
  });

  it("drops sends where there is no kernel", () => {
    const model = new FakeModel();
    model.send = () => { throw new Error("no comm"); };
    expect(() => new ModelStore(model, () => new Last())).not.toThrow();
  });
});
