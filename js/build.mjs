// Bundles each widget entry into infoway_widgets/static/<kind>.js (ESM, no CDN imports).
// `npm run build` once; `npm run dev` rebuilds on change (pair with ANYWIDGET_HMR=1).
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../infoway_widgets/static");
const watch = process.argv.includes("--watch");

const options = {
  entryPoints: ["candle", "book", "tape", "board", "intraday"].map((k) => resolve(here, `src/${k}.js`)),
  outdir,
  bundle: true,
  format: "esm",
  target: ["es2020"],
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  // keeps /*! @license */ headers (TradingView Lightweight Charts) at the end of each bundle
  legalComments: "eof",
  logLevel: "info",
};

mkdirSync(outdir, { recursive: true });
copyFileSync(resolve(here, "NOTICE"), resolve(outdir, "NOTICE.txt"));
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
