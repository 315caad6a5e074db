// @ts-check
// Number and time formatting: prices at the instrument's decimals, volumes with K/M/B (en) or
// 万/亿 (zh), times in the exchange's zone through Intl (the chart itself knows only UTC).

/**
 * @param {number|null|undefined} p @param {number} [decimals]
 * @returns {string}
 */
export function formatPrice(p, decimals = 2) {
  if (p == null || !Number.isFinite(p)) return "—";
  return p.toFixed(decimals);
}

/** Signed change, e.g. "+1.23". @param {number|null|undefined} x @param {number} [decimals] */
export function formatChange(x, decimals = 2) {
  if (x == null || !Number.isFinite(x)) return "—";
  const s = x.toFixed(decimals);
  return x > 0 ? `+${s}` : s;
}

/** Signed percent from a fraction-free value already in percent, e.g. 1.234 -> "+1.23%". @param {number|null|undefined} pct @param {number} [decimals] */
export function formatPct(pct, decimals = 2) {
  if (pct == null || !Number.isFinite(pct)) return "—";
  const s = pct.toFixed(decimals);
  return `${pct > 0 ? "+" : ""}${s}%`;
}

/** @param {string} s */
function trimZeros(s) {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * Compact volumes and amounts: 12 345 678 -> "12.35M" (en) or "1234.57万" (zh);
 * 1.5e8 -> "150M" / "1.50亿". Below the first group a value keeps at most `small` decimals,
 * trailing zeros trimmed (a size of 0.00002 BTC needs 5).
 * @param {number|null|undefined} v @param {"en"|"zh"} [locale] @param {number} [digits]
 * @param {number} [small] decimals below the first group (default `digits`)
 */
export function formatVolume(v, locale = "en", digits = 2, small = digits) {
  if (v == null || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  const sign = v < 0 ? "-" : "";
  if (locale === "zh") {
    if (a >= 1e12) return `${sign}${(a / 1e12).toFixed(digits)}万亿`;
    if (a >= 1e8) return `${sign}${(a / 1e8).toFixed(digits)}亿`;
    if (a >= 1e4) return `${sign}${(a / 1e4).toFixed(digits)}万`;
    return `${sign}${trimZeros(a.toFixed(a % 1 ? small : 0))}`;
  }
  if (a >= 1e12) return `${sign}${(a / 1e12).toFixed(digits)}T`;
  if (a >= 1e9) return `${sign}${(a / 1e9).toFixed(digits)}B`;
  if (a >= 1e6) return `${sign}${(a / 1e6).toFixed(digits)}M`;
  if (a >= 1e3) return `${sign}${(a / 1e3).toFixed(digits)}K`;
  return `${sign}${trimZeros(a.toFixed(a % 1 ? small : 0))}`;
}

const formatters = new Map();

/**
 * A cached Intl.DateTimeFormat. `tz` undefined means the browser's zone.
 * @param {string|undefined} tz @param {Intl.DateTimeFormatOptions} opts
 */
function fmt(tz, opts) {
  const key = `${tz}|${JSON.stringify(opts)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { ...opts, timeZone: tz, hourCycle: "h23" });
    formatters.set(key, f);
  }
  return f;
}

/** @param {number} ms @param {string|undefined} tz @param {Intl.DateTimeFormatOptions} opts */
function parts(ms, tz, opts) {
  /** @type {Record<string, string>} */
  const o = {};
  for (const p of fmt(tz, opts).formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
}

/** @type {Intl.DateTimeFormatOptions} */
const ALL = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" };

/**
 * A time as text in `tz`: "2026-11-25 09:31" (what: "datetime"), "09:31:05" ("time"),
 * "2026-11-25" ("date"), "11-25" ("monthday"), "2026-11" ("month").
 * @param {number|null|undefined} ms UTC epoch milliseconds
 * @param {string|undefined} tz IANA zone, undefined for the browser's
 * @param {"datetime"|"datetime_s"|"time"|"time_s"|"date"|"monthday"|"month"|"year"} [what]
 */
export function formatTime(ms, tz, what = "datetime") {
  if (ms == null || !Number.isFinite(ms)) return "—";
  const p = parts(ms, tz, ALL);
  const hh = p.hour === "24" ? "00" : p.hour;
  switch (what) {
    case "time": return `${hh}:${p.minute}`;
    case "time_s": return `${hh}:${p.minute}:${p.second}`;
    case "date": return `${p.year}-${p.month}-${p.day}`;
    case "monthday": return `${p.month}-${p.day}`;
    case "month": return `${p.year}-${p.month}`;
    case "year": return p.year;
    case "datetime_s": return `${p.year}-${p.month}-${p.day} ${hh}:${p.minute}:${p.second}`;
    default: return `${p.year}-${p.month}-${p.day} ${hh}:${p.minute}`;
  }
}

const offsetCache = new Map();

/**
 * The zone's UTC offset in ms at `ms` (cached per zone and hour).
 * @param {number} ms @param {string|undefined} tz
 */
export function tzOffsetMs(ms, tz) {
  const hour = Math.floor(ms / 3_600_000);
  const key = `${tz}|${hour}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    const p = parts(hour * 3_600_000, tz, ALL);
    const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +(p.hour === "24" ? 0 : p.hour), +p.minute, +p.second);
    off = asUtc - hour * 3_600_000;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return off;
}

/** Local calendar day number (days since 1970-01-01 in `tz`). @param {number} ms @param {string|undefined} tz */
export function localDay(ms, tz) {
  return Math.floor((ms + tzOffsetMs(ms, tz)) / 86_400_000);
}

/**
 * The zone times are shown in: the `timezone` trait ("local": the browser's, undefined), else the
 * exchange's (`_market.tz`), else UTC.
 * @param {string|undefined} timezone @param {{tz?: string}|undefined} market
 * @returns {string|undefined}
 */
export function displayZone(timezone, market) {
  if (timezone === "local") return undefined;
  return timezone || market?.tz || "UTC";
}
