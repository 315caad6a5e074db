// @ts-check
// Whether a model still has a kernel behind it, as far as this page can tell. One per model.
//
// What a model hears when its kernel goes, seen in JupyterLab 4.6 with jupyterlab_widgets 3.0.17
// (ipywidgets 8; Notebook 7 shares the manager):
// * a restart: the kernel connection (`widget_manager.kernel`) emits `statusChanged`
//   "restarting", "unknown", then "starting" and "idle" with the same connection object. The
//   manager calls disconnect() (every model's `comm_live` false, "comm_live_update"), but no
//   "comm:close" comes and the views stay on the page, frozen; no
//   `jupyter-widgets-disconnected` class appeared on them there.
// * a shutdown: `statusChanged` "dead", then `disposed`, then `connectionStatusChanged`
//   "disconnected"; the models keep their (dead) comms.
// * a notebook restored from its saved widget state, an HTML export: the models are made without
//   a comm (`comm_live` false from the start), so ipywidgets' DOMWidgetView puts the class
//   `jupyter-widgets-disconnected` on the view's element (anywidget's `el`) before the first
//   render, and no message from Python ever comes.
// anywidget hands views a proxy of the model (get/set/on/off/send/widget_manager), not
// `comm_live`: the kernel's signals and that class are what a page can see of it.

const DISCONNECTED_CLASS = "jupyter-widgets-disconnected";
const GONE = new Set(["restarting", "autorestarting", "dead"]);

/** @typedef {"live"|"disconnected"|"saved"} LinkState */

export class KernelLink {
  /** @param {import("./store.js").Model} model */
  constructor(model) {
    /** a kernel was seen behind this model: a message from Python, or a view with a live comm */
    this.seenLive = false;
    /** the kernel restarted, died or was shut down: this model's comm will not come back */
    this.gone = false;
    /** the page lost its connection to the kernel (it may come back) */
    this.unreachable = false;
    /** @type {Set<() => void>} */
    this.listeners = new Set();
    /** @type {Array<() => void>} */
    this.cleanups = [];
    // the view's own listener updates its class first: read it once that has run
    const onCommLive = () => { queueMicrotask(() => this.changed()); };
    model.on("comm_live_update", onCommLive);
    this.cleanups.push(() => model.off("comm_live_update", onCommLive));
    this.watchKernel(model);
  }

  /** @param {import("./store.js").Model} model */
  watchKernel(model) {
    /** @type {any} */
    let kernel = null;
    try { kernel = /** @type {any} */ (model).widget_manager?.kernel ?? null; } catch { kernel = null; }
    if (!kernel || typeof kernel.statusChanged?.connect !== "function") return;
    /** @param {any} _sender @param {string} status */
    const onStatus = (_sender, status) => { if (GONE.has(status)) this.set({ gone: true }); };
    /** @param {any} _sender @param {string} status */
    const onConnection = (_sender, status) => this.set({ unreachable: status !== "connected" });
    const onDisposed = () => this.set({ gone: true });
    /** @type {Array<[any, Function]>} */
    const slots = [[kernel.statusChanged, onStatus], [kernel.connectionStatusChanged, onConnection], [kernel.disposed, onDisposed]];
    for (const [signal, slot] of slots) {
      try { signal?.connect(slot); this.cleanups.push(() => { try { signal.disconnect(slot); } catch { /* gone */ } }); } catch { /* not a signal */ }
    }
    if (kernel.isDisposed || GONE.has(kernel.status)) this.gone = true;
  }

  /** @param {{gone?: boolean, unreachable?: boolean}} next */
  set(next) {
    const gone = this.gone || !!next.gone;
    const unreachable = next.unreachable ?? this.unreachable;
    if (gone === this.gone && unreachable === this.unreachable) return;
    this.gone = gone;
    this.unreachable = unreachable;
    this.changed();
  }

  /** Python spoke: a kernel is behind this model. */
  heard() {
    if (this.seenLive) return;
    this.seenLive = true;
    this.changed();
  }

  changed() {
    for (const fn of [...this.listeners]) {
      try { fn(); } catch (e) { console.error(e); }
    }
  }

  /**
   * The state a view on `el` shows: "live", "disconnected" (a kernel was there and is gone) or
   * "saved" (state saved with the notebook or an export, never a kernel behind it).
   * @param {HTMLElement} el the view's element (anywidget's `el`)
   * @returns {LinkState}
   */
  stateFor(el) {
    const dead = this.gone || this.unreachable || !!el.classList?.contains(DISCONNECTED_CLASS);
    if (!dead) {
      this.seenLive = true;
      return "live";
    }
    return this.seenLive ? "disconnected" : "saved";
  }

  /** Call `fn` whenever the state may have changed; returns the unsubscribe. @param {() => void} fn */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  dispose() {
    for (const fn of this.cleanups.splice(0)) fn();
    this.listeners.clear();
  }
}
