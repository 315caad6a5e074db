// @ts-check
// A CandleChart view's study tools in its legends: beside each study a ⚙ (a small popover with
// one input per parameter: Enter or OK applies, Escape or Cancel closes) and a × (remove), and in
// the main legend a "+" (a menu of the built-in studies not shown). They set the `studies` trait
// from the page; what Python refuses comes back in `_study_refused` (the views are put back on
// the old studies) and shows beside the study, as a failing study's error does. Python is the
// judge of a value: the page only refuses what is not a number at all.
//
// The legends are rebuilt every frame (lib/patch.js keeps their elements), so the buttons are
// plain elements found by one click listener on the host, and the popover lives outside them.
// Where no kernel is behind the model (a saved notebook, an HTML export) the tools are hidden
// by CSS (the view root's data-link), and do nothing if reached.

import { labels } from "./i18n.js";

/**
 * @typedef {import("./store.js").Model} Model
 * @typedef {import("./chartseries.js").StudyMeta} StudyMeta
 * @typedef {{name: string, title: string[], pane: string}} CatalogEntry one of `_study_catalog`
 * @typedef {string|Record<string, any>} StudyItem one entry of `studies`
 * @typedef {number|number[]} ParamValue
 */

/** The study an entry of `studies` names. @param {StudyItem} item */
export function studyName(item) {
  const name = typeof item === "string" ? item : item && typeof item.name === "string" ? item.name : "";
  return name.trim().toLowerCase();
}

/**
 * `items` with study `key`'s entry replaced by `{name: key, ...params}` (in its place).
 * @param {StudyItem[]} items @param {string} key @param {Record<string, ParamValue>} params
 * @returns {StudyItem[]}
 */
export function withParams(items, key, params) {
  const entry = { name: key, ...params };
  const k = items.findIndex((x) => studyName(x) === key);
  return k < 0 ? [...items, entry] : items.map((x, j) => (j === k ? entry : x));
}

/** `items` without study `key`. @param {StudyItem[]} items @param {string} key */
export function without(items, key) {
  return items.filter((x) => studyName(x) !== key);
}

/**
 * What an input's text says, as a value like the parameter's current one: a number, or for a
 * list (periods) numbers separated by commas or spaces. Null when it is not that.
 * @param {string} text @param {any} like
 * @returns {ParamValue|null}
 */
export function parseParam(text, like) {
  const num = (/** @type {string} */ s) => (s.trim() === "" ? NaN : Number(s));
  if (Array.isArray(like)) {
    const parts = text.split(/[\s,，;；]+/).filter((s) => s !== "");
    const values = parts.map(num);
    return values.length && values.every(Number.isFinite) ? values : null;
  }
  const v = num(text);
  return Number.isFinite(v) ? v : null;
}

