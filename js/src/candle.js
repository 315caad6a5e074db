// CandleChart view: TradingView Lightweight Charts (candles + volume pane + MAs + VWAP),
// fed by frames of bars; scroll back asks Python for older bars.
//
// TradingView Lightweight Charts™ — Copyright (c) TradingView, Inc., Apache-2.0.
// Its attribution logo (a link to https://www.tradingview.com/) stays on: see NOTICE.

import {
  CandlestickSeries, CrosshairMode, HistogramSeries, LineSeries, LineStyle, TickMarkType, createChart,
} from "lightweight-charts";
import { View } from "./lib/base.js";
import { BarStore } from "./lib/barstore.js";
import { formatPct, formatPrice, formatTime, formatVolume, localDay } from "./lib/format.js";
import { alpha } from "./lib/theme.js";

const MA_COLORS = ["#f59e0b", "#3b82f6", "#a855f7", "#14b8a6", "#ec4899", "#84cc16"];
const VWAP_COLOR = "#64748b";
const DAY_MS = 86_400_000;

/** Incremental session VWAP (resets each exchange-local day; per bar for daily and longer). */
class Vwap {
  constructor() { this.v = []; this.x = []; this.day = []; this.out = []; }
  /** @param {BarStore} s @param {number} from @param {string|undefined} tz @param {boolean} intraday */
  compute(s, from, tz, intraday) {
    const { t, volume, turnover } = s.c;
    const n = t.length;
    for (const a of [this.v, this.x, this.day, this.out]) a.length = n;
    for (let i = Math.max(0, from); i < n; i++) {
      const vol = volume[i] || 0, amt = turnover[i] || 0;
      if (!intraday) { this.out[i] = vol > 0 ? amt / vol : NaN; continue; }
      const d = localDay(t[i], tz);
      const same = i > 0 && this.day[i - 1] === d;
      this.day[i] = d;
      this.v[i] = (same ? this.v[i - 1] : 0) + vol;
      this.x[i] = (same ? this.x[i - 1] : 0) + amt;
      this.out[i] = this.v[i] > 0 ? this.x[i] / this.v[i] : NaN;
    }
    return this.out;
  }
}

/** Moving average over closes, recomputed from an index on. */
function smaFrom(close, n, out, from) {
  const len = close.length;
  out.length = len;
  for (let i = Math.max(0, from); i < len; i++) {
    if (i < n - 1) { out[i] = NaN; continue; }
    let sum = 0;
    for (let k = i - n + 1; k <= i; k++) sum += close[k];
    out[i] = sum / n;
  }
  return out;
}

