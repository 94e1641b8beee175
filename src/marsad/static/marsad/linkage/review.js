// Pair review: a single key presses the decision button that carries it (data-key), unless the
// reviewer is typing in a field or holds a modifier key.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var key = (event.key || "").toLowerCase();
    var control = document.querySelector('#decision-form [data-key="' + key + '"]');
    if (!control) {
      return;
    }
    event.preventDefault();
    control.click();
  });
})();
