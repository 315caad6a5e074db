// @ts-check
// One store per model. anywidget's initialize({model}) creates it: it reads the `_snapshot`
// trait, decodes each frame Python sends once, checks its seq (asking for a resync once per
// model: at start and after a gap), and hands it to the widget kind's reducer, which holds the
// state (bars, book, tape, quotes, intraday series). Views subscribe and draw from that state:
// a late view draws at once and sends nothing to Python, so it never resets the other views.
//
// The store also tells Python how many views it draws (keyed by a random id: two pages may show
// one model), so a widget nobody sees stops sending; and it makes the model's `_snapshot` (what a
// saved notebook stores) the state it holds, so Python never has to push it.

import { KernelLink } from "./link.js";
import {
  SCHEMA,
  SeqTracker,
  buffersDropped,
  decodeFrame,
  decodeSnapshot,
  expandColumns,
  probeArrived,
  snapshotOf,
} from "./wire.js";

/** A random id for one store (one page's copy of a model). */
function storeId() {
  const c = /** @type {any} */ (globalThis).crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * @typedef {import("./wire.js").RawFrame} RawFrame
 */

/**
 * The part of an anywidget model the widgets use.
 * @typedef {object} Model
 * @property {(name: string) => any} get
 * @property {(name: string, value: any) => void} set
 * @property {() => void} save_changes
 * @property {(msg: any, callbacks?: any, buffers?: ArrayBuffer[]) => void} send
 * @property {(event: string, cb: (...args: any[]) => void) => void} on
 * @property {(event: string, cb?: (...args: any[]) => void) => void} off
 * @property {any} [widget_manager] the host's widget manager (JupyterLab: its `kernel`)
 */

/**
 * What a widget kind keeps per model: it takes frames in order and says what changed (null: no
 * change for the views). `control` gets the replies that bypass the seq check. The return type
 * of `apply` names every change the kind's views handle.
 * @template C
 * @typedef {object} Reducer
 * @property {(frame: RawFrame) => C|null} apply
 * @property {(msg: Record<string, any>) => C|null} [control]
 * @property {() => import("./wire.js").StateFrame|null} [snapshot] the state as one full frame
 *   (what a saved notebook keeps)
 * @property {() => void} [dispose]
 */

/**
 * The changes a reducer's views redraw from.
 * @template {Reducer<any>} R
 * @typedef {NonNullable<ReturnType<R["apply"]>>} ChangeOf
 */

/**
 * @template {Reducer<any>} R the widget kind's state
 */
export class ModelStore {
  /**
   * @param {Model} model
   * @param {(send: (msg: Record<string, any>) => void) => R} makeState builds the reducer;
   *   `send` talks to Python (dropped where there is no kernel)
   */
  constructor(model, makeState) {
    this.model = model;
    /** @type {Set<(change: ChangeOf<R>) => void>} */
    this.listeners = new Set();
    /** @type {Array<() => void>} */
    this.cleanups = [];
    /** frames applied, and of those full ones */
    this.updates = 0;
    this.resets = 0;
    this.seq = -1;
    this.disposed = false;
    /** whether binary buffers reach this page (null: not known yet); Python hears it once */
    this.buffers = /** @type {boolean|null} */ (null);
    /** this page's id for the model, and the views it draws of it */
    this.id = storeId();
    this.views = 0;
    /** of those, how many are off screen (they draw nothing until they are back) */
    this.offScreen = 0;
    /** whether a kernel is still behind the model */
    this.link = new KernelLink(model);
    this.state = makeState((msg) => this.send(msg));
    this.tracker = new SeqTracker(() => this.send({ type: "resync" }));

    const snap = decodeSnapshot(model.get("_snapshot"));
    if (snap && this.tracker.accept(snap.header)) this.receive(snap);
    /** @param {any} msg @param {Array<DataView|ArrayBuffer>} [buffers] */
    const onMessage = (msg, buffers) => this.onMessage(msg, buffers);
    this.listen("msg:custom", onMessage);
    this.keepSnapshot();
    this.listen("change:_snapshot", () => this.keepSnapshot());
    this.watchPage();
    // frames sent before this page had the model are lost (a reopened notebook, a second
    // front-end): ask once, for the model, not once per view; and whether binary buffers reach
    // this page (`probe`: Python first sends a buffer of known content)
    this.send({ type: "resync", probe: true });
  }

  /**
   * Tell Python whether binary buffers reach this page (once per answer); without them it sends
   * the columns base64 in the JSON, and a full frame.
   * @param {boolean} ok
   */
  reportBuffers(ok) {
    if (this.buffers === ok || this.buffers === false) return;
    this.buffers = ok;
    this.send({ type: "capabilities", buffers: ok });
  }

  /** A page going away takes its views with it (no cleanup runs then): say so while it can. */
  watchPage() {
    const w = /** @type {any} */ (globalThis).window;
    if (!w || typeof w.addEventListener !== "function") return;
    const hide = () => { if (this.views) this.send({ type: "views", id: this.id, n: 0 }); };
    /** @param {any} ev */
    const show = (ev) => { if (ev && ev.persisted && this.views) this.reportViews(); };
    w.addEventListener("pagehide", hide);
    w.addEventListener("pageshow", show);
    this.cleanups.push(() => { w.removeEventListener("pagehide", hide); w.removeEventListener("pageshow", show); });
  }

  /** A view of this model is drawn on this page. */
  attach() {
    this.views += 1;
    this.reportViews();
  }

  /** A view's cleanup ran: tell Python how many are left. */
  detach() {
    this.views = Math.max(0, this.views - 1);
    this.reportViews();
  }

  /**
   * A view of this model went off screen (`false`) or came back (`true`). Python stops sending
   * once none is on screen anywhere; it keeps the feed subscriptions while views exist.
   * @param {boolean} on
   */
  screen(on) {
    this.offScreen = Math.max(0, this.offScreen + (on ? -1 : 1));
    this.reportViews();
  }

  reportViews() {
    const on = Math.max(0, this.views - this.offScreen);
    this.send({ type: "views", id: this.id, n: this.views, on });
  }

  /** A message to Python; silently dropped where there is no kernel (HTML export). @param {Record<string, any>} msg */
  send(msg) {
    if (this.disposed) return;
    try { this.model.send(msg); } catch { /* no kernel */ }
  }

  /**
   * model.on for the store's lifetime.
   * @param {string} events space-separated
   * @param {(...args: any[]) => void} fn
   */
  listen(events, fn) {
    for (const ev of events.split(" ")) {
      this.model.on(ev, fn);
      this.cleanups.push(() => this.model.off(ev, fn));
    }
  }

  /**
   * Recompute on trait changes: `fn` returns the change to hand the views (or null).
   * @param {string} events @param {() => ChangeOf<R>|null} fn
   */
  derive(events, fn) {
    this.listen(events, () => { if (!this.disposed) this.broadcast(fn()); });
  }

  /** @param {any} msg @param {Array<DataView|ArrayBuffer>} [buffers] */
  onMessage(msg, buffers) {
    if (this.disposed || !msg || typeof msg !== "object") return;
    this.link.heard();
    if (msg.kind === "control") {
      this.broadcast(this.state.control?.(msg) ?? null);
      return;
    }
    if (msg.kind === "probe") {
      this.reportBuffers(probeArrived(msg, buffers));
      return;
    }
    expandColumns(msg);
    if (buffersDropped(msg, buffers)) {
      // empty columns would draw nothing: wait for the full frame Python sends once it knows
      this.reportBuffers(false);
      this.tracker.waiting = true;
      return;
    }
    if (msg.v !== undefined && msg.v > SCHEMA) console.warn("infoway-widgets: newer frame schema", msg.v);
    const frame = decodeFrame(msg, buffers);
    if (this.tracker.accept(frame.header)) this.receive(frame);
  }

  /** @param {RawFrame} frame in order */
  receive(frame) {
    const change = this.state.apply(frame);
    this.updates += 1;
    if (frame.header.reset) this.resets += 1;
    this.seq = Number(frame.header.seq);
    this.broadcast(change);
  }

  /**
   * Make the model's `_snapshot` save as the state the views show at that moment: a saved notebook
   * (and the widget manager's exports) then keep exactly what was on screen, and nothing is built
   * while frames flow. The widget managers copy a model's state to save it: ipywidgets through
   * JSON.stringify, anywidget through structuredClone; both read the trait object's own enumerable
   * properties, so its `header` and `cols` become getters of this store's state, built when read
   * (once per frame received at most). Not `model.set`: that would queue the value for the next
   * `save_changes` (a click on the interval switch would upload it to Python, which would echo it
   * to every page).
   */
  keepSnapshot() {
    const holder = this.model.get("_snapshot");
    if (!holder || typeof holder !== "object" || !Object.isExtensible(holder)) return;
    const asSent = { header: holder.header, cols: holder.cols };
    /** @type {{at: number, value: {header?: any, cols?: any}}|null} */
    let built = null;
    const current = () => {
      const at = this.disposed ? -1 : this.updates;
      if (!built || built.at !== at) built = { at, value: this.savedState() ?? asSent };
      return built.value;
    };
    for (const key of /** @type {const} */ (["header", "cols"])) {
      Object.defineProperty(holder, key, { get: () => current()[key], enumerable: true, configurable: true });
    }
  }

  /** The state the views show, in the `_snapshot` trait's form (null before any frame). */
  savedState() {
    if (this.disposed || !this.updates || !this.state.snapshot) return null;
    const frame = this.state.snapshot();
    return frame ? snapshotOf(frame, this.seq) : null;
  }

  /** @param {ChangeOf<R>|null} change */
  broadcast(change) {
    if (change == null) return;
    for (const fn of [...this.listeners]) {
      try { fn(change); } catch (e) { console.error(e); } // one view's bug must not starve the others
    }
  }

  /**
   * Call `fn` with every change from now on; returns the unsubscribe.
   * @param {(change: ChangeOf<R>) => void} fn
   */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  /** Stop listening to the model (it closed, or the module was reloaded). */
  dispose() {
    if (this.disposed) return;
    if (this.views) this.send({ type: "views", id: this.id, n: 0 }); // a module reload, not a close
    this.disposed = true;
    for (const fn of this.cleanups.splice(0)) fn();
    this.link.dispose();
    this.state.dispose?.();
    this.listeners.clear();
  }
}

/**
 * An anywidget module whose state lives per model. anywidget calls the returned function once
 * per model (each model loads its own instance of the module), so the closure belongs to one
 * model: `initialize` creates its store and releases it when the model closes (or the module is
 * hot-reloaded); every `render` draws from that store and returns its own cleanup.
 * @template {{dispose(): void, attach(): void, detach(): void}} S
 * @param {(model: Model) => S} createStore
 * @param {(ctx: {model: Model, el: HTMLElement}, store: S) => () => void} renderView
 */
export function defineWidget(createStore, renderView) {
  return () => {
    /** @type {S|null} */
    let store = null;
    return {
      /** @param {{model: Model}} ctx */
      initialize({ model }) {
        const own = createStore(model);
        store = own;
        return () => {
          own.dispose();
          if (store === own) store = null;
        };
      },
      /** @param {{model: Model, el: HTMLElement}} ctx */
      render({ model, el }) {
        // initialize always runs first in anywidget >= 0.9; a host without it still gets a store
        if (!store) store = createStore(model);
        const own = store;
        const cleanup = renderView({ model, el }, own);
        own.attach();
        return () => {
          cleanup();
          own.detach();
        };
      },
    };
  };
}
