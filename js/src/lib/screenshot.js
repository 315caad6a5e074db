// @ts-check
// A chart's picture for `chart.save_png`: Lightweight Charts' own screenshot (every pane, the
// axes) with the legends written over it where the page shows them (they are DOM, not canvas).

/**
 * @param {import("lightweight-charts").IChartApi} chart
 * @param {HTMLElement} holder the element the chart is drawn in
 * @param {HTMLElement[]} legends the legend elements over it
 * @returns {HTMLCanvasElement}
 */
export function composeScreenshot(chart, holder, legends) {
  const shot = chart.takeScreenshot(true, false);
  const out = document.createElement("canvas");
  out.width = shot.width;
  out.height = shot.height;
  const ctx = out.getContext("2d");
  if (!ctx) return shot;
  ctx.drawImage(shot, 0, 0);
  const box = holder.getBoundingClientRect();
  const scale = box.width ? shot.width / box.width : 1;
  ctx.textBaseline = "alphabetic";
  for (const root of legends) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent || "";
      const el = node.parentElement;
      // the legend's buttons (a study's ⚙ and ×) are for the page, not the picture
      if (!text.trim() || !el || el.closest("button")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (!r.width || r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) continue;
      const css = getComputedStyle(el);
      ctx.font = `${css.fontWeight} ${parseFloat(css.fontSize) * scale}px ${css.fontFamily}`;
      ctx.fillStyle = css.color;
      ctx.fillText(text, (r.left - box.left) * scale, (r.bottom - box.top - r.height * 0.22) * scale);
    }
  }
  return out;
}
