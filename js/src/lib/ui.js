// @ts-check
// Small DOM pieces several widgets draw the same way: toggle buttons, a HiDPI canvas, legend
// items, flashing cells, resize observation.

/**
 * Fill `box` with a group of toggle buttons, the `pressed` one marked (aria-pressed).
 * @param {HTMLElement} box
 * @param {Array<{value: string, label: string}>} items
 * @param {string} pressed value of the pressed button
 * @param {string} key dataset key that carries each button's value (`data-${key}`)
 * @param {(value: string) => void} onPick
 */
export function toggleButtons(box, items, pressed, key, onPick) {
  box.replaceChildren(...items.map(({ value, label }) => {
    const b = document.createElement("button");
    b.className = "iw-btn";
    b.textContent = label;
    b.dataset[key] = value;
    b.setAttribute("aria-pressed", String(value === pressed));
    b.addEventListener("click", () => onPick(value));
    return b;
  }));
}

/**
 * A canvas's 2-D context for drawing in CSS pixels on a `w`×`h` area, its backing store sized at
 * the device pixel ratio (crisp on HiDPI screens). The backing store is resized (which clears
 * it) only when the size changed. Null where canvases are unavailable.
 * @param {HTMLCanvasElement} canvas
 * @param {number} w CSS px
 * @param {number} h CSS px
 * @param {{width?: boolean, height?: boolean}} [css] also set the element's CSS width / height
 * @returns {CanvasRenderingContext2D|null}
 */
export function hidpiContext(canvas, w, h, css = {}) {
  const dpr = window.devicePixelRatio || 1;
  const pw = Math.round(w * dpr), ph = Math.round(h * dpr);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  if (css.width) canvas.style.width = `${w}px`;
  if (css.height) canvas.style.height = `${h}px`;
  const ctx = canvas.getContext("2d");
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/**
 * A legend entry: a muted label, then the value, coloured by a class or a colour.
 * @param {string} label
 * @param {string} value
 * @param {{cls?: string, color?: string}} [o]
 */
export function legendItem(label, value, o = {}) {
  const item = document.createElement("span");
  const k = document.createElement("span");
  k.className = "iw-muted";
  k.textContent = `${label} `;
  const v = document.createElement("span");
  if (o.cls) v.className = o.cls;
  if (o.color) v.style.color = o.color;
  v.textContent = value;
  item.append(k, v);
  return item;
}

/**
 * Flash `el` in the rise or fall colour (restarting the animation if it is running).
 *
 * Restarting flips `data-flash` between "a" and "b", whose rules name two copies of the same
 * keyframes: a new animation name starts the animation over at the next style pass. (Reading
 * `offsetWidth` between removing and adding the class would do it too, but that forces a layout
 * of the whole page per cell: 20 live tables flashing at 20 Hz spent their frames in it.)
 * @param {HTMLElement} el
 * @param {"up"|"down"|""|undefined} dir
 */
export function flash(el, dir) {
  if (!dir) return;
  const cls = dir === "up" ? "iw-flash-up" : "iw-flash-down";
  el.classList.remove(cls === "iw-flash-up" ? "iw-flash-down" : "iw-flash-up");
  el.classList.add(cls);
  el.dataset.flash = el.dataset.flash === "a" ? "b" : "a";
}

/**
 * Call `fn` whenever `el` changes size; returns the disconnect (a no-op where ResizeObserver
 * does not exist).
 * @param {Element} el
 * @param {() => void} fn
 * @returns {() => void}
 */
export function onResize(el, fn) {
  if (typeof ResizeObserver === "undefined") return () => {};
  const ro = new ResizeObserver(() => fn());
  ro.observe(el);
  return () => ro.disconnect();
}

/**
 * A new element with its class names.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} className
 * @returns {HTMLElementTagNameMap[K]}
 */
export function element(tag, className) {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}