/** @param {ParamValue} v */
const shown = (v) => (Array.isArray(v) ? v.join(", ") : String(v));

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string} cls @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function make(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class StudySettings {
  /**
   * @param {object} o
   * @param {HTMLElement} o.host holds the legends; the popover goes in it (positioned)
   * @param {Model} o.model
   * @param {() => string} o.locale "zh" or "en"
   * @param {() => boolean} [o.editable] whether a kernel is behind the model
   */
  constructor({ host, model, locale, editable = () => true }) {
    this.host = host;
    this.model = model;
    this.locale = locale;
    this.editable = editable;
    /** @type {HTMLElement|null} the open popover or menu */
    this.popup = null;
    /** @type {string} the study the popover edits ("" for the add menu) */
    this.openKey = "";
    /** @type {Array<() => void>} */
    this.cleanups = [];
    /** @param {MouseEvent} ev */
    const onClick = (ev) => this.onClick(ev);
    host.addEventListener("click", onClick);
    this.cleanups.push(() => host.removeEventListener("click", onClick));
    // a click elsewhere closes what is open
    /** @param {Event} ev */
    const onOutside = (ev) => {
      const t = /** @type {Node|null} */ (ev.target);
      if (!this.popup || (t && this.popup.contains(t))) return;
      if (t instanceof Element && t.closest("[data-study-settings], [data-study-add]")) return;
      this.close(false);
    };
    document.addEventListener("pointerdown", onOutside, true);
    this.cleanups.push(() => document.removeEventListener("pointerdown", onOutside, true));
  }

  get L() { return labels(this.locale()); }

  /** @returns {StudyMeta[]} */
  metas() { return this.model.get("_study_meta") || []; }

  /** @returns {CatalogEntry[]} */
  catalog() { return this.model.get("_study_catalog") || []; }

  /** @returns {{key?: string, message?: string}} */
  refused() { return this.model.get("_study_refused") || {}; }

  /** The built-in's long name in the view's language. @param {string} key */
  title(key) {
    const c = this.catalog().find((x) => x.name === key);
    return c ? c.title[this.locale() === "zh" ? 0 : 1] || "" : "";
  }

  /** @param {string} text */
  refusal(text) {
    const e = make("span", "iw-row-error iw-study-refused", ` ${this.L.studyRefused.replace("{m}", text)}`);
    e.dataset.studyRefused = "1";
    return e;
  }

  // ---- the legend's buttons -------------------------------------------------------------------
  /**
   * Put ⚙ and × after the label of each study's legend box (`span.iw-study[data-study]`, see
   * ChartExtras.legend), and a refusal that names the study after them.
   * @param {Iterable<HTMLElement[]>} panes the legend items of each pane
   */
  decorate(panes) {
    const L = this.L;
    const builtin = new Set(this.catalog().map((c) => c.name));
    const refused = this.refused();
    for (const items of panes) {
      for (const box of items) {
        const key = box.dataset.study;
        if (!key || !box.classList.contains("iw-study")) continue;
        const label = box.firstElementChild?.textContent || key.toUpperCase();
        /** @type {HTMLElement[]} */
        const tools = [];
        if (builtin.has(key)) {
          const gear = make("button", "iw-study-tool", "⚙");
          gear.type = "button";
          gear.dataset.studySettings = key;
          gear.setAttribute("aria-label", `${L.studySettings} ${label}`);
          gear.setAttribute("aria-haspopup", "dialog");
          gear.setAttribute("aria-expanded", String(this.openKey === key && !!this.popup));
          gear.title = `${L.studySettings} ${label}`;
          tools.push(gear);
        }
        const remove = make("button", "iw-study-tool", "×");
        remove.type = "button";
        remove.dataset.studyRemove = key;
        remove.setAttribute("aria-label", `${L.studyRemove} ${label}`);
        remove.title = `${L.studyRemove} ${label}`;
        tools.push(remove);
        if (refused.key === key && refused.message) tools.push(this.refusal(refused.message));
        const after = box.firstElementChild;
        if (after) after.after(...tools);
        else box.prepend(...tools);
      }
    }
  }

  /**
   * The main legend's "+" (the add menu), and a refusal that names no study shown there.
   * @param {string[]} [shownKeys] the studies with a legend box (default: those of `_study_meta`)
   * @returns {HTMLElement[]}
   */
  addTools(shownKeys) {
    const L = this.L;
    const add = make("button", "iw-study-tool iw-study-add", L.studyAddShort);
    add.type = "button";
    add.dataset.studyAdd = "1";
    add.setAttribute("aria-label", L.studyAdd);
    add.setAttribute("aria-haspopup", "menu");
    add.setAttribute("aria-expanded", String(this.openKey === "" && !!this.popup));
    add.title = L.studyAdd;
    /** @type {HTMLElement[]} */
    const out = [add];
    const refused = this.refused();
    const keys = shownKeys || this.metas().map((m) => m.key);
    if (refused.message && !keys.includes(refused.key || "")) out.push(this.refusal(refused.message));
    return out;
  }

  /** @param {MouseEvent} ev */
  onClick(ev) {
    const t = ev.target instanceof Element ? ev.target : null;
    const b = t && t.closest("button");
    if (!b || !this.host.contains(b)) return;
    const d = /** @type {HTMLElement} */ (b).dataset;
    if (d.studySettings !== undefined) {
      ev.stopPropagation();
      if (this.popup && this.openKey === d.studySettings) this.close(true);
      else this.open(d.studySettings, /** @type {HTMLElement} */ (b));
    } else if (d.studyRemove !== undefined) {
      ev.stopPropagation();
      this.remove(d.studyRemove);
    } else if (d.studyAdd !== undefined) {
      ev.stopPropagation();
      if (this.popup && this.openKey === "") this.close(true);
      else this.openMenu(/** @type {HTMLElement} */ (b));
    }
  }

  // ---- setting `studies` ----------------------------------------------------------------------
  /** @returns {StudyItem[]} */
  items() { return [...(this.model.get("studies") || [])]; }

  /** @param {StudyItem[]} next */
  save(next) {
    if (!this.editable()) return;
    this.model.set("studies", next);
    this.model.save_changes();
  }

  /** Stop showing study `key`. @param {string} key */
  remove(key) {
    if (this.openKey === key) this.close(false);
    this.save(without(this.items(), key));
  }

  /** Show built-in `key` on its defaults. @param {string} key */
  add(key) {
    this.close(true);
    if (this.items().some((x) => studyName(x) === key)) return;
    this.save([...this.items(), key]);
  }

  // ---- the popover and the menu ----------------------------------------------------------------
  /**
   * Open the settings of study `key`, under `anchor` (default: its ⚙ in the legend).
   * @param {string} key @param {HTMLElement} [anchor]
   * @returns {HTMLElement|null} the popover
   */
  open(key, anchor) {
    const meta = this.metas().find((m) => m.key === key);
    this.close(false);
    if (!meta || !this.editable()) return null;
    const L = this.L;
    const pop = make("div", "iw-popover iw-study-popover");
    pop.dataset.studyPopover = key;
    pop.setAttribute("role", "dialog");
    pop.setAttribute("aria-label", `${L.studySettings} ${meta.label}`);
    const title = this.title(key);
    const head = make("div", "iw-popover-title", title ? `${key.toUpperCase()} · ${title}` : key.toUpperCase());
    pop.append(head);
    /** @type {Array<{name: string, input: HTMLInputElement, like: any}>} */
    const fields = [];
    for (const [name, value] of Object.entries(meta.params || {})) {
      const isList = Array.isArray(value);
      if (!isList && typeof value !== "number") continue;
      const row = make("label", "iw-popover-row");
      const input = make("input", "iw-popover-input");
      input.name = name;
      if (isList) { input.type = "text"; input.inputMode = "decimal"; } else { input.type = "number"; input.step = "any"; }
      input.value = shown(value);
      input.dataset.param = name;
      row.append(make("span", "iw-popover-label", name), input);
      pop.append(row);
      fields.push({ name, input, like: value });
    }
    const btns = make("div", "iw-popover-btns");
    const cancel = make("button", "iw-btn", L.cancel);
    cancel.type = "button";
    cancel.dataset.studyCancel = key;
    const ok = make("button", "iw-btn iw-btn-primary", L.ok);
    ok.type = "button";
    ok.dataset.studyApply = key;
    btns.append(cancel, ok);
    pop.append(btns);

    const apply = () => {
      /** @type {Record<string, ParamValue>} */
      const params = {};
      let bad = null;
      for (const f of fields) {
        const v = parseParam(f.input.value, f.like);
        f.input.setAttribute("aria-invalid", String(v === null));
        if (v === null) bad = bad || f.input;
        else params[f.name] = v;
      }
      if (bad) { bad.focus(); return; }
      this.close(true);
      this.save(withParams(this.items(), key, params));
    };
    ok.addEventListener("click", apply);
    cancel.addEventListener("click", () => this.close(true));
    pop.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); this.close(true); }
      else if (ev.key === "Enter" && ev.target instanceof HTMLInputElement) { ev.preventDefault(); ev.stopPropagation(); apply(); }
    });
    this.show(pop, key, anchor || this.button(`[data-study-settings="${key}"]`));
    (fields[0]?.input || ok).focus();
    fields[0]?.input.select?.();
    return pop;
  }

  /**
   * Open the add menu (the built-in studies not shown), under `anchor` (default: the "+").
   * @param {HTMLElement} [anchor]
   * @returns {HTMLElement|null}
   */
  openMenu(anchor) {
    this.close(false);
    if (!this.editable()) return null;
    const L = this.L;
    const have = new Set(this.items().map(studyName));
    const menu = make("div", "iw-popover iw-study-menu");
    menu.dataset.studyMenu = "1";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", L.studyAdd);
    const choices = this.catalog().filter((c) => !have.has(c.name));
    if (!choices.length) menu.append(make("div", "iw-muted iw-popover-row", L.allStudiesShown));
    /** @type {HTMLButtonElement[]} */
    const items = choices.map((c) => {
      const b = make("button", "iw-study-menu-item");
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.dataset.studyAddItem = c.name;
      const title = c.title[this.locale() === "zh" ? 0 : 1] || "";
      b.append(make("span", "iw-study-menu-name", c.name.toUpperCase()), make("span", "iw-muted", title));
      b.addEventListener("click", () => this.add(c.name));
      return b;
    });
    menu.append(...items);
    menu.addEventListener("keydown", (ev) => {
      const k = items.indexOf(/** @type {HTMLButtonElement} */ (ev.target));
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); this.close(true); }
      else if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && items.length) {
        ev.preventDefault();
        ev.stopPropagation();
        const step = ev.key === "ArrowDown" ? 1 : -1;
        items[(k + step + items.length) % items.length].focus();
      }
    });
    this.show(menu, "", anchor || this.button("[data-study-add]"));
    items[0]?.focus();
    return menu;
  }

  /** @param {string} selector @returns {HTMLElement|undefined} */
  button(selector) {
    return /** @type {HTMLElement|null} */ (this.host.querySelector(selector)) || undefined;
  }

  /**
   * Put `pop` in the host, under `anchor` (above it where there is no room below), inside the
   * host's width.
   * @param {HTMLElement} pop @param {string} key @param {HTMLElement} [anchor]
   */
  show(pop, key, anchor) {
    this.popup = pop;
    this.openKey = key;
    this.host.append(pop);
    anchor?.setAttribute("aria-expanded", "true");
    const hb = this.host.getBoundingClientRect();
    const ab = anchor ? anchor.getBoundingClientRect() : { left: hb.left + 8, top: hb.top + 8, bottom: hb.top + 24 };
    const w = pop.offsetWidth, h = pop.offsetHeight;
    const left = Math.max(4, Math.min(ab.left - hb.left, hb.width - w - 4));
    const below = ab.bottom - hb.top + 4;
    const top = below + h > hb.height && ab.top - hb.top - h - 4 >= 0 ? ab.top - hb.top - h - 4 : below;
    pop.style.left = `${Math.round(left)}px`;
    pop.style.top = `${Math.round(top)}px`;
  }

  /**
   * Close what is open; `refocus` puts the focus back on the button that opened it (a keyboard
   * user goes on from there).
   * @param {boolean} refocus
   */
  close(refocus) {
    const pop = this.popup;
    if (!pop) return;
    const key = this.openKey;
    const hadFocus = pop.contains(document.activeElement);
    pop.remove();
    this.popup = null;
    this.openKey = "";
    const anchor = this.button(key ? `[data-study-settings="${key}"]` : "[data-study-add]");
    anchor?.setAttribute("aria-expanded", "false");
    if (refocus && hadFocus) anchor?.focus();
  }

  /** The studies changed: a popover of a study no longer shown closes. */
  metasChanged() {
    if (this.popup && this.openKey && !this.metas().some((m) => m.key === this.openKey)) this.close(false);
  }

  dispose() {
    this.close(false);
    for (const fn of this.cleanups.splice(0)) fn();
  }
}
