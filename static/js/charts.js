// Draws every plotly figure on the page from JSON handed over with Django's json_script,
// so the page needs no inline script. Each chart element names its data element:
//   <div class="app-chart" data-figure="figure-id"></div>
// The plotly.js bundle is large to parse, so it is fetched only when a chart comes near the
// viewport (the <script> that loads this file names it in data-plotly-src), and each chart is
// drawn in a task of its own when it comes near: the tables beside the charts, which carry the
// same figures, are readable at once. See templates/includes/chart_scripts.html.
(function () {
  "use strict";
  var script = document.currentScript;
  var plotlySrc = script && script.dataset.plotlySrc;
  var waiting = [];
  var loading = false;
  var MARGIN = "200px 0px";

  function draw(element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || element.dataset.drawn) {
      return;
    }
    element.dataset.drawn = "true";
    var figure = JSON.parse(source.textContent);
    var config = {
      responsive: true,
      displaylogo: false,
      displayModeBar: false,
    };
    window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      // The chart is a picture of the table beside it: keep it out of the tab order.
      element.querySelectorAll("a, [tabindex], svg, rect, path").forEach(function (node) {
        node.setAttribute("tabindex", "-1");
        node.setAttribute("focusable", "false");
      });
    });
  }

  // One chart a task, so no single long task holds the page.
  function drawWaiting() {
    var element = waiting.shift();
    if (!element) {
      return;
    }
    draw(element);
    if (waiting.length) {
      window.setTimeout(drawWaiting, 0);
    }
  }

  function need(element) {
    waiting.push(element);
    if (window.Plotly) {
      if (waiting.length === 1) {
        window.setTimeout(drawWaiting, 0);
      }
      return;
    }
    if (loading || !plotlySrc) {
      return;
    }
    loading = true;
    var tag = document.createElement("script");
    tag.src = plotlySrc;
    tag.async = true;
    tag.addEventListener("load", drawWaiting);
    document.head.appendChild(tag);
  }

  function start() {
    var charts = document.querySelectorAll("[data-figure]");
    if (!("IntersectionObserver" in window)) {
      charts.forEach(need);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            need(entry.target);
          }
        });
      },
      { rootMargin: MARGIN },
    );
    charts.forEach(function (element) {
      observer.observe(element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
