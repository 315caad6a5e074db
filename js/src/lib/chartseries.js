// @ts-check
// What a CandleChart view draws besides the candles, volume and moving averages: the studies (on
// the price pane, the volume pane or panes of their own below), the user's lines, markers and
// price lines. Studies' values are columns of the model's bars ("macd.dif"); lines and markers
// are the model's own (CandleState.lines / .markers) and each point goes on the bar that holds
// its time, so they follow an interval switch.

import { HistogramSeries, LineSeries, LineStyle, createSeriesMarkers } from "lightweight-charts";
import { lowerBound } from "./barstore.js";
import { formatPrice, formatVolume } from "./format.js";
import { SplitSeries } from "./splitseries.js";
import { alpha } from "./theme.js";

/**
 * @typedef {import("lightweight-charts").IChartApi} IChartApi
 * @typedef {import("lightweight-charts").ISeriesApi<"Line"|"Histogram">} AnySeries
 * @typedef {import("lightweight-charts").UTCTimestamp} UTCTimestamp
 * @typedef {import("./candlestate.js").CandleState} CandleState
 * @typedef {{key: string, label: string, pane: string, outputs: string[], styles: string[],
 *   params: Record<string, any>, error: string}} StudyMeta one entry of the `_study_meta` trait
 * @typedef {{meta: StudyMeta, pane: number, series: Array<SplitSeries|null>, colors: string[]}} DrawnStudy
 * @typedef {{id: string, pane: number, series: AnySeries, color: string, byBar: Map<number, number>}} DrawnLine
 */

/** colours of studies' outputs and of lines, in order (the moving averages' palette goes on) */
export const SERIES_COLORS = ["#f59e0b", "#3b82f6", "#a855f7", "#14b8a6", "#ec4899", "#84cc16", "#ef4444", "#64748b"];
const MARKER_POSITION = /** @type {const} */ ({ above: "aboveBar", below: "belowBar", inBar: "inBar" });
const LINE_STYLE = { solid: LineStyle.Solid, dashed: LineStyle.Dashed, dotted: LineStyle.Dotted };
/** height added per pane of its own, in px, so the candles keep their room */
export const PANE_HEIGHT = 110;

/**
 * How each built-in study's values read, for the decimals of its pane's axis and legend:
 * "osc" oscillators and percentages (RSI 54.12, KDJ, WR, CCI, DMI, BIAS: 2 decimals), "diff"
 * price differences (MACD: one decimal more than the price), "volume" volumes (OBV: compact
 * units, in the volume pane's unit). Studies on the price pane read as prices; a user's own
 * study as a difference.
 */
export const STUDY_VALUES = /** @type {Record<string, "osc"|"diff"|"volume">} */ ({
  rsi: "osc", kdj: "osc", wr: "osc", cci: "osc", dmi: "osc", bias: "osc", macd: "diff", obv: "volume", vol: "volume",
});

/**
 * Decimals of study `key`'s values in `pane` (0 price, 1 volume, 2+ its own), or "volume" for
 * compact volume units.
 * @param {string} key @param {number} pane @param {number} priceDecimals
 * @returns {number|"volume"}
 */
export function studyDecimals(key, pane, priceDecimals) {
  if (pane === 1) return "volume";
  if (pane === 0) return priceDecimals;
  const kind = STUDY_VALUES[key];
  if (kind === "osc") return 2;
  if (kind === "volume") return "volume";
  return Math.min(4, Math.max(2, priceDecimals + 1));
}

/** @param {number} ms @returns {UTCTimestamp} */
const sec = (ms) => /** @type {UTCTimestamp} */ (ms / 1000);

export class ChartExtras {
  /**
   * @param {IChartApi} chart
   * @param {SplitSeries} candles the candle series (its history and its tail)
   * @param {import("./base.js").View} view
   * @param {CandleState} state
   * @param {() => number} intervalMs
   */
  constructor(chart, candles, view, state, intervalMs) {
    this.chart = chart;
    this.candles = candles;
    this.view = view;
    this.state = state;
    this.intervalMs = intervalMs;
    /** @type {string[]} names of the panes below the volume pane, in order (pane 2, 3, ...) */
    this.panes = [];
    /** @type {DrawnStudy[]} */
    this.studies = [];
    /** @type {Map<string, DrawnLine>} */
    this.lines = new Map();
    // markers go on the part of the candle series that holds their bar
    this.markerApi = { history: createSeriesMarkers(candles.history, []), tail: createSeriesMarkers(candles.tail, []) };
    /** the candles' split when the markers were drawn (they move with it) */
    this.markerSplit = -1;
    /** @type {import("lightweight-charts").IPriceLine[]} */
    this.priceLines = [];
    this.shape = "";
  }

