// @ts-check
// What a CandleChart model holds: the bars window, the overlay lines computed from it (moving
// averages, session VWAP), the studies' values (more columns of the bars), the user's lines and
// markers, and the paging of older bars. One per model, shared by its views.

import { BAR_COLS, BarStore, lowerBound } from "./barstore.js";
import { localDay } from "./format.js";
import { SessionVwap, sma } from "./indicators.js";

export const DAY_MS = 86_400_000;
/** how long a load_more may go unanswered, and how long "nothing older" holds, in ms */
const PAGING_PATIENCE_MS = 5000;

/**
 * @typedef {import("./frames.js").BarsFrame} BarsFrame
 * @typedef {import("./frames.js").ControlHeader} ControlHeader
 * @typedef {{ma: number[], vwap: boolean, tz: string|undefined, intraday: boolean}} OverlaySpec
 *   which lines to compute, and the session days of the VWAP (intraday bars only)
 * @typedef {{type: "bars", reset: boolean, mode: "none"|"tail"|"full", from: number, oldLen: number,
 *   prepended: number, keepRange: boolean, sameSeries: boolean, lines?: string[]}} BarsChange
 *   `mode`/`from`/`prepended` as BarStore reports them; `oldLen` bars held before;
 *   `sameSeries`: a full frame of the symbol and interval already shown (not a settings change)
 * @typedef {{type: "overlays"}} OverlaysChange the lines were recomputed from the first bar
 * @typedef {{type: "loaded", count: number}} LoadedChange older bars asked for have come
 * @typedef {{type: "series", what: "line"|"markers", id: string, op: "set"|"append"|"remove"}} SeriesChange
 *   one of the user's lines or marker sets changed
 * @typedef {{type: "screenshot", id: string}} ScreenshotChange Python asks for a picture (save_png)
 * @typedef {{type: "follow", what: "crosshair"|"range", t: number|null, from: number|null, to: number|null}} FollowChange
 *   a linked chart moved its crosshair or its visible range (times in UTC ms)
 * @typedef {BarsChange|OverlaysChange|LoadedChange|SeriesChange|ScreenshotChange|FollowChange} CandleChange
 * @typedef {import("./frames.js").SavedLine} SavedLine
 * @typedef {import("./frames.js").SavedMarkers} SavedMarkers
 */

/**
 * Points (or markers) by time, one per time: `incoming` merged into `held` in place, a later
 * one at a time already held replacing it.
 * @param {{t: number[]} & Record<string, any[]>} held
 * @param {string[]} fields the per-point arrays besides `t`
 * @param {{t: ArrayLike<number>} & Record<string, ArrayLike<any>>} incoming
 */
function mergeByTime(held, fields, incoming) {
  const t = held.t;
  for (let j = 0; j < incoming.t.length; j++) {
    const tj = incoming.t[j];
    const i = t.length && tj > t[t.length - 1] ? t.length : lowerBound(t, tj);
    if (i < t.length && t[i] === tj) { for (const f of fields) held[f][i] = incoming[f][j]; continue; }
    t.splice(i, 0, tj);
    for (const f of fields) held[f].splice(i, 0, incoming[f][j]);
  }
}

const MARKER_FIELDS = ["shape", "position", "color", "text"];
const BAR_COUNT = BAR_COLS.length;

/** @param {OverlaySpec} a @param {OverlaySpec} b */
const sameSpec = (a, b) =>
  a.vwap === b.vwap && a.tz === b.tz && a.intraday === b.intraday && a.ma.join() === b.ma.join();

export class CandleState {
  /**
   * @param {number} maxBars bars kept (see BarStore)
   * @param {OverlaySpec} spec
   * @param {(msg: Record<string, any>) => void} send
   */
  constructor(maxBars, spec, send) {
    this.bars = new BarStore(maxBars);
    this.spec = spec;
    this.send = send;
    /** @type {Map<number, number[]>} moving average by length, one value per bar */
    this.ma = new Map();
    /** @type {SessionVwap|null} */
    this.vwap = null;
    /** @type {Map<string, SavedLine>} the user's lines by id */
    this.lines = new Map();
    /** @type {Map<string, SavedMarkers>} the user's marker sets by id */
    this.markers = new Map();
    this.symbol = "";
    this.interval = "";
    /** @type {import("./vprofile.js").Profile|null} the volume profile last sent (deltas bring it only when it changed) */
    this.vp = null;
    /** bars kept in the saved state (the trait `snapshot_bars`) */
    this.snapshotBars = 500;
    this.loading = false;
    this.noMore = false;
    /** @type {Set<ReturnType<typeof setTimeout>>} */
    this.timers = new Set();
    this.buildOverlays();
  }

