// Shared CSS of the DOM widgets, injected once per view (so an HTML export carries it too).
// Colours come from --iw-* variables set on the root by the palette.

export const CSS = `
.iw-root { font: 12px/1.4 var(--jp-content-font-family, system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif);
  color: var(--iw-fg); background: var(--iw-bg); border: 1px solid var(--iw-border); border-radius: 4px;
  box-sizing: border-box; overflow: hidden; position: relative; font-variant-numeric: tabular-nums; }
.iw-root * { box-sizing: border-box; }
.iw-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; padding: 4px 8px; border-bottom: 1px solid var(--iw-border);
  background: var(--iw-panel); min-height: 28px; }
.iw-title { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex-shrink: 0; max-width: 50%; }
.iw-sub { color: var(--iw-muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.iw-spacer { flex: 1; }
.iw-badge { flex-shrink: 0; font-size: 11px; padding: 1px 6px; border-radius: 9px; border: 1px solid currentColor; white-space: nowrap;
  max-width: 40ch; overflow: hidden; text-overflow: ellipsis; }
.iw-badge[data-status="live"] { color: #16a34a; }
.iw-badge[data-status="simulated"] { color: #7c3aed; }
.iw-badge[data-status="connecting"], .iw-badge[data-status="reconnecting"] { color: #d97706; }
.iw-badge[data-status="stale"] { color: #b45309; }
.iw-badge[data-status="error"], .iw-badge[data-status="closed"] { color: #dc2626; }
.iw-btns { display: flex; gap: 2px; flex-shrink: 0; }
.iw-btn { font: inherit; font-size: 11px; padding: 1px 6px; border: 1px solid var(--iw-border); border-radius: 3px;
  background: transparent; color: var(--iw-muted); cursor: pointer; }
.iw-btn[aria-pressed="true"] { color: var(--iw-fg); background: var(--iw-grid); font-weight: 600; }
.iw-body { position: relative; }
.iw-up { color: var(--iw-up); } .iw-down { color: var(--iw-down); } .iw-flat { color: var(--iw-fg); }
.iw-muted { color: var(--iw-muted); }
table.iw-table { border-collapse: collapse; width: 100%; }
.iw-table th { font-weight: 500; color: var(--iw-muted); text-align: right; padding: 3px 8px; border-bottom: 1px solid var(--iw-border);
  white-space: nowrap; user-select: none; position: sticky; top: 0; background: var(--iw-panel); }
.iw-table td { text-align: right; padding: 2px 8px; white-space: nowrap; }
.iw-table td:first-child, .iw-table th:first-child { text-align: left; }
@keyframes iw-flash-up { from { background: var(--iw-up-a); } to { background: transparent; } }
@keyframes iw-flash-down { from { background: var(--iw-down-a); } to { background: transparent; } }
@keyframes iw-flash-any { from { background: var(--iw-grid); } to { background: transparent; } }
.iw-flash-up { animation: iw-flash-up 0.6s ease-out; }
.iw-flash-down { animation: iw-flash-down 0.6s ease-out; }
.iw-flash { animation: iw-flash-any 0.6s ease-out; }
.iw-empty { padding: 16px; color: var(--iw-muted); text-align: center; }
.iw-limit { display: inline-block; flex-shrink: 0; font-size: 11px; line-height: 16px; padding: 0 6px; border-radius: 3px;
  color: #fff; font-weight: 600; white-space: nowrap; vertical-align: middle; }
.iw-limit[data-limit="up"] { background: var(--iw-up); }
.iw-limit[data-limit="down"] { background: var(--iw-down); }
.iw-limit:empty { display: none; }
.iw-quote .iw-limit { margin-left: 6px; font-size: 10px; line-height: 14px; padding: 0 4px; }
.iw-book-main { display: flex; flex-wrap: wrap; align-items: stretch; }
.iw-book-left { flex: 1 1 260px; min-width: 0; }
.iw-stats { flex: 1 1 260px; display: grid; grid-template-columns: auto 1fr auto 1fr; gap: 2px 10px; padding: 6px 10px;
  align-content: start; border-left: 1px solid var(--iw-border); }
.iw-stats .iw-k { color: var(--iw-muted); white-space: nowrap; }
.iw-stats .iw-v { text-align: right; white-space: nowrap; }
.iw-stats .iw-sep { grid-column: 1 / -1; border-top: 1px dashed var(--iw-border); margin: 2px 0; }
.iw-book-main { container-type: inline-size; }
/* narrow (a dashboard's side column): the panel goes under the ladder, tighter, values never clipped */
@container (max-width: 520px) {
  .iw-stats { border-left: 0; border-top: 1px solid var(--iw-border); gap: 1px 8px; padding: 4px 8px; font-size: 11px;
    grid-template-columns: auto minmax(0, 1fr) auto minmax(0, 1fr); }
  .iw-stats .iw-k { overflow: hidden; text-overflow: ellipsis; }
}
`;
