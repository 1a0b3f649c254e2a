// kepu — the document import's unit picker (no inline scripts: the CSP allows only our files).
//
// <div data-kp-picker="append|set"> holds the field the choice goes into ([data-kp-picker-value]),
// a search box that asks the server as the user types (HTMX) and a [data-kp-picker-results] list
// of buttons <button data-kp-pick="名称" data-kp-pick-id="12">. "append" adds the name to a list
// written "A、B"; "set" puts the id into a hidden field and shows the name ([data-kp-picker-label]).
(function () {
  "use strict";

  function names(text) {
    return text.split(/[、，,；;\s]+/).filter(function (name) { return name; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kp-pick]");
    if (!button) return;
    var picker = button.closest("[data-kp-picker]");
    if (!picker) return;
    event.preventDefault();
    var field = picker.querySelector("[data-kp-picker-value]");
    var name = button.dataset.kpPick;
    if (picker.dataset.kpPicker === "set") {
      field.value = button.dataset.kpPickId;
      var label = picker.querySelector("[data-kp-picker-label]");
      if (label) { label.textContent = name; label.classList.remove("d-none"); }
    } else {
      var list = names(field.value);
      if (list.indexOf(name) < 0) list.push(name);
      field.value = list.join("、");
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
    var search = picker.querySelector("[data-kp-picker-search]");
    if (search) search.value = "";
    var results = picker.querySelector("[data-kp-picker-results]");
    if (results) results.innerHTML = "";
  });

  // Escape closes the list of results.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var picker = event.target.closest && event.target.closest("[data-kp-picker]");
    var results = picker && picker.querySelector("[data-kp-picker-results]");
    if (results) results.innerHTML = "";
  });
})();
