/* The monthly survey's response rate per month (the survey follow-up page). The data comes from a json_script
   block and the label from a data-* attribute, so the page carries no inline script (CSP). */
(function () {
  "use strict";

  function draw() {
    var canvas = document.getElementById("survey-rate");
    var el = document.getElementById("survey-rate-data");
    if (!window.Chart || !canvas || !el || canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var data = JSON.parse(el.textContent);
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      Chart.defaults.animation = false;
    }
    new Chart(canvas, {
      type: "bar",
      data: {labels: data.map(function (d) { return d.period; }),
             datasets: [{label: canvas.dataset.label, data: data.map(function (d) { return d.rate; }),
                         backgroundColor: "#256ef4"}]},
      options: {scales: {y: {min: 0, max: 100}}, plugins: {legend: {display: false}}}
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
