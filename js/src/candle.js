// @ts-check
// CandleChart view: TradingView Lightweight Charts (candles + volume pane + MAs + VWAP, studies in
// panes, the user's lines, markers and price lines: lib/chartseries.js), drawn from the model's
// CandleState; scrolling back asks Python for older bars (once per model).
//
// TradingView Lightweight Charts™ — Copyright (c) TradingView, Inc., Apache-2.0.
// Its attribution logo (a link to https://www.tradingview.com/) stays on: see NOTICE.

import {
  CandlestickSeries, CrosshairMode, HistogramSeries, LineSeries, LineStyle, TickMarkType, createChart,
} from "lightweight-charts";
import { cutLabelWidth } from "./lib/axisedge.js";
import { View } from "./lib/base.js";
import { lowerBound } from "./lib/barstore.js";
import { CandleState, DAY_MS } from "./lib/candlestate.js";
import { ChartExtras, PANE_HEIGHT } from "./lib/chartseries.js";
import { FIRST_BARS, SplitSeries } from "./lib/splitseries.js";
import { patchChildren } from "./lib/patch.js";
import { composeScreenshot } from "./lib/screenshot.js";
import { displayZone, formatPct, formatPrice, formatTime, formatVolume } from "./lib/format.js";
import { ModelStore, defineWidget } from "./lib/store.js";
import { volumeProfile } from "./lib/vprofile.js";
import { StudySettings } from "./lib/studysettings.js";
import { alpha } from "./lib/theme.js";
import { element, legendItem, onResize, toggleButtons } from "./lib/ui.js";
import { formatSizeWithUnit } from "./lib/units.js";

/**
 * @typedef {import("./lib/store.js").Model} Model
 * @typedef {import("./lib/candlestate.js").CandleChange} CandleChange
 * @typedef {import("./lib/candlestate.js").OverlaySpec} OverlaySpec
 * @typedef {import("./lib/theme.js").Palette} Palette
 * @typedef {ModelStore<CandleState>} CandleStore
 * @typedef {import("lightweight-charts").UTCTimestamp} UTCTimestamp
 * @typedef {import("lightweight-charts").LogicalRange} LogicalRange
 */

const MA_COLORS = ["#f59e0b", "#3b82f6", "#a855f7", "#14b8a6", "#ec4899", "#84cc16"];
const VWAP_COLOR = "#64748b";

/** @param {Model} model @returns {OverlaySpec} */
function overlaySpec(model) {
  return {
    ma: [...(model.get("ma") || [])],
    vwap: !!model.get("vwap"),
    tz: displayZone(model.get("timezone"), model.get("_market")),
    intraday: (model.get("_interval_ms") || 60_000) < DAY_MS,
  };
}

/** @param {Model} model @returns {CandleStore} */
function createStore(model) {
  /** @param {(msg: Record<string, any>) => void} send */
  const makeState = (send) => new CandleState(model.get("max_bars") || 15000, overlaySpec(model), send);
  const store = new ModelStore(model, makeState);
  const snapshotBars = () => { const n = model.get("snapshot_bars"); store.state.snapshotBars = Number.isFinite(n) ? n : 500; };
  snapshotBars();
  store.listen("change:snapshot_bars", snapshotBars);
  store.derive("change:ma change:vwap change:timezone change:_market change:_interval_ms", () => store.state.setSpec(overlaySpec(model)));
  return store;
}

/** @param {number} ms @returns {UTCTimestamp} */
const sec = (ms) => /** @type {UTCTimestamp} */ (ms / 1000);

/**
 * @param {{model: Model, el: HTMLElement}} ctx
 * @param {CandleStore} store
 */
