// Video: Ctrl/Cmd+Enter saves the shot being edited (and sends the brief); a form that takes a moment (writing the
// shot list, starting the sequence) says so on its button and cannot be sent twice.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest(".shot-form, #video-brief-form");
    if (!form) return;
    event.preventDefault();
    form.requestSubmit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = form.querySelector("button[data-busy-label]");
    if (!button || event.defaultPrevented) return;
    if (form.dataset.busy) {
      event.preventDefault();
      return;
    }
    form.dataset.busy = "1";
    form.setAttribute("aria-busy", "true");
    button.textContent = button.dataset.busyLabel;
  });
})();
