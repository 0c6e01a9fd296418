// The sequence page: a refused edit or shot-list change comes back with its message in place (409, 422) and is
// swapped like a success; after a move, add or delete the server names where the focus goes; a live push keeps the
// focus on the successor of whatever held it (the same id, by shot pk).
(function () {
  "use strict";

  function onSequencePage(element) {
    return element && element.closest && element.closest(".video-layout");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if ((status === 409 || status === 422) && onSequencePage(event.detail.target)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // HX-Trigger-After-Settle: {"video-shots-changed": {"focus": "<element id>"}}
  document.body.addEventListener("video-shots-changed", function (event) {
    var id = event.detail && event.detail.focus;
    var target = id && document.getElementById(id);
    if (target) target.focus();
  });

  var pushedFocus = null;
  document.addEventListener("htmx:wsBeforeMessage", function () {
    var active = document.activeElement;
    pushedFocus = active && active !== document.body && active.id ? active.id : null;
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (!pushedFocus) return;
    var again = document.getElementById(pushedFocus);
    if (again && document.activeElement !== again) again.focus({ preventScroll: true });
    pushedFocus = null;
  });
})();
