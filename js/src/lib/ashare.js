// @ts-check
// A-share trader views: the 盘口 panel of the order book and the brokerage columns of the quote
// board. Pure functions from numbers the feed computed (Feed.ashare) to text and colour classes;
// nothing here computes a market number.

import { formatChange, formatPct, formatPrice, formatTime, formatVolume } from "./format.js";
import { formatSignedSize, formatSizeWithUnit } from "./units.js";

/**
 * @typedef {{key: string, label: string, text: string, cls: string, title: string}} PanelItem
 * @typedef {{text: string, cls: string, title: string}} Cell
 * @typedef {import("./frames.js").BookStats} Stats what `header.stats` of a book frame holds (null = unknown)
 * @typedef {import("./units.js").Unit} Unit
 */

const fin = (/** @type {any} */ x) => typeof x === "number" && Number.isFinite(x);

/** "iw-up" / "iw-down" / "iw-flat" by the sign of `x` ("" when unknown). @param {any} x */
export function signClass(x) {
  if (!fin(x)) return "";
  return x > 0 ? "iw-up" : x < 0 ? "iw-down" : "iw-flat";
}

/** A ratio such as 量比 or 外内比: "1.23"; "—" when unknown. @param {any} x @param {number} [digits] */
export function formatRatio(x, digits = 2) {
  return fin(x) ? x.toFixed(digits) : "—";
}

/** An unsigned percent such as 振幅: "8.36%". @param {any} pct */
export function formatAmplitude(pct) {
  return fin(pct) ? `${pct.toFixed(2)}%` : "—";
}

/**
 * A volume in lots: "947手", "1.23万手" (zh) or "947 lots", "12.35K lots" (en).
 * @param {any} lots @param {"en"|"zh"} locale
 */
export function formatLots(lots, locale) {
  if (!fin(lots)) return "—";
  const v = formatVolume(lots, locale);
  return locale === "zh" ? `${v}手` : `${v} lots`;
}

/** A signed amount such as 委差: "+4.87万", "-1100". @param {any} v @param {"en"|"zh"} locale */
export function formatSignedVolume(v, locale) {
  if (!fin(v)) return "—";
  const s = formatVolume(v, locale);
  return v > 0 ? `+${s}` : s;
}

/**
 * The badge text for `at_limit` ("up" → 涨停 / Limit up, "down" → 跌停 / Limit down, else "").
 * @param {any} atLimit @param {Record<string, any>} L labels
 */
export function limitLabel(atLimit, L) {
  return atLimit === "up" ? L.limitUp : atLimit === "down" ? L.limitDown : "";
}

/**
 * `at_limit` from the board's numeric column (+1 up, −1 down, 0 none).
 * @param {any} x @returns {"up"|"down"|""}
 */
export function limitOfCode(x) {
  return x === 1 ? "up" : x === -1 ? "down" : "";
}

/**
 * The 盘口 panel as label / value pairs, two per row like a brokerage app: 委比 | 委差, 最新 | 今开,
 * 涨跌 | 昨收, 涨幅 | 最高, 振幅 | 最低, 成交量 | 成交额, 外盘 | 内盘, 量比 | 外内比, 涨停 | 跌停
 * (the last pair left out where the market has no price limits).
 * @param {Stats} s numbers from the book frame's header
 * @param {Record<string, any>} L labels of the locale
 * @param {"en"|"zh"} locale
 * @param {{decimals?: number, lots?: boolean, unit?: Unit, tz?: string}} [opt] price decimals;
 *   whether volume is counted in lots (A-shares); the instrument's volume unit: with it, every
 *   volume (成交量, 外盘, 内盘, 委差) reads in that one unit, with its name; the zone of times
 *   (外盘 / 内盘 incomplete since a reconnect say since when)
 * @returns {PanelItem[]} an even number of items, left then right of each row
 */
