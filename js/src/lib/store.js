// @ts-check
// One store per model. anywidget's initialize({model}) creates it: it reads the `_snapshot`
// trait, decodes each frame Python sends once, checks its seq (asking for a resync once per
// model: at start and after a gap), and hands it to the widget kind's reducer, which holds the
// state (bars, book, tape, quotes, intraday series). Views subscribe and draw from that state:
// a late view draws at once and sends nothing to Python, so it never resets the other views.

import { SCHEMA, SeqTracker, buffersDropped, decodeFrame, decodeSnapshot, probeArrived } from "./wire.js";

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
 */

/**
 * What a widget kind keeps per model: it takes frames in order and says what changed (null: no
 * change for the views). `control` gets the replies that bypass the seq check. The return type
 * of `apply` names every change the kind's views handle.
 * @template C
 * @typedef {object} Reducer
 * @property {(frame: RawFrame) => C|null} apply
 * @property {(msg: Record<string, any>) => C|null} [control]
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
    this.state = makeState((msg) => this.send(msg));
    this.tracker = new SeqTracker(() => this.send({ type: "resync" }));

    const snap = decodeSnapshot(model.get("_snapshot"));
    if (snap && this.tracker.accept(snap.header)) this.receive(snap);
    /** @param {any} msg @param {Array<DataView|ArrayBuffer>} [buffers] */
    const onMessage = (msg, buffers) => this.onMessage(msg, buffers);
    this.listen("msg:custom", onMessage);
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
    if (msg.kind === "control") {
      this.broadcast(this.state.control?.(msg) ?? null);
      return;
    }
    if (msg.kind === "probe") {
      this.reportBuffers(probeArrived(msg, buffers));
      return;
    }
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
    this.disposed = true;
    for (const fn of this.cleanups.splice(0)) fn();
    this.state.dispose?.();
    this.listeners.clear();
  }
}

/**
 * An anywidget module whose state lives per model. anywidget calls the returned function once
 * per model (each model loads its own instance of the module), so the closure belongs to one
 * model: `initialize` creates its store and releases it when the model closes (or the module is
 * hot-reloaded); every `render` draws from that store and returns its own cleanup.
 * @template {{dispose(): void}} S
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
        return renderView({ model, el }, store);
      },
    };
  };
}
