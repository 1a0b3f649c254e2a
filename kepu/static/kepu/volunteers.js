// kepu · 科技志愿服务 — small behaviours of the volunteers pages (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  // "获取验证码": after a code was sent the button counts down 60 s before it can be pressed again.
  document.querySelectorAll("[data-kp-countdown]").forEach(function (button) {
    var left = parseInt(button.dataset.kpCountdown, 10) || 0;
    if (left <= 0) return;
    var label = button.textContent;
    button.disabled = true;
    var timer = window.setInterval(function () {
      left -= 1;
      button.textContent = left > 0 ? left + " 秒后可重发" : label;
      if (left <= 0) { button.disabled = false; window.clearInterval(timer); }
    }, 1000);
    button.textContent = left + " 秒后可重发";
  });

  // The 6-digit code: keep digits only; submit by itself once six are typed.
  document.querySelectorAll("input[data-kp-sign-code]").forEach(function (input) {
    input.addEventListener("input", function () {
      var digits = input.value.replace(/\D/g, "").slice(0, 6);
      if (digits !== input.value) input.value = digits;
      if (digits.length === 6 && input.form && !input.form.dataset.kpSent) {
        input.form.dataset.kpSent = "1";
        input.form.requestSubmit();
      }
    });
  });

  // Show the objection form of one notice: <button data-kp-show="id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kp-show]");
    if (!button) return;
    var target = document.getElementById(button.dataset.kpShow);
    if (target) { target.hidden = false; button.hidden = true; var first = target.querySelector("input, textarea"); if (first) first.focus(); }
  });

  // Select all rows of the hours review table.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-kp-select-all]");
    if (!all) return;
    document.querySelectorAll("input[name='ids']").forEach(function (box) { box.checked = all.checked; });
  });
})();
