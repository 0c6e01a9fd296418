// Team pages: copy an invitation link, and keep the active model among the allowed ones.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="id-of-input">. Delegated, so it works on htmx-swapped regions too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () {
      button.textContent = "Copied";
      if (window.Postframe) window.Postframe.toast("Invitation link copied.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // Model settings: a model that is not allowed cannot be the active one; the server checks this too.
  function syncActive(form) {
    form.querySelectorAll("input[data-allows]").forEach(function (box) {
      var radio = document.getElementById(box.getAttribute("data-allows"));
      if (!radio) return;
      var allowed = box.checked || box.disabled;
      radio.disabled = !allowed;
      if (!allowed && radio.checked) radio.checked = false;
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-model-settings]");
    if (form) syncActive(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-model-settings]").forEach(syncActive);
  });
})();
