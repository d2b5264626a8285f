// Build the front end into static/dist: GOV.UK Frontend CSS compiled with the council's
// settings, its JavaScript and assets (without the crown images), and plotly.js copied from
// the Python plotly package so the browser library matches the figures the server writes.
import { cpSync, mkdirSync, rmSync, existsSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
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
const plotly = execFileSync(python, [
  "-c",
  "import pathlib, plotly; print(pathlib.Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js')",
]).toString().trim();
cpSync(plotly, path.join(dist, "js", "plotly.min.js"));

// axe-core, for the accessibility checks the browser tests run inside each page.
cpSync(path.join(root, "node_modules", "axe-core", "axe.min.js"), path.join(dist, "js", "axe.min.js"));

console.log(`built ${readdirSync(path.join(dist, "css")).length} css, ${readdirSync(path.join(dist, "js")).length} js files into static/dist`);
