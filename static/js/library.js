// The library's behaviour: drag-and-drop uploads with per-file progress, grid selection, rating, board reordering.
(function () {
  "use strict";

  var PARALLEL_UPLOADS = 3;

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function toast(message, level) {
    if (window.Postframe && message) window.Postframe.toast(message, level);
  }

  // Uploads ---------------------------------------------------------------------------------------------------

  function setupUploads(form) {
    var input = form.querySelector("input[type=file]");
    var list = document.getElementById("upload-list");
    var submit = form.querySelector("[data-upload-submit]");
    var queue = [];
    var running = 0;
    if (!input || !list) return;
    if (submit) submit.hidden = true; // files start uploading as soon as they are chosen or dropped

    function row(file) {
      var li = document.createElement("li");
      li.className = "upload-row upload-pending";
      var name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Upload of " + file.name);
      var status = document.createElement("span");
      status.className = "upload-status";
      status.textContent = "Waiting";
      var message = document.createElement("span");
      message.className = "upload-message";
      li.append(name, bar, status, message);
      list.hidden = false;
      list.prepend(li);
      return { li: li, bar: bar, status: status, message: message };
    }

    function finish(view, state, label, text, url) {
      view.li.className = "upload-row upload-" + state;
      view.status.textContent = label;
      view.message.textContent = text || "";
      view.bar.remove();
      if (url) {
        var link = document.createElement("a");
        link.href = url;
        link.textContent = "Open";
        view.message.append(" ", link);
      }
    }

    function addCard(html) {
      var grid = document.getElementById("asset-grid");
      if (!grid || !html) return;
      var holder = document.createElement("div");
      holder.innerHTML = html; // rendered and escaped by the server
      var card = holder.firstElementChild;
      if (!card) return;
      grid.prepend(card);
      var empty = document.getElementById("library-empty");
      if (empty) empty.hidden = true;
      var bar = document.getElementById("selection-form");
      if (bar) bar.hidden = false;
      if (window.htmx) window.htmx.process(card);
    }

    function send(item) {
      running += 1;
      var view = item.view;
      var xhr = new XMLHttpRequest();
      var data = new FormData();
      data.append("files", item.file, item.file.name);
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.setRequestHeader("Accept", "application/json");
      view.status.textContent = "Uploading";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) view.bar.value = Math.round((event.loaded / event.total) * 100);
      });
      xhr.upload.addEventListener("load", function () { view.status.textContent = "Checking"; });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (!answer) {
          finish(view, "refused", "Failed", xhr.status === 403 ? "Your role cannot upload here." : "The server could not take this file (" + xhr.status + ").");
        } else if (answer.status === "ok") {
          finish(view, "ok", answer.label, answer.message, answer.url);
          addCard(answer.card);
          added += 1;
        } else if (answer.status === "duplicate") {
          finish(view, "duplicate", answer.label, answer.message, answer.url);
        } else {
          finish(view, "refused", answer.label || "Refused", answer.message);
        }
        next();
      });
      xhr.addEventListener("error", function () {
        finish(view, "refused", "Failed", "The connection dropped. Try this file again.");
        next();
      });
      xhr.send(data);
    }

    var added = 0;

    function next() {
      running -= 1;
      pump();
      if (running === 0 && queue.length === 0 && added > 0) {
        added = 0;
        refreshResults();
      }
    }

    function pump() {
      while (running < PARALLEL_UPLOADS && queue.length) send(queue.shift());
    }

    function enqueue(files) {
      Array.prototype.forEach.call(files, function (file) { queue.push({ file: file, view: row(file) }); });
      pump();
    }

    input.addEventListener("change", function () {
      if (input.files && input.files.length) enqueue(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files && input.files.length) enqueue(input.files);
    });
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        event.preventDefault();
        form.classList.add("dropzone-active");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      form.addEventListener(type, function () { form.classList.remove("dropzone-active"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) enqueue(event.dataTransfer.files);
    });
  }

  // The results region as the server counts it now: the "N assets" line, the Filters badge, the tiles in order.
  function refreshResults() {
    if (!document.getElementById("library-results") || !window.htmx) return;
    // fetch rather than htmx.ajax: the answer's HX-Push-Url would add a second history entry for the same address.
    fetch(window.location.pathname + window.location.search, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var results = document.getElementById("library-results");
        if (html && results) window.htmx.swap(results, html, { swapStyle: "outerHTML" });
      })
      .catch(function () { /* the tiles added one by one stay; the count catches up on the next visit */ });
  }

  // Back and forward restore the results htmx kept; put the search box and filters back to what the address says.
  function syncFiltersFromAddress() {
    var form = document.getElementById("library-filters");
    if (!form) return;
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.type === "button") return;
      var values = params.getAll(field.name);
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) { option.selected = values.indexOf(option.value) !== -1; });
      } else {
        field.value = values.length ? values[0] : "";
      }
    });
  }
  document.body.addEventListener("htmx:historyRestore", syncFiltersFromAddress);

  // Selection in the grid -------------------------------------------------------------------------------------

  var lastChecked = null;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-select]"));
  }

  function refreshSelection() {
    var count = boxes().filter(function (box) { return box.checked; }).length;
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = count; });
    document.querySelectorAll("[data-needs-selection]").forEach(function (button) { button.disabled = count === 0; });
    boxes().forEach(function (box) {
      var card = box.closest(".asset-card");
      if (card) card.classList.toggle("asset-card-selected", box.checked);
    });
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest("input[data-select]");
    if (box) {
      // Shift-click selects the whole run between the last box and this one.
      if (event.shiftKey && lastChecked && lastChecked !== box) {
        var all = boxes();
        var from = all.indexOf(lastChecked);
        var to = all.indexOf(box);
        all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (b) { b.checked = box.checked; });
      }
      lastChecked = box;
      refreshSelection();
      return;
    }
    if (event.target.closest && event.target.closest("[data-select-all]")) {
      boxes().forEach(function (b) { b.checked = true; });
      refreshSelection();
    } else if (event.target.closest && event.target.closest("[data-select-none]")) {
      boxes().forEach(function (b) { b.checked = false; });
      refreshSelection();
    }
  });

  // A form refused with 422 comes back with its errors next to the fields: swap it in like a success.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The filter panel closes when the user clicks elsewhere, like the app's menus.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-filter-panel][open]").forEach(function (panel) {
      if (!panel.contains(event.target)) panel.removeAttribute("open");
    });
  });

  // A confirmation on a single button or a form (data-confirm) asks in the app's dialog: see dialog.js.

  // Rating: choosing a star saves it.
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form && event.target.name === "rating") form.requestSubmit();
  });

  // Board reordering by drag and drop; the arrows do the same without JavaScript.
  function setupReorder(list) {
    var url = list.getAttribute("data-reorder-url");
    if (!url || list.hasAttribute("data-ready")) return;
    list.setAttribute("data-ready", "");
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".board-item");
      if (!dragged) return;
      dragged.classList.add("board-item-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-asset"));
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var over = event.target.closest(".board-item");
      if (!over || over === dragged) return;
      var box = over.getBoundingClientRect();
      var after = (event.clientY - box.top) / box.height > 0.5 || (event.clientX - box.left) / box.width > 0.5;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) { event.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("board-item-dragging");
      dragged = null;
      var order = Array.prototype.map.call(list.querySelectorAll(".board-item"), function (li) { return li.getAttribute("data-asset"); });
      var body = new URLSearchParams();
      body.set("order", order.join(","));
      fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrfToken(null), "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (text) {
            if (!response.ok) {
              var message = "The new order could not be saved. Reload and try again.";
              try { message = JSON.parse(text).message || message; } catch (e) { /* keep the general message */ }
              toast(message, "error");
              return;
            }
            // The server renders the board again, so the numbers and arrows match the new order.
            var region = list.parentElement;
            var holder = document.createElement("div");
            holder.innerHTML = text;
            var fresh = holder.firstElementChild;
            if (region && fresh && fresh.id === region.id) {
              region.replaceWith(fresh);
              if (window.htmx) window.htmx.process(fresh);
              init(fresh);
            }
            toast("Order saved.");
          });
        })
        .catch(function () { toast("The new order could not be saved. Reload and try again.", "error"); });
    });
  }

  function init(root) {
    root.querySelectorAll("form[data-upload]:not([data-ready])").forEach(function (form) {
      form.setAttribute("data-ready", "");
      setupUploads(form);
    });
    root.querySelectorAll("[data-reorder]").forEach(setupReorder);
    root.querySelectorAll("[data-autosubmit-button]").forEach(function (button) { button.hidden = true; });
    refreshSelection();
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.body.addEventListener("htmx:afterSettle", function () { init(document); });
})();
