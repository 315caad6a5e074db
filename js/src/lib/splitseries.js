// @ts-check
// One line, histogram or candle series of the chart drawn as two Lightweight Charts series: the
// settled history and the newest bars. Lightweight Charts copies a series' rows on every
// `update()` and rebuilds every point of a series whose data changed on its next paint, so a tick
// on the forming bar of a series holding 5 000 bars costs 5 000 points, per series, per frame
// (measured: benchmarks/render.py --profile). With the newest bars in a small series of their
// own a tick costs the few points of that tail; the history series changes only when the tail is
// folded into it (every TAIL_MAX new bars), on a full redraw, or when a bar inside it changed.

/**
 * @typedef {import("lightweight-charts").IChartApi} IChartApi
 * @typedef {import("lightweight-charts").ISeriesApi<any>} AnySeriesApi
 */

/** bars the tail series may grow to before it is folded into the history series */
export const TAIL_MAX = 256;
/** bars a view's first draw holds (more than a wide chart shows): the rest follows a frame later */
export const FIRST_BARS = 256;

/** @param {Record<string, any>} options @returns {Record<string, any>} */
const historyOptions = (options) => ({ ...options, priceLineVisible: false, lastValueVisible: false, title: "" });

export class SplitSeries {
  /**
   * @param {IChartApi} chart
   * @param {any} type the series definition (LineSeries, HistogramSeries, CandlestickSeries)
   * @param {Record<string, any>} options
   * @param {number} pane
   * @param {(i: number) => any} pointAt the point (or whitespace) of bar `i`
   * @param {{joined?: boolean}} [how] `joined`: a line, whose tail starts at the history's last
   *   point so that it has no gap (bars and candles drawn twice would show: histograms are
   *   translucent)
   */
  constructor(chart, type, options, pane, pointAt, how = {}) {
    this.chart = chart;
    this.pointAt = pointAt;
    this.overlap = how.joined ? 1 : 0;
    /** @type {AnySeriesApi} */
    this.history = chart.addSeries(type, historyOptions(options), pane);
    /** @type {AnySeriesApi} the newest bars; it carries the last value's label and price line */
    this.tail = chart.addSeries(type, options, pane);
    /** index of the first bar drawn by the tail series */
    this.split = 0;
    /** bars drawn */
    this.n = 0;
  }

  /** @param {Record<string, any>} options */
  applyOptions(options) {
    this.history.applyOptions(historyOptions(options));
    this.tail.applyOptions(options);
  }

  /**
   * Draw bars [0, n) anew: all but the newest in the history series; with `newest`, only the
   * newest `newest` bars, in the tail series (a first draw: the caller draws everything soon).
   * @param {number} n @param {number} [newest]
   */
  setAll(n, newest = 0) {
    this.split = newest ? Math.max(0, n - newest) : Math.max(0, n - 1);
    const h = new Array(newest ? 0 : this.split);
    for (let i = 0; i < h.length; i++) h[i] = this.pointAt(i);
    this.history.setData(h);
    /** @type {any[]} */
    const t = [];
    for (let i = Math.max(0, this.split - this.overlap); i < n; i++) t.push(this.pointAt(i));
    this.tail.setData(t);
    this.n = n;
  }

  /**
   * Bars from `from` on changed or were appended; `oldLen` bars were held before.
   * @param {number} from @param {number} n @param {number} oldLen
   */
  drawFrom(from, n, oldLen) {
    if (from < this.split || oldLen !== this.n || n - this.split > TAIL_MAX) { this.setAll(n); return; }
    for (let i = from; i < n; i++) this.tail.update(this.pointAt(i), i < oldLen - 1);
    this.n = n;
  }

  /** The point drawn at logical index `i` (the bar index), or null. @param {number} i */
  dataByIndex(i) {
    return (i < this.split ? this.history.dataByIndex(i) : null) ?? this.tail.dataByIndex(i);
  }

  remove() {
    this.chart.removeSeries(this.history);
    this.chart.removeSeries(this.tail);
  }
}
