// @ts-check
// DepthHeatmap state of one model: a ring of time bins, each with the book at its end (levels of
// both sides) and the volume traded in it per price and side. A frame brings one bin's book and
// the trades since the previous frame; bins in between repeat the book before them (resting
// orders stay until they change). Memory is `capacity` bins whatever the session length.

/**
 * @typedef {{px: number, vol: number, dir: number}} BinTrade
 * @typedef {{reset: boolean, bins: number[]}} HeatChange the bins (absolute numbers) that changed
 */

export class HeatState {
  constructor() {
    this.capacity = 1;
    this.levels = 1;
    this.binMs = 1000;
    this.bidPx = new Float64Array(1);
    this.bidVol = new Float64Array(1);
    this.askPx = new Float64Array(1);
    this.askVol = new Float64Array(1);
    /** @type {Array<Map<string, BinTrade>>} */
    this.trades = [];
    this.first = 0;
    /** the newest bin held (absolute: exchange ms / binMs), -1 before any */
    this.last = -1;
    this.maxVol = 0;
    this.maxTrade = 0;
    this.reset(1, 1, 1000, 0);
    /** @type {import("./wire.js").RawFrame|null} */
    this.lastHeader = null;
    /** the symbol and window the bins belong to */
    this.symbol = "";
    this.windowMs = 0;
    /** exchange time of the newest data, and the wall clock (performance.now) it came at */
    this.now = NaN;
    this.nowAt = 0;
    /** market ms per wall ms, estimated from frames (the simulator compresses time) */
    this.rate = 1;
    this.frames = 0;
  }

  /**
   * @param {number} capacity bins held @param {number} levels per side @param {number} binMs
   * @param {number} firstBin
   */
  reset(capacity, levels, binMs, firstBin) {
    this.capacity = Math.max(1, capacity | 0);
    this.levels = Math.max(1, levels | 0);
    this.binMs = Math.max(1, binMs);
    const n = this.capacity * this.levels;
    this.bidPx = new Float64Array(n).fill(NaN);
    this.bidVol = new Float64Array(n).fill(NaN);
    this.askPx = new Float64Array(n).fill(NaN);
    this.askVol = new Float64Array(n).fill(NaN);
    this.trades = Array.from({ length: this.capacity }, () => new Map());
    this.first = firstBin;
    this.last = -1;
    this.maxVol = 0;
    this.maxTrade = 0;
  }

  /** @param {number} b absolute bin number */
  slot(b) { return ((b % this.capacity) + this.capacity) % this.capacity; }

  /** Whether bin `b` is held. @param {number} b */
  has(b) { return this.last >= 0 && b >= this.first && b <= this.last; }

  /** Open bin `b`: bins since the newest repeat its book, with no trades. @param {number} b */
  advance(b) {
    if (this.last < 0) { this.first = this.last = b; this.trades[this.slot(b)] = new Map(); return; }
    if (b <= this.last) return;
    const L = this.levels, from = this.slot(this.last) * L;
    const stop = Math.min(b, this.last + this.capacity);
    for (let k = this.last + 1; k <= stop; k++) {
      const to = this.slot(k) * L;
      this.bidPx.copyWithin(to, from, from + L); this.bidVol.copyWithin(to, from, from + L);
      this.askPx.copyWithin(to, from, from + L); this.askVol.copyWithin(to, from, from + L);
      this.trades[this.slot(k)] = new Map();
    }
    this.last = b;
    this.first = Math.max(this.first, b - this.capacity + 1);
  }

  /**
   * @param {import("./wire.js").RawFrame} raw
   * @returns {HeatChange|null}
   */
  apply(raw) {
    if (raw.header.kind !== "heatmap") return null;
    const { header: h, cols } = /** @type {import("./frames.js").HeatmapFrame} */ (raw);
    const binMs = Number(h.bin_ms) || 1000;
    const L = Math.max(1, Number(h.levels) || 1);
    const t = cols.t || new Float64Array(0);
    /** @type {number[]} */
    const bins = [];
    if (h.reset || L !== this.levels || binMs !== this.binMs || Number(h.capacity) !== this.capacity) {
      this.reset(Number(h.capacity) || 600, L, binMs, t.length ? Math.floor(t[0] / binMs) : 0);
    }
    this.symbol = String(h.symbol || "");
    this.windowMs = Number(h.window_ms) || this.capacity * binMs;
    for (let i = 0; i < t.length; i++) {
      const b = Math.floor(t[i] / binMs);
      if (this.last >= 0 && b < this.first) continue;
      this.advance(b);
      const at = this.slot(b) * L;
      for (let j = 0; j < L; j++) {
        const k = i * L + j;
        this.bidPx[at + j] = cols.bid_px[k]; this.bidVol[at + j] = cols.bid_vol[k];
        this.askPx[at + j] = cols.ask_px[k]; this.askVol[at + j] = cols.ask_vol[k];
        const v = Math.max(cols.bid_vol[k] || 0, cols.ask_vol[k] || 0);
        if (v > this.maxVol) this.maxVol = v;
      }
      bins.push(b);
    }
    const tt = cols.tr_t || new Float64Array(0);
    for (let i = 0; i < tt.length; i++) {
      const b = Math.floor(tt[i] / binMs);
      if (this.last >= 0 && b < this.first) continue;
      this.advance(b);
      const m = this.trades[this.slot(b)];
      const key = `${cols.tr_px[i]}|${cols.tr_dir[i]}`;
      const cell = m.get(key) || { px: cols.tr_px[i], vol: 0, dir: cols.tr_dir[i] };
      cell.vol += cols.tr_vol[i];
      m.set(key, cell);
      if (cell.vol > this.maxTrade) this.maxTrade = cell.vol;
      if (bins[bins.length - 1] !== b) bins.push(b);
    }
    const now = Number(h.now);
    if (Number.isFinite(now) && now > 0) this.advance(Math.floor(now / binMs));
    this.observeClock(Math.max(Number(h.market_ms) || 0, now || 0));
    this.lastHeader = raw;
    this.frames += 1;
    if (h.reset) this.rescale();
    return { reset: !!h.reset, bins };
  }

