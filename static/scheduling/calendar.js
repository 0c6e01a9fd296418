// The calendar: drag a post to another day (month) or hour (week); the drop posts the new date with htmx and the
// server answers the calendar as it now is. "Move to…" links are the keyboard's way to do the same.
(function () {
  "use strict";

  var dragged = null;

  // The week opens at its first post's hour, or at 07:00: nobody plans at midnight.
  function scrollWeek() {
    var grid = document.querySelector(".week-grid");
    if (!grid) return;
    var first = grid.querySelector(".week-cell .chip");
    var cell = first ? first.closest(".week-cell") : grid.querySelector(".week-cell[data-drop-time='07:00']");
    var head = grid.querySelector(".week-head");
    if (cell) grid.scrollTop = Math.max(0, cell.offsetTop - (head ? head.offsetHeight : 0) - 8);
  }
  document.addEventListener("DOMContentLoaded", scrollWeek);
  document.body.addEventListener("htmx:afterSettle", scrollWeek);

  document.addEventListener("dragstart", function (event) {
    var chip = event.target.closest && event.target.closest(".chip[draggable='true']");
    if (!chip) return;
    dragged = chip;
    chip.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.getAttribute("data-post"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    document.querySelectorAll(".drop.is-over").forEach(function (cell) { cell.classList.remove("is-over"); });
    dragged = null;
  });

  document.addEventListener("dragover", function (event) {
    var cell = event.target.closest && event.target.closest(".drop");
    if (!cell || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drop.is-over").forEach(function (other) { if (other !== cell) other.classList.remove("is-over"); });
    cell.classList.add("is-over");
  });

  document.addEventListener("drop", function (event) {
    var cell = event.target.closest && event.target.closest(".drop");
    if (!cell || !dragged || !window.htmx) return;
    event.preventDefault();
    cell.classList.remove("is-over");
    var calendar = document.getElementById("calendar");
    var values = { date: cell.getAttribute("data-drop-date"), calendar: calendar.getAttribute("data-calendar-query") };
    if (cell.hasAttribute("data-drop-time")) {
      // A week cell is an hour: keep the post's minutes within it.
      var minutes = (dragged.querySelector(".chip-time").textContent.split(":")[1] || "00");
      values.time = cell.getAttribute("data-drop-time").split(":")[0] + ":" + minutes;
    }
    window.htmx.ajax("POST", dragged.getAttribute("data-move-url"), {
      source: dragged, target: "#calendar", swap: "outerHTML", values: values
    });
  });
})();
