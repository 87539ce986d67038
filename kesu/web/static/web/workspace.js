// Kesu workspace: small progressive enhancements (each area adds its own section below).

// --- complaint page (area "complaint") ------------------------------------------------------
// A department <select data-narrows="id"> narrows the grouped user list (<optgroup> per
// department) of the select with that id to the chosen department's people.
(function () {
  "use strict";
  function narrow(department) {
    var target = document.getElementById(department.getAttribute("data-narrows"));
    if (!target) { return; }
    var chosen = department.selectedIndex > 0 ? department.options[department.selectedIndex].text : "";
    var groups = target.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var hide = chosen !== "" && groups[i].label !== chosen;
      groups[i].hidden = hide;
      groups[i].disabled = hide;
    }
    var selected = target.options[target.selectedIndex];
    if (selected && selected.parentNode && selected.parentNode.disabled) { target.selectedIndex = 0; }
  }
  function wire(root) {
    var selects = root.querySelectorAll("select[data-narrows]");
    for (var i = 0; i < selects.length; i++) {
      if (selects[i].getAttribute("data-narrows-wired")) { continue; }
      selects[i].setAttribute("data-narrows-wired", "1");
      selects[i].addEventListener("change", function (event) { narrow(event.target); });
      narrow(selects[i]);
    }
  }
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (event) { wire(event.target); });
}());

/* --- helpdesk: queue row selection, canned responses ------------------------------------- */
(function () {
  "use strict";

  // A header checkbox `data-select-all="numbers"` ticks every row checkbox named `numbers` in its form.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll || !box.form) return;
    box.form.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (row) {
      row.checked = box.checked;
    });
  });

  // Canned responses: every <textarea data-canned="note|solution|callback"> gets a picker (the
  // <template id="canned-picker"> of base.html, labelled in the reader's language) that inserts
  // the chosen text at the cursor.
  var cache = {};

  function load(purpose) {
    var url = document.body.dataset.cannedUrl;
    if (!cache[purpose]) {
      cache[purpose] = fetch(url + "?purpose=" + encodeURIComponent(purpose), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { return data.results || []; });
    }
    return cache[purpose];
  }

  function insert(area, text) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    if (typeof start !== "number") { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    var joiner = before && !/\s$/.test(before) ? "\n" : "";
    area.value = before + joiner + text + after;
    var caret = (before + joiner + text).length;
    area.focus();
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attach(area) {
    var template = document.getElementById("canned-picker");
    if (!template || !document.body.dataset.cannedUrl || area.dataset.cannedReady) return;
    area.dataset.cannedReady = "1";
    var picker = template.content.firstElementChild.cloneNode(true);
    var select = picker.querySelector("select");
    var items = {};
    area.insertAdjacentElement("afterend", picker);
    load(area.dataset.canned).then(function (rows) {
      if (!rows.length) { picker.hidden = true; return; }
      rows.forEach(function (row) {
        items[row.id] = row.body;
        var option = document.createElement("option");
        option.value = String(row.id);
        option.textContent = row.title;
        select.appendChild(option);
      });
      picker.dataset.loaded = "1";
    });
    select.addEventListener("change", function () {
      if (select.value && items[select.value] !== undefined) insert(area, items[select.value]);
      select.value = "";
    });
  }

  function scan(root) {
    (root || document).querySelectorAll("textarea[data-canned]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSettle", function (event) { scan(event.target); });
})();

// --- header menus (area "navigation") ---------------------------------------------------------
// The header's page groups are <details> dropdowns: opening one closes the others, and a click
// elsewhere or Escape closes them.
(function () {
  "use strict";
  function menus() { return document.querySelectorAll("header.top details.menu"); }
  function closeAll(except) {
    var all = menus();
    for (var i = 0; i < all.length; i++) { if (all[i] !== except) { all[i].open = false; } }
  }
  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (target.matches && target.matches("header.top details.menu") && target.open) { closeAll(target); }
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("header.top details.menu")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("header.top details.menu[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
})();
