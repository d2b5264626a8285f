// The plotly.js the pages load: its core (scatter traces, axes, legends, hover) and the bar
// trace, the only trace types our charts.py files draw. Built by frontend/build.mjs with esbuild
// into static/dist/js/plotly-charts.min.js as the global `Plotly` that static/js/charts.js uses.
// A chart with another trace type needs its module registered here, e.g. require("plotly.js/lib/pie").
"use strict";

const Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/bar")]);

module.exports = Plotly;
