// QuoteBoard view: a row per symbol with last, change, change %, volume, turnover, high/low and
// a sparkline (preset "compact"), or a brokerage list (preset "cn": 涨跌幅, 涨跌额, 成交量 in 手,
// 成交额, 振幅, 量比, 最高, 最低, 今开, 昨收) with a 涨停 / 跌停 badge; changed cells flash;
// sortable columns; a click on a row tells Python.

import { boardCell, columnLabel, columnSortKey, limitLabel, limitOfCode, resolveColumns } from "./lib/ashare.js";
import { View } from "./lib/base.js";

const NUM_FIELDS = ["last", "prev_close", "open", "high", "low", "volume", "turnover", "change", "change_pct", "t", "decimals", "red_up",
  "amplitude", "volume_ratio", "limit_up", "limit_down", "volume_lots", "at_limit"];
const FLASH_FIELDS = ["last", "change", "change_pct", "volume", "turnover", "high", "low", "amplitude", "volume_ratio"];

/** Draw a sparkline of `values` on `canvas`. */
function spark(canvas, values, color, bg) {
  const w = 80, h = 22, dpr = window.devicePixelRatio || 1;
  if (canvas.width !== w * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.width = `${w}px`; canvas.style.height = `${h}px`; }
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return;
  const lo = Math.min(...v), hi = Math.max(...v), span = hi - lo || 1;
  ctx.beginPath();
  v.forEach((x, i) => {
    const px = (i / (v.length - 1)) * (w - 2) + 1, py = h - 2 - ((x - lo) / span) * (h - 4);
    if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
  });
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.25;
  ctx.stroke();
}

/** Compare for sorting: numbers ascending, NaN last. */
export function compareBy(key, desc) {
  return (a, b) => {
    const x = a[key], y = b[key];
    if (typeof x === "string" || typeof y === "string") return (desc ? -1 : 1) * String(x).localeCompare(String(y));
    const fx = Number.isFinite(x), fy = Number.isFinite(y);
    if (!fx || !fy) return fx === fy ? 0 : fx ? -1 : 1;
    return desc ? y - x : x - y;
  };
}

