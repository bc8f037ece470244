// Chart.js defaults for every chart of the portal, loaded right after Chart.js: legends that fit a phone.
// A legend entry is one line that Chart.js never wraps; a long target name is cut to the chart's width
// (the whole name stays in the tooltip), and the colour box is smaller.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const labels = Chart.defaults.plugins.legend.labels;
  const standard = labels.generateLabels;
  const CHAR_WIDTH = 6.5;  // average width of a 12 px character
  labels.boxWidth = 14;
  labels.generateLabels = function (chart) {
    const items = standard.call(this, chart);
    const room = Math.max(12, Math.floor((chart.width - labels.boxWidth - 3 * labels.padding) / CHAR_WIDTH));
    items.forEach((item) => {
      if (item.text && item.text.length > room) item.text = item.text.slice(0, room - 1) + "…";
    });
    return items;
  };
  Chart.defaults.plugins.legend.position = "bottom";
})();
