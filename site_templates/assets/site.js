/* scopekb, on every page: the print button of the call reception form. */
(function () {
  "use strict";

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
    Array.prototype.forEach.call(document.querySelectorAll("[data-scopekb-print]"), setUpPrint);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
