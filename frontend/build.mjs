// Build the front end into static/dist: GOV.UK Frontend CSS compiled with the council's
// settings, its JavaScript and assets (without the crown images), and a plotly.js bundle with
// only the trace types our charts draw (frontend/plotly-charts.js), built by esbuild from the
// plotly.js source pinned in package.json: the same version the Python plotly package ships, so
// the browser library matches the figures the server writes (checked below).
import { cpSync, mkdirSync, rmSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import * as sass from "sass";
import { writeFileSync } from "node:fs";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "static", "dist");
const govuk = path.join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(dist, { recursive: true, force: true });
mkdirSync(path.join(dist, "css"), { recursive: true });
mkdirSync(path.join(dist, "js"), { recursive: true });

const result = sass.compile(path.join(root, "frontend", "scss", "app.scss"), {
  loadPaths: [path.join(root, "node_modules", "govuk-frontend", "dist")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "mixed-decls", "global-builtin", "slash-div"],
});
writeFileSync(path.join(dist, "css", "app.css"), result.css);

cpSync(path.join(govuk, "govuk-frontend.min.js"), path.join(dist, "js", "govuk-frontend.min.js"));
const assets = path.join(dist, "govuk", "assets");
cpSync(path.join(govuk, "assets", "images"), path.join(assets, "images"), {
  recursive: true,
  filter: (src) => !/crown/i.test(path.basename(src)),
});
if (existsSync(path.join(govuk, "assets", "manifest.json"))) {
  cpSync(path.join(govuk, "assets", "manifest.json"), path.join(assets, "manifest.json"));
}

const python = process.env.PYTHON || path.join(root, ".venv", "bin", "python");
const full = execFileSync(python, [
  "-c",
  "import pathlib, plotly; print(pathlib.Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js')",
]).toString().trim();
const wanted = /plotly\.js v(\S+)/.exec(readFileSync(full, "utf8").slice(0, 200))?.[1];
const pinned = JSON.parse(
  readFileSync(path.join(root, "node_modules", "plotly.js", "package.json"), "utf8"),
).version;
if (wanted !== pinned) {
  throw new Error(
    `plotly.js ${pinned} is installed but the Python plotly package writes figures for ${wanted}: ` +
      `run npm install --save-dev --save-exact plotly.js@${wanted}`,
  );
}
const bundle = path.join(dist, "js", "plotly-charts.min.js");
await esbuild.build({
  entryPoints: [path.join(root, "frontend", "plotly-charts.js")],
  outfile: bundle,
  bundle: true,
  format: "iife",
  globalName: "Plotly",
  minify: true,
  target: "es2016",
  legalComments: "eof",
  banner: { js: `/*! plotly.js v${pinned} (core and bar traces only) | MIT License | Copyright 2012-2025, Plotly, Inc. */` },
  // As plotly.js's own esbuild-config.js; map traces' CSS is never required by our traces.
  define: { global: "window", "define.amd": "false" },
  alias: { stream: "stream-browserify" },
  loader: { ".css": "empty" },
  logLevel: "warning",
});
const bytes = readFileSync(bundle);
console.log(
  `plotly.js ${pinned} bundle: ${bytes.length.toLocaleString("en-GB")} bytes, ` +
    `${gzipSync(bytes, { level: 9 }).length.toLocaleString("en-GB")} gzipped`,
);

// axe-core, for the accessibility checks the browser tests run inside each page.
cpSync(path.join(root, "node_modules", "axe-core", "axe.min.js"), path.join(dist, "js", "axe.min.js"));

console.log(`built ${readdirSync(path.join(dist, "css")).length} css, ${readdirSync(path.join(dist, "js")).length} js files into static/dist`);
