// Targets pages: the 2016–2020 trend chart and the "Tính lại" progress bar (no inline script: CSP).
(function () {
  "use strict";

  function drawTrend() {
    const canvas = document.getElementById("targets-trend");
    const source = document.getElementById("targets-trend-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    Chart.defaults.locale = document.documentElement.lang || "vi";  // ticks in the page's language
    const palette = ["#b02a37", "#0d6efd", "#198754", "#fd7e14", "#6f42c1"];
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.years,
        datasets: data.series.map((s, i) => ({
          label: s.label, data: s.values, spanGaps: true,
          borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
        })),
      },
      options: {
        responsive: true, maintainAspectRatio: false,  // the height is the .chart-box's (taller on a phone)
        scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function watchRecompute() {
    const form = document.querySelector(".js-recompute");
    if (!form) return;
    const bar = form.querySelector(".js-progress");
    const label = form.querySelector(".js-progress-label");
    const statusUrl = form.dataset.statusUrl;

    function poll() {
      fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => r.json())
        .then((s) => {
          bar.classList.remove("d-none");
          bar.value = s.percent;
          label.textContent = (s.status_label || "") + " " + s.progress + "/" + s.total;
          if (s.status === "STARTED" || s.dirty) {
            setTimeout(poll, 1500);
          } else {
            window.location.reload();
          }
        })
        .catch(() => setTimeout(poll, 5000));
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      form.querySelector("button").disabled = true;
      fetch(form.action, {
        method: "POST", credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token },
      }).then(() => poll());
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    drawTrend();
    watchRecompute();
  });
})();
