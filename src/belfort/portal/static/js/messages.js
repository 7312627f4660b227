// Messages (issue 12): the error summary takes focus when a form comes back with errors, and
// its links move focus to the field they name (a plain fragment link only scrolls to it).
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
