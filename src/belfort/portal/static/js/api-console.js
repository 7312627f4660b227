// The API console: Swagger UI (vendored, see scripts/vendor-assets) over this portal's
// own /openapi.json. Nothing is loaded from elsewhere: no validator badge, no remote specs.
(function () {
  "use strict";
  var root = document.getElementById("api-console");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.apiConsole = window.SwaggerUIBundle({
    domNode: root,
    url: root.getAttribute("data-openapi"),
    validatorUrl: null,
    deepLinking: true,
    // about 130 operations: the API families first, each opened on demand. (Swagger UI 5.36
    // stopped rendering part-way through when every operation was expanded at once.)
    docExpansion: "none",
    tryItOutEnabled: false,
    displayRequestDuration: true,
    queryConfigEnabled: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
