// Charts of the dashboard and figure pages; data comes from json_script blocks (no inline script).
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;

  const readJson = (id) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };
  const palette = ["#b02a37", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];
  // Axis ticks and tooltips in the page's language: 1.234,5 in Vietnamese, 1,234.5 in English.
  const locale = document.documentElement.lang || "vi";
  Chart.defaults.locale = locale;
  const numberFormat = new Intl.NumberFormat(locale);
  const lineChart = (canvas, labels, datasets, options) => new Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: Object.assign({
      responsive: true, maintainAspectRatio: false, spanGaps: true,
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${numberFormat.format(ctx.parsed.y)}` } } },
    }, options || {}),
  });

  const dashboard = readJson("dashboard-data");
  if (dashboard) {
    const targets = document.getElementById("targets-chart");
    if (targets) {
      lineChart(targets, dashboard.years, dashboard.targets.map((t, i) => ({
        label: t.name, data: t.values, borderColor: palette[i % palette.length], tension: 0.2,
      })), { scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } } });
    }
    const figures = document.getElementById("figures-chart");
    if (figures) {
      lineChart(figures, dashboard.years, dashboard.figures.map((f, i) => ({
        label: f.name, data: f.values, borderColor: palette[i % palette.length], tension: 0.2,
      })));
    }
  }

  const figureData = readJson("figures-data");
  const canvas = document.getElementById("figures-chart");
  if (figureData && canvas) {
    const byMonth = figureData.months.length > 0;
    lineChart(canvas, byMonth ? figureData.months : figureData.years, figureData.series.map((s, i) => ({
      label: s.name, data: byMonth ? s.months : s.years, borderColor: palette[i % palette.length], tension: 0.2,
    })));
  }
})();
