// The counter: Ctrl+Enter records the crossing from any field; a scanner's Enter stays a new
// line in the MRZ box. Reading and screening come back through htmx on every change.
(function () {
  "use strict";
  var form = document.getElementById("counter-form");
  if (!form) { return; }
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(document.getElementById("record-crossing"));
    }
  });
  var box = form.querySelector("textarea.mrz-input");
  if (box) {
    // Scanners and people type lower case or paste with spaces: the reader explains both, but
    // upper case is what the document carries.
    box.addEventListener("input", function () {
      var start = box.selectionStart, end = box.selectionEnd;
      var upper = box.value.toUpperCase();
      if (upper !== box.value) {
        box.value = upper;
        box.setSelectionRange(start, end);
      }
    });
  }
})();
