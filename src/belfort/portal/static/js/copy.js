/*
 * Copy buttons for the API examples: hidden without JavaScript (the code can be selected
 * by hand), shown and working with it. Says "copied" to screen readers too.
 */
(function () {
  "use strict";

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = document.createElement("textarea");  // http:// inside a city network
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copy + "-status");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await copy(source.textContent);
        if (status) status.textContent = button.dataset.copied || "";
      } catch (error) {
        if (status) status.textContent = String(error);
      }
    });
  });
})();
