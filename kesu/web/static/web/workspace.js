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
