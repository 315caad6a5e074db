// @ts-check
// Decoding of the frames Python sends (see infoway_widgets/widgets/_wire.py).
//
// A live frame is a custom message: a small JSON header
//   { kind, v, seq, n, cols: [name, ...], reset?, ... }
// plus one little-endian float64 buffer per name in `cols`. The same frame, kept in the
// `_snapshot` trait for views without a kernel, carries its columns as JSON arrays instead
// (NaN as null): { header, cols: { name: [..] } }. Where a front-end drops binary buffers
// (Colab), the header carries the columns base64-encoded instead: { ..., b64: ["...", ...] }.

/** Schema version this bundle understands. */
export const SCHEMA = 1;

/**
 * A float64 view of one buffer, whatever shape ipywidgets hands it over in.
 * @param {DataView|ArrayBuffer|ArrayBufferView|number[]|null|undefined} b
 * @returns {Float64Array}
 */
export function toFloat64(b) {
  if (b == null) return new Float64Array(0);
  if (b instanceof Float64Array) return b;
  if (Array.isArray(b)) return Float64Array.from(b, (x) => (x == null ? NaN : x));
  /** @type {ArrayBufferLike} */
  let buffer;
  let offset, length;
  if (b instanceof ArrayBuffer) {
    buffer = b; offset = 0; length = b.byteLength;
  } else {
    buffer = b.buffer; offset = b.byteOffset; length = b.byteLength;
  }
  const n = Math.floor(length / 8);
  if (offset % 8 === 0) return new Float64Array(buffer, offset, n);
  // unaligned (possible inside a larger message buffer): copy, reading little-endian
  const dv = new DataView(buffer, offset, length);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
  return out;
}

/**
 * The float64 values of a base64 string (the bytes of little-endian float64s).
 * @param {string} text
 * @returns {Float64Array}
 */
export function fromBase64(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length - (bin.length % 8));
  for (let i = 0; i < bytes.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

/**
 * Each kind's usual columns, in order: a frame whose columns begin with them names them "*"
 * (`cols: ["*", "studies"]`), most of a live delta's header otherwise. The same table as
 * `USUAL_COLUMNS` in infoway_widgets/widgets/_wire.py.
 * @type {Record<string, string[]>}
 */
export const USUAL_COLUMNS = {
  bars: ["t", "open", "high", "low", "close", "volume", "turnover"],
  book: ["bid_px", "bid_vol", "ask_px", "ask_vol"],
  tape: ["t", "price", "volume", "direction"],
};

/**
 * Put a frame header's usual columns back in place of its "*" (before anything reads `cols`).
 * @param {Record<string, any>} msg a frame header, changed in place
 * @returns {Record<string, any>} the same header
 */
export function expandColumns(msg) {
  const cols = msg.cols;
  if (Array.isArray(cols) && cols[0] === "*" && USUAL_COLUMNS[msg.kind]) {
    msg.cols = [...USUAL_COLUMNS[msg.kind], ...cols.slice(1)];
  }
  return msg;
}

/**
 * Whether a frame's columns should have come as binary buffers and did not: a front-end that
 * drops them (Colab's widget manager does, on custom messages).
 * @param {Record<string, any>} msg
 * @param {Array<unknown>} [buffers]
 */
export function buffersDropped(msg, buffers = []) {
  const cols = Array.isArray(msg.cols) ? msg.cols.length : 0;
  return !Array.isArray(msg.b64) && Number(msg.n) > 0 && (buffers?.length ?? 0) < cols;
}

/**
 * Whether the reply to a `probe` request brought its buffer intact.
 * @param {Record<string, any>} msg `{kind: "probe", values: number[]}`
 * @param {Array<DataView|ArrayBuffer>} [buffers]
 */
export function probeArrived(msg, buffers = []) {
  const want = Array.isArray(msg.values) ? msg.values : [];
  if (!buffers || !buffers.length) return false;
  const got = toFloat64(buffers[0]);
  return want.length > 0 && got.length === want.length && want.every((x, i) => got[i] === x);
}

/**
 * A frame as decoded, before its kind is known (lib/frames.js types each kind).
 * @typedef {{header: Record<string, any>, cols: Record<string, Float64Array>}} RawFrame
 */

/**
 * A custom message (header + buffers) as a frame.
 * @param {Record<string, any>} msg
 * @param {Array<DataView|ArrayBuffer>} [buffers]
 * @returns {RawFrame}
 */
export function decodeFrame(msg, buffers = []) {
  /** @type {Record<string, Float64Array>} */
  const cols = {};
  const inline = Array.isArray(msg.b64) ? msg.b64 : null;
  (msg.cols || []).forEach((/** @type {string} */ name, /** @type {number} */ i) => {
    cols[name] = inline ? fromBase64(String(inline[i] ?? "")) : toFloat64(buffers[i]);
  });
  return { header: msg, cols };
}

/**
 * The `_snapshot` trait value as a frame, or null when it is empty.
 * @param {any} snap
 * @returns {RawFrame|null}
 */
export function decodeSnapshot(snap) {
  if (!snap || !snap.header) return null;
  /** @type {Record<string, Float64Array>} */
  const cols = {};
  for (const [name, arr] of Object.entries(snap.cols || {})) cols[name] = toFloat64(/** @type {any} */ (arr));
  return { header: { ...snap.header, reset: true }, cols };
}

/**
 * Keeps frames in order. A frame whose `seq` is not the next one means something was lost
 * (a view opened late, a dropped message): the caller asks Python for a full frame and drops
 * deltas until one (a frame with `reset`) arrives.
 */
export class SeqTracker {
  /** @param {() => void} requestResync */
  constructor(requestResync) {
    this.last = -1;
    this.waiting = false;
    this.gaps = 0;
    this.requestResync = requestResync;
  }

  /**
   * @param {Record<string, any>} header
   * @returns {boolean} whether the frame should be applied
   */
  accept(header) {
    const seq = Number(header.seq);
    if (header.reset) {
      if (seq < this.last) return false; // an older full frame overtaken by newer data
      this.last = seq;
      this.waiting = false;
      return true;
    }
    if (this.waiting) return false;
    if (seq <= this.last) return false; // duplicate or stale
    if (this.last >= 0 && seq !== this.last + 1) {
      this.gaps += 1;
      this.waiting = true;
      this.requestResync();
      return false;
    }
    this.last = seq;
    return true;
  }
}

/** @param {ArrayLike<number>} a @returns {Array<number|null>} NaN and infinities as null, as Python writes them */
const jsonColumn = (a) => Array.from(a, (x) => (Number.isFinite(x) ? x : null));

/**
 * A reducer's state as one full frame, before it is written to the `_snapshot` trait.
 * @typedef {{header: Record<string, any>, cols: Record<string, ArrayLike<number>>}} StateFrame
 */

/**
 * A frame in the `_snapshot` trait's form (the inverse of decodeSnapshot): a full frame at `seq`,
 * its columns as JSON arrays.
 * @param {StateFrame} frame
 * @param {number} seq
 * @returns {{header: Record<string, any>, cols: Record<string, Array<number|null>>}}
 */
export function snapshotOf(frame, seq) {
  const names = Object.keys(frame.cols);
  /** @type {Record<string, Array<number|null>>} */
  const cols = {};
  for (const name of names) cols[name] = jsonColumn(frame.cols[name]);
  const n = names.length ? cols[names[0]].length : 0;
  return { header: { ...frame.header, v: SCHEMA, seq, n, cols: names, reset: true }, cols };
}