  buildOverlays() {
    this.ma = new Map(this.spec.ma.map((n) => [n, /** @type {number[]} */ ([])]));
    // VWAP is a session's: a daily (or longer) bar is a session of its own, so none is drawn
    // there; the trait stays on and an intraday interval shows it again
    this.vwap = this.spec.vwap && this.spec.intraday ? new SessionVwap() : null;
    this.computeOverlays(0);
  }

  /** @param {number} from first bar whose lines may have changed */
  computeOverlays(from) {
    const c = this.bars.c;
    for (const [n, out] of this.ma) sma(c.close, n, out, from);
    if (this.vwap) {
      const tz = this.spec.tz;
      const dayOf = this.spec.intraday ? (/** @type {number} */ t) => localDay(t, tz) : null;
      this.vwap.update(c.t, c.volume, c.turnover, dayOf, from);
    }
  }

  /**
   * New overlay settings (traits ma, vwap, timezone, the market's zone, the interval).
   * @param {OverlaySpec} spec
   * @returns {OverlaysChange|null}
   */
  setSpec(spec) {
    if (sameSpec(spec, this.spec)) return null;
    this.spec = spec;
    this.buildOverlays();
    return { type: "overlays" };
  }

  /**
   * @param {import("./wire.js").RawFrame} raw
   * @returns {CandleChange|null} a BarsChange (the other changes come from setSpec and control)
   */
  apply(raw) {
    if (raw.header.kind === "line" || raw.header.kind === "markers") return this.applySeries(raw);
    if (raw.header.kind !== "bars") return null;
    const { header: h, cols } = /** @type {BarsFrame} */ (raw);
    if (h.vp || h.reset) this.vp = h.vp || null;
    if (h.lines) this.lines = new Map(h.lines.map((l) => [l.id, { ...l, t: [...l.t], v: l.v.map((x) => (x == null ? NaN : x)) }]));
    if (h.markers) this.markers = new Map(h.markers.map((m) => [m.id, { id: m.id, t: [...m.t], shape: [...m.shape], position: [...m.position], color: [...m.color], text: [...m.text] }]));
    const oldLen = this.bars.length;
    if (h.reset) {
      const sameSeries = oldLen > 0 && h.symbol === this.symbol && h.interval === this.interval;
      this.symbol = h.symbol;
      this.interval = h.interval;
      this.bars.reset(cols);
      this.loading = false;
      this.noMore = false;
      this.computeOverlays(0);
      return { type: "bars", reset: true, mode: "full", from: 0, oldLen, prepended: 0, keepRange: !!h.keep_range, sameSeries };
    }
    const r = this.bars.upsert(this.unpackStudies(cols));
    if (r.prepended) this.loading = false;
    if (r.mode !== "none") this.computeOverlays(r.mode === "full" ? 0 : r.from);
    /** @type {string[]} */
    const lines = [];
    for (const [id, flat] of Object.entries(h.line_points || {})) {
      const held = this.lines.get(id);
      if (!held) continue;
      const t = [], v = [];
      for (let k = 0; k + 1 < flat.length; k += 2) { t.push(Number(flat[k])); v.push(flat[k + 1] == null ? NaN : Number(flat[k + 1])); }
      mergeByTime(/** @type {any} */ (held), ["v"], { t, v });
      lines.push(id);
    }
    return { type: "bars", reset: false, mode: r.mode, from: r.from, oldLen, prepended: r.prepended, keepRange: false, sameSeries: true, lines };
  }