export function bookPanel(s, L, locale, opt = {}) {
  const d = opt.decimals ?? 2;
  const u = opt.unit;
  /** @param {any} v */
  const vol = (v) => (u ? formatSizeWithUnit(v, u, locale, L) : formatVolume(v, locale));
  const pc = s.prev_close;
  const vsPrev = (/** @type {any} */ px) => (fin(px) && fin(pc) ? signClass(px - /** @type {number} */ (pc)) : "");
  const chg = signClass(s.change);
  /** @type {PanelItem[]} */
  const items = [];
  /** @param {string} key @param {string} label @param {string} text */
  const add = (key, label, text, cls = "", title = "") => items.push({ key, label, text, cls, title });
  add("bid_ask_ratio", L.bidAskRatio, formatPct(s.bid_ask_ratio), signClass(s.bid_ask_ratio));
  add("bid_ask_diff", L.bidAskDiff, u ? formatSignedSize(s.bid_ask_diff, u, locale, L) : formatSignedVolume(s.bid_ask_diff, locale),
    signClass(s.bid_ask_diff));
  add("last", L.last, formatPrice(s.last, d), chg);
  add("open", L.openPx, formatPrice(s.open, d), vsPrev(s.open));
  add("change", L.change, formatChange(s.change, d), chg);
  add("prev_close", L.prevClose, formatPrice(pc, d));
  add("change_pct", L.pctShort, formatPct(s.change_pct), chg);
  add("high", L.highPx, formatPrice(s.high, d), vsPrev(s.high));
  add("amplitude", L.amplitude, formatAmplitude(s.amplitude));
  add("low", L.lowPx, formatPrice(s.low, d), vsPrev(s.low));
  if (u) add("volume", L.volLots, vol(s.volume), "", u.key === "lots" ? L.lotsNote : "");
  else if (opt.lots && fin(s.volume_lots)) add("volume", L.volLots, formatLots(s.volume_lots, locale), "", L.lotsNote);
  else add("volume", L.volLots, formatVolume(s.volume, locale));
  add("turnover", L.turnover, formatVolume(s.turnover, locale));
  add("buy_volume", L.buyVolume, vol(s.buy_volume), "iw-up", L.sinceWatching);
  add("sell_volume", L.sellVolume, vol(s.sell_volume), "iw-down", L.sinceWatching);
  add("volume_ratio", L.volumeRatio, formatRatio(s.volume_ratio));
  add("buy_sell_ratio", L.buySellRatio, formatRatio(s.buy_sell_ratio), "", L.sinceWatching);
  const gap = s.flow_incomplete_since;
  if (fin(gap)) {
    // a disconnect lost trades no service gives back: the counts are not complete, say so
    const since = formatTime(/** @type {number} */ (gap), opt.tz || "UTC", "time");
    for (const it of items) {
      if (it.key !== "buy_volume" && it.key !== "sell_volume" && it.key !== "buy_sell_ratio") continue;
      it.text += " *";
      it.cls = `${it.cls} iw-incomplete`.trim();
      it.title = L.flowGap.replace("{t}", since);
    }
  }
  if (fin(s.limit_up) || fin(s.limit_down)) {
    add("limit_up", L.limitUp, formatPrice(s.limit_up, d), "iw-up");
    add("limit_down", L.limitDown, formatPrice(s.limit_down, d), "iw-down");
  }
  return items;
}

// ---- the quote board's columns -------------------------------------------------------------------

/** Every column a board can show (mirrors BOARD_COLUMNS in infoway_widgets/widgets/board.py). */
export const COLUMN_KEYS = ["symbol", "last", "change_pct", "change", "volume_lots", "volume", "turnover",
  "amplitude", "volume_ratio", "high_low", "high", "low", "open", "prev_close", "main_net", "spark"];

/** Column sets: "compact" is the board's original look; "cn" is a brokerage list. */
export const PRESETS = {
  compact: ["symbol", "last", "change", "change_pct", "volume", "turnover", "high_low", "spark"],
  cn: ["symbol", "last", "change_pct", "change", "volume_lots", "turnover", "amplitude", "volume_ratio",
    "high", "low", "open", "prev_close", "spark"],
};

