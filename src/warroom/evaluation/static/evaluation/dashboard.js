// Draws the evaluation dashboard's monthly trend charts from the JSON the page carries
// (id "evaluation-chart"); every text in it is already translated by the server.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("evaluation-chart");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var common = { responsive: true, maintainAspectRatio: false, spanGaps: true };
    function chart(id, type, datasets, yTitle, extra) {
      var canvas = document.getElementById(id);
      if (!canvas) return;
      var options = Object.assign({}, common, {
        scales: { y: Object.assign({ beginAtZero: true, title: { display: true, text: yTitle } }, extra || {}) },
      });
      new Chart(canvas, { type: type, data: { labels: data.labels, datasets: datasets }, options: options });
    }
    chart("chart-incidents", "bar", [{ label: data.text.incidents, data: data.incidents }], data.text.incidents,
      { ticks: { precision: 0 } });
    // Acknowledging takes minutes and resolving hours: a log scale keeps both readable.
    chart("chart-times", "line", data.times.map(function (series) {
      return { label: series.label, data: series.data, tension: 0.2 };
    }), data.text.minutes, { type: "logarithmic", beginAtZero: false });
    chart("chart-met", "line", [{ label: data.text.met, data: data.met, tension: 0.2 }], data.text.met,
      { max: 100 });
    chart("chart-feedback", "line", [{ label: data.text.feedback, data: data.feedback, tension: 0.2 }],
      data.text.feedback, { min: 1, max: 5, beginAtZero: false });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