  /**
   * A delta's study values (one column "studies": per bar, every study column in the order of
   * the last full frame's) as one column per study output.
   * @param {Record<string, Float64Array>} cols
   * @returns {Record<string, ArrayLike<number>>}
   */
  unpackStudies(cols) {
    const packed = cols.studies;
    if (!packed) return cols;
    const names = this.bars.names.slice(BAR_COUNT);
    const k = names.length;
    const n = cols.t ? cols.t.length : 0;
    /** @type {Record<string, ArrayLike<number>>} */
    const out = { ...cols };
    delete out.studies;
    names.forEach((name, j) => {
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) col[i] = packed[i * k + j];
      out[name] = col;
    });
    return out;
  }

  /**
   * A change of one of the user's lines or marker sets.
   * @param {import("./wire.js").RawFrame} raw
   * @returns {SeriesChange|null}
   */
  applySeries(raw) {
    const h = /** @type {import("./frames.js").LineHeader|import("./frames.js").MarkersHeader} */ (raw.header);
    const what = h.kind;
    const id = String(h.id);
    if (h.op === "remove") {
      this.lines.delete(id);
      this.markers.delete(id);
      return { type: "series", what, id, op: h.op };
    }
    const t = Array.from(raw.cols.t || []);
    if (h.kind === "line") {
      const v = Array.from(raw.cols.value || []);
      const held = this.lines.get(id);
      if (h.op === "set" || !held) {
        this.lines.set(id, { id, name: h.name ?? held?.name ?? id, color: h.color ?? held?.color ?? "", pane: h.pane ?? held?.pane ?? "main", style: h.style ?? held?.style ?? "solid", t, v });
      } else mergeByTime(/** @type {any} */ (held), ["v"], { t, v });
    } else {
      const incoming = { t, shape: h.shape || [], position: h.position || [], color: h.color || [], text: h.text || [] };
      const held = this.markers.get(id);
      if (h.op === "set" || !held) this.markers.set(id, { id, t: [], shape: [], position: [], color: [], text: [] });
      mergeByTime(/** @type {any} */ (this.markers.get(id)), MARKER_FIELDS, incoming);
    }
    return { type: "series", what, id, op: h.op };
  }

  /**
   * The newest `snapshotBars` bars as one full frame (the saved state).
   * @returns {import("./wire.js").StateFrame|null}
   */
  snapshot() {
    if (!this.symbol) return null;
    const from = Math.max(0, this.bars.length - this.snapshotBars);
    /** @type {Record<string, number[]>} */
    const cols = {};
    for (const k of this.bars.names) cols[k] = this.bars.c[k].slice(from);
    const lines = [...this.lines.values()].map((l) => ({ ...l, v: l.v.map((x) => (Number.isFinite(x) ? x : null)) }));
    const markers = [...this.markers.values()];
    const vp = this.vp ? { vp: this.vp } : {};
    return { header: { kind: "bars", symbol: this.symbol, interval: this.interval, lines, markers, ...vp }, cols };
  }

  /**
   * @param {Record<string, any>} msg
   * @returns {CandleChange|null} a LoadedChange or a ScreenshotChange
   */
  control(msg) {
    const m = /** @type {ControlHeader} */ (msg);
    if (m.what === "screenshot" && m.id) return { type: "screenshot", id: String(m.id) };
    if (m.what === "crosshair" || m.what === "range") {
      return { type: "follow", what: m.what, t: m.t ?? null, from: m.from_t ?? null, to: m.to_t ?? null };
    }
    if (m.what !== "loaded") return null;
    this.loading = false;
    if (!m.count) {
      // nothing older right now (history may still be loading): try again later, not never
      this.noMore = true;
      this.later(() => { this.noMore = false; });
    }
    return { type: "loaded", count: m.count };
  }

  /**
   * Ask Python for `count` bars before the first one held, unless a request is under way or
   * there was nothing older a moment ago. One request per model, whichever view scrolled.
   * @param {number} count
   * @returns {boolean} whether a request was sent
   */
  requestOlder(count) {
    if (this.loading || this.noMore || !this.bars.length) return false;
    this.loading = true;
    this.send({ type: "load_more", before: this.bars.c.t[0], count });
    this.later(() => { this.loading = false; }); // never stay stuck if no reply comes
    return true;
  }

  /** @param {() => void} fn */
  later(fn) {
    const id = setTimeout(() => { this.timers.delete(id); fn(); }, PAGING_PATIENCE_MS);
    this.timers.add(id);
  }

  dispose() {
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
  }
}
