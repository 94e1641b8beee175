// Registration form: "Add a member" copies the empty member form, numbering it like Django's
// formset expects, and lets htmx wire its "possible duplicates" requests. The button is rendered
// hidden and shown once it works: before this script has run there is nothing to click.
(function () {
  "use strict";
  function ready() {
    var add = document.getElementById("add-member");
    var template = document.getElementById("member-template");
    var list = document.getElementById("members");
    var total = document.getElementById("id_members-TOTAL_FORMS");
    if (!add || !template || !list || !total) {
      return;
    }
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fieldset = holder.firstElementChild;
      list.appendChild(fieldset);
      total.value = String(index + 1);
      if (window.htmx) {
        window.htmx.process(fieldset);
      }
      var first = fieldset.querySelector("select, input");
      if (first) {
        first.focus();
      }
    });
    add.hidden = false;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
