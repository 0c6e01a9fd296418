// The connect form shows the fields the chosen platform takes (a token, or a webhook's URL and secret), and a
// "Paste a new token" link fills the form in for the channel being reconnected.
(function () {
  "use strict";

  var NEEDS = { webhook: "webhook", bundle: "", instagram: "token", linkedin: "token", x: "token", tiktok: "token" };

  function sync(form) {
    var platform = form.querySelector("[name=platform]");
    if (!platform) return;
    var wanted = NEEDS[platform.value];
    form.querySelectorAll("[data-for]").forEach(function (group) {
      group.hidden = group.getAttribute("data-for") !== wanted;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("channel-connect-form");
    if (!form) return;
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "platform") sync(form);
    });
    document.querySelectorAll("[data-reconnect]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        form.querySelector("[name=platform]").value = link.getAttribute("data-reconnect");
        form.querySelector("[name=account_id]").value = link.getAttribute("data-account-id") || "";
        form.querySelector("[name=account_kind]").value = link.getAttribute("data-account-kind") || "person";
        sync(form);
        var token = form.querySelector("[name=access_token]");
        token.scrollIntoView({ block: "center" });
        token.focus();
      });
    });
  });
})();
