/* scopekb, on every page: small fixes to the theme, and the print button of the call reception form. */
(function () {
  "use strict";

  // Material's search panel has the dialog role but no name; screen readers announce it by its field.
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role='dialog']");
    var field = dialog && dialog.querySelector("input");
    if (dialog && !dialog.hasAttribute("aria-label") && field) {
      dialog.setAttribute("aria-label", field.getAttribute("aria-label") || field.getAttribute("placeholder") || "Search");
    }
  }

  // A button that prints one part of the page only (the call reception form).
  function setUpPrint(button) {
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-scopekb-print"));
      if (!target) return window.print();
      target.setAttribute("data-scopekb-print-target", "");
      document.documentElement.classList.add("scopekb-printing");
      window.addEventListener("afterprint", function done() {
        document.documentElement.classList.remove("scopekb-printing");
        target.removeAttribute("data-scopekb-print-target");
        window.removeEventListener("afterprint", done);
      });
      window.print();
    });
  }

  function start() {
    nameSearchDialog();
    Array.prototype.forEach.call(document.querySelectorAll("[data-scopekb-print]"), setUpPrint);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
