// Moving averages and VWAP over the bar store's columns.

/**
 * Simple moving average of `values` over `n` bars for indices [from, len); NaN while fewer than
 * n bars exist. Writes into `out` (grown as needed) and returns it.
 * @param {number[]} values @param {number} n @param {number[]} out @param {number} [from]
 */
export function sma(values, n, out = [], from = 0) {
  const len = values.length;
  out.length = len;
  if (from < n) {
    let sum = 0;
    for (let i = 0; i < len; i++) {
      sum += values[i];
      if (i >= n) sum -= values[i - n];
      out[i] = i >= n - 1 ? sum / n : NaN;
    }
    return out;
  }
  for (let i = from; i < len; i++) {
    let sum = 0;
    for (let k = i - n + 1; k <= i; k++) sum += values[k];
    out[i] = sum / n;
  }
  return out;
}

/**
 * Volume-weighted average price, cumulative within each trading day (`dayOf(t)` gives the day
 * key); with `dayOf` null, each bar's own average price (daily and longer bars).
 * @param {number[]} t @param {number[]} volume @param {number[]} turnover
 * @param {((t: number) => number)|null} dayOf
 */
export function vwap(t, volume, turnover, dayOf) {
  const len = t.length;
  const out = new Array(len);
  let day = NaN, v = 0, x = 0;
  for (let i = 0; i < len; i++) {
    if (dayOf) {
      const d = dayOf(t[i]);
      if (d !== day) { day = d; v = 0; x = 0; }
      v += volume[i] || 0; x += turnover[i] || 0;
      out[i] = v > 0 ? x / v : NaN;
    } else {
      out[i] = volume[i] > 0 ? turnover[i] / volume[i] : NaN;
    }
  }
  return out;
}
