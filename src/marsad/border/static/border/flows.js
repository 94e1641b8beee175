// Border flows: entries, exits and net flow by day (lines) and by point (bars), drawn with the
// plotly.js the Python package ships. The same numbers are in the tables under each chart.
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw() {
    if (!window.Plotly) { return; }
    var labels = data("flows-labels") || {};
    var rtl = document.documentElement.dir === "rtl";
    var layout = function (xTitle) {
      return {
        margin: { t: 20, r: 20, b: 60, l: 50 },
        legend: { orientation: "h" },
        xaxis: { title: xTitle, autorange: rtl ? "reversed" : true },
        yaxis: { title: labels.crossings, side: rtl ? "right" : "left" },
        hovermode: "x unified"
      };
    };
    var config = { displaylogo: false, responsive: true };
    var days = data("flows-by-day") || [];
    var dayNode = document.getElementById("chart-by-day");
    if (dayNode && days.length) {
      var x = days.map(function (row) { return row.day; });
      window.Plotly.newPlot(dayNode, [
        { x: x, y: days.map(function (r) { return r.entries; }), name: labels.entries, type: "scatter", mode: "lines+markers" },
        { x: x, y: days.map(function (r) { return r.exits; }), name: labels.exits, type: "scatter", mode: "lines+markers" },
        { x: x, y: days.map(function (r) { return r.net; }), name: labels.net, type: "bar", opacity: 0.35 }
      ], layout(labels.day), config);
    }
    var points = data("flows-by-point") || [];
    var pointNode = document.getElementById("chart-by-point");
    if (pointNode && points.length) {
      var names = points.map(function (row) { return row.name; });
      window.Plotly.newPlot(pointNode, [
        { x: names, y: points.map(function (r) { return r.entries; }), name: labels.entries, type: "bar" },
        { x: names, y: points.map(function (r) { return r.exits; }), name: labels.exits, type: "bar" }
      ], Object.assign(layout(labels.point), { barmode: "group", hovermode: "closest" }), config);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
