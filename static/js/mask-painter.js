// The mask painter: a canvas over Image 1 with brush, eraser, size, undo, clear and invert. It writes the mask
// the API wants into #mask-data: an RGBA PNG the size of Image 1, alpha 0 where the user painted (what changes).
(function () {
  "use strict";

  var UNDO_LIMIT = 15;
  var PAINT = "rgba(91, 91, 214, 1)";

  var state = {
    assetId: null, // the asset the mask was painted on
    width: 0,
    height: 0,
    undo: [],
    opened: null, // the paint at the moment the dialog opened, for Cancel
    drawing: false,
    last: null,
  };

  function $(id) { return document.getElementById(id); }

  function firstChip() {
    var list = $("reference-list");
    return list ? list.querySelector(".ref-chip") : null;
  }

  function maskAllowed() {
    var controls = $("model-controls");
    return !controls || controls.getAttribute("data-mask") !== "0";
  }

  function canvas() { return $("mask-canvas"); }
  function ctx() { return canvas().getContext("2d", { willReadFrequently: true }); }

  function tool() {
    var checked = document.querySelector('input[name="mask-tool"]:checked');
    return checked ? checked.value : "brush";
  }

  function brushSize() {
    var slider = $("mask-size");
    var rect = canvas().getBoundingClientRect();
    var scale = rect.width ? canvas().width / rect.width : 1;
    return (slider ? parseInt(slider.value, 10) : 48) * scale;
  }

  function snapshot() {
    return ctx().getImageData(0, 0, canvas().width, canvas().height);
  }

  function pushUndo() {
    state.undo.push(snapshot());
    if (state.undo.length > UNDO_LIMIT) state.undo.shift();
  }

  function point(event) {
    var rect = canvas().getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * (canvas().width / rect.width),
      y: (event.clientY - rect.top) * (canvas().height / rect.height),
    };
  }

  function stroke(from, to) {
    var c = ctx();
    c.save();
    c.globalCompositeOperation = tool() === "eraser" ? "destination-out" : "source-over";
    c.strokeStyle = PAINT;
    c.fillStyle = PAINT;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.lineWidth = brushSize();
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    c.beginPath();
    c.arc(to.x, to.y, c.lineWidth / 2, 0, Math.PI * 2);
    c.fill();
    c.restore();
  }

  function paintedShare() {
    var data = snapshot().data;
    var painted = 0;
    for (var i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted / (data.length / 4);
  }

  // alpha 255 everywhere, then the painted strokes cut out: alpha 0 is what the engine may change.
  function exportMask() {
    var out = document.createElement("canvas");
    out.width = canvas().width;
    out.height = canvas().height;
    var c = out.getContext("2d");
    c.fillStyle = "#000";
    c.fillRect(0, 0, out.width, out.height);
    c.globalCompositeOperation = "destination-out";
    c.drawImage(canvas(), 0, 0);
    return out.toDataURL("image/png");
  }

  function setStatus(text, painted) {
    var status = $("mask-status");
    if (status) status.textContent = text;
    var remove = $("mask-remove");
    if (remove) remove.hidden = !painted;
    var open = $("mask-open");
    if (open) open.textContent = painted ? "Edit the mask" : "Paint a mask on Image 1";
  }

  function changed() {
    var form = $("generate-form");
    if (form) form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function clearMask(reason) {
    var field = $("mask-data");
    var had = field && field.value;
    if (field) field.value = "";
    state.assetId = null;
    state.undo = [];
    if (canvas()) ctx().clearRect(0, 0, canvas().width, canvas().height);
    setStatus(reason || "No mask: the whole image may change.", false);
    if (had) changed();
  }

  function syncButton() {
    var open = $("mask-open");
    if (!open) return;
    var chip = firstChip();
    open.disabled = !chip || !maskAllowed();
    if (!chip && $("mask-data") && $("mask-data").value) clearMask();
    if (chip && state.assetId && chip.getAttribute("data-asset-id") !== state.assetId) {
      clearMask("Image 1 changed, so its mask was removed.");
    }
    if (!maskAllowed() && $("mask-data") && $("mask-data").value) clearMask("This model does not take masks.");
  }

  function open() {
    var chip = firstChip();
    var dialog = $("mask-dialog");
    if (!chip || !dialog) return;
    var id = chip.getAttribute("data-asset-id");
    var width = parseInt(chip.getAttribute("data-width"), 10);
    var height = parseInt(chip.getAttribute("data-height"), 10);
    var image = $("mask-image");
    image.src = chip.getAttribute("data-preview");
    if (state.assetId !== id || canvas().width !== width || canvas().height !== height) {
      canvas().width = width;
      canvas().height = height;
      state.undo = [];
      state.assetId = id;
    }
    state.width = width;
    state.height = height;
    state.opened = snapshot();
    dialog.showModal();
  }

  function finish() {
    var dialog = $("mask-dialog");
    var share = paintedShare();
    if (share === 0) {
      clearMask("No mask: nothing was painted, so the whole image may change.");
      state.assetId = firstChip() ? firstChip().getAttribute("data-asset-id") : null;
    } else {
      $("mask-data").value = exportMask();
      var percent = Math.max(1, Math.round(share * 100));
      setStatus("Mask on Image 1: " + percent + "% may change, the rest stays exact.", true);
      changed();
    }
    dialog.close();
  }

  function cancel() {
    if (state.opened) ctx().putImageData(state.opened, 0, 0);
    $("mask-dialog").close();
  }

  function act(action) {
    var c = ctx();
    if (action === "undo") {
      var previous = state.undo.pop();
      if (previous) c.putImageData(previous, 0, 0);
    } else if (action === "clear") {
      pushUndo();
      c.clearRect(0, 0, canvas().width, canvas().height);
    } else if (action === "invert") {
      pushUndo();
      c.save();
      c.globalCompositeOperation = "xor";
      c.fillStyle = PAINT;
      c.fillRect(0, 0, canvas().width, canvas().height);
      c.restore();
    } else if (action === "done") {
      finish();
    } else if (action === "cancel") {
      cancel();
    }
  }

  function init() {
    var paint = canvas();
    if (!paint) return;

    paint.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      pushUndo();
      paint.setPointerCapture(event.pointerId);
      state.drawing = true;
      state.last = point(event);
      stroke(state.last, state.last);
    });
    paint.addEventListener("pointermove", function (event) {
      if (!state.drawing) return;
      var next = point(event);
      stroke(state.last, next);
      state.last = next;
    });
    ["pointerup", "pointercancel", "lostpointercapture"].forEach(function (name) {
      paint.addEventListener(name, function () { state.drawing = false; });
    });

    document.addEventListener("click", function (event) {
      if (event.target.closest("[data-mask-open]")) {
        open();
        return;
      }
      var action = event.target.closest("[data-mask-action]");
      if (action) {
        act(action.getAttribute("data-mask-action"));
        return;
      }
      if (event.target.closest("#mask-remove")) clearMask();
    });

    var dialog = $("mask-dialog");
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

    document.addEventListener("studio:references-changed", syncButton);
    document.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "model-controls") syncButton();
    });
    syncButton();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
