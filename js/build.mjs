// Bundles each widget entry into infoway_widgets/static/<kind>.js (ESM, no CDN imports) and the
// shared stylesheet into infoway_widgets/static/widgets.css (anywidget's `_css`, once per page).
// Copies the two scripts an offline HTML export inlines (iw.export_html): require.js and the
// ipywidgets HTML manager (its AMD build, with the standard widgets), from their npm packages.
// `npm run build` once; `npm run dev` rebuilds on change (pair with ANYWIDGET_HMR=1).
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../infoway_widgets/static");
const watch = process.argv.includes("--watch");

const common = {
  outdir,
  bundle: true,
  minify: !watch,
  logLevel: "info",
};
const scripts = {
  ...common,
  entryPoints: ["candle", "book", "tape", "board", "intraday", "button", "heatmap", "moneyflow"].map((k) => resolve(here, `src/${k}.js`)),
  format: "esm",
  target: ["es2020"],
  sourcemap: watch ? "inline" : false,
  // keeps /*! @license */ headers (TradingView Lightweight Charts) at the end of each bundle
  legalComments: "eof",
};
const styles = { ...common, entryPoints: [resolve(here, "src/widgets.css")] };

mkdirSync(outdir, { recursive: true });
copyFileSync(resolve(here, "NOTICE"), resolve(outdir, "NOTICE.txt"));
const modules = resolve(here, "node_modules");
copyFileSync(resolve(modules, "requirejs/require.js"), resolve(outdir, "require.js"));
copyFileSync(
  resolve(modules, "@jupyter-widgets/html-manager/dist/embed-amd.js"),
  resolve(outdir, "html-manager.js"),
);
// the licence comments of what that build bundles (jQuery, jQuery UI, ...), beside it
copyFileSync(
  resolve(modules, "@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt"),
  resolve(outdir, "html-manager.LICENSE.txt"),
);
if (watch) {
  for (const options of [scripts, styles]) await (await esbuild.context(options)).watch();
} else {
  await Promise.all([esbuild.build(scripts), esbuild.build(styles)]);
}
