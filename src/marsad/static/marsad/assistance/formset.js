// "Add a criterion" / "Add an item": copies the formset's empty row from its <template>,
// numbering it as Django's formsets expect, and moves the focus into it.
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
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
