// The API token page: copy a freshly issued token to the clipboard.
(function () {
  "use strict";

  function copied(button) {
    var label = button.textContent;
    button.textContent = "Copied";
    if (window.Postframe) window.Postframe.toast("Token copied. Keep it somewhere safe.");
    setTimeout(function () { button.textContent = label; }, 2000);
  }

  // Delegated, because the token panel is swapped in by htmx after the page loads.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { copied(button); });
      return;
    }
    // Plain http on a LAN address has no async clipboard: select the text and use the legacy command.
    field.focus();
    field.select();
    if (document.execCommand("copy")) copied(button);
  });
})();
