// sitegen serve: reload this page when the site has been rebuilt.
// Injected by `sitegen serve` only; never part of a built site. An external file (no
// inline script), so a Content-Security-Policy of script-src 'self' still allows it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) {
    return;
  }
  var shown = script.getAttribute("data-build");
  var events = new EventSource(script.getAttribute("data-events"));
  events.addEventListener("build", function (event) {
    if (event.data !== shown) {
      events.close();
      window.location.reload();
    }
  });
})();
