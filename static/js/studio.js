// The Studio's behaviour: prompt counter, reference chips (drop, upload, pick, remove), refine box and live job news.
(function () {
  "use strict";

  var TERMINAL = ["succeeded", "failed", "cancelled"];

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function form() { return document.getElementById("generate-form"); }

  // Tell the live validator that something changed that is not a keystroke (a chip, a mask).
  function revalidate() {
    var generate = form();
    if (generate) generate.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function setBalance(balance) {
    if (balance === undefined || balance === null || balance === "") return;
    var pill = $('[data-testid="credits-balance"]');
    if (pill) pill.textContent = String(balance);
  }

  // Prompt counter --------------------------------------------------------------------------------------------

  function maxChars() {
    var controls = document.getElementById("model-controls");
    return controls ? parseInt(controls.getAttribute("data-max-chars"), 10) || 32000 : 32000;
  }

  function updateCount() {
    var prompt = document.getElementById("id_prompt");
    var count = document.getElementById("prompt-count");
    if (!prompt || !count) return;
    var max = maxChars();
    count.textContent = prompt.value.length.toLocaleString() + " / " + max.toLocaleString();
    count.classList.toggle("over", prompt.value.length > max);
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "id_prompt") updateCount();
  });

  // Reference chips -------------------------------------------------------------------------------------------

  function maxReferences() {
    var controls = document.getElementById("model-controls");
    return controls ? parseInt(controls.getAttribute("data-max-references"), 10) || 16 : 16;
  }

  function renumber() {
    var list = document.getElementById("reference-list");
    if (!list) return;
    var chips = $all(".ref-chip", list);
    var max = maxReferences();
    var errors = document.getElementById("reference-errors");
    if (chips.length > max) {
      chips.slice(max).forEach(function (chip) { chip.remove(); });
      chips = chips.slice(0, max);
      if (errors) errors.textContent = "This model takes at most " + max + " reference images; the extra ones were left out.";
    }
    chips.forEach(function (chip, index) {
      var label = "Image " + (index + 1);
      var text = $(".ref-label", chip);
      if (text) text.textContent = label;
      var select = $("select", chip);
      if (select) select.setAttribute("aria-label", "Role of " + label);
      var remove = $("[data-ref-remove]", chip);
      if (remove) remove.setAttribute("aria-label", "Remove " + label);
    });
    document.dispatchEvent(new CustomEvent("studio:references-changed"));
  }

  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-ref-remove]");
    if (remove) {
      remove.closest(".ref-chip").remove();
      renumber();
      revalidate();
      return;
    }
    // "Upload…" is a real button (keyboard and screen readers reach it); it opens the hidden file input.
    var upload = event.target.closest("[data-upload-for]");
    if (upload) {
      var input = document.getElementById(upload.getAttribute("data-upload-for"));
      if (input) input.click();
      return;
    }
    if (event.target.closest("[data-recent-toggle]")) {
      setRecentCollapsed(!document.getElementById("studio").classList.contains("recent-collapsed"));
      return;
    }
    if (event.target.closest("[data-refine-close]")) {
      var box = document.getElementById("refine-box");
      if (box) box.innerHTML = "";
      return;
    }
    // Result actions work in place on the Studio page and fall back to their links elsewhere.
    var refine = event.target.closest("[data-refine-url]");
    if (refine && document.getElementById("refine-box") && window.htmx) {
      event.preventDefault();
      htmx.ajax("GET", refine.getAttribute("data-refine-url"), { target: "#refine-box", swap: "innerHTML" });
      return;
    }
    var chip = event.target.closest("[data-chip-url]");
    if (chip && document.getElementById("reference-list") && window.htmx) {
      event.preventDefault();
      htmx.ajax("GET", chip.getAttribute("data-chip-url"), { target: "#reference-list", swap: "beforeend" });
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target && event.target.matches && event.target.matches('#reference-list select[name="reference_role"]')) {
      revalidate();
    }
  });

  // Drag and drop onto the drop zone hands the files to the upload form, which htmx posts.
  function setUpDropzone() {
    var zone = document.getElementById("reference-drop");
    var input = document.getElementById("reference-file");
    if (!zone || !input || zone.dataset.ready) return;
    zone.dataset.ready = "1";
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "reference-upload") {
      var zone = document.getElementById("reference-drop");
      if (zone) zone.classList.add("is-busy");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    // A picture chosen in the "From library" dialog becomes the next reference; the dialog closes.
    if (event.detail.successful && event.detail.elt && event.detail.elt.matches("[data-picker-choose]")) {
      var dialog = event.detail.elt.closest("dialog");
      if (dialog && window.Postframe && window.Postframe.dialog) window.Postframe.dialog.close(dialog);
    }
    if (event.detail.elt && event.detail.elt.id === "reference-upload") {
      var zone = document.getElementById("reference-drop");
      if (zone) zone.classList.remove("is-busy");
      event.detail.elt.reset();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "reference-list") {
      renumber();
      revalidate();
    } else if (target.id === "model-controls" || target.closest && target.closest("#generate-form")) {
      updateCount();
      renumber();
    } else if (target.id === "refine-box") {
      var prompt = document.getElementById("refine-prompt");
      if (prompt) prompt.focus();
    } else if (target.id === "studio-stage") {
      var box = document.getElementById("refine-box");
      if (box) box.innerHTML = "";
      // After Generate or Refine the focus goes to the new job's status, which announces its progress.
      var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
      var status = $(".job-status", target);
      if (verb === "post" && status) status.focus();
    } else if (target.id === "recent-strip") {
      setRecentCollapsed(document.getElementById("studio").classList.contains("recent-collapsed"));
    }
  });

  // Every push swaps the job's fragments (its status, its Stop button…); whichever of them held the focus, the
  // focus stays on its successor, which keeps the same id.
  var statusFocus = null;
  document.addEventListener("htmx:wsBeforeMessage", function () {
    var active = document.activeElement;
    statusFocus = active && active !== document.body && active.id ? active.id : null;
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (!statusFocus) return;
    var again = document.getElementById(statusFocus);
    if (again && document.activeElement !== again) again.focus({ preventScroll: true });
    statusFocus = null;
  });

  // "From library" opens on the whole library: an old search would not match the fresh results.
  document.addEventListener("dialog:opened", function (event) {
    if (event.target.id !== "library-dialog") return;
    var search = document.getElementById("library-picker-q");
    if (search) search.value = "";
  });

  // Recent: collapsible, remembered in this browser.
  var RECENT_KEY = "postframe.recentCollapsed";

  function setRecentCollapsed(collapsed) {
    var studio = document.getElementById("studio");
    if (!studio) return;
    studio.classList.toggle("recent-collapsed", collapsed);
    var toggle = $("[data-recent-toggle]");
    if (toggle) {
      toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
      toggle.textContent = collapsed ? "Show" : "Hide";
      toggle.setAttribute("aria-label", collapsed ? "Show recent results" : "Hide recent results");
    }
    try { window.localStorage.setItem(RECENT_KEY, collapsed ? "1" : "0"); } catch (error) { /* private mode */ }
  }

  function recentWasCollapsed() {
    try { return window.localStorage.getItem(RECENT_KEY) === "1"; } catch (error) { return false; }
  }

  // Shortcuts: "?" lists them, "/" goes to the prompt, Ctrl/Cmd+Enter generates from anywhere on the page.
  function typing(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || document.querySelector("dialog[open]")) return;
    var active = document.activeElement;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !(active && active.closest("form"))) {
      var generate = form();
      if (generate) { event.preventDefault(); generate.requestSubmit(); }
      return;
    }
    if (typing(active) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") {
      var list = document.getElementById("shortcuts-dialog");
      if (list && window.Postframe && window.Postframe.dialog) { event.preventDefault(); window.Postframe.dialog.open(list); }
    } else if (event.key === "/") {
      var prompt = document.getElementById("id_prompt");
      if (prompt) { event.preventDefault(); prompt.focus(); }
    }
  });

  // Server events ---------------------------------------------------------------------------------------------

  // A new job is on its way: the balance moved and the form's old complaints no longer apply.
  document.body.addEventListener("studio-changed", function (event) {
    setBalance(event.detail && event.detail.balance);
    $all(".generate-form .error").forEach(function (el) { el.textContent = ""; });
  });

  document.body.addEventListener("studio-rejected", function () {
    var first = $all(".generate-form .error").filter(function (el) { return el.textContent.trim(); })[0];
    if (first) first.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });

  // Live job news over the websocket: finished jobs refresh the strip, update the balance and raise a toast.
  var announced = {};
  document.addEventListener("htmx:wsAfterMessage", function (event) {
    var message = String(event.detail.message || "");
    var status = /data-job-status="(\w+)"/.exec(message);
    var balance = /data-balance="(\d+)"/.exec(message);
    var id = /id="job-([0-9a-f-]+)-status"/.exec(message);
    if (balance) setBalance(balance[1]);
    if (!status || TERMINAL.indexOf(status[1]) < 0 || !id || announced[id[1]]) return;
    announced[id[1]] = true;
    htmx.trigger(document.body, "job-finished");
    if (!window.Postframe) return;
    if (status[1] === "succeeded") window.Postframe.toast("Your images are ready.");
    else if (status[1] === "failed") window.Postframe.toast("A job failed; the canvas says why.", "error");
  });

  function init() {
    updateCount();
    setUpDropzone();
    renumber();
    if (recentWasCollapsed()) setRecentCollapsed(true);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
