// The composer: the library picker's tray (add, reorder, remove, alt text), the media source panels, live caption
// counters per channel against each platform's limit, per-platform previews, and the server's live rule check.
(function () {
  "use strict";

  var form = document.getElementById("composer-form");
  if (!form) return;
  var tray = document.getElementById("tray");
  var checkTimer = null;

  function chars(text) { return Array.from(text || "").length; }  // code points, as the server counts

  // How X counts (scheduling/publishers/x_text.py, the same rules): an emoji sequence or a code point of a wide
  // script weighs 2, a link 23, anything else 1; text in NFC.
  var X_NARROW = [[0x0, 0x10FF], [0x2000, 0x200D], [0x2010, 0x201F], [0x2032, 0x2037]];
  var X_LINK = /(?:https?:\/\/|(?<![\w@.])www\.)[^\s<>"]+/gi;
  var X_EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
  var graphemes = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function xPlain(text) {
    var clusters = graphemes ? Array.from(graphemes.segment(text), function (part) { return part.segment; }) : Array.from(text);
    return clusters.reduce(function (total, cluster) {
      if (X_EMOJI.test(cluster)) return total + 2;
      return total + Array.from(cluster).reduce(function (sum, ch) {
        var code = ch.codePointAt(0);
        return sum + (X_NARROW.some(function (range) { return code >= range[0] && code <= range[1]; }) ? 1 : 2);
      }, 0);
    }, 0);
  }

  function xLength(text) {
    text = (text || "").normalize("NFC");
    var total = 0, start = 0, match;
    X_LINK.lastIndex = 0;
    while ((match = X_LINK.exec(text))) {
      var shown = match[0].replace(/[.,;:!?)\]}'"]+$/, "");
      total += xPlain(text.slice(start, match.index)) + 23;
      start = match.index + shown.length;
    }
    return total + xPlain(text.slice(start));
  }

  function value(name) {
    var field = form.querySelector("[name='" + name + "']");
    return field ? field.value.trim() : "";
  }

  function composed(channelId) {
    // As the dispatcher sends it: a channel's own text exactly, else the caption and the hashtags.
    var own = value("variant_" + channelId);
    if (own) return own;
    var caption = value("caption");
    var tags = value("hashtags");
    return caption && tags ? caption + "\n\n" + tags : caption || tags;
  }

  function source() {
    var checked = form.querySelector("input[name='source']:checked");
    return checked ? checked.value : "assets";
  }

  function showSource() {
    var chosen = source();
    form.querySelectorAll(".source-panel").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-source") !== chosen;
    });
  }

  function when() {
    var checked = form.querySelector("input[name='when']:checked");
    var timed = !checked || checked.value === "time";
    form.querySelectorAll(".when-row input").forEach(function (input) { input.disabled = !timed; });
  }

  function trayItems() { return Array.prototype.slice.call(tray ? tray.querySelectorAll(".tray-item") : []); }

  function refreshTray() {
    var items = trayItems();
    var empty = form.querySelector(".tray-empty");
    if (empty) empty.hidden = items.length > 0;
    var count = form.querySelector("[data-tray-count]");
    if (count) count.textContent = "(" + items.length + ")";
  }

  function addToTray(button) {
    var id = button.getAttribute("data-pick");
    if (!tray || tray.querySelector(".tray-item[data-asset='" + id + "']")) return;
    var name = button.getAttribute("data-name");
    var li = document.createElement("li");
    li.className = "tray-item";
    ["width", "height", "format", "kind"].forEach(function (key) { li.setAttribute("data-" + key, button.getAttribute("data-" + key)); });
    li.setAttribute("data-asset", id);
    var img = document.createElement("img");
    img.src = button.getAttribute("data-thumb"); img.alt = ""; img.width = 72; img.height = 72;
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "assets"; hidden.value = id;
    var text = document.createElement("div"); text.className = "tray-text";
    var label = document.createElement("span"); label.className = "tray-name"; label.textContent = name;
    var altLabel = document.createElement("label"); altLabel.className = "visually-hidden";
    altLabel.setAttribute("for", "alt_" + id); altLabel.textContent = "Alt text for " + name;
    var alt = document.createElement("input");
    alt.type = "text"; alt.id = "alt_" + id; alt.name = "alt_" + id; alt.maxLength = 1000;
    alt.placeholder = "Alt text: describe the " + (button.getAttribute("data-kind") === "video" ? "video" : "image");
    text.append(label, altLabel, alt);
    var actions = document.createElement("div"); actions.className = "tray-actions";
    [["up", "↑", "Move " + name + " earlier"], ["down", "↓", "Move " + name + " later"], ["remove", "✕", "Remove " + name]].forEach(function (spec) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn btn-small"; b.setAttribute("data-tray", spec[0]);
      b.textContent = spec[1]; b.setAttribute("aria-label", spec[2]);
      actions.appendChild(b);
    });
    li.append(img, hidden, text, actions);
    tray.appendChild(li);
    button.setAttribute("aria-pressed", "true");
    refreshTray();
    changed();
  }

  function trayAction(button) {
    var item = button.closest(".tray-item");
    var action = button.getAttribute("data-tray");
    if (action === "remove") {
      var picked = form.querySelector(".picker-item[data-pick='" + item.getAttribute("data-asset") + "']");
      if (picked) picked.removeAttribute("aria-pressed");
      item.remove();
    } else if (action === "up" && item.previousElementSibling) {
      item.parentNode.insertBefore(item, item.previousElementSibling);
    } else if (action === "down" && item.nextElementSibling) {
      item.parentNode.insertBefore(item.nextElementSibling, item);
    }
    refreshTray();
    changed();
    button.focus();
  }

  function counters() {
    var caption = form.querySelector("[data-counter-for='caption']");
    var rows = Array.prototype.slice.call(form.querySelectorAll(".channel-row"));
    var parts = [];
    // A platform may take a shorter caption with a video (TikTok's title): count against that one then.
    var video = trayItems().some(function (item) { return item.getAttribute("data-kind") === "video"; });
    rows.forEach(function (row) {
      var id = row.getAttribute("data-channel");
      var limit = parseInt((video && row.getAttribute("data-limit-video")) || row.getAttribute("data-limit"), 10);
      var used = row.getAttribute("data-platform") === "x" ? xLength(composed(id)) : chars(composed(id));
      var counter = row.querySelector("[data-counter-for='channel-" + id + "']");
      var over = limit && used > limit;
      var ticked = row.querySelector("input[type=checkbox]").checked;
      row.classList.toggle("is-on", ticked);
      if (counter) {
        counter.textContent = limit ? used + " / " + limit + (over ? " — " + (used - limit) + " too many" : "") : used + " characters";
        counter.classList.toggle("over", !!over);
      }
      if (ticked && limit) {
        parts.push(row.getAttribute("data-label") + " " + used + "/" + limit);
      }
    });
    if (caption) caption.textContent = parts.length ? parts.join(" · ") : chars(value("caption")) + " characters";
  }

  function previews() {
    var items = trayItems();
    var any = false;
    form.querySelectorAll(".channel-row").forEach(function (row) {
      var id = row.getAttribute("data-channel");
      var card = form.querySelector("[data-preview='" + id + "']");
      if (!card) return;
      var on = row.querySelector("input[type=checkbox]").checked;
      card.hidden = !on;
      if (!on) return;
      any = true;
      var media = card.querySelector(".preview-media");
      media.textContent = "";
      var max = parseInt(row.getAttribute("data-media-max"), 10) || 10;
      items.slice(0, Math.min(max, 4)).forEach(function (item) {
        var img = document.createElement("img");
        img.src = item.querySelector("img").src; img.alt = "";
        media.appendChild(img);
      });
      // A video shows its poster with a play mark, as the platforms show it in the feed.
      if (items.length && items[0].getAttribute("data-kind") === "video") {
        var play = document.createElement("span");
        play.className = "preview-play"; play.textContent = "▶"; play.setAttribute("aria-hidden", "true");
        media.appendChild(play);
      }
      media.hidden = items.length === 0;
      media.setAttribute("data-count", Math.min(items.length, 4));
      if (items.length > 4) {
        var more = document.createElement("span"); more.className = "preview-more";
        more.textContent = "+" + (items.length - 4);
        media.appendChild(more);
      }
      var fold = parseInt(card.getAttribute("data-fold"), 10) || 0;
      var text = composed(id);
      var shown = card.querySelector(".preview-text");
      shown.textContent = "";
      if (fold && chars(text) > fold) {
        shown.textContent = Array.from(text).slice(0, fold).join("").trimEnd() + "… ";
        var more2 = document.createElement("span"); more2.className = "muted"; more2.textContent = "more";
        shown.appendChild(more2);
      } else {
        shown.textContent = text;
      }
      // The first comment, under the post, where the platform takes one from Postframe.
      var commentBox = card.querySelector(".preview-comment");
      if (commentBox) {
        var commentField = form.querySelector("[name=first_comment]");
        var comment = commentField ? commentField.value.trim() : "";
        var takes = parseInt(card.getAttribute("data-comments"), 10) || 0;
        commentBox.querySelector("span").textContent = comment;
        commentBox.hidden = !(takes && comment);
      }
    });
    var empty = form.querySelector(".preview-empty");
    if (empty) empty.hidden = any;
  }

  function serverCheck() {
    if (!window.htmx) return;
    var url = form.getAttribute("data-check-url");
    window.htmx.ajax("POST", url, { source: form, values: {}, swap: "none", target: form });
  }

  function changed() {
    counters();
    previews();
    clearTimeout(checkTimer);
    checkTimer = setTimeout(serverCheck, 500);
  }

  form.addEventListener("input", function (event) {
    if (event.target.id === "picker-q") return;
    counters();
    previews();
    clearTimeout(checkTimer);
    checkTimer = setTimeout(serverCheck, 700);
  });
  form.addEventListener("change", function (event) {
    if (event.target.id === "picker-q") return;
    if (event.target.name === "source") showSource();
    if (event.target.name === "when") when();
    changed();
  });
  form.addEventListener("click", function (event) {
    var pick = event.target.closest(".picker-item");
    if (pick) { event.preventDefault(); addToTray(pick); return; }
    var action = event.target.closest("[data-tray]");
    if (action) { event.preventDefault(); trayAction(action); }
  });
  // The picker's search must not submit the composer.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.id === "picker-q") event.preventDefault();
  });

  showSource();
  when();
  refreshTray();
  counters();
  previews();
})();
