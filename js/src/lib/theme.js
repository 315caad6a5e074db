// @ts-check
// Light/dark palette following JupyterLab (its --jp-* CSS variables and the body's
// data-jp-theme-light attribute), with fallbacks for HTML export and other front-ends.

const LIGHT = { bg: "#ffffff", fg: "#1f2328", muted: "#6e7781", grid: "#eef0f3", border: "#d0d7de", panel: "#f6f8fa" };
const DARK = { bg: "#111418", fg: "#e6edf3", muted: "#8b949e", grid: "#22272e", border: "#373e47", panel: "#1c2128" };
const RED = "#e0313c";
const GREEN = "#16a34a";

/**
 * Is the page dark? `pref` is the widget's `theme` trait ("auto" | "light" | "dark").
 * @param {string} pref
 */
export function isDark(pref) {
  if (pref === "dark") return true;
  if (pref === "light") return false;
  const v = typeof document !== "undefined" ? document.body?.dataset?.jpThemeLight : undefined;
  if (v !== undefined) return v === "false";
  return typeof window !== "undefined" && !!window.matchMedia?.("(prefers-color-scheme: dark)").matches;
}

/**
 * @typedef {{dark: boolean, bg: string, fg: string, muted: string, grid: string, border: string,
 *   panel: string, up: string, down: string}} Palette
 */

/**
 * The colours a view draws with.
 * @param {HTMLElement} el where to read --jp-* variables
 * @param {{theme: string, redUp: boolean, upColor?: string, downColor?: string}} o
 * @returns {Palette}
 */
export function palette(el, o) {
  const dark = isDark(o.theme);
  const base = dark ? DARK : LIGHT;
  const jpDark = typeof document !== "undefined" && document.body?.dataset?.jpThemeLight === "false";
  const jpPresent = typeof document !== "undefined" && document.body?.dataset?.jpThemeLight !== undefined;
  // JupyterLab's variables describe JupyterLab's theme: use them only when we follow it
  const useJp = jpPresent && (o.theme === "auto" || dark === jpDark);
  const css = useJp ? getComputedStyle(el) : null;
  const v = (/** @type {string} */ name, /** @type {string} */ fb) => (css && css.getPropertyValue(name).trim()) || fb;
  const up = o.upColor || (o.redUp ? RED : GREEN);
  const down = o.downColor || (o.redUp ? GREEN : RED);
  return {
    dark,
    bg: v("--jp-layout-color0", base.bg),
    fg: v("--jp-ui-font-color1", base.fg),
    muted: v("--jp-ui-font-color2", base.muted),
    grid: v("--jp-border-color3", base.grid),
    border: v("--jp-border-color2", base.border),
    panel: v("--jp-layout-color1", base.panel),
    up,
    down,
  };
}

/**
 * Calls `cb` when JupyterLab switches theme. Returns the disconnect function.
 * @param {() => void} cb
 */
export function onPageTheme(cb) {
  if (typeof MutationObserver === "undefined" || typeof document === "undefined" || !document.body) return () => {};
  const mo = new MutationObserver(cb);
  mo.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"] });
  const mq = window.matchMedia?.("(prefers-color-scheme: dark)");
  mq?.addEventListener?.("change", cb);
  return () => { mo.disconnect(); mq?.removeEventListener?.("change", cb); };
}

/** Colour with alpha, from #rrggbb. @param {string} hex @param {number} a */
export function alpha(hex, a) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}
