// @ts-check
// The volume profile on a candle chart: horizontal bars of traded volume per price band on the
// right side of the price pane (buy / sell / neutral stacked, from td), the point of control
// stronger, the value area shaded. A canvas over the chart, drawn from the profile the chart's
// state holds (the `vp` of the bars frames' headers, computed in Python and sent when it changes;
// the saved state keeps it), placed with the candle series' price coordinates.

/**
 * @typedef {{px: number[], buy: number[], sell: number[], vol: number[], step: number,
 *   poc?: number|null, value_low?: number|null, value_high?: number|null}} Profile
 */

/**
 * Draw the profile of `model`'s frames over `chart` until the view goes.
 * @param {{view: import("./base.js").View, store: {subscribe(fn: (ch: any) => void): () => void,
 *   state: {vp: Profile|null}}, holder: HTMLElement, chart: any, series: any}} o
 */
export function volumeProfile({ view, store, holder, chart, series }) {
  const model = view.model;
  const canvas = document.createElement("canvas");
  canvas.className = "iw-vprofile";
  canvas.style.cssText = "position:absolute;left:0;top:0;pointer-events:none;z-index:2";
  holder.append(canvas);
  let frame = 0;
  // the holder's width as the ResizeObserver last reported it: reading clientWidth in a frame
  // would force a layout of the page whenever anything else changed the DOM before it
  let holderWidth = 0;

  const draw = () => {
    frame = 0;
    if (view.destroyed) return;
    const on = !!model.get("show_volume_profile");
    const profile = store.state.vp;
    const shown = on && profile ? String(profile.px.length) : "";
    if (view.root.dataset.vprofile !== shown) view.root.dataset.vprofile = shown;
    if (!on || !profile || !profile.px.length) {
      // off (the usual case): nothing to draw, and nothing to resize each frame
      if (canvas.width || canvas.height) { canvas.width = 0; canvas.height = 0; }
      return;
    }
    if (!holderWidth) holderWidth = holder.clientWidth;
    const axis = chart.priceScale("right").width() || 0;
    const w = Math.max(0, holderWidth - axis);
    const h = chart.panes()[0]?.getHeight?.() || holder.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.round(w * dpr), ch = Math.round(h * dpr);
    if (canvas.width !== cw || canvas.height !== ch) {
      canvas.width = cw; canvas.height = ch;
      canvas.style.width = `${w}px`; canvas.style.height = `${h}px`;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, cw, ch);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const p = view.pal;
    const max = Math.max(1, ...profile.vol);
    const width = w * 0.22;
    const right = w - 2;
    for (let i = 0; i < profile.px.length; i++) {
      const y0 = series.priceToCoordinate(profile.px[i] + profile.step), y1 = series.priceToCoordinate(profile.px[i]);
      if (y0 == null || y1 == null) continue;
      const top = Math.min(y0, y1) + 0.5, hh = Math.max(1, Math.abs(y1 - y0) - 1);
      const inValue = profile.value_low != null && profile.value_high != null
        && profile.px[i] + profile.step > profile.value_low && profile.px[i] <= profile.value_high;
      const isPoc = profile.poc != null && profile.poc >= profile.px[i] && profile.poc < profile.px[i] + profile.step;
      const a = isPoc ? 0.85 : inValue ? 0.55 : 0.3;
      let x = right;
      for (const [v, c] of /** @type {Array<[number, string]>} */ ([[profile.buy[i], p.up], [profile.sell[i], p.down], [profile.vol[i] - profile.buy[i] - profile.sell[i], p.muted]])) {
        const len = (width * Math.max(0, v)) / max;
        ctx.globalAlpha = a;
        ctx.fillStyle = c;
        ctx.fillRect(x - len, top, len, hh);
        x -= len;
      }
      if (isPoc) {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = p.fg;
        ctx.lineWidth = 1;
        ctx.strokeRect(x, top, right - x, hh);
      }
    }
    ctx.globalAlpha = 1;
  };
  const schedule = () => { if (!frame) frame = requestAnimationFrame(draw); };
  model.on("change:show_volume_profile", schedule);
  const unsub = store.subscribe(schedule);
  chart.timeScale().subscribeVisibleLogicalRangeChange(schedule);
  const ro = typeof ResizeObserver !== "undefined"
    ? new ResizeObserver((entries) => { holderWidth = entries[entries.length - 1]?.contentRect.width || 0; schedule(); })
    : null;
  ro?.observe(holder);
  schedule();
  view.cleanups.push(() => {
    model.off("change:show_volume_profile", schedule);
    unsub();
    try { chart.timeScale().unsubscribeVisibleLogicalRangeChange(schedule); } catch { /* the chart is gone */ }
    ro?.disconnect();
    cancelAnimationFrame(frame);
    canvas.remove();
  });
}
