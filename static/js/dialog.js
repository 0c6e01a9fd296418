// In-app dialogs: one confirmation for every destructive action (never the browser's), and the focus handling every
// <dialog> shares: focus moves in, Tab stays inside, Escape closes, and the focus goes back to what opened it.
(function () {
  "use strict";

  var FOCUSABLE = [
    "a[href]", "button:not([disabled])", "input:not([disabled]):not([type=hidden])", "select:not([disabled])",
    "textarea:not([disabled])", "summary", "[tabindex]:not([tabindex='-1'])"
  ].join(",");

  function focusables(dialog) {
    return Array.prototype.slice.call(dialog.querySelectorAll(FOCUSABLE)).filter(function (el) {
      return el.getClientRects().length > 0 && !el.closest("[hidden]");
    });
  }

  function focusFirst(dialog) {
    var preferred = dialog.querySelector("[autofocus]");
    var target = preferred && preferred.getClientRects().length ? preferred : focusables(dialog)[0];
    if (target) target.focus();
  }

  function open(dialog, opener) {
    if (!dialog || dialog.open) return;
    dialog._opener = opener || document.activeElement;
    dialog.returnValue = "";
    dialog.showModal();
    focusFirst(dialog);
    dialog.dispatchEvent(new CustomEvent("dialog:opened", { bubbles: true }));
  }

  function close(dialog, value) {
    if (dialog && dialog.open) dialog.close(value || "");
  }

  // Focus goes back where it came from, whichever way the dialog closed.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement)) return;
    var opener = dialog._opener;
    dialog._opener = null;
    // A live push may have replaced the opener meanwhile; its successor keeps the same id.
    if (opener && !opener.isConnected && opener.id) opener = document.getElementById(opener.id);
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
  }, true);

  // Tab and Shift+Tab wrap inside an open modal dialog instead of leaving for the browser's own controls.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") return;
    var dialog = document.querySelector("dialog[open]");
    if (!dialog) return;
    var items = focusables(dialog);
    if (!items.length) { event.preventDefault(); return; }
    var first = items[0], last = items[items.length - 1];
    if (!dialog.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
    else if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  // Openers and closers in markup: data-dialog-open="<id>" and data-dialog-close; a click on the backdrop closes.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-dialog-open]");
    if (opener) {
      event.preventDefault();
      open(document.getElementById(opener.getAttribute("data-dialog-open")), opener);
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-dialog-close]");
    if (closer) {
      close(closer.closest("dialog"));
      return;
    }
    if (event.target instanceof HTMLDialogElement && event.target.open && event.target.hasAttribute("data-light-dismiss")) {
      var box = event.target.getBoundingClientRect();
      var inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) close(event.target);
    }
  });

  // The confirmation ------------------------------------------------------------------------------------------

  function ask(options, opener) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog) return Promise.resolve(true);  // a page without the dialog acts as it would without JavaScript
    dialog.querySelector("#confirm-dialog-title").textContent = options.title || "Are you sure?";
    dialog.querySelector("#confirm-dialog-message").textContent = options.message || "";
    var yes = dialog.querySelector("[data-confirm-yes]");
    var no = dialog.querySelector("[data-confirm-no]");
    yes.textContent = options.yes || "Confirm";
    no.textContent = options.no || "Go back";
    yes.classList.toggle("btn-danger", options.tone !== "primary");
    yes.classList.toggle("btn-primary", options.tone === "primary");
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function done() {
        dialog.removeEventListener("close", done);
        resolve(dialog.returnValue === "confirm");
      });
      open(dialog, opener);
    });
  }

  function optionsFrom(source, submitter) {
    var text = submitter && submitter.textContent ? submitter.textContent.replace(/…$/, "").trim() : "";
    var question = source.getAttribute("data-confirm");
    return {
      title: source.getAttribute("data-confirm-title") || question,
      message: source.hasAttribute("data-confirm-title") ? question : "",
      yes: source.getAttribute("data-confirm-yes") || text || "Confirm",
      no: source.getAttribute("data-confirm-no") || "Go back",
      tone: source.getAttribute("data-confirm-tone") || "danger"
    };
  }

  function isHtmx(element) {
    return element.matches("[hx-post],[hx-get],[hx-put],[hx-patch],[hx-delete],[data-hx-post],[data-hx-get]");
  }

  // A plain form (or its submit button) with data-confirm asks in the dialog, then submits as the user chose.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var source = submitter && submitter.hasAttribute("data-confirm") ? submitter : form.hasAttribute("data-confirm") ? form : null;
    if (!source || isHtmx(form)) return;  // htmx asks through htmx:confirm below
    if (form._confirmed) { form._confirmed = false; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(optionsFrom(source, submitter || form.querySelector("[type=submit]")), submitter || document.activeElement).then(function (yes) {
      if (!yes) return;
      form._confirmed = true;
      // data-confirmed-field="confirmed": the server asks on a page of its own unless this field says yes, so a
      // browser without JavaScript still gets a confirmation, and one with it is asked only once, here.
      var field = source.getAttribute("data-confirmed-field");
      if (field && !form.querySelector("input[data-confirmed-input][name='" + field + "']")) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = field;
        input.value = "yes";
        input.setAttribute("data-confirmed-input", "");
        form.appendChild(input);
      }
      if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
    });
  }, true);

  // An htmx request from an element with data-confirm waits for this dialog, not the browser's own prompt.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    var source = elt && elt.closest && elt.closest("[data-confirm]");
    if (!source) return;
    event.preventDefault();
    var submitter = elt.matches("form") ? elt.querySelector("[type=submit]") : elt;
    ask(optionsFrom(source, submitter), submitter || document.activeElement).then(function (yes) {
      if (!yes) return;
      var url = elt.matches("form") && elt.getAttribute("hx-post");
      if (url && window.htmx) {
        // Sent on behalf of the page, not of the form: a live push may replace the form (it sits in a swapped
        // region) while the request is out, and a detached form would lose the answer's swaps and events.
        window.htmx.ajax("POST", url, {
          source: document.body,
          target: elt.getAttribute("hx-target") || "body",
          swap: elt.getAttribute("hx-swap") || "innerHTML",
          values: Object.fromEntries(new FormData(elt))
        });
      } else {
        event.detail.issueRequest(true);
      }
    });
  });

  window.Postframe = window.Postframe || {};
  window.Postframe.dialog = { open: open, close: close, confirm: ask };
})();
