// The markup painter: coloured pen strokes, arrows, boxes and short text labels drawn over Image 1. It writes the
// markup the API wants into #markup-data: a transparent PNG the size of Image 1 with only the marks drawn on it.
// A mask and markup never go together: while one is set, the other's button is disabled (the server refuses both).
(function () {
  "use strict";

  var UNDO_LIMIT = 20;
  var MAX_LABEL = 40;

  var state = {
    assetId: null, // the asset the markup was drawn on
    undo: [],
    opened: null, // the drawing and counts when the dialog opened, for Cancel
    drawing: false,
    start: null,
    last: null,
    before: null, // the canvas before the shape being dragged, redrawn under it at each move
    counts: { stroke: 0, arrow: 0, box: 0, label: 0 },
  };

  function $(id) { return document.getElementById(id); }
  function canvas() { return $("markup-canvas"); }
  function ctx() { return canvas().getContext("2d", { willReadFrequently: true }); }

  function firstChip() {
    var list = $("reference-list");
    return list ? list.querySelector(".ref-chip") : null;
  }

  function markupAllowed() {
    var controls = $("model-controls");
    return !!controls && controls.getAttribute("data-markup") === "1";
  }

  function hasMask() { return !!($("mask-data") && $("mask-data").value); }
  function hasMarkup() { return !!($("markup-data") && $("markup-data").value); }

  function tool() {
    var checked = document.querySelector('input[name="markup-tool"]:checked');
    return checked ? checked.value : "pen";
  }

  function colour() {
    var checked = document.querySelector('input[name="markup-colour"]:checked');
    return checked ? checked.value : "#e5484d";
  }

  // Marks scale with Image 1, so they read the same on a 1024 px and a 3840 px image.
  function lineWidth() { return Math.max(4, Math.round(Math.min(canvas().width, canvas().height) / 160)); }

  function point(event) {
    var rect = canvas().getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * (canvas().width / rect.width),
      y: (event.clientY - rect.top) * (canvas().height / rect.height),
    };
  }

  function snapshot() { return ctx().getImageData(0, 0, canvas().width, canvas().height); }

  function pushUndo() {
    state.undo.push({ image: snapshot(), counts: Object.assign({}, state.counts) });
    if (state.undo.length > UNDO_LIMIT) state.undo.shift();
  }

  function pen(c) {
    c.strokeStyle = colour();
    c.fillStyle = colour();
    c.lineWidth = lineWidth();
    c.lineCap = "round";
    c.lineJoin = "round";
  }

  function line(from, to) {
    var c = ctx();
    c.save();
    pen(c);
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    c.restore();
  }

  function arrow(from, to) {
    var c = ctx();
    var angle = Math.atan2(to.y - from.y, to.x - from.x);
    var head = lineWidth() * 4;
    c.save();
    pen(c);
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    c.beginPath();
    c.moveTo(to.x, to.y);
    c.lineTo(to.x - head * Math.cos(angle - Math.PI / 7), to.y - head * Math.sin(angle - Math.PI / 7));
    c.lineTo(to.x - head * Math.cos(angle + Math.PI / 7), to.y - head * Math.sin(angle + Math.PI / 7));
    c.closePath();
    c.fill();
    c.restore();
  }

  function box(from, to) {
    var c = ctx();
    c.save();
    pen(c);
    c.strokeRect(Math.min(from.x, to.x), Math.min(from.y, to.y), Math.abs(to.x - from.x), Math.abs(to.y - from.y));
    c.restore();
  }

  function label(at, text) {
    var c = ctx();
    var size = Math.max(16, Math.round(Math.min(canvas().width, canvas().height) / 28));
    c.save();
    c.font = "600 " + size + "px system-ui, sans-serif";
    c.textBaseline = "top";
    var width = c.measureText(text).width;
    var pad = Math.round(size * 0.3);
    c.fillStyle = colour();
    c.fillRect(at.x - pad, at.y - pad, width + pad * 2, size + pad * 2);
    c.fillStyle = "#ffffff";
    c.fillText(text, at.x, at.y);
    c.restore();
  }

  function status(text, set) {
    var line = $("markup-status");
    if (line) line.textContent = text;
    var remove = $("markup-remove");
    if (remove) remove.hidden = !set;
    var open = $("markup-open");
    if (open) open.textContent = set ? "Edit the markup" : "Mark up Image 1";
  }

  function dialogStatus(text) {
    var line = $("markup-dialog-status");
    if (line) line.textContent = text;
  }

  function summary() {
    var parts = [];
    var names = { stroke: ["stroke", "strokes"], arrow: ["arrow", "arrows"], box: ["box", "boxes"], label: ["label", "labels"] };
    Object.keys(names).forEach(function (kind) {
      var count = state.counts[kind];
      if (count) parts.push(count + " " + names[kind][count === 1 ? 0 : 1]);
    });
    return parts.join(", ");
  }

  function changed() {
    var form = $("generate-form");
    if (form) form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function drawn() {
    var data = snapshot().data;
    for (var i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
    return false;
  }

  function clearMarkup(reason) {
    var field = $("markup-data");
    var had = field && field.value;
    if (field) field.value = "";
    state.assetId = null;
    state.undo = [];
    state.counts = { stroke: 0, arrow: 0, box: 0, label: 0 };
    if (canvas()) ctx().clearRect(0, 0, canvas().width, canvas().height);
    status(reason || "No markup: the prompt alone guides the edit.", false);
    if (had) changed();
    sync();
  }

  // Mask and markup are exclusive: each button is disabled while the other is set, with the reason beside it.
  function sync() {
    var open = $("markup-open");
    if (!open) return;
    var chip = firstChip();
    if (!chip && hasMarkup()) clearMarkup();
    if (chip && state.assetId && chip.getAttribute("data-asset-id") !== state.assetId && hasMarkup()) {
      clearMarkup("Image 1 changed, so its markup was removed.");
      return;
    }
    if (!markupAllowed() && hasMarkup()) {
      clearMarkup("This model does not take markup, so it was removed.");
      return;
    }
    open.disabled = !chip || !markupAllowed() || hasMask();
    open.title = hasMask() ? "Remove the mask first: an edit takes a mask or markup, not both." : "";
    var maskOpen = $("mask-open");
    if (maskOpen && hasMarkup()) {
      maskOpen.disabled = true;
      maskOpen.title = "Remove the markup first: an edit takes a mask or markup, not both.";
    } else if (maskOpen && maskOpen.title) {
      // The markup is gone: the mask button follows its own rule again (Image 1 there, the model takes masks).
      var controls = $("model-controls");
      maskOpen.disabled = !chip || (!!controls && controls.getAttribute("data-mask") === "0");
      maskOpen.title = "";
    }
  }

  function open() {
    var chip = firstChip();
    var dialog = $("markup-dialog");
    if (!chip || !dialog) return;
    var id = chip.getAttribute("data-asset-id");
    var width = parseInt(chip.getAttribute("data-width"), 10);
    var height = parseInt(chip.getAttribute("data-height"), 10);
    $("markup-image").src = chip.getAttribute("data-preview");
    if (state.assetId !== id || canvas().width !== width || canvas().height !== height) {
      canvas().width = width;
      canvas().height = height;
      state.undo = [];
      state.counts = { stroke: 0, arrow: 0, box: 0, label: 0 };
      state.assetId = id;
    }
    state.opened = { image: snapshot(), counts: Object.assign({}, state.counts) };
    dialogStatus("Pen, arrow and box: drag on the image. Label: type the text, then click where it goes.");
    dialog.showModal();
  }

  function finish() {
    if (!drawn()) {
      clearMarkup("No markup: nothing was drawn.");
      state.assetId = firstChip() ? firstChip().getAttribute("data-asset-id") : null;
    } else {
      $("markup-data").value = canvas().toDataURL("image/png");
      status("Markup on Image 1: " + (summary() || "drawn") + ".", true);
      changed();
    }
    $("markup-dialog").close();
    sync();
  }

  function cancel() {
    if (state.opened) {
      ctx().putImageData(state.opened.image, 0, 0);
      state.counts = state.opened.counts;
    }
    $("markup-dialog").close();
  }

  function act(action) {
    if (action === "undo") {
      var previous = state.undo.pop();
      if (previous) {
        ctx().putImageData(previous.image, 0, 0);
        state.counts = previous.counts;
      }
    } else if (action === "clear") {
      pushUndo();
      ctx().clearRect(0, 0, canvas().width, canvas().height);
      state.counts = { stroke: 0, arrow: 0, box: 0, label: 0 };
    } else if (action === "done") {
      finish();
    } else if (action === "cancel") {
      cancel();
    }
  }

  function pointerDown(event) {
    event.preventDefault();
    var at = point(event);
    if (tool() === "text") {
      var text = ($("markup-text").value || "").trim().slice(0, MAX_LABEL);
      if (!text) {
        dialogStatus("Type the label's text first (up to " + MAX_LABEL + " characters), then click where it goes.");
        $("markup-text").focus();
        return;
      }
      pushUndo();
      label(at, text);
      state.counts.label++;
      dialogStatus("Label “" + text + "” placed.");
      return;
    }
    pushUndo();
    canvas().setPointerCapture(event.pointerId);
    state.drawing = true;
    state.start = state.last = at;
    state.before = snapshot();
    if (tool() === "pen") line(at, at);
  }

  function pointerMove(event) {
    if (!state.drawing) return;
    var at = point(event);
    if (tool() === "pen") {
      line(state.last, at);
    } else {
      ctx().putImageData(state.before, 0, 0);
      if (tool() === "arrow") arrow(state.start, at);
      else box(state.start, at);
    }
    state.last = at;
  }

  function pointerUp() {
    if (!state.drawing) return;
    state.drawing = false;
    var kind = { pen: "stroke", arrow: "arrow", box: "box" }[tool()];
    if (kind) state.counts[kind]++;
  }

  function init() {
    var paint = canvas();
    if (!paint) return;
    paint.addEventListener("pointerdown", pointerDown);
    paint.addEventListener("pointermove", pointerMove);
    ["pointerup", "pointercancel", "lostpointercapture"].forEach(function (name) {
      paint.addEventListener(name, pointerUp);
    });

    document.addEventListener("click", function (event) {
      if (event.target.closest("[data-markup-open]")) {
        open();
        return;
      }
      var action = event.target.closest("[data-markup-action]");
      if (action) {
        act(action.getAttribute("data-markup-action"));
        return;
      }
      if (event.target.closest("#markup-remove")) clearMarkup();
      // The mask painter's own buttons change the mask; re-check exclusivity once it has.
      if (event.target.closest("#mask-remove, [data-mask-action]")) window.setTimeout(sync, 0);
    });

    var dialog = $("markup-dialog");
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      cancel();
    });
    dialog.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
        event.preventDefault();
        act("undo");
      }
    });

    var form = $("generate-form");
    if (form) form.addEventListener("change", function () { window.setTimeout(sync, 0); });
    document.addEventListener("studio:references-changed", function () { window.setTimeout(sync, 0); });
    document.addEventListener("htmx:afterSwap", function () { window.setTimeout(sync, 0); });
    sync();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