function render({ model, el }) {
  const view = new View({ model, el }, "board");
  /** @type {Map<string, any>} */
  const quotes = new Map();
  /** @type {Map<string, {tr: HTMLTableRowElement, cells: Record<string, HTMLTableCellElement>, canvas: HTMLCanvasElement}>} */
  const rows = new Map();
  let changed = new Map(); // symbol -> {field: "up"|"down"}

  const { thead, tbody, size } = view.scrollingTable(360, "maxHeight");

  /** @returns {[string, string, string][]} key, label, tooltip of each shown column */
  const columns = () => {
    const { name, keys } = resolveColumns(model.get("preset") || "auto", model.get("columns") || [], view.locale);
    view.root.dataset.preset = name;
    return keys.map((k) => { const c = columnLabel(k, view.L, name); return [k, c.label, c.title]; });
  };
  const renderHead = () => {
    const tr = document.createElement("tr");
    const sortBy = model.get("sort_by"), desc = model.get("sort_desc");
    for (const [key, label, title] of columns()) {
      const th = document.createElement("th");
      th.dataset.key = key;
      const field = columnSortKey(key);
      th.textContent = label + (field && sortBy === field ? (desc ? " ▼" : " ▲") : "");
      if (title) th.title = title;
      if (field) {
        th.style.cursor = "pointer";
        th.addEventListener("click", () => {
          if (model.get("sort_by") === field) model.set("sort_desc", !model.get("sort_desc"));
          else { model.set("sort_by", field); model.set("sort_desc", field !== "symbol"); }
          model.save_changes();
        });
      }
      tr.append(th);
    }
    thead.replaceChildren(tr);
  };
  renderHead();

  const rowFor = (sym) => {
    let r = rows.get(sym);
    if (r) return r;
    const tr = document.createElement("tr");
    tr.className = "iw-quote";
    tr.dataset.symbol = sym;
    tr.style.cursor = "pointer";
    tr.addEventListener("click", () => view.send({ type: "select", symbol: sym }));
    const cells = {};
    for (const [key] of columns()) {
      const td = document.createElement("td");
      td.dataset.key = key;
      cells[key] = td;
      tr.append(td);
    }
    const canvas = document.createElement("canvas");
    canvas.className = "iw-spark";
    cells.spark?.append(canvas);
    r = { tr, cells, canvas };
    rows.set(sym, r);
    return r;
  };

  const fillRow = (sym, q, flashes) => {
    const { tr, cells, canvas } = rowFor(sym);
    const loc = view.locale;
    // a row's colours follow its own market (red up for A-shares, green up elsewhere)
    const upC = view.get("up_color") || (q.red_up ? "#e0313c" : "#16a34a");
    const downC = view.get("down_color") || (q.red_up ? "#16a34a" : "#e0313c");
    tr.style.setProperty("--iw-up", upC);
    tr.style.setProperty("--iw-down", downC);
    tr.style.setProperty("--iw-up-a", upC + "59");
    tr.style.setProperty("--iw-down-a", downC + "59");
    const sym1 = document.createElement("div");
    sym1.textContent = sym;
    sym1.style.fontWeight = "600";
    const name = document.createElement("div");
    name.className = "iw-muted";
    name.style.fontSize = "11px";
    name.textContent = q.name || "";
    // 涨停 / 跌停 on the row, from the feed's limit state
    const at = limitOfCode(q.at_limit);
    tr.dataset.limit = at;
    const badge = document.createElement("span");
    badge.className = "iw-limit";
    badge.dataset.limit = at;
    badge.textContent = limitLabel(at, view.L);
    sym1.append(badge);
    cells.symbol?.replaceChildren(sym1, name);
    for (const key of Object.keys(cells)) {
      if (key === "symbol" || key === "spark") continue;
      const td = cells[key];
      const c = boardCell(key, q, view.L, loc);
      td.textContent = c.text;
      td.className = c.cls;
      td.title = c.title;
      const field = columnSortKey(key);
      const f = flashes && field && flashes[field];
      if (f) {
        td.classList.remove("iw-flash-up", "iw-flash-down");
        void td.offsetWidth;
        td.classList.add(f === "up" ? "iw-flash-up" : "iw-flash-down");
      }
    }
    if (cells.spark) spark(canvas, q.spark || [], q.change < 0 ? downC : upC, view.pal.bg);
    tr.classList.toggle("iw-selected", model.get("selected") === sym);
    tr.style.background = model.get("selected") === sym ? "var(--iw-grid)" : "";
  };

  const order = () => {
    const syms = (model.get("symbols") || []).filter((s) => quotes.has(s));
    const key = model.get("sort_by");
    if (!key) return syms;
    const items = syms.map((s) => ({ symbol: s, ...quotes.get(s) }));
    items.sort(compareBy(key, model.get("sort_desc")));
    return items.map((x) => x.symbol);
  };

  let reorder = true;
  const draw = view.scheduler(() => {
    for (const [sym, f] of changed) if (quotes.has(sym)) fillRow(sym, quotes.get(sym), f);
    changed = new Map();
    if (reorder || model.get("sort_by")) {
      const want = order();
      const now = Array.from(tbody.rows).map((r) => r.dataset.symbol);
      if (want.join("|") !== now.join("|")) tbody.replaceChildren(...want.map((s) => rowFor(s).tr));
      reorder = false;
    }
    view.root.dataset.rows = String(tbody.rows.length);
    view.root.dataset.limits = String(Array.from(tbody.rows).filter((r) => r.dataset.limit).length);
  });

  const apply = (frame) => {
    const h = frame.header;
    if (h.kind !== "quotes") return;
    const syms = h.symbols || [];
    const names = h.names || [];
    const c = frame.cols;
    const lens = c.spark_len || [];
    let off = 0;
    if (h.reset) { quotes.clear(); reorder = true; }
    syms.forEach((sym, i) => {
      const q = { name: names[i] || "" };
      for (const k of NUM_FIELDS) q[k] = c[k] ? c[k][i] : NaN;
      const n = lens[i] || 0;
      q.spark = c.spark ? Array.from(c.spark.subarray(off, off + n)) : [];
      off += n;
      const old = quotes.get(sym);
      const f = {};
      if (old && !h.reset) {
        for (const k of FLASH_FIELDS) {
          if (q[k] !== old[k] && Number.isFinite(q[k]) && Number.isFinite(old[k])) f[k] = q[k] > old[k] ? "up" : "down";
        }
      }
      if (!old) reorder = true;
      quotes.set(sym, q);
      changed.set(sym, f);
    });
    draw();
  };

  const redrawAll = () => { for (const s of quotes.keys()) changed.set(s, {}); reorder = true; draw(); };
  view.onTheme(redrawAll);
  view.listen("change:locale change:preset change:columns", () => { rows.clear(); tbody.replaceChildren(); renderHead(); redrawAll(); });
  view.listen("change:sort_by change:sort_desc", () => { renderHead(); reorder = true; draw(); });
  view.listen("change:selected change:symbols", redrawAll);
  view.listen("change:height", size);
  view.start(apply);
  draw();
  view.root.dataset.ready = "1";
  return () => view.destroy();
}

export default { render };
