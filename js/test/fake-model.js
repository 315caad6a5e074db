// A stand-in for anywidget's model: traits, events, custom messages in, messages out.

/**
 * Little-endian float64 buffers of `cols`, as ipywidgets hands them over (DataViews).
 * @param {Record<string, ArrayLike<number>>} cols
 */
export function buffersOf(cols) {
  return Object.values(cols).map((values) => {
    const buf = new ArrayBuffer(values.length * 8);
    const dv = new DataView(buf);
    Array.from(values).forEach((v, i) => dv.setFloat64(i * 8, v, true));
    return dv;
  });
}

export class FakeModel {
  /** @param {Record<string, any>} [traits] */
  constructor(traits = {}) {
    this.traits = { ...traits };
    /** @type {Map<string, Set<Function>>} */
    this.handlers = new Map();
    /** @type {any[]} messages the front-end sent to Python */
    this.sent = [];
    this.seq = 0;
  }

  /** @param {string} name */
  get(name) { return this.traits[name]; }

  /** @param {string} name @param {any} value */
  set(name, value) {
    const old = this.traits[name];
    this.traits[name] = value;
    if (old !== value) this.emit(`change:${name}`);
  }

  save_changes() {}

  /** @param {any} msg */
  send(msg) { this.sent.push(msg); }

  /** @param {string} ev @param {Function} cb */
  on(ev, cb) {
    if (!this.handlers.has(ev)) this.handlers.set(ev, new Set());
    this.handlers.get(ev)?.add(cb);
  }

  /** @param {string} ev @param {Function} cb */
  off(ev, cb) { this.handlers.get(ev)?.delete(cb); }

  /** @param {string} ev @param {...any} args */
  emit(ev, ...args) { for (const cb of [...(this.handlers.get(ev) || [])]) cb(...args); }

  /** Handlers left on `ev`. @param {string} ev */
  count(ev) { return this.handlers.get(ev)?.size ?? 0; }

  /**
   * Python sends a frame: the next seq unless `seq` is given.
   * @param {Record<string, any>} header kind and fields
   * @param {Record<string, ArrayLike<number>>} cols
   */
  frame(header, cols, seq = this.seq + 1) {
    this.seq = seq;
    const msg = { v: 1, seq, n: Object.values(cols)[0]?.length ?? 0, cols: Object.keys(cols), ...header };
    this.emit("msg:custom", msg, buffersOf(cols));
  }

  /** The resync requests sent so far. */
  resyncs() { return this.sent.filter((m) => m.type === "resync").length; }
}