  /** @returns {StudyMeta[]} */
  metas() { return this.view.get("_study_meta") || []; }

  /** Which pane a study or line of pane `name` goes in (opening a new one where asked). @param {string} name @param {string} own */
  paneOf(name, own) {
    if (name === "main" || name === "price") return 0;
    if (name === "volume") return 1;
    const key = name === "new" ? own : name;
    let k = this.panes.indexOf(key);
    if (k < 0) { this.panes.push(key); k = this.panes.length - 1; }
    return 2 + k;
  }

  /** Rebuild the series when the studies or the lines' set changed; true if it did. */
  layout() {
    const metas = this.metas();
    const lines = [...this.state.lines.values()];
    const shape = JSON.stringify([metas.map((m) => [m.key, m.pane, m.outputs, m.styles]), lines.map((l) => [l.id, l.pane, l.style, l.color])]);
    if (shape === this.shape) {
      // the same series; a study's label, parameters or error may have changed (MACD(5,26,9))
      metas.forEach((m, k) => { if (this.studies[k]) this.studies[k].meta = m; });
      return false;
    }
    this.shape = shape;
    for (const s of this.studies) for (const x of s.series) if (x) x.remove();
    for (const l of this.lines.values()) this.chart.removeSeries(l.series);
    this.studies = [];
    this.lines = new Map();
    while (this.chart.panes().length > 2) this.chart.removePane(this.chart.panes().length - 1);
    this.panes = [];
    let color = 0;
    for (const meta of metas) {
      const pane = this.paneOf(meta.pane, meta.key);
      /** @type {Array<SplitSeries|null>} */
      const series = [];
      /** @type {string[]} */
      const colors = [];
      meta.outputs.forEach((_o, j) => {
        const style = meta.styles[j] || "line";
        const c = SERIES_COLORS[color++ % SERIES_COLORS.length];
        colors.push(c);
        if (style === "hidden") { series.push(null); return; }
        const base = { priceLineVisible: false, lastValueVisible: false, priceFormat: this.format(pane, meta.key) };
        const k = series.length;
        const pointAt = (/** @type {number} */ i) => this.point(meta, pane, k, i);
        if (style === "histogram") series.push(new SplitSeries(this.chart, HistogramSeries, base, pane, pointAt));
        else series.push(new SplitSeries(this.chart, LineSeries, {
          ...base, color: c, lineWidth: 1, crosshairMarkerVisible: false,
          ...(style === "dots" ? { lineVisible: false, pointMarkersVisible: true, pointMarkersRadius: 1.5 } : {}),
        }, pane, pointAt, { joined: style !== "dots" }));
      });
      this.studies.push({ meta, pane, series, colors });
    }
    for (const l of lines) {
      const pane = this.paneOf(l.pane, l.name);
      const c = l.color || SERIES_COLORS[color++ % SERIES_COLORS.length];
      const series = this.chart.addSeries(LineSeries, {
        color: c, lineWidth: 2, lineStyle: LINE_STYLE[/** @type {keyof LINE_STYLE} */ (l.style)] ?? LineStyle.Solid,
        priceLineVisible: false, lastValueVisible: true, crosshairMarkerVisible: false, title: l.name,
      }, pane);
      this.lines.set(l.id, { id: l.id, pane, series, color: c, byBar: new Map() });
    }
    const panes = this.chart.panes();
    panes.forEach((p, k) => p.setStretchFactor(k === 0 ? 3 : 1));
    return true;
  }

  /** The axis format of study `key`'s series in `pane` (a line's, without `key`). @param {number} pane @param {string} [key] */
  format(pane, key = "") {
    const d = studyDecimals(key, pane, this.view.decimals);
    if (d === "volume") return { type: /** @type {const} */ ("custom"), minMove: 0.01, formatter: (/** @type {number} */ v) => this.formatValue(pane, v, key) };
    return { type: /** @type {const} */ ("price"), precision: d, minMove: 10 ** -d };
  }

