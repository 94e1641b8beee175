/* The displacement dashboard's charts (Plotly) and map (Leaflet), drawn from the figures the
   page embeds as JSON. Every number is also in the page's tables, so without this script (or
   on a slow connection before it arrives) nothing is lost. The map needs no tile server: it
   draws the governorates' names on a plain background, and adds tiles only when the
   MARSAD_MAP_TILE_URL setting gives a tile address. */
(function () {
  "use strict";

  var dataNode = document.getElementById("dashboard-data");
  var labelNode = document.getElementById("dashboard-labels");
  if (!dataNode || !labelNode) {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var t = JSON.parse(labelNode.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };

  function layout(extra) {
    var base = {
      margin: { t: 20, r: 20, b: 60, l: 60 },
      legend: { orientation: "h" },
      font: { family: getComputedStyle(document.body).fontFamily },
      xaxis: { autorange: rtl ? "reversed" : true },
    };
    return Object.assign(base, extra || {});
  }

  function sankeyLayout() {
    var sankey = layout();
    delete sankey.xaxis; // a Sankey has no axes
    return sankey;
  }

  function value(v) {
    return v === null ? 0 : v;
  }

  // A hidden figure: small itself, or withheld so that a small one cannot be worked out.
  function hover(row, key) {
    var v = row[key];
    if (v !== null) {
      return v.toLocaleString();
    }
    return (row.withheld || []).indexOf(key) >= 0 ? t.withheld : t.suppressed;
  }

  function bars(elementId, rows, categoryKey, series) {
    var element = document.getElementById(elementId);
    if (!element || !rows.length) {
      return;
    }
    var traces = series.map(function (s) {
      return {
        type: "bar",
        name: s.name,
        x: rows.map(function (r) { return r[categoryKey]; }),
        y: rows.map(function (r) { return value(r[s.key]); }),
        text: rows.map(function (r) { return hover(r, s.key); }),
        hovertemplate: "%{x}: %{text}<extra>" + s.name + "</extra>",
        textposition: "none",
      };
    });
    Plotly.newPlot(element, traces, layout({ barmode: "group" }), config);
  }

  function governorates() {
    bars("chart-governorates", data.governorates, "name", [
      { key: "idp_individuals", name: t.idps + " — " + t.individuals },
      { key: "returnee_individuals", name: t.returnees + " — " + t.individuals },
    ]);
  }

  function trend() {
    var element = document.getElementById("chart-trend");
    if (!element || !data.trend.length) {
      return;
    }
    var rounds = data.trend.map(function (r) { return t.round + " " + r.round; });
    var traces = [
      { key: "idp_individuals", name: t.idps },
      { key: "returnee_individuals", name: t.returnees },
    ].map(function (s) {
      return {
        type: "scatter",
        mode: "lines+markers",
        name: s.name + " — " + t.individuals,
        x: rounds,
        y: data.trend.map(function (r) { return r[s.key]; }),
        connectgaps: false,
      };
    });
    Plotly.newPlot(element, traces, layout(), config);
  }

  function flows() {
    var element = document.getElementById("chart-flows");
    if (!element || !data.flows.length) {
      return;
    }
    var nodes = [];
    var index = {};
    function node(side, pcode, name) {
      var key = side + ":" + (pcode || "");
      if (!(key in index)) {
        index[key] = nodes.length;
        nodes.push((side === "o" ? t.origin : t.current) + ": " + name);
      }
      return index[key];
    }
    var source = [], target = [], values = [], text = [];
    data.flows.forEach(function (f) {
      if (f.families === null) {
        return; // suppressed: not drawn, the table shows the marker
      }
      source.push(node("o", f.origin_pcode, f.origin_name));
      target.push(node("c", f.current_pcode, f.current_name));
      values.push(f.families);
      text.push(f.individuals);
    });
    if (!values.length) {
      return;
    }
    // Each origin keeps one colour, and its flows carry that colour, lighter, to where the
    // families are now; current governorates are grey.
    var palette = ["#1f77b4", "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2",
      "#17becf", "#bcbd22", "#ff7f0e", "#7f7f7f"];
    var colours = nodes.map(function (label, i) {
      return source.indexOf(i) >= 0 ? palette[i % palette.length] : "#98a2b3";
    });
    function lighter(hex) {
      var n = parseInt(hex.slice(1), 16);
      return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + ",0.35)";
    }
    Plotly.newPlot(element, [{
      type: "sankey",
      orientation: "h",
      arrangement: "snap",
      node: { label: nodes, pad: 18, thickness: 16, color: colours },
      link: {
        color: source.map(function (i) { return lighter(colours[i]); }),
        source: source, target: target, value: values, customdata: text,
        hovertemplate: "%{source.label} → %{target.label}<br>" + t.families +
          ": %{value}<br>" + t.individuals + ": %{customdata}<extra></extra>",
      },
    }], sankeyLayout(), config);
  }

  function shelter() {
    bars("chart-shelter", data.shelter.categories, "label", [
      { key: "families", name: t.families },
      { key: "individuals", name: t.individuals },
    ]);
  }

  function needs() {
    var element = document.getElementById("chart-needs");
    var rows = data.needs.governorates;
    if (!element || !rows.length) {
      return;
    }
    Plotly.newPlot(element, [{
      type: "heatmap",
      x: data.needs.sectors.map(function (s) { return s.label; }),
      y: rows.map(function (r) { return r.governorate_name; }),
      z: rows.map(function (r) { return r.cells.map(function (c) { return c.priority_locations; }); }),
      customdata: rows.map(function (r) {
        return r.cells.map(function (c) { return c.mean_severity === null ? "—" : c.mean_severity; });
      }),
      colorscale: "YlOrRd",
      reversescale: true, // Plotly draws YlOrRd dark-first; more priority = darker
      hovertemplate: "%{y} · %{x}<br>" + t.priority_locations + ": %{z}<br>" +
        t.mean_severity + ": %{customdata}<extra></extra>",
    }], layout({ margin: { t: 20, r: 20, b: 110, l: 120 } }), config);
  }

  function intentions() {
    var element = document.getElementById("chart-intentions");
    if (!element || !data.intentions.length) {
      return;
    }
    var types = [];
    data.intentions.forEach(function (r) {
      if (types.indexOf(r.population_label) < 0) {
        types.push(r.population_label);
      }
    });
    var traces = types.map(function (label) {
      var rows = data.intentions.filter(function (r) { return r.population_label === label; });
      return {
        type: "bar",
        name: label,
        x: rows.map(function (r) { return r.intention_label; }),
        y: rows.map(function (r) { return value(r.families); }),
        text: rows.map(function (r) { return hover(r, "families"); }),
        textposition: "none",
        hovertemplate: "%{x}: %{text}<extra>" + label + "</extra>",
      };
    });
    Plotly.newPlot(element, traces, layout({ barmode: "group" }), config);
  }

  function map() {
    var element = document.getElementById("dashboard-map");
    if (!element || typeof L === "undefined") {
      return;
    }
    var points = data.map.points;
    var labels = data.map.labels;
    var leaflet = L.map(element, { zoomSnap: 0.25, attributionControl: Boolean(data.map.tile_url) });
    if (data.map.tile_url) {
      L.tileLayer(data.map.tile_url, { maxZoom: 18 }).addTo(leaflet);
    }
    labels.forEach(function (label) {
      L.circleMarker([label.latitude, label.longitude], {
        radius: 2, color: "#98a2b3", weight: 1, fillOpacity: 1,
      }).bindTooltip(label.name, {
        permanent: true, direction: "center", className: "dashboard-label",
      }).addTo(leaflet);
    });
    var largest = Math.max.apply(null, points.map(function (p) { return p.individuals; }).concat([1]));
    var bounds = [];
    points.forEach(function (p) {
      var radius = 4 + 26 * Math.sqrt(p.individuals / largest);
      var text = p.name + ": " + p.individuals.toLocaleString() + " " + t.individuals +
        (p.suppressed ? " (+ " + (p.withheld ? t.withheld : t.suppressed) + ")" : "");
      L.circleMarker([p.latitude, p.longitude], {
        radius: radius, color: "#b42318", weight: 1, fillColor: "#f04438", fillOpacity: 0.55,
      }).bindTooltip(text).addTo(leaflet);
      bounds.push([p.latitude, p.longitude]);
    });
    labels.forEach(function (label) { bounds.push([label.latitude, label.longitude]); });
    if (bounds.length) {
      leaflet.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 });
    } else {
      leaflet.setView([33.2, 43.7], 5.5); // Iraq
    }
  }

  function draw() {
    if (typeof Plotly !== "undefined") {
      [governorates, trend, flows, shelter, needs, intentions].forEach(function (chart) {
        try {
          chart();
        } catch (error) {
          window.console && console.error(error);
        }
      });
    }
    map();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
