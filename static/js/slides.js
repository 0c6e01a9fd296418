// Slides: Ctrl/Cmd+Enter saves the slide being edited (and the brief), as it generates in the studio; a form that
// takes a moment (writing the outline, queueing backgrounds) says so on its button and cannot be sent twice.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest(".slide-form, #brief-form");
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

  // Brand kit swatches: the colour comes from a data attribute (no inline style under the strict CSP).
  function paintSwatches(root) {
    root.querySelectorAll("[data-colour]").forEach(function (swatch) {
      swatch.style.backgroundColor = swatch.dataset.colour;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paintSwatches(document); });
})();
