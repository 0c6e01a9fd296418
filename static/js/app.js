// Postframe's shared behaviour: toasts from server events, keyboard shortcuts (confirmations: dialog.js).
(function () {
  "use strict";

  function toast(message, level) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var el = document.createElement("div");
    el.className = "toast" + (level === "error" ? " toast-error" : "");
    el.setAttribute("role", level === "error" ? "alert" : "status");
    el.textContent = message;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 6000);
  }
  window.Postframe = { toast: toast };

  // Server-sent toasts: HX-Trigger: {"toast": {"message": "...", "level": "info"}}
  document.body.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    toast(detail.message || detail.value, detail.level);
  });

  // Forms and buttons with data-confirm ask in the app's own dialog: see dialog.js.

  // Ctrl/Cmd+Enter submits the form that holds the focus (the studio's "Generate").
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = document.activeElement && document.activeElement.closest("form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
    }
  });

  // Escape closes an open menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
  });

  // Close an open menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Ctrl/Cmd+Enter sends the form being typed in when it says so (data-ctrl-enter), as it generates in the studio.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("form[data-ctrl-enter]");
    if (!form) return;
    event.preventDefault();
    form.requestSubmit();
  });

  // A form that takes a moment (its button has data-busy-label) says so on the button and cannot be sent twice.
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
