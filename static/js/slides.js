// Slides: the brand kit's colour swatches (Ctrl/Cmd+Enter and busy buttons are app.js's, for every page).
(function () {
  "use strict";
  // Brand kit swatches: the colour comes from a data attribute (no inline style under the strict CSP).
  function paintSwatches(root) {
    root.querySelectorAll("[data-colour]").forEach(function (swatch) {
      swatch.style.backgroundColor = swatch.dataset.colour;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paintSwatches(document); });
})();
