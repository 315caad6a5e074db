// @ts-check
// The scaffold every widget view shares: root element with header, status badge, palette,
// drawing from the model's store, and cleanup. Each widget adds its body. Styles come once per
// page from the `_css` trait (widgets.css), not per view.

import { displayZone } from "./format.js";
import { labels } from "./i18n.js";
import { alpha, onPageTheme, palette } from "./theme.js";
import { unitOf } from "./units.js";

/**
 * @typedef {import("./theme.js").Palette} Palette
 * @typedef {import("./store.js").Model} Model
 */

export class View {
  /**
   * @param {{model: Model, el: HTMLElement}} ctx
   * @param {string} kind "candle" | "book" | "tape" | "board" | "intraday"
   */
  constructor({ model, el }, kind) {
    this.model = model;
    this.el = el;
    this.kind = kind;
    /** @type {Array<() => void>} */
    this.cleanups = [];
    this.updates = 0;
    this.destroyed = false;
    /** @type {import("./link.js").KernelLink|null} the model's kernel link, once following a store */
    this.link = null;
    /** @type {Array<(p: Palette) => void>} */
    this.themeListeners = [];

    const root = document.createElement("div");
    root.className = `iw-root iw-${kind}`;
    const head = document.createElement("div");
    head.className = "iw-head";
    this.titleEl = document.createElement("span");
    this.titleEl.className = "iw-title";
    this.subEl = document.createElement("span");
    this.subEl.className = "iw-sub";
    this.tools = document.createElement("span");
    this.tools.className = "iw-btns";
    const spacer = document.createElement("span");
    spacer.className = "iw-spacer";
    this.badge = document.createElement("span");
    this.badge.className = "iw-badge";
    head.append(this.titleEl, this.subEl, spacer, this.tools, this.badge);
    this.body = document.createElement("div");
    this.body.className = "iw-body";
    root.append(head, this.body);
    el.appendChild(root);
    this.root = root;
    this.head = head;
    root.dataset.updates = "0";

    this.pal = this.computePalette();
    this.applyPalette();
    this.renderStatus();
    this.renderTitle();

    /** whether the view is on screen (or within a screen of it): off it, draws wait */
    this.onScreen = true;
    /** @type {Set<() => void>} draws asked for while off screen, run when it comes back */
    this.waiting = new Set();
    /** @type {Array<() => void>} */
    this.showListeners = [];
    /** @type {{screen(on: boolean): void}|null} the store told when the view leaves or comes back */
    this.screenStore = null;
    this.watchScreen();

    this.listen("change:status change:status_message change:simulated", () => this.renderStatus());
    this.listen("change:locale", () => { this.renderStatus(); this.renderTitle(); });
    this.listen("change:_market change:symbol", () => this.renderTitle());
    this.listen("change:theme change:up_color change:down_color change:_market", () => this.retheme());
    this.cleanups.push(onPageTheme(() => this.retheme()));
  }

  /** Trait value. @param {string} name */
  get(name) { return this.model.get(name); }

  /** @returns {"en"|"zh"} */
  get locale() { return this.get("locale") === "zh" ? "zh" : "en"; }
  get L() { return labels(this.locale); }
  /** @returns {Record<string, any>} */
  get market() { return this.get("_market") || {}; }
  get decimals() { const d = this.market.price_decimals; return Number.isFinite(d) ? d : 2; }
  /** The unit volumes are shown in (lots for A-shares, shares, a base asset). */
  get unit() { return unitOf(this.market); }
  /** The zone labels are shown in: the `timezone` trait, else the exchange's. */
  get tz() { return displayZone(this.get("timezone"), this.market); }

  /**
   * A table that scrolls inside the body, sized by the `height` trait.
   * @param {number} fallback height in px when the trait is unset
   * @param {"height"|"maxHeight"} how fixed height, or at most that height
   */
  scrollingTable(fallback, how) {
    const scroller = document.createElement("div");
    scroller.className = "iw-scroller";
    const table = document.createElement("table");
    table.className = "iw-table";
    const thead = document.createElement("thead");
    const tbody = document.createElement("tbody");
    table.append(thead, tbody);
    scroller.append(table);
    this.body.append(scroller);
    const size = () => { scroller.style[how] = `${this.get("height") || fallback}px`; };
    size();
    this.listen("change:height", size);
    /**
     * Replace every row, keeping the reader's scroll position (a full frame is not a reason to
     * jump back to the top).
     * @param {HTMLTableRowElement[]} rows
     */
    const replaceRows = (rows) => {
      const top = scroller.scrollTop;
      tbody.replaceChildren(...rows);
      scroller.scrollTop = top;
    };
    return { scroller, table, thead, tbody, replaceRows };
  }

  /**
   * model.on with automatic removal at cleanup.
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
   * Draw from the model's store: now, if it holds data already (a late view), then on every
   * change. `draw(null)` means "draw everything". Counts what this view applied in
   * data-updates, data-seq and data-resets (full frames since the view opened).
   * @template {import("./store.js").Reducer<any>} R
   * @param {import("./store.js").ModelStore<R>} store
   * @param {(change: import("./store.js").ChangeOf<R>|null) => void} draw
   */
  follow(store, draw) {
    this.link = store.link;
    this.screenStore = store;
    if (!this.onScreen) store.screen(false);
    this.cleanups.push(() => { if (!this.onScreen) store.screen(true); this.screenStore = null; });
    this.cleanups.push(store.link.subscribe(() => { if (!this.destroyed) this.renderStatus(); }));
    this.renderStatus();
    const resets0 = store.resets;
    const count = () => {
      this.updates += 1;
      this.root.dataset.updates = String(this.updates);
      this.root.dataset.seq = String(store.seq);
      this.root.dataset.resets = String(store.resets - resets0);
    };
    this.cleanups.push(store.subscribe((change) => {
      if (this.destroyed) return;
      draw(change);
      count();
    }));
    draw(null);
    if (store.updates) count();
  }

