/* The programme KPI charts. Each canvas.nic-kpi-chart names the json_script block holding its data
   (data-source); the same numbers are in the table beside it. No inline script (Content-Security-Policy). */
(function () {
  "use strict";
  var COLOURS = ["#256ef4", "#0b7a4b", "#b15e00", "#d63d2a", "#6d3fc0", "#1d8a9a", "#8a6d00"];

  function draw(canvas) {
    if (canvas.dataset.drawn) return;
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var d = JSON.parse(source.textContent);
    if (!d || !d.labels.length) return;
    canvas.dataset.drawn = "1";
    var mixed = d.kind === "bar" && d.datasets.some(function (s) { return s.line; });
    var datasets = d.datasets.map(function (s, i) {
      var c = COLOURS[i % COLOURS.length];
      var set = {label: s.label, data: s.data, type: s.line ? "line" : undefined, order: s.line ? 0 : 1,
                 backgroundColor: c, borderColor: c, tension: 0.2, spanGaps: true};
      if (mixed && !d.horizontal) set.yAxisID = s.line ? "y2" : "y";
      return set;
    });
    // The box's height: a row per label for horizontal bars, else a fixed height (the page has no inline style).
    var box = canvas.parentNode;
    box.style.height = (d.horizontal ? Math.max(200, d.labels.length * d.datasets.length * 18 + 90) : 300) + "px";
    var value = {stacked: d.stacked, beginAtZero: true, title: {display: !!d.unit, text: d.unit}};
    if (d.unit === "%") value.max = 100;
    var label = {stacked: d.stacked};
    var scales = d.horizontal ? {x: value, y: label} : {x: label, y: value};
    if (mixed && !d.horizontal) {
      scales.y2 = {position: "right", beginAtZero: true, grid: {drawOnChartArea: false},
                   title: {display: !!d.unit, text: d.unit}};
    }
    new Chart(canvas, {
      type: d.kind,
      data: {labels: d.labels, datasets: datasets},
      options: {
        maintainAspectRatio: false,
        indexAxis: d.horizontal ? "y" : "x",
        interaction: {mode: "index", intersect: false},
        scales: scales
      }
    });
  }

  function drawAll() {
    if (!window.Chart) return;
    Array.prototype.forEach.call(document.querySelectorAll("canvas.nic-kpi-chart"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", drawAll);
})();
