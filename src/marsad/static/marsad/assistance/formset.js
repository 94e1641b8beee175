// "Add a criterion" / "Add an item": copies the formset's empty row from its <template>,
// numbering it as Django's formsets expect, and moves the focus into it. The button is rendered
// hidden and shown only once it works: a click before this script ran would do nothing, and
// without the script the formset's own empty row is there to fill.
(function () {
  "use strict";
  function ready() {
    document.querySelectorAll("[data-formset-add]").forEach(function (button) {
      var prefix = button.getAttribute("data-formset-add");
      var template = document.querySelector('[data-formset-template="' + prefix + '"]');
      var body = document.querySelector('[data-formset="' + prefix + '"] tbody');
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      if (!template || !body || !total) {
        return;
      }
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var holder = document.createElement("tbody");
        holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
        var row = holder.firstElementChild;
        body.appendChild(row);
        total.value = String(index + 1);
        var first = row.querySelector("select, input:not([type=hidden])");
        if (first) {
          first.focus();
        }
      });
      button.hidden = false;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