/**
 * The columns to draw: explicit `columns` (unknown keys dropped) if any, else the preset, where
 * "auto" means "cn" for zh and "compact" otherwise.
 * @param {string} preset @param {string[]|undefined} columns @param {string} locale
 * @returns {{name: string, keys: string[]}}
 */
export function resolveColumns(preset, columns, locale) {
  const own = (columns || []).filter((k) => COLUMN_KEYS.includes(k));
  const name = preset === "cn" || preset === "compact" ? preset : locale === "zh" ? "cn" : "compact";
  if (own.length) return { name: "custom", keys: own };
  return { name, keys: PRESETS[name] };
}

/**
 * The quote field a column sorts by (null: not sortable).
 * @param {string} key
 */
export function columnSortKey(key) {
  if (key === "spark") return null;
  if (key === "high_low") return "high";
  if (key === "volume_lots") return "volume";
  return key;
}

/**
 * A column's header text and tooltip.
 * @param {string} key @param {Record<string, any>} L @param {string} preset resolved preset name
 * @returns {{label: string, title: string}}
 */
export function columnLabel(key, L, preset) {
  /** @type {Record<string, string>} */
  const m = {
    symbol: L.symbol, last: L.last, change_pct: L.changePct, change: preset === "compact" ? L.change : L.changeAmt,
    volume_lots: L.volLots, volume: L.volume, turnover: L.turnover, amplitude: L.amplitude,
    volume_ratio: L.volumeRatio, high_low: L.highLow, high: L.highPx, low: L.lowPx, open: L.openPx,
    prev_close: L.prevClose, spark: L.spark, main_net: L.mainNet,
  };
  const title = key === "volume_lots" ? L.lotsNote : key === "main_net" ? L.flowEstimate.replace("{p}", "tushare") : "";
  return { label: m[key] ?? key, title };
}

/**
 * One board cell (every column but "symbol" and "spark").
 * @param {string} key @param {Record<string, any>} q the row's numbers @param {Record<string, any>} L
 * @param {"en"|"zh"} locale
 * @param {Unit} [unit] the row's volume unit: both volume columns read in it, with its name
 * @returns {Cell}
 */
export function boardCell(key, q, L, locale, unit) {
  const d = fin(q.decimals) ? q.decimals : 2;
  const chg = signClass(q.change) || "iw-flat";
  const vsPrev = (/** @type {any} */ px) => (fin(px) && fin(q.prev_close) ? signClass(px - q.prev_close) : "");
  /** @param {string} text @returns {Cell} */
  const cell = (text, cls = "", title = "") => ({ text, cls, title });
  switch (key) {
    case "last": return cell(formatPrice(q.last, d), chg);
    case "change": return cell(formatChange(q.change, d), chg);
    case "change_pct": return cell(formatPct(q.change_pct), chg);
    case "volume":
    case "volume_lots":
      if (unit) return cell(formatSizeWithUnit(q.volume, unit, locale, L), "", unit.key === "lots" ? L.lotsNote : "");
      if (key === "volume") return cell(formatVolume(q.volume, locale));
      return fin(q.volume_lots) ? cell(formatLots(q.volume_lots, locale), "", L.lotsNote) : cell(formatVolume(q.volume, locale));
    case "turnover": return cell(formatVolume(q.turnover, locale));
    case "amplitude": return cell(formatAmplitude(q.amplitude));
    case "volume_ratio": return cell(formatRatio(q.volume_ratio));
    case "high_low": return cell(`${formatPrice(q.high, d)} / ${formatPrice(q.low, d)}`, "iw-muted");
    case "high": return cell(formatPrice(q.high, d), vsPrev(q.high));
    case "low": return cell(formatPrice(q.low, d), vsPrev(q.low));
    case "open": return cell(formatPrice(q.open, d), vsPrev(q.open));
    case "prev_close": return cell(formatPrice(q.prev_close, d));
    case "main_net": return fin(q.main_net)
      ? cell(formatSignedVolume(q.main_net, locale), signClass(q.main_net), L.flowEstimate.replace("{p}", "tushare"))
      : cell("—", "iw-muted");
    default: return cell(fin(q[key]) ? String(q[key]) : "—");
  }
}