  /** Value `v` of study `key` (or a line's) in `pane` as its axis and legend show it; volumes in the
   * volume pane's unit (the volume pane's values are already). @param {number} pane @param {number} v @param {string} [key] */
  formatValue(pane, v, key = "") {
    const d = studyDecimals(key, pane, this.view.decimals);
    if (d !== "volume") return formatPrice(v, d);
    const u = this.view.unit;
    return formatVolume(pane === 1 ? v : v / u.per, this.view.locale, 1, u.decimals);
  }

  // ---- studies -----------------------------------------------------------------------------
  /** Output `j` of study `meta` at bar `i`. @param {StudyMeta} meta @param {number} pane @param {number} j @param {number} i */
  point(meta, pane, j, i) {
    const c = this.state.bars.c;
    const col = c[`${meta.key}.${meta.outputs[j]}`];
    let v = col ? col[i] : NaN;
    const time = sec(c.t[i]);
    if (!Number.isFinite(v)) return { time };
    if (pane === 1) v /= this.view.unit.per;
    if (meta.styles[j] === "histogram") {
      return { time, value: v, color: alpha(v >= 0 ? this.view.pal.up : this.view.pal.down, 0.7) };
    }
    return { time, value: v };
  }

  /** @returns {SplitSeries[]} the studies' series */
  allSeries() {
    return this.studies.flatMap((s) => s.series.filter((x) => x !== null));
  }

  /** @param {number} [newest] only the newest bars (see SplitSeries.setAll) */
  drawStudiesFull(newest = 0) {
    const n = this.state.bars.length;
    for (const s of this.studies) for (const x of s.series) if (x) x.setAll(n, newest);
  }

  /** @param {number} from @param {number} oldLen */
  drawStudiesTail(from, oldLen) {
    const n = this.state.bars.length;
    for (const s of this.studies) for (const x of s.series) if (x) x.drawFrom(from, n, oldLen);
  }

  // ---- lines and markers --------------------------------------------------------------------
  /** Index of the bar holding time `t` (ms), or -1 (before the first bar, after the last). @param {number} t */
  barOf(t) {
    const ct = this.state.bars.c.t;
    const j = lowerBound(ct, t + 0.5) - 1;
    if (j < 0) return -1;
    if (j === ct.length - 1 && t >= ct[j] + this.intervalMs()) return -1;
    return j;
  }

  /** @param {string} id */
  drawLine(id) {
    const drawn = this.lines.get(id);
    const line = this.state.lines.get(id);
    if (!drawn || !line) return;
    const ct = this.state.bars.c.t;
    /** @type {Map<number, number>} value by bar index: the bar's last point */
    const byBar = new Map();
    for (let k = 0; k < line.t.length; k++) {
      const j = this.barOf(line.t[k]);
      const v = line.v[k];
      if (j >= 0 && v != null && Number.isFinite(v)) byBar.set(j, v);
    }
    const bars = [...byBar.keys()].sort((a, b) => a - b);
    drawn.series.setData(bars.map((j) => ({ time: sec(ct[j]), value: /** @type {number} */ (byBar.get(j)) })));
    drawn.byBar = new Map(bars.map((j) => [ct[j], /** @type {number} */ (byBar.get(j))]));
  }

  drawLines() { for (const id of this.lines.keys()) this.drawLine(id); }

  drawMarkers() {
    const ct = this.state.bars.c.t;
    const p = this.view.pal;
    /** @type {import("lightweight-charts").SeriesMarker<import("lightweight-charts").Time>[]} */
    const out = [];
    for (const m of this.state.markers.values()) {
      for (let k = 0; k < m.t.length; k++) {
        const j = this.barOf(m.t[k]);
        if (j < 0) continue;
        const c = m.color[k];
        out.push({
          time: sec(ct[j]),
          position: MARKER_POSITION[/** @type {keyof MARKER_POSITION} */ (m.position[k])] || "aboveBar",
          shape: /** @type {any} */ (m.shape[k] || "circle"),
          color: c === "buy" ? p.up : c === "sell" ? p.down : c || "#2962ff",
          text: m.text[k] || "",
        });
      }
    }
    out.sort((a, b) => Number(a.time) - Number(b.time));
    const split = this.candles.split;
    const first = split < ct.length ? Number(sec(ct[split])) : Infinity;
    const at = lowerBound(out.map((m) => Number(m.time)), first);
    this.markerApi.history.setMarkers(out.slice(0, at));
    this.markerApi.tail.setMarkers(out.slice(at));
    this.markerSplit = split;
    this.view.root.dataset.markers = String(out.length);
  }