  /** A message to Python; silently dropped where there is no kernel (HTML export). @param {Record<string, any>} msg */
  send(msg) {
    try { this.model.send(msg); } catch { /* no kernel */ }
  }

  /** Set a trait from the view and sync it to Python. @param {string} name @param {any} value */
  setTrait(name, value) {
    this.model.set(name, value);
    this.model.save_changes();
  }

  /**
   * Follow whether the root is on screen. A notebook of twenty live widgets shows two or three
   * at a time; the others keep their state current (the store takes every frame) but draw
   * nothing until they are scrolled back to: then they draw once, from the state.
   */
  watchScreen() {
    if (typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((entries) => {
      const on = entries[entries.length - 1].isIntersecting;
      if (on === this.onScreen) return;
      this.onScreen = on;
      this.root.dataset.onScreen = on ? "1" : "0";
      this.screenStore?.screen(on);
      if (!on) return;
      for (const fn of this.showListeners) fn();
      const runs = [...this.waiting];
      this.waiting.clear();
      for (const run of runs) run();
    }, { rootMargin: "50% 0px" });
    io.observe(this.root);
    this.cleanups.push(() => io.disconnect());
  }

  /** `fn` runs each time the view comes back on screen. @param {() => void} fn */
  onShow(fn) { this.showListeners.push(fn); }

  computePalette() {
    const m = this.market;
    return palette(this.el, {
      theme: this.get("theme") || "auto",
      redUp: !!m.red_up,
      upColor: this.get("up_color") || "",
      downColor: this.get("down_color") || "",
    });
  }

  applyPalette() {
    const p = this.pal;
    const s = this.root.style;
    s.setProperty("--iw-bg", p.bg);
    s.setProperty("--iw-fg", p.fg);
    s.setProperty("--iw-muted", p.muted);
    s.setProperty("--iw-grid", p.grid);
    s.setProperty("--iw-border", p.border);
    s.setProperty("--iw-panel", p.panel);
    s.setProperty("--iw-up", p.up);
    s.setProperty("--iw-down", p.down);
    s.setProperty("--iw-up-a", alpha(p.up, 0.35));
    s.setProperty("--iw-down-a", alpha(p.down, 0.35));
    this.root.dataset.theme = p.dark ? "dark" : "light";
  }

  retheme() {
    this.pal = this.computePalette();
    this.applyPalette();
    for (const fn of this.themeListeners) fn(this.pal);
  }

  /** @param {(p: Palette) => void} fn */
  onTheme(fn) { this.themeListeners.push(fn); }

  renderStatus() {
    const link = this.link ? this.link.stateFor(this.el) : "live";
    this.root.dataset.link = link;
    if (link !== "live") {
      // the numbers are frozen: whatever the saved status said, it is not live any more
      const L = this.L;
      const saved = this.get("status") || "connecting";
      const status = link === "disconnected" ? "disconnected" : saved;
      // a page of iw.export_html says when and from what it was written ("saved": its note)
      const note = link === "saved" && saved === "saved" ? this.get("status_message") || "" : "";
      this.badge.textContent = link === "disconnected" ? L.status.disconnected
        : note ? `${L.status.saved}: ${note}` : L.status.saved;
      this.badge.title = link === "disconnected" ? L.disconnectedHint : note || L.savedHint;
      this.badge.dataset.status = link === "disconnected" ? "disconnected" : "saved";
      this.root.dataset.status = status;
      return;
    }
    const status = this.get("status") || "connecting";
    const msg = this.get("status_message") || "";
    const text = this.L.status[status] || status;
    this.badge.textContent = msg && status !== "simulated" && status !== "live" ? `${text}: ${msg}` : text;
    this.badge.title = msg;
    this.badge.dataset.status = status;
    this.root.dataset.status = status;
  }

  renderTitle() {
    const m = this.market;
    const sym = this.get("title") || m.code || this.get("symbol") || "";
    this.titleEl.textContent = sym;
    this.subEl.textContent = m.name || "";
    this.root.dataset.symbol = sym;
  }

  /**
   * Runs `fn` once on the next animation frame however often it is asked for; off screen, once
   * the view is back on it.
   * @param {() => void} fn
   * @returns {() => void} the request
   */
  scheduler(fn) {
    let pending = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    let timer;
    const run = () => {
      if (!pending) return;
      cancelAnimationFrame(pending); clearTimeout(timer);
      pending = 0;
      if (!this.destroyed) fn();
    };
    this.cleanups.push(() => { cancelAnimationFrame(pending); clearTimeout(timer); pending = 0; });
    const request = () => {
      if (pending) return;
      if (!this.onScreen) { this.waiting.add(request); return; }
      pending = requestAnimationFrame(run);
      // animation frames pause in hidden tabs; still render within 250 ms
      timer = setTimeout(run, 250);
    };
    return request;
  }

  /** Disconnect every listener and observer this view made, and remove its element. */
  destroy() {
    this.destroyed = true;
    for (const fn of this.cleanups.splice(0)) {
      try { fn(); } catch (e) { console.warn(e); }
    }
    this.root.remove();
  }
}