function render({ model, el }, store) {
  const view = new View({ model, el }, "candle");
  const state = store.state;
  const c = state.bars.c;
  let hoverIndex = -1;
  let loadRequests = 0;

  // ---- layout -----------------------------------------------------------------------------
  const holder = element("div", "iw-chart");
  /** @type {ChartExtras|null} */
  let extras = null;
  // each pane of its own adds room below, so the candles keep theirs
  const sizeHolder = () => { holder.style.height = `${(model.get("height") || 420) + PANE_HEIGHT * (extras ? extras.panes.length : 0)}px`; };
  sizeHolder();
  // the OHLC line wraps (its items never break); the lines' values go below it, on one row that
  // elides; both end left of the price axis
  const legends = element("div", "iw-legend iw-candle-legends");
  const legend = element("div", "iw-candle-legend");
  const maLegend = element("div", "iw-candle-lines");
  legends.append(legend, maLegend);
  view.body.append(holder, legends);
  // ⚙ / × beside each study, "+" in the main legend (lib/studysettings.js)
  const settings = new StudySettings({ host: view.body, model, locale: () => view.locale, editable: () => view.root.dataset.link === "live" });
  view.cleanups.push(() => settings.dispose());

  // interval switch
  const renderButtons = () => {
    /** @type {string[]} */
    const intervals = model.get("intervals") || [];
    toggleButtons(view.tools, intervals.map((iv) => ({ value: iv, label: iv })), model.get("interval"), "interval", (iv) => {
      if (iv !== model.get("interval")) view.setTrait("interval", iv);
    });
  };
  renderButtons();

  // ---- chart ------------------------------------------------------------------------------
  /** @param {import("lightweight-charts").Time} t */
  const timeFmt = (t) => {
    const iv = model.get("_interval_ms") || 60_000;
    return formatTime(Number(t) * 1000, view.tz, iv >= DAY_MS ? "date" : "datetime");
  };
  /** @param {import("lightweight-charts").Time} t @param {import("lightweight-charts").TickMarkType} type */
  const tickFmt = (t, type) => {
    const ms = Number(t) * 1000;
    switch (type) {
      case TickMarkType.Year: return formatTime(ms, view.tz, "year");
      case TickMarkType.Month: return formatTime(ms, view.tz, "month");
      case TickMarkType.DayOfMonth: return formatTime(ms, view.tz, "monthday");
      case TickMarkType.TimeWithSeconds: return formatTime(ms, view.tz, "time_s");
      default: return formatTime(ms, view.tz, "time");
    }
  };
  /** @param {Palette} p */
  const chartColors = (p) => ({
    layout: {
      background: { color: p.bg }, textColor: p.fg, attributionLogo: true,
      panes: { separatorColor: p.border, separatorHoverColor: alpha(p.fg, 0.2) },
    },
    grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
    rightPriceScale: { borderColor: p.border },
    timeScale: { borderColor: p.border },
  });
  const chart = createChart(holder, {
    autoSize: true,
    ...chartColors(view.pal),
    crosshair: { mode: CrosshairMode.Normal },
    localization: { timeFormatter: timeFmt },
    timeScale: { timeVisible: true, secondsVisible: false, tickMarkFormatter: tickFmt, rightOffset: 4, borderColor: view.pal.border },
  });
  chart.applyOptions({ layout: { attributionLogo: true } });
  // the instrument's tick where it is fixed; else a step of the price decimals (HK: by price band)
  const minMove = () => { const t = view.market.tick; return Number.isFinite(t) && t > 0 ? t : 10 ** -view.decimals; };
  /** @param {Palette} p */
  const candleOpts = (p) => ({
    upColor: p.up, downColor: p.down, borderUpColor: p.up, borderDownColor: p.down,
    wickUpColor: p.up, wickDownColor: p.down,
    priceFormat: { type: /** @type {const} */ ("price"), precision: view.decimals, minMove: minMove() },
  });
  // each bar series in two: the settled history and the newest bars (lib/splitseries.js)
  const candles = new SplitSeries(chart, CandlestickSeries, candleOpts(view.pal), 0, (i) => candleAt(i));
  const volumeFormat = () => ({
    type: /** @type {const} */ ("custom"), minMove: 10 ** -view.unit.decimals,
    formatter: (/** @type {number} */ v) => formatVolume(v, view.locale, 1, view.unit.decimals),
  });
  const volume = new SplitSeries(chart, HistogramSeries, { priceFormat: volumeFormat(), priceLineVisible: false, lastValueVisible: false }, 1, (i) => volAt(i));
  chart.panes()[0]?.setStretchFactor(3);
  chart.panes()[1]?.setStretchFactor(1);
  /** @param {string} color */
  const lineOpts = (color) => ({
    color, lineWidth: /** @type {const} */ (1), priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false,
  });
  /** @type {Map<number, SplitSeries>} */
  let maSeries = new Map();
  /** @type {SplitSeries|null} */
  let vwapSeries = null;
  // the line series follow the state's overlays (one per moving average, the VWAP if on)
  const buildOverlays = () => {
    for (const s of maSeries.values()) s.remove();
    maSeries = new Map();
    [...state.ma.keys()].forEach((n, k) => {
      maSeries.set(n, new SplitSeries(chart, LineSeries, lineOpts(MA_COLORS[k % MA_COLORS.length]), 0, (i) => lineAt(state.ma.get(n) || [], i), { joined: true }));
    });
    if (vwapSeries) { vwapSeries.remove(); vwapSeries = null; }
    if (state.vwap) vwapSeries = new SplitSeries(chart, LineSeries, { ...lineOpts(VWAP_COLOR), lineStyle: LineStyle.Dashed }, 0, (i) => vwapAt(i), { joined: true });
  };
  buildOverlays();
  extras = new ChartExtras(chart, candles, view, state, () => model.get("_interval_ms") || 60_000);
  const ex = extras;
  /** @type {HTMLElement[]} legends of the panes below the price pane (volume, studies, lines) */
  let paneLegends = [];
  /** @type {number[]|null} the top of each pane below the price pane, in px in the holder; null:
   * read it again (a layout read: once after the panes moved, not once per frame) */
  let paneTops = null;
  const paneResized = () => { paneTops = null; scheduleLegend(); };
  const paneObserver = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(paneResized);
  view.cleanups.push(() => paneObserver?.disconnect());
  // the panes follow the studies and the lines' set; true when they were rebuilt
  const relayout = () => {
    const changed = ex.layout();
    view.root.dataset.panes = String(chart.panes().length);
    view.root.dataset.studies = ex.metas().map((m) => m.key).join(",");
    if (!changed) return false;
    sizeHolder();
    paneTops = null;
    // a dragged separator resizes the panes, not the holder
    paneObserver?.disconnect();
    for (const p of chart.panes()) { const e = p.getHTMLElement(); if (e) paneObserver?.observe(e); }
    for (const e of paneLegends) e.remove();
    paneLegends = [];
    for (let k = 1; k < chart.panes().length; k++) {
      const e = element("div", "iw-legend iw-pane-legend");
      e.dataset.pane = String(k);
      holder.append(e);
      paneLegends.push(e);
    }
    return true;
  };
  relayout();

  // price lines: previous close, limit up / down (A-shares)
  /** @type {import("lightweight-charts").IPriceLine[]} */
  let priceLines = [];
  const renderLevels = () => {
    for (const l of priceLines) candles.tail.removePriceLine(l);
    priceLines = [];
    const lv = model.get("_levels") || {};
    const L = view.L;
    const p = view.pal;
    /** @param {number} price @param {string} color @param {import("lightweight-charts").LineStyle} style @param {string} title */
    const line = (price, color, style, title) =>
      priceLines.push(candles.tail.createPriceLine({ price, color, lineWidth: 1, lineStyle: style, axisLabelVisible: true, title }));
    if (Number.isFinite(lv.prev_close)) line(lv.prev_close, p.muted, LineStyle.Dashed, L.prevClose);
    if (model.get("show_limits")) {
      if (Number.isFinite(lv.limit_up)) line(lv.limit_up, p.up, LineStyle.Dotted, L.limitUp);
      if (Number.isFinite(lv.limit_down)) line(lv.limit_down, p.down, LineStyle.Dotted, L.limitDown);
    }
  };

  // ---- state -> series --------------------------------------------------------------------
  /** @param {number} i */
  const candleAt = (i) => ({ time: sec(c.t[i]), open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] });
  /** @param {number} i */
  const volAt = (i) => ({
    // in the market's unit (lots for A-shares), as the legend and the other widgets count
    time: sec(c.t[i]), value: (c.volume[i] || 0) / view.unit.per,
    color: alpha(c.close[i] >= c.open[i] ? view.pal.up : view.pal.down, 0.6),
  });
  /** @param {number[]} arr @param {number} i */
  const lineAt = (arr, i) => (Number.isFinite(arr[i]) ? { time: sec(c.t[i]), value: arr[i] } : { time: sec(c.t[i]) });
  // the session VWAP restarts each day: a whitespace point at a day's first bar breaks the line
  /** @param {number} i */
  const vwapAt = (i) => (state.vwap && !state.vwap.opensSession(i) ? lineAt(state.vwap.out, i) : { time: sec(c.t[i]) });
  const intraday = () => (model.get("_interval_ms") || 60_000) < DAY_MS;

  // a view's first draw holds the newest bars only, so that it shows at once; the older ones
  // follow once it is on screen, one series per task (ticks are drawn in between), the candles
  // first: they bring the older bars' times, and the view stays put
  let fillFrame = 0;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let fillTimer;
  const cancelFill = () => { cancelAnimationFrame(fillFrame); clearTimeout(fillTimer); fillFrame = 0; fillTimer = undefined; };
  view.cleanups.push(cancelFill);
  /** every bar series, in the order their older bars fill in */
  const allSeries = () => [candles, volume, ...maSeries.values(), ...(vwapSeries ? [vwapSeries] : []), ...ex.allSeries()];
  /** @param {number} k the series to fill now @param {number} held bars before the first draw's */
  const fillStep = (k, held) => {
    fillTimer = undefined;
    const list = allSeries();
    // the older bars are in: their prices may have widened the axis the legend ends at
    if (view.destroyed || k >= list.length) { fillFrame = 0; if (!view.destroyed) scheduleLegend(); return; }
    const ts = chart.timeScale();
    const range = k === 0 ? ts.getVisibleLogicalRange() : null;
    list[k].setAll(state.bars.length);
    if (k === 0) {
      if (range) ts.setVisibleLogicalRange({ from: range.from + held, to: range.to + held });
      ex.drawMarkers(); // they go on the candles' history or tail
    }
    fillTimer = setTimeout(() => fillStep(k + 1, held), 0);
  };

  /**
   * @param {number} prepended bars added before the previous first one (the view stays put)
   * @param {boolean} [first] the view's first draw (see above)
   */
  const drawFull = (prepended, first = false) => {
    cancelFill();
    const ts = chart.timeScale();
    const range = prepended ? ts.getVisibleLogicalRange() : null;
    const n = state.bars.length;
    const newest = first && n > FIRST_BARS ? FIRST_BARS : 0;
    candles.setAll(n, newest);
    volume.setAll(n, newest);
    for (const s of maSeries.values()) s.setAll(n, newest);
    if (vwapSeries) vwapSeries.setAll(n, newest);
    relayout();
    ex.drawAll(newest);
    if (range) ts.setVisibleLogicalRange({ from: range.from + prepended, to: range.to + prepended });
    if (newest) {
      const held = n - newest;
      fillFrame = requestAnimationFrame(() => { fillTimer = setTimeout(() => fillStep(0, held), 0); });
    }
  };

  /** @param {number} from @param {number} oldLen */
  const drawTail = (from, oldLen) => {
    const n = state.bars.length;
    candles.drawFrom(from, n, oldLen);
    volume.drawFrom(from, n, oldLen);
    for (const s of maSeries.values()) s.drawFrom(from, n, oldLen);
    if (vwapSeries) vwapSeries.drawFrom(from, n, oldLen);
    ex.drawStudiesTail(from, oldLen);
    ex.catchUp();
  };

  /**
   * A full frame. A new symbol or interval starts at the latest bar; a full frame of the series
   * already shown (another front-end's resync, the feed's store starting over) keeps the
   * reader's place: the bar at the right edge stays there, found by its time.
   * @param {import("./lib/candlestate.js").BarsChange} ch
   */
  const drawReset = (ch) => {
    const ts = chart.timeScale();
    const range = ts.getVisibleLogicalRange();
    const following = !ch.sameSeries || !range || ch.oldLen === 0 || ts.scrollPosition() > -1;
    let anchor = null;
    if (!following && range) {
      const i = Math.min(ch.oldLen - 1, Math.max(0, Math.round(range.to)));
      const d = candles.dataByIndex(i);
      if (d) anchor = { i, t: Number(d.time) * 1000 };
    }
    drawFull(0);
    if (range && anchor) {
      const j = lowerBound(c.t, anchor.t);
      if (c.t[j] === anchor.t) {
        ts.setVisibleLogicalRange({ from: range.from + j - anchor.i, to: range.to + j - anchor.i });
        return;
      }
      if (ch.keepRange) return;
    }
    ts.scrollToRealTime();
  };

  // the legend ends left of the price axis, whose width follows the prices' digits
  const placeLegend = () => {
    const axis = Math.round(chart.priceScale("right").width());
    if (view.root.dataset.priceAxisW === String(axis)) return;
    legends.style.right = `${axis + 8}px`;
    view.root.dataset.priceAxisW = String(axis);
  };

  const updateLegend = () => {
    // layout is read before this frame writes any (a read after a write forces a reflow)
    if (paneTops === null && paneLegends.length) paneTops = paneLegends.map((_e, k) => Math.round(ex.paneTop(k + 1, holder)) + 2);
    placeLegend();
    const n = state.bars.length;
    const i = hoverIndex >= 0 && hoverIndex < n ? hoverIndex : n - 1;
    // the bar the legend shows (tests compare its values with Python's)
    view.root.dataset.legendTime = i >= 0 ? String(c.t[i]) : "";
    view.root.dataset.bars = String(n);
    if (i < 0) {
      // a symbol with a problem says so where its bars would be, not "waiting" for ever
      const failed = model.get("status") === "error";
      const e = element("span", failed ? "iw-row-error" : "iw-muted");
      e.textContent = failed ? model.get("status_message") || view.L.status.error : view.L.noData;
      patchChildren(legend, [e]);
      patchChildren(maLegend, []);
      return;
    }
    const L = view.L, d = view.decimals;
    const prev = i > 0 ? c.close[i - 1] : (model.get("_levels") || {}).prev_close;
    const chg = Number.isFinite(prev) && prev ? ((c.close[i] - prev) / prev) * 100 : NaN;
    const cls = chg > 0 ? "iw-up" : chg < 0 ? "iw-down" : "iw-flat";
    const tt = element("span", "iw-muted");
    tt.textContent = formatTime(c.t[i], view.tz, intraday() ? "datetime" : "date");
    // the legend's elements stay from frame to frame; their texts change (lib/patch.js)
    patchChildren(legend, [
      tt,
      legendItem(L.open, formatPrice(c.open[i], d), { cls }),
      legendItem(L.high, formatPrice(c.high[i], d), { cls }),
      legendItem(L.low, formatPrice(c.low[i], d), { cls }),
      legendItem(L.close, formatPrice(c.close[i], d), { cls }),
      legendItem(L.volume, formatSizeWithUnit(c.volume[i], view.unit, view.locale, L)),
      legendItem(L.change, formatPct(chg), { cls }),
      ...settings.addTools(),
    ]);
    /** @type {HTMLElement[]} */
    const lines = [];
    let k = 0;
    for (const [len, arr] of state.ma) {
      const s = document.createElement("span");
      s.style.color = MA_COLORS[k++ % MA_COLORS.length];
      s.textContent = `${L.ma}${len} ${formatPrice(arr[i], d)}`;
      lines.push(s);
    }
    if (state.vwap) {
      const s = document.createElement("span");
      s.style.color = VWAP_COLOR;
      s.textContent = `${L.vwap} ${formatPrice(state.vwap.out[i], d)}`;
      lines.push(s);
    }
    const byPane = ex.legend(i);
    settings.decorate(byPane.values());
    patchChildren(maLegend, [...lines, ...(byPane.get(0) || [])]);
    paneLegends.forEach((e, k) => {
      patchChildren(e, byPane.get(k + 1) || []);
      const top = `${paneTops ? paneTops[k] : 0}px`;
      if (e.style.top !== top) e.style.top = top;
      if (e.style.right !== legends.style.right) e.style.right = legends.style.right;
    });
  };
  const scheduleLegend = view.scheduler(updateLegend);

  // a time-axis label cut by the pane's edge is masked, not shown cut (lib/axisedge.js)
  /** @type {Record<"left"|"right", HTMLElement>} */
  const masks = { left: element("div", "iw-axis-mask iw-axis-mask-left"), right: element("div", "iw-axis-mask iw-axis-mask-right") };
  const strip = document.createElement("canvas");
  const maskCutLabels = () => {
    const canvas = holder.querySelector("table tr:last-child td:nth-child(2) canvas");
    if (!(canvas instanceof HTMLCanvasElement) || !canvas.width || !canvas.clientWidth) return;
    if (!canvas.parentElement) return;
    const dpr = canvas.width / canvas.clientWidth;
    const span = Math.min(canvas.width, Math.round(120 * dpr));
    // read a copy of each edge: the chart's own canvas is drawn far more often than read
    strip.width = span;
    strip.height = canvas.height;
    const ctx = strip.getContext("2d", { willReadFrequently: true });
    if (!ctx) return;
    /** @type {string[]} */
    const cut = [];
    for (const edge of /** @type {const} */ (["left", "right"])) {
      ctx.clearRect(0, 0, span, canvas.height);
      ctx.drawImage(canvas, edge === "left" ? 0 : canvas.width - span, 0, span, canvas.height, 0, 0, span, canvas.height);
      const img = ctx.getImageData(0, 0, span, canvas.height);
      const px = cutLabelWidth(img, edge, { top: Math.ceil(2 * dpr), gap: Math.round(6 * dpr) });
      const m = masks[edge];
      if (m.parentElement !== canvas.parentElement) canvas.parentElement.append(m);
      m.style.width = `${Math.ceil(px / dpr)}px`;
      m.style.display = px ? "" : "none";
      m.style.background = view.pal.bg;
      if (px) cut.push(edge);
    }
    view.root.dataset.axisMasked = cut.join(" ");
  };
  // one frame later: the chart asks for its own paint after telling us the range changed
  let maskFrame = 0;
  const scheduleMask = view.scheduler(() => {
    cancelAnimationFrame(maskFrame);
    maskFrame = requestAnimationFrame(() => { maskFrame = 0; if (!view.destroyed) maskCutLabels(); });
  });
  view.cleanups.push(() => cancelAnimationFrame(maskFrame));

  // off screen the bars frames wait: the state takes them, the chart draws them at once when the
  // view is back (as a full frame of the same series, which keeps the reader's place)
  /** @type {{oldLen: number, sameSeries: boolean}|null} */
  let behind = null;
  view.onShow(() => {
    if (!behind) return;
    const b = behind;
    behind = null;
    drawReset({ type: "bars", reset: true, mode: "full", from: 0, prepended: 0, keepRange: true, ...b });
    scheduleLegend();
    scheduleMask();
  });

  /** @param {CandleChange|null} ch */
  const draw = (ch) => {
    if (ch && ch.type === "bars" && !view.onScreen) {
      behind ??= { oldLen: ch.oldLen, sameSeries: true };
      if (ch.reset && !ch.sameSeries) behind.sameSeries = false;
      view.root.dataset.interval = String(state.interval || model.get("interval"));
      view.root.dataset.latest = state.bars.length ? String(c.t[state.bars.length - 1]) : "";
      return;
    }
    if (ch === null) { drawFull(0, true); chart.timeScale().scrollToRealTime(); }
    else if (ch.type === "loaded") { view.root.dataset.loaded = String(ch.count); return; }
    else if (ch.type === "follow") { follow(ch); return; }
    else if (ch.type === "screenshot") {
      // every view answers; Python keeps the first answer to each request
      const png = composeScreenshot(chart, holder, [legends, ...paneLegends]).toDataURL("image/png");
      store.send({ type: "screenshot", id: ch.id, png: png.slice(png.indexOf(",") + 1) });
      return;
    }
    else if (ch.type === "overlays") { buildOverlays(); drawFull(0); }
    else if (ch.type === "series") {
      if (ch.op !== "append" && relayout()) ex.drawAll();
      else if (ch.what === "line") ex.drawLine(ch.id);
      else ex.drawMarkers();
    }
    else if (ch.reset) drawReset(ch);
    else if (ch.mode === "full") drawFull(ch.prepended);
    else if (ch.mode === "tail") drawTail(ch.from, ch.oldLen);
    if (ch && ch.type === "bars" && ch.lines) for (const id of ch.lines) ex.drawLine(id);
    view.root.dataset.interval = String(state.interval || model.get("interval"));
    view.root.dataset.latest = state.bars.length ? String(c.t[state.bars.length - 1]) : "";
    scheduleLegend();
    // the time axis changes with the bars' times, not with the forming bar's prices (a range
    // change schedules it too)
    if (!(ch && ch.type === "bars" && ch.mode !== "full" && !ch.reset && state.bars.length === ch.oldLen)) scheduleMask();
  };

  // ---- linked charts (iw.link): report what the user does, follow what a linked chart did ---
  /** when a linked chart's range was applied here: this view's own range events then are echoes */
  let followingUntil = 0;
  /** @type {Record<string, boolean>} */
  const due = {};
  const sendReports = view.scheduler(() => {
    if (!model.get("_linked")) return;
    if (due.range && performance.now() > followingUntil) {
      const r = chart.timeScale().getVisibleLogicalRange();
      if (r && state.bars.length) store.send({ type: "range", from_t: timeAt(r.from), to_t: timeAt(r.to) });
    }
    if (due.crosshair) {
      const n = state.bars.length;
      store.send({ type: "crosshair", t: hoverIndex >= 0 && hoverIndex < n ? c.t[hoverIndex] : null });
    }
    due.range = due.crosshair = false;
  });
  /** @param {"range"|"crosshair"} what */
  const report = (what) => { if (model.get("_linked")) { due[what] = true; sendReports(); } };
  /** @param {import("./lib/candlestate.js").FollowChange} ch */
  const follow = (ch) => {
    const n = state.bars.length;
    if (!n) return;
    /** the bar holding time `t` (ms), or -1 */
    const barOf = (/** @type {number} */ t) => Math.min(n - 1, lowerBound(c.t, t + 0.5) - 1);
    if (ch.what === "crosshair") {
      const j = ch.t == null ? -1 : barOf(ch.t);
      if (j < 0) { chart.clearCrosshairPosition(); hoverIndex = -1; }
      else { chart.setCrosshairPosition(c.close[j], sec(c.t[j]), candles.tail); hoverIndex = j; }
      view.root.dataset.followedTime = j < 0 ? "" : String(c.t[j]);
      scheduleLegend();
      return;
    }
    if (ch.from == null || ch.to == null) return;
    const a = Math.max(0, barOf(ch.from)), b = Math.max(a + 1, barOf(ch.to));
    followingUntil = performance.now() + 300;
    chart.timeScale().setVisibleLogicalRange({ from: a, to: b });
  };

  // the bar times at the edges of what this view shows (tests check a reset keeps them)
  /** @param {number} x */
  const timeAt = (x) => c.t[Math.min(state.bars.length - 1, Math.max(0, Math.round(x)))];
  // scroll back: near the left edge, ask for older bars
  /** @param {LogicalRange|null} range */
  const onRange = (range) => {
    scheduleMask();
    // the price axis widens or narrows with the prices in view: the legend ends left of it
    scheduleLegend();
    if (!range || !state.bars.length) return;
    report("range");
    view.root.dataset.visibleFrom = String(timeAt(range.from));
    view.root.dataset.visibleTo = String(timeAt(range.to));
    // before the first draw's older bars are in, the left edge is not the oldest bar held
    if (fillFrame || fillTimer !== undefined) return;
    if (range.from < 20 && state.requestOlder(model.get("page_size") || 500)) {
      view.root.dataset.loadRequests = String(++loadRequests);
    }
  };
  chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);
  /** @param {import("lightweight-charts").MouseEventParams} param */
  const onCross = (param) => {
    const i = param && param.logical != null && param.time != null ? Math.round(param.logical) : -1;
    if (i !== hoverIndex) { hoverIndex = i; scheduleLegend(); }
    if (param && param.sourceEvent) report("crosshair"); // the user's own move, not a linked one
  };
  chart.subscribeCrosshairMove(onCross);
  // a view drawn before its element is on the page has no width yet, and the chart cannot place
  // the latest bar at the right edge until it has one: place it when the first size comes
  let placed = holder.clientWidth > 0;
  view.cleanups.push(onResize(holder, () => {
    paneTops = null;
    scheduleLegend();
    scheduleMask();
    if (placed || !holder.clientWidth) return;
    placed = true;
    chart.timeScale().scrollToRealTime();
  }));

  view.onTheme((p) => {
    chart.applyOptions(chartColors(p));
    candles.applyOptions(candleOpts(p));
    renderLevels();
    ex.renderPriceLines();
    if (state.bars.length) drawFull(0);
    scheduleMask();
  });
  view.listen("change:_levels change:show_limits change:locale", () => { renderLevels(); volume.applyOptions({ priceFormat: volumeFormat() }); scheduleLegend(); });
  view.listen("change:interval change:intervals", renderButtons);
  view.listen("change:timezone", () => { chart.applyOptions({ localization: { timeFormatter: timeFmt }, timeScale: { tickMarkFormatter: tickFmt } }); scheduleLegend(); });
  view.listen("change:height", sizeHolder);
  view.listen("change:status change:status_message", scheduleLegend);
  view.listen("change:_market", () => {
    candles.applyOptions(candleOpts(view.pal));
    volume.applyOptions({ priceFormat: volumeFormat() });
    scheduleLegend();
  });

  view.listen("change:_study_meta", () => { if (relayout()) ex.drawAll(); settings.metasChanged(); scheduleLegend(); });
  view.listen("change:_study_refused change:_study_catalog", scheduleLegend);
  view.listen("change:_price_lines", () => ex.renderPriceLines());
  renderLevels();
  ex.renderPriceLines();
  volumeProfile({ view, store, holder, chart, series: candles.tail });
  view.follow(store, draw);
  updateLegend();
  view.root.dataset.ready = "1";

  return () => {
    chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
    chart.unsubscribeCrosshairMove(onCross);
    ex.dispose();
    chart.remove();
    view.destroy();
  };
}

export default defineWidget(createStore, render);
