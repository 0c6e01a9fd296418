// Influencers: Ctrl/Cmd+Enter generates the series being written; the storyboard stops polling when done.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("#series-form");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("[data-generate]");
    if (button) form.requestSubmit(button);
  });
  // A submitted series form disables its button so a double click makes one series, not two.
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector && event.target.querySelector("[data-generate]");
    if (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("is-busy");
    }
  });
})();

// The Studio's influencer picker: once an influencer's request arrives, its identity prompt goes into the prompt box
// (an input event, so the Studio counts and validates it) and input fidelity is set where the model has the choice.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.target || event.target.id !== "influencer-picker") return;
    var source = event.target.querySelector("[data-influencer-prompt]");
    var prompt = document.getElementById("id_prompt");
    if (source && prompt) {
      prompt.value = source.value;
      prompt.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var fidelity = event.target.querySelector("[data-influencer-fidelity]");
    var select = document.getElementById("id_input_fidelity");
    if (fidelity && select) {
      select.value = fidelity.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
