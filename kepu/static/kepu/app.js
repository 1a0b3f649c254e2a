// kepu — small behaviours shared by every page. No inline scripts: the CSP allows only our files.
(function () {
  "use strict";

  // Mobile sidebar toggle.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-kp-toggle='sidebar']");
    if (toggle) document.getElementById("sidebar").classList.toggle("open");
  });

  // <button data-kp-print>: print the page (certificates, the 督办单).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-kp-print]")) window.print();
  });

  // Ask before a destructive or weighty action: <button data-kp-confirm="确定停用？">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.kpConfirm) || event.target.dataset.kpConfirm;
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // Charts: <div class="kp-chart" data-kp-chart="id-of-json-script"></div>; the JSON is an ECharts option.
  function renderCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-kp-chart]").forEach(function (el) {
      if (el.dataset.kpRendered) return;
      var source = document.getElementById(el.dataset.kpChart);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      if (option.kpDrill) {
        // Every figure clicks down to its rows: kpDrill maps a category name to a URL.
        chart.on("click", function (params) {
          var url = option.kpDrill[params.name] || option.kpDrill[params.seriesName + "|" + params.name];
          if (url) window.location.href = url;
        });
        delete option.kpDrill;
      }
      chart.setOption(option);
      el.dataset.kpRendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) { renderCharts(event.target); });

  // Auto-submit filter forms (debounced for text inputs) through HTMX when present.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-kp-autosubmit]");
    if (form && event.target.tagName === "SELECT") form.requestSubmit();
  });
})();
