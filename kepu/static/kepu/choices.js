// kepu — search-as-you-type choices (kepu/core/choices.py). No inline scripts: the CSP allows only our files.
//
// <div data-kp-picker="one|many|append|set"> holds the field the choice goes into ([data-kp-picker-value]),
// a search box ([data-kp-picker-search], asking data-kp-picker-url as the user types) and a result list
// ([data-kp-picker-results]) of buttons <button data-kp-pick="名称" data-kp-pick-id="12">.
//   one / many — a form field: the hidden <select> gets the chosen id(s), shown as tags ([data-kp-picker-chosen]);
//   append     — the plan import: adds the name to a text field written "A、B";
//   set        — the plan import: puts the id into a hidden input and shows the name ([data-kp-picker-label]).
(function () {
  "use strict";

  var DELAY_MS = 250;

  function part(picker, name) { return picker.querySelector("[data-kp-picker-" + name + "]"); }

  function names(text) {
    return text.split(/[、，,；;\s]+/).filter(function (name) { return name; });
  }

  function close(picker) {
    var results = part(picker, "results");
    var search = part(picker, "search");
    if (results) results.innerHTML = "";
    if (search) search.setAttribute("aria-expanded", "false");
  }

  // Rows already chosen stay in the list (choosing again changes nothing) but say so.
  function markChosen(picker) {
    var select = part(picker, "value");
    if (!select || select.tagName !== "SELECT") return;
    picker.querySelectorAll("[data-kp-pick-id]").forEach(function (button) {
      if (!select.querySelector("option[value='" + button.dataset.kpPickId + "']")) return;
      button.setAttribute("aria-selected", "true");
      button.classList.add("list-group-item-light");
      var note = document.createElement("span");
      note.className = "badge text-bg-light border fw-normal ms-1";
      note.textContent = "已选";
      button.appendChild(note);
    });
  }

  function ask(picker) {
    var search = part(picker, "search");
    var results = part(picker, "results");
    var url = search.dataset.kpPickerUrl;
    var asked = search.value;
    var query = (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(asked.trim());
    fetch(url + query, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (response.status === 429) return response.text().then(function (text) { return Promise.reject(text); });
        return response.ok ? response.text() : Promise.reject(null);
      })
      .then(function (html) {
        if (search.value !== asked) return; // the user typed on; a newer answer is coming
        results.innerHTML = html;
        markChosen(picker);
        search.setAttribute("aria-expanded", "true");
      })
      .catch(function (message) {
        // Too many searches: the server's own Chinese message (plain text, so set as text, not HTML).
        var note = document.createElement("div");
        note.className = "list-group-item small text-danger";
        note.textContent = typeof message === "string" && message ? message : "搜索失败，请稍后重试";
        results.replaceChildren(note);
      });
  }

  function chip(id, label) {
    var tag = document.createElement("span");
    tag.className = "kp-chip";
    tag.dataset.kpChip = id;
    tag.textContent = label;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close";
    remove.dataset.kpUnpick = "";
    remove.setAttribute("aria-label", "移除" + label);
    tag.appendChild(remove);
    return tag;
  }

  function chooseInSelect(picker, id, label) {
    var select = part(picker, "value");
    var chosen = part(picker, "chosen");
    if (picker.dataset.kpPicker === "one") { select.innerHTML = ""; chosen.innerHTML = ""; }
    if (select.querySelector("option[value='" + id + "']")) return;
    var option = new Option(label, id, true, true);
    select.appendChild(option);
    chosen.appendChild(chip(id, label));
  }

  function choose(picker, button) {
    var field = part(picker, "value");
    var mode = picker.dataset.kpPicker;
    var id = button.dataset.kpPickId;
    var name = button.dataset.kpPick;
    if (mode === "one" || mode === "many") {
      chooseInSelect(picker, id, name);
    } else if (mode === "set") {
      field.value = id;
      var label = part(picker, "label");
      if (label) { label.textContent = name; label.classList.remove("d-none"); }
    } else {
      var list = names(field.value);
      if (list.indexOf(name) < 0) list.push(name);
      field.value = list.join("、");
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
    var search = part(picker, "search");
    close(picker);
    if (search) { search.value = ""; search.focus(); }
  }

  document.addEventListener("input", function (event) {
    var search = event.target.closest && event.target.closest("[data-kp-picker-search]");
    if (!search) return;
    var picker = search.closest("[data-kp-picker]");
    window.clearTimeout(search.kpTimer);
    search.kpTimer = window.setTimeout(function () { ask(picker); }, DELAY_MS);
  });

  // The first focus shows the first choices at once (the members first, for units).
  document.addEventListener("focusin", function (event) {
    var search = event.target.closest && event.target.closest("[data-kp-picker-search]");
    if (!search || search.kpAsked) return;
    search.kpAsked = true;
    ask(search.closest("[data-kp-picker]"));
  });

  document.addEventListener("click", function (event) {
    var picker = event.target.closest("[data-kp-picker]");
    document.querySelectorAll("[data-kp-picker]").forEach(function (other) {
      if (other !== picker) close(other); // a click elsewhere closes open lists
    });
    if (!picker) return;
    var button = event.target.closest("[data-kp-pick]");
    if (button) { event.preventDefault(); choose(picker, button); return; }
    var unpick = event.target.closest("[data-kp-unpick]");
    if (unpick) {
      var tag = unpick.closest("[data-kp-chip]");
      var option = part(picker, "value").querySelector("option[value='" + tag.dataset.kpChip + "']");
      if (option) option.remove();
      tag.remove();
      part(picker, "search").focus();
    }
  });

  // Keyboard: ↓ from the box into the results, ↑/↓ between them, Enter picks (the first match from
  // the box, instead of submitting the form), Escape closes.
  function step(picker, from, delta) {
    var buttons = Array.prototype.slice.call(picker.querySelectorAll("[data-kp-pick]"));
    if (!buttons.length) return;
    var index = buttons.indexOf(from) + delta;
    if (index < 0) { part(picker, "search").focus(); return; }
    buttons[Math.min(index, buttons.length - 1)].focus();
  }

  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest("[data-kp-picker]");
    if (!picker) return;
    var inBox = event.target.matches("[data-kp-picker-search]");
    if (event.key === "Escape") { close(picker); if (!inBox) part(picker, "search").focus(); return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      step(picker, inBox ? null : event.target, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && inBox) {
      var first = picker.querySelector("[data-kp-pick]");
      event.preventDefault();
      if (first) choose(picker, first);
    }
  });
})();
