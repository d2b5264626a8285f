// Draws every plotly figure on the page from JSON handed over with Django's json_script,
// so the page needs no inline script. Each chart element names its data element:
//   <div class="app-chart" data-figure="figure-id"></div>
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source || !window.Plotly) {
        return;
      }
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
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
