// @ts-check
// IconButton view: a button drawn with ipywidgets' own button classes (so it looks like the
// controls beside it) and an inline SVG icon, so that play, pause and restart never depend on a
// font having ⏮ or ⏸. A click goes to Python, which calls the button's handlers.

/** @typedef {import("./lib/store.js").Model} Model */

const SVG = "http://www.w3.org/2000/svg";
/** Icon outlines on a 16 × 16 grid. */
const PATHS = {
  play: "M4.5 2.5v11l8.5-5.5z",
  pause: "M4 2.5h2.75v11H4zM9.25 2.5H12v11H9.25z",
  restart: "M3 2.5h2v11H3zM13 2.5v11L5.5 8z",
};
const STYLES = ["primary", "success", "info", "warning", "danger"];

/**
 * The SVG of icon `name`, or null for none.
 * @param {string} name
 * @returns {SVGSVGElement|null}
 */
export function iconSvg(name) {
  const d = /** @type {Record<string, string>} */ (PATHS)[name];
  if (!d) return null;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "iw-icon");
  svg.dataset.icon = name;
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}

/** @param {{model: Model, el: HTMLElement}} ctx */
function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  el.classList.add("iw-icon-btn-host");
  el.append(button);
  const draw = () => {
    const style = model.get("button_style") || "";
    button.className = "jupyter-widgets jupyter-button widget-button iw-icon-btn";
    if (STYLES.includes(style)) button.classList.add(`mod-${style}`);
    button.disabled = !!model.get("disabled");
    const tip = model.get("tooltip") || "";
    if (tip) button.title = tip; else button.removeAttribute("title");
    const label = document.createElement("span");
    label.textContent = model.get("description") || "";
    const svg = iconSvg(model.get("icon") || "");
    button.replaceChildren(...(svg ? [svg] : []), label);
    button.dataset.icon = model.get("icon") || "";
  };
  draw();
  const onClick = () => { if (!button.disabled) model.send({ type: "click" }); };
  button.addEventListener("click", onClick);
  const events = ["description", "icon", "disabled", "tooltip", "button_style"].map((n) => `change:${n}`);
  for (const ev of events) model.on(ev, draw);
  return () => {
    for (const ev of events) model.off(ev, draw);
    button.removeEventListener("click", onClick);
    button.remove();
  };
}

export default { render };
