/* The charts of the risk trend, the finance dashboard and a company's ratios. Their data comes from
   json_script blocks and data-* attributes (translated labels), so pages carry no inline script and the
   Content-Security-Policy can forbid it. Runs on load and after htmx swaps; each canvas is drawn once. */
(function () {
  "use strict";

  // One palette for every chart: distinct, dark enough on white, never two series of a chart in one colour.
  var PALETTE = ["#256ef4", "#d63d2a", "#0b7a4b", "#b15e00", "#6d3fc0", "#00829b", "#c2185b", "#5d6b00"];
  function colour(i) { return PALETTE[i % PALETTE.length]; }

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function once(id) {
    var canvas = document.getElementById(id);
    if (!canvas || canvas.dataset.drawn) return null;
    canvas.dataset.drawn = "1";
    return canvas;
  }

  function riskTrend() {
    var data = json("trend-data");
    var canvas = once("risk-trend");
    if (!canvas || !data || !data.length) return;
    new Chart(canvas, {
      type: "line",
      data: {labels: data.map(function (d) { return d.period; }),
             datasets: [{label: canvas.dataset.label, data: data.map(function (d) { return d.p; }), tension: 0.2,
                         borderColor: colour(0), backgroundColor: colour(0)}]},
      options: {scales: {y: {min: 0, max: 1}}}
    });
  }

  function financeDashboard() {
    var data = json("finance-chart-data");
    var funnel = once("funnel-chart");
    if (!data || !funnel) return;
    var eok = function (v) { return Math.round(v / 1e8); };
    new Chart(funnel, {type: "bar", data: {labels: JSON.parse(funnel.dataset.labels),
      datasets: [{label: funnel.dataset.label, data: JSON.parse(funnel.dataset.values),
                  backgroundColor: ["#256ef4", "#0b7a4b", "#b15e00"]}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}}}});
    var series = function (obj) {
      return Object.keys(obj).map(function (k, i) {
        return {label: k, data: obj[k].map(eok), backgroundColor: colour(i), borderColor: colour(i)};
      });
    };
    var opts = function (canvas) {
      return {plugins: {title: {display: true, text: canvas.dataset.title}},
              scales: {x: {stacked: true}, y: {stacked: true, title: {display: true, text: canvas.dataset.unit}}}};
    };
    var inst = once("inst-chart");
    if (inst) new Chart(inst, {type: "bar", data: {labels: data.months, datasets: series(data.by_institution)}, options: opts(inst)});
    var group = once("group-chart");
    if (group) new Chart(group, {type: "bar", data: {labels: data.months, datasets: series(data.by_group)}, options: opts(group)});
  }

  function companyRatios() {
    var data = json("ratio-data");
    var canvas = once("ratio-chart");
    if (!canvas || !data) return;
    var datasets = data.datasets.map(function (d, i) {
      return {label: d.label + (d.percent ? " (%)" : ""), data: d.data, borderColor: colour(i),
              backgroundColor: colour(i), spanGaps: false, tension: 0.2,
              yAxisID: d.percent ? "pct" : "num"};
    });
    new Chart(canvas, {
      type: "line",
      data: {labels: data.labels, datasets: datasets},
      options: {responsive: true, interaction: {mode: "index", intersect: false},
        scales: {pct: {type: "linear", position: "left", title: {display: true, text: "%"}},
                 num: {type: "linear", position: "right", grid: {drawOnChartArea: false}}}}
    });
  }

  function drawAll() {
    if (!window.Chart) return;
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;  // also what the browser crawl asks for, so its screenshots show charts whole
    }
    riskTrend();
    financeDashboard();
    companyRatios();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", drawAll);
})();
