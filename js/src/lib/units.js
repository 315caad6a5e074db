// @ts-check
// The unit volumes are shown in, from what Python says about the instrument (`_market`:
// volume_unit, volume_per_unit, volume_decimals; infoway_widgets/market/units.py): A-shares in
// lots (手), stocks elsewhere in shares, a crypto pair in its base asset. Frames carry raw sizes
// (shares, coins); only the text is divided, so every widget of a market reads in one unit.

import { formatVolume } from "./format.js";

/**
 * @typedef {{key: string, per: number, decimals: number}} Unit
 *   `key` "lots" | "shares" | "units" | a base asset ("BTC"); `per` raw size in one unit;
 *   `decimals` of a size in this unit
 */

/** Units whose name is a word of the locale (a base asset reads as itself). */
const WORDS = new Set(["lots", "shares", "units"]);

const fin = (/** @type {any} */ x) => typeof x === "number" && Number.isFinite(x);

/**
 * The unit of an instrument, from its `_market` entry. A state saved before units were sent
 * falls back to lots for A-shares and to the instrument's size decimals elsewhere.
 * @param {Record<string, any>|undefined|null} m
 * @returns {Unit}
 */
export function unitOf(m) {
  const per = m && fin(m.volume_per_unit) && m.volume_per_unit > 0 ? m.volume_per_unit : 1;
  if (m && typeof m.volume_unit === "string" && m.volume_unit) {
    return { key: m.volume_unit, per, decimals: fin(m.volume_decimals) ? m.volume_decimals : 0 };
  }
  if (m?.market === "CN" && fin(m.lot_size) && m.lot_size > 1) return { key: "lots", per: m.lot_size, decimals: 2 };
  const code = String(m?.code || ""), cur = String(m?.currency || "");
  const base = code.endsWith(cur) && code.length > cur.length ? code.slice(0, code.length - cur.length) : "units";
  const key = m?.market === "CRYPTO" ? base : m?.market === "HK" || m?.market === "US" || m?.market === "CN" ? "shares" : "units";
  return { key, per: 1, decimals: fin(m?.size_decimals) ? m?.size_decimals : m?.market === "CRYPTO" ? 5 : 0 };
}

/**
 * The unit's name: "lots" / "手", "shares" / "股", "units" / "单位"; a base asset as itself.
 * @param {Unit} u @param {Record<string, any>} L labels of the locale
 */
export function unitName(u, L) {
  return WORDS.has(u.key) ? L[u.key] || u.key : u.key;
}

/**
 * A raw size as a number in the unit: compact above 10^4 (zh) / 10^3 (en), else with at most the
 * unit's decimals, so that 0.00002 BTC reads "0.00002" and an odd lot of 150 shares "1.5" (手).
 * @param {number|null|undefined} raw @param {Unit} u @param {"en"|"zh"} locale
 */
export function formatSize(raw, u, locale) {
  if (raw == null || !Number.isFinite(raw)) return "—";
  return formatVolume(raw / u.per, locale, 2, u.decimals);
}

/**
 * A raw size with its unit: "947手", "947 lots", "12.35M shares", "0.00002 BTC".
 * @param {number|null|undefined} raw @param {Unit} u @param {"en"|"zh"} locale @param {Record<string, any>} L
 */
export function formatSizeWithUnit(raw, u, locale, L) {
  const text = formatSize(raw, u, locale);
  if (text === "—") return text;
  const name = unitName(u, L);
  return locale === "zh" && WORDS.has(u.key) ? `${text}${name}` : `${text} ${name}`;
}

/**
 * A signed raw size with its unit, e.g. 委差: "+487手", "-11 lots".
 * @param {number|null|undefined} raw @param {Unit} u @param {"en"|"zh"} locale @param {Record<string, any>} L
 */
export function formatSignedSize(raw, u, locale, L) {
  const text = formatSizeWithUnit(raw, u, locale, L);
  return fin(raw) && /** @type {number} */ (raw) > 0 ? `+${text}` : text;
}

/**
 * A column header that names the unit of its numbers: "Size (lots)", "数量(手)".
 * @param {string} label @param {Unit} u @param {"en"|"zh"} locale @param {Record<string, any>} L
 */
export function labelWithUnit(label, u, locale, L) {
  const name = unitName(u, L);
  return locale === "zh" ? `${label}(${name})` : `${label} (${name})`;
}
