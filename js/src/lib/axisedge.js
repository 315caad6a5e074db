// @ts-check
// Time-axis labels cut by the edge. Lightweight Charts centres each label on its tick and, while
// the chart can scroll, lets a label near an edge run off it ("026-06" for "2026-06"); it moves
// such labels inside only with fixLeftEdge, which would stop the scroll back. So the chart view
// looks at the axis canvas after a paint: ink touching an edge column is a cut label, covered
// (up to the blank gap after it) by a mask of the background colour.

/** Colour distance above which a pixel is ink, not background. */
const INK = 48;

/**
 * Device pixels to cover from one edge of a time-axis bitmap, 0 when no label touches it.
 * @param {{data: ArrayLike<number>, width: number, height: number}} img RGBA, as getImageData
 * @param {"left"|"right"} edge
 * @param {{top?: number, gap?: number}} [o] rows to skip at the top (the axis border line);
 *   blank columns that end a label (wider than the gaps between its characters)
 */
export function cutLabelWidth(img, edge, o = {}) {
  const { data, width: w, height: h } = img;
  if (!w || !h) return 0;
  const top = Math.min(h - 1, o.top ?? 3), gap = Math.max(2, o.gap ?? 6);
  // background: the bottom corner of that edge (labels sit mid-height, never in the last row)
  const bx = edge === "left" ? 0 : w - 1, b = ((h - 1) * w + bx) * 4;
  const bg = [data[b], data[b + 1], data[b + 2]];
  /** @param {number} x */
  const inked = (x) => {
    for (let y = top; y < h; y++) {
      const i = (y * w + x) * 4;
      if (data[i + 3] > 0 && Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) > INK) return true;
    }
    return false;
  };
  const col = (/** @type {number} */ k) => (edge === "left" ? k : w - 1 - k);
  if (!inked(col(0)) && !inked(col(1))) return 0;
  let blank = 0;
  for (let k = 0; k < w; k++) {
    if (inked(col(k))) blank = 0;
    else if (++blank >= gap) return k - blank + 1;
  }
  return w;
}
