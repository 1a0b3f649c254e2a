// kepu — literacy monitoring charts: every estimate is drawn with its 95 % interval.
// The ECharts options come from the server as JSON (<script type="application/json">); JSON cannot
// carry functions, so the options name them ("kpErrorBar", "kpInterval") and this file supplies them.
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(1) + "%";
  }

  // Custom series item [x, low, high] → a vertical whisker with caps.
  function errorBar(params, api) {
    var x = api.value(0);
    var top = api.coord([x, api.value(2)]);
    var bottom = api.coord([x, api.value(1)]);
    var band = api.size([1, 0])[0] || 24;
    var half = Math.max(3, Math.min(8, band * 0.15));
    var style = { stroke: api.visual("color"), lineWidth: 1.5 };
    return {
      type: "group",
      children: [
        { type: "line", shape: { x1: top[0], y1: top[1], x2: bottom[0], y2: bottom[1] }, style: style },
        { type: "line", shape: { x1: top[0] - half, y1: top[1], x2: top[0] + half, y2: top[1] }, style: style },
        { type: "line", shape: { x1: bottom[0] - half, y1: bottom[1], x2: bottom[0] + half, y2: bottom[1] }, style: style }
      ]
    };
  }

  // Tooltip: the estimate, its interval and n — never a bare point estimate.
  function interval(params) {
    var d = params.data || {};
    var value = Array.isArray(d.value) ? d.value[1] : (d.value !== undefined ? d.value : params.value);
    var title = d.wave || params.name || "";
    var lines = [];
    if (title) lines.push(escapeHtml(title));
    lines.push(escapeHtml(params.seriesName) + "：<b>" + percent(value) + "</b>");
    if (d.low !== undefined && d.low !== null) lines.push("95% 置信区间 " + percent(d.low) + "—" + percent(d.high));
    if (d.n !== undefined) lines.push("样本量 n = " + Number(d.n).toLocaleString("zh-CN"));
    if (d.method === "fay_herriot") lines.push("Fay–Herriot 小区域估计（区间为 ±1.96 均方根误差）");
    if (d.flag && d.method !== "fay_herriot") lines.push("<span style=\"color:#b7791f\">样本不足，不宜直接发布</span>");
    if (d.rule) lines.push("评分口径：" + escapeHtml(d.rule));
    if (d.draft) lines.push("<span style=\"color:#b7791f\">未发布</span>");
    return lines.join("<br>");
  }

  function prepare(option) {
    (option.series || []).forEach(function (series) {
      if (series.renderItem === "kpErrorBar") series.renderItem = errorBar;
    });
    if (option.tooltip && option.tooltip.formatter === "kpInterval") option.tooltip.formatter = interval;
    [].concat(option.xAxis || []).forEach(function (axis) {
      // Years without a thousands separator: “2024年”, not “2,024年”.
      if (axis.axisLabel && axis.axisLabel.formatter === "kpYear") axis.axisLabel.formatter = function (v) { return v + "年"; };
    });
    return option;
  }

  function render(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-kp-literacy-chart]").forEach(function (el) {
      if (el.dataset.kpRendered) return;
      var source = document.getElementById(el.dataset.kpLiteracyChart);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      if (!option) return;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(prepare(option));
      el.dataset.kpRendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
})();