function render({ model, el }) {
  const view = new View({ model, el }, "candle");
  const store = new BarStore(model.get("max_bars") || 15000);
  const vw = new Vwap();
  /** @type {Map<number, number[]>} */
  const maValues = new Map();
  let loadingMore = false;
  let noMore = false;
  let hoverIndex = -1;

  // ---- layout -----------------------------------------------------------------------------
  const holder = document.createElement("div");
  holder.className = "iw-chart";
  holder.style.position = "relative";
  holder.style.width = "100%";
  holder.style.height = `${model.get("height") || 420}px`;
  const legend = document.createElement("div");
  legend.className = "iw-legend";
  Object.assign(legend.style, {
    position: "absolute", left: "8px", top: "4px", zIndex: "3", pointerEvents: "none",
    display: "flex", gap: "8px", flexWrap: "wrap", fontSize: "12px",
  });
  const maLegend = document.createElement("div");
  Object.assign(maLegend.style, {
    position: "absolute", left: "8px", top: "22px", zIndex: "3", pointerEvents: "none",
    display: "flex", gap: "8px", fontSize: "11px",
  });
  view.body.append(holder, legend, maLegend);

  // interval switch
  /** @type {Map<string, HTMLButtonElement>} */
  const buttons = new Map();
  const renderButtons = () => {
    view.tools.replaceChildren();
    buttons.clear();
    for (const iv of model.get("intervals") || []) {
      const b = document.createElement("button");
      b.className = "iw-btn";
      b.textContent = iv;
      b.dataset.interval = iv;
      b.setAttribute("aria-pressed", String(iv === model.get("interval")));
      b.addEventListener("click", () => {
        if (iv === model.get("interval")) return;
        model.set("interval", iv);
        model.save_changes();
      });
      buttons.set(iv, b);
      view.tools.append(b);
    }
  };
  renderButtons();

  // ---- chart ------------------------------------------------------------------------------
  const timeFmt = (sec) => {
    const iv = model.get("_interval_ms") || 60_000;
    return formatTime(sec * 1000, view.tz, iv >= DAY_MS ? "date" : "datetime");
  };
  const tickFmt = (sec, type) => {
    const ms = sec * 1000;
    switch (type) {
      case TickMarkType.Year: return formatTime(ms, view.tz, "year");
      case TickMarkType.Month: return formatTime(ms, view.tz, "month");
      case TickMarkType.DayOfMonth: return formatTime(ms, view.tz, "monthday");
      case TickMarkType.TimeWithSeconds: return formatTime(ms, view.tz, "time_s");
      default: return formatTime(ms, view.tz, "time");
    }
  };
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
    timeScale: { timeVisible: true, secondsVisible: false, tickMarkFormatter: tickFmt, rightOffset: 4 },
  });
  chart.applyOptions({ layout: { attributionLogo: true } });
  const candleOpts = (p) => ({
    upColor: p.up, downColor: p.down, borderUpColor: p.up, borderDownColor: p.down,
    wickUpColor: p.up, wickDownColor: p.down,
    priceFormat: { type: "price", precision: view.decimals, minMove: 10 ** -view.decimals },
  });
  const candles = chart.addSeries(CandlestickSeries, candleOpts(view.pal), 0);
  const volumeFormat = () => ({ type: "custom", minMove: 1, formatter: (v) => formatVolume(v, view.locale, 1) });
  const volume = chart.addSeries(HistogramSeries, { priceFormat: volumeFormat(), priceLineVisible: false, lastValueVisible: false }, 1);
  chart.panes()[0]?.setStretchFactor(3);
  chart.panes()[1]?.setStretchFactor(1);
  const lineOpts = (color) => ({
    color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false,
  });
  /** @type {Map<number, any>} */
  let maSeries = new Map();
  let vwapSeries = null;
  const buildOverlays = () => {
    for (const s of maSeries.values()) chart.removeSeries(s);
    maSeries = new Map();
    maValues.clear();
    (model.get("ma") || []).forEach((n, k) => {
      maSeries.set(n, chart.addSeries(LineSeries, lineOpts(MA_COLORS[k % MA_COLORS.length]), 0));
      maValues.set(n, []);
    });
    if (vwapSeries) { chart.removeSeries(vwapSeries); vwapSeries = null; }
    if (model.get("vwap")) vwapSeries = chart.addSeries(LineSeries, { ...lineOpts(VWAP_COLOR), lineStyle: LineStyle.Dashed }, 0);
  };
  buildOverlays();

  // price lines: previous close, limit up / down (A-shares)
  /** @type {any[]} */
  let priceLines = [];
  const renderLevels = () => {
    for (const l of priceLines) candles.removePriceLine(l);
    priceLines = [];
    const lv = model.get("_levels") || {};
    const L = view.L;
    const p = view.pal;
    if (Number.isFinite(lv.prev_close)) {
      priceLines.push(candles.createPriceLine({ price: lv.prev_close, color: p.muted, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: L.prevClose }));
    }
    if (model.get("show_limits")) {
      if (Number.isFinite(lv.limit_up)) priceLines.push(candles.createPriceLine({ price: lv.limit_up, color: p.up, lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: true, title: L.limitUp }));
      if (Number.isFinite(lv.limit_down)) priceLines.push(candles.createPriceLine({ price: lv.limit_down, color: p.down, lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: true, title: L.limitDown }));
    }
  };

  // ---- data -> series ---------------------------------------------------------------------
  const c = store.c;
  const candleAt = (i) => ({ time: c.t[i] / 1000, open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] });
  const volAt = (i) => ({
    time: c.t[i] / 1000, value: c.volume[i] || 0,
    color: alpha(c.close[i] >= c.open[i] ? view.pal.up : view.pal.down, 0.6),
  });
  const lineAt = (arr, i) => (Number.isFinite(arr[i]) ? { time: c.t[i] / 1000, value: arr[i] } : { time: c.t[i] / 1000 });
  // the session VWAP restarts each day: a whitespace point at a day's first bar breaks the line
  const vwapAt = (i) => (intraday() && i > 0 && vw.day[i] !== vw.day[i - 1] ? { time: c.t[i] / 1000 } : lineAt(vw.out, i));
  const intraday = () => (model.get("_interval_ms") || 60_000) < DAY_MS;

  const computeOverlays = (from) => {
    for (const [n, arr] of maValues) smaFrom(c.close, n, arr, from);
    if (vwapSeries) vw.compute(store, from, view.tz, intraday());
  };

  const drawFull = (prepended) => {
    const ts = chart.timeScale();
    const range = prepended ? ts.getVisibleLogicalRange() : null;
    const n = store.length;
    computeOverlays(0);
    const cd = new Array(n), vd = new Array(n);
    for (let i = 0; i < n; i++) { cd[i] = candleAt(i); vd[i] = volAt(i); }
    candles.setData(cd);
    volume.setData(vd);
    for (const [len, s] of maSeries) {
      const arr = maValues.get(len);
      const ld = new Array(n);
      for (let i = 0; i < n; i++) ld[i] = lineAt(arr, i);
      s.setData(ld);
    }
    if (vwapSeries) {
      const ld = new Array(n);
      for (let i = 0; i < n; i++) ld[i] = vwapAt(i);
      vwapSeries.setData(ld);
    }
    if (range) ts.setVisibleLogicalRange({ from: range.from + prepended, to: range.to + prepended });
  };

  const drawTail = (from, oldLen) => {
    computeOverlays(from);
    for (let i = from; i < store.length; i++) {
      const hist = i < oldLen - 1;
      candles.update(candleAt(i), hist);
      volume.update(volAt(i), hist);
      for (const [len, s] of maSeries) s.update(lineAt(maValues.get(len), i), hist);
      if (vwapSeries) vwapSeries.update(vwapAt(i), hist);
    }
  };

  const updateLegend = () => {
    const n = store.length;
    const i = hoverIndex >= 0 && hoverIndex < n ? hoverIndex : n - 1;
    legend.replaceChildren();
    maLegend.replaceChildren();
    view.root.dataset.bars = String(n);
    if (i < 0) {
      const e = document.createElement("span");
      e.className = "iw-muted";
      e.textContent = view.L.noData;
      legend.append(e);
      return;
    }
    const L = view.L, d = view.decimals;
    const prev = i > 0 ? c.close[i - 1] : (model.get("_levels") || {}).prev_close;
    const chg = Number.isFinite(prev) && prev ? ((c.close[i] - prev) / prev) * 100 : NaN;
    const cls = chg > 0 ? "iw-up" : chg < 0 ? "iw-down" : "iw-flat";
    const item = (label, value, klass) => {
      const s = document.createElement("span");
      const a = document.createElement("span");
      a.className = "iw-muted";
      a.textContent = `${label} `;
      const b = document.createElement("span");
      if (klass) b.className = klass;
      b.textContent = value;
      s.append(a, b);
      legend.append(s);
    };
    const tt = document.createElement("span");
    tt.className = "iw-muted";
    tt.textContent = formatTime(c.t[i], view.tz, intraday() ? "datetime" : "date");
    legend.append(tt);
    item(L.open, formatPrice(c.open[i], d), cls);
    item(L.high, formatPrice(c.high[i], d), cls);
    item(L.low, formatPrice(c.low[i], d), cls);
    item(L.close, formatPrice(c.close[i], d), cls);
    item(L.volume, formatVolume(c.volume[i], view.locale), "");
    item(L.change, formatPct(chg), cls);
    let k = 0;
    for (const [len, arr] of maValues) {
      const s = document.createElement("span");
      s.style.color = MA_COLORS[k++ % MA_COLORS.length];
      s.textContent = `MA${len} ${formatPrice(arr[i], d)}`;
      maLegend.append(s);
    }
    if (vwapSeries) {
      const s = document.createElement("span");
      s.style.color = VWAP_COLOR;
      s.textContent = `${L.vwap} ${formatPrice(vw.out[i], d)}`;
      maLegend.append(s);
    }
  };
  const scheduleLegend = view.scheduler(updateLegend);

  const apply = (frame) => {
    const h = frame.header;
    if (h.kind !== "bars") return;
    if (h.reset) {
      store.reset(frame.cols);
      drawFull(0);
      loadingMore = false;
      noMore = false;
      if (!h.keep_range) chart.timeScale().scrollToRealTime();
    } else {
      const oldLen = store.length;
      const r = store.upsert(frame.cols);
      if (r.mode === "full") drawFull(r.prepended);
      else if (r.mode === "tail") drawTail(r.from, oldLen);
      if (r.prepended) loadingMore = false;
    }
    view.root.dataset.interval = String(h.interval || model.get("interval"));
    scheduleLegend();
  };
  const control = (msg) => {
    if (msg.what === "loaded") {
      loadingMore = false;
      if (!msg.count) {
        // nothing older right now (history may still be loading): try again later, not never
        noMore = true;
        setTimeout(() => { noMore = false; }, 5000);
      }
      view.root.dataset.loaded = String(msg.count);
    }
  };

  // scroll back: near the left edge, ask for older bars
  const onRange = (range) => {
    if (!range || loadingMore || noMore || !store.length) return;
    if (range.from < 20) {
      loadingMore = true;
      view.root.dataset.loadRequests = String(Number(view.root.dataset.loadRequests || 0) + 1);
      view.send({ type: "load_more", before: c.t[0], count: model.get("page_size") || 500 });
      setTimeout(() => { loadingMore = false; }, 5000); // never stay stuck if no reply comes
    }
  };
  chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);
  const onCross = (param) => {
    const i = param && param.logical != null && param.time != null ? Math.round(param.logical) : -1;
    if (i !== hoverIndex) { hoverIndex = i; scheduleLegend(); }
  };
  chart.subscribeCrosshairMove(onCross);

  view.onTheme((p) => {
    chart.applyOptions(chartColors(p));
    candles.applyOptions(candleOpts(p));
    renderLevels();
    if (store.length) drawFull(0);
  });
  view.listen("change:_levels change:show_limits change:locale", () => { renderLevels(); volume.applyOptions({ priceFormat: volumeFormat() }); scheduleLegend(); });
  view.listen("change:ma change:vwap", () => { buildOverlays(); drawFull(0); scheduleLegend(); });
  view.listen("change:interval change:intervals", renderButtons);
  view.listen("change:timezone", () => { chart.applyOptions({ localization: { timeFormatter: timeFmt }, timeScale: { tickMarkFormatter: tickFmt } }); if (store.length) drawFull(0); scheduleLegend(); });
  view.listen("change:height", () => { holder.style.height = `${model.get("height") || 420}px`; });
  view.listen("change:_market", () => { candles.applyOptions(candleOpts(view.pal)); });

  renderLevels();
  view.start(apply, control);
  updateLegend();
  view.root.dataset.ready = "1";

  return () => {
    chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
    chart.unsubscribeCrosshairMove(onCross);
    chart.remove();
    view.destroy();
  };
}

export default { render };