  /** After new bars: lines and markers whose newest points had no bar yet get one now. */
  catchUp() {
    const n = this.state.bars.length;
    if (!n) return;
    const last = this.state.bars.c.t[n - 1];
    for (const [id, drawn] of this.lines) {
      const line = this.state.lines.get(id);
      if (line && line.t.length && line.t[line.t.length - 1] >= last && !drawn.byBar.has(last)) this.drawLine(id);
    }
    const pending = [...this.state.markers.values()].some((m) => m.t.length && m.t[m.t.length - 1] >= last);
    if (pending || this.markerSplit !== this.candles.split) this.drawMarkers();
  }

  /** @param {number} [newest] the studies' newest bars only (see SplitSeries.setAll) */
  drawAll(newest = 0) {
    this.drawStudiesFull(newest);
    this.drawLines();
    this.drawMarkers();
  }

  renderPriceLines() {
    for (const l of this.priceLines) this.candles.tail.removePriceLine(l);
    /** @type {Record<string, {price: number, title: string, color: string}>} */
    const lines = this.view.get("_price_lines") || {};
    this.priceLines = Object.values(lines).filter((l) => Number.isFinite(l.price)).map((l) => this.candles.tail.createPriceLine({
      price: l.price, color: l.color || this.view.pal.fg, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: l.title || "",
    }));
    this.view.root.dataset.priceLines = String(this.priceLines.length);
  }

  // ---- legend -------------------------------------------------------------------------------
  /**
   * The legend items of bar `i`, by pane: a study's label and values, a line's name and value,
   * a failing study's error.
   * @param {number} i
   * @returns {Map<number, HTMLElement[]>}
   */
  legend(i) {
    /** @type {Map<number, HTMLElement[]>} */
    const out = new Map();
    /** @param {number} pane @param {HTMLElement} el */
    const put = (pane, el) => { const a = out.get(pane) || []; a.push(el); out.set(pane, a); };
    const c = this.state.bars.c;
    /** @param {number} pane @param {number} v */
    const fmt = (/** @type {number} */ pane, /** @type {number} */ v, key = "") => this.formatValue(pane, v, key);
    for (const s of this.studies) {
      const box = document.createElement("span");
      box.className = "iw-study";
      box.dataset.study = s.meta.key;
      const name = document.createElement("span");
      name.className = "iw-muted";
      name.textContent = s.meta.label;
      box.append(name);
      if (s.meta.error) {
        const e = document.createElement("span");
        e.className = "iw-row-error";
        e.textContent = ` ${s.meta.error}`;
        box.append(e);
      }
      s.meta.outputs.forEach((o, j) => {
        if (s.meta.styles[j] === "hidden") return;
        const col = c[`${s.meta.key}.${o}`];
        let v = col && i >= 0 ? col[i] : NaN;
        if (s.pane === 1) v /= this.view.unit.per;
        const item = document.createElement("span");
        item.style.color = s.colors[j];
        item.dataset.output = o;
        item.dataset.value = Number.isFinite(v) ? String(col[i]) : "";
        item.textContent = ` ${o.toUpperCase()} ${Number.isFinite(v) ? fmt(s.pane, v, s.meta.key) : "—"}`;
        box.append(item);
      });
      put(s.pane, box);
    }
    for (const [id, drawn] of this.lines) {
      const line = this.state.lines.get(id);
      if (!line) continue;
      const v = i >= 0 ? drawn.byBar.get(c.t[i]) : undefined;
      const item = document.createElement("span");
      item.style.color = drawn.color;
      item.dataset.line = line.name;
      item.dataset.value = v === undefined ? "" : String(v);
      item.textContent = `${line.name} ${v === undefined ? "—" : fmt(drawn.pane, v)}`;
      put(drawn.pane, item);
    }
    return out;
  }

  /** Top of pane `k` in px from the top of `holder`. @param {number} k @param {HTMLElement} holder */
  paneTop(k, holder) {
    const el = this.chart.panes()[k]?.getHTMLElement();
    if (!el) return 0;
    return el.getBoundingClientRect().top - holder.getBoundingClientRect().top;
  }

  dispose() {
    this.markerApi.history.detach();
    this.markerApi.tail.detach();
  }
}
