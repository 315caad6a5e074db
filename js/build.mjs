// Bundles each widget entry into infoway_widgets/static/<kind>.js (ESM, no CDN imports) and the
// shared stylesheet into infoway_widgets/static/widgets.css (anywidget's `_css`, once per page).
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
  entryPoints: ["candle", "book", "tape", "board", "intraday", "button"].map((k) => resolve(here, `src/${k}.js`)),
  format: "esm",
  target: ["es2020"],
  sourcemap: watch ? "inline" : false,
  // keeps /*! @license */ headers (TradingView Lightweight Charts) at the end of each bundle
  legalComments: "eof",
};
const styles = { ...common, entryPoints: [resolve(here, "src/widgets.css")] };

mkdirSync(outdir, { recursive: true });
copyFileSync(resolve(here, "NOTICE"), resolve(outdir, "NOTICE.txt"));
if (watch) {
  for (const options of [scripts, styles]) await (await esbuild.context(options)).watch();
} else {
  await Promise.all([esbuild.build(scripts), esbuild.build(styles)]);
}