  /**
   * The live edge: exchange time of the newest data, and how fast exchange time runs per wall
   * millisecond (smoothed), so the view can scroll between frames.
   * @param {number} marketMs
   */
  observeClock(marketMs) {
    if (!(marketMs > 0)) return;
    const wall = typeof performance !== "undefined" ? performance.now() : Date.now();
    if (Number.isFinite(this.now) && marketMs > this.now && wall > this.nowAt) {
      const r = (marketMs - this.now) / (wall - this.nowAt);
      if (Number.isFinite(r) && r > 0 && r < 1e5) this.rate = 0.8 * this.rate + 0.2 * r;
    }
    if (!Number.isFinite(this.now) || marketMs >= this.now) { this.now = marketMs; this.nowAt = wall; }
  }

  /** The largest size and trade held (the colour and circle scales). */
  rescale() {
    let mv = 0, mt = 0;
    for (let b = this.first; this.last >= 0 && b <= this.last; b++) {
      const at = this.slot(b) * this.levels;
      for (let j = 0; j < this.levels; j++) mv = Math.max(mv, this.bidVol[at + j] || 0, this.askVol[at + j] || 0);
      for (const c of this.trades[this.slot(b)].values()) mt = Math.max(mt, c.vol);
    }
    this.maxVol = mv;
    this.maxTrade = mt;
  }

  /**
   * Size resting at `px` in bin `b` (0 if none), and the side holding it.
   * @param {number} b @param {number} px @param {number} half half a row: prices within it match
   * @returns {{vol: number, side: "bid"|"ask"|""}}
   */
  restingAt(b, px, half) {
    if (!this.has(b)) return { vol: 0, side: "" };
    const at = this.slot(b) * this.levels;
    for (let j = 0; j < this.levels; j++) {
      if (Math.abs(this.bidPx[at + j] - px) <= half) return { vol: this.bidVol[at + j] || 0, side: "bid" };
      if (Math.abs(this.askPx[at + j] - px) <= half) return { vol: this.askVol[at + j] || 0, side: "ask" };
    }
    return { vol: 0, side: "" };
  }

  /** Volume traded at `px` in bin `b`. @param {number} b @param {number} px @param {number} half */
  tradedAt(b, px, half) {
    if (!this.has(b)) return 0;
    let v = 0;
    for (const c of this.trades[this.slot(b)].values()) if (Math.abs(c.px - px) <= half) v += c.vol;
    return v;
  }

  /** Best bid and ask of bin `b` (NaN where missing). @param {number} b */
  best(b) {
    if (!this.has(b)) return { bid: NaN, ask: NaN };
    const at = this.slot(b) * this.levels;
    return { bid: this.bidPx[at], ask: this.askPx[at] };
  }

  /** Bins held, oldest first, as one full frame (the saved state): the latest 240. */
  snapshot() {
    if (!this.lastHeader || this.last < 0) return this.lastHeader;
    const lo = Math.max(this.first, this.last - 239), L = this.levels;
    const m = this.last - lo + 1;
    const t = new Float64Array(m);
    const bp = new Float64Array(m * L), bv = new Float64Array(m * L), ap = new Float64Array(m * L), av = new Float64Array(m * L);
    /** @type {number[][]} */
    const tr = [[], [], [], []];
    for (let i = 0; i < m; i++) {
      const b = lo + i, at = this.slot(b) * L;
      t[i] = b * this.binMs;
      bp.set(this.bidPx.subarray(at, at + L), i * L); bv.set(this.bidVol.subarray(at, at + L), i * L);
      ap.set(this.askPx.subarray(at, at + L), i * L); av.set(this.askVol.subarray(at, at + L), i * L);
      for (const c of this.trades[this.slot(b)].values()) { tr[0].push(b * this.binMs); tr[1].push(c.px); tr[2].push(c.vol); tr[3].push(c.dir); }
    }
    const h = this.lastHeader.header;
    return {
      header: { ...h, now: this.last * this.binMs },
      cols: { t, bid_px: bp, bid_vol: bv, ask_px: ap, ask_vol: av, tr_t: tr[0], tr_px: tr[1], tr_vol: tr[2], tr_dir: tr[3] },
    };
  }
}
