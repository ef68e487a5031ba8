/* "Ute nu": fetch the page again every minute and swap in the fresh list, so the page stays
   current without a reload (a meta refresh would reload it under the reader's feet, which
   WCAG 2.2.1 forbids). The button pauses the updates (WCAG 2.2.2). Without script the page
   is still right when loaded. */
(function () {
  "use strict";
  var region = document.getElementById("out-now-live");
  var pause = document.getElementById("out-now-pause");
  if (!region || !pause || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = parseInt(region.getAttribute("data-refresh-seconds"), 10) || 60;
  var paused = false;

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("out-now-live");
        if (fresh) { region.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline for a moment: try again next minute */ });
  }

  pause.hidden = false;
  pause.addEventListener("click", function () {
    paused = !paused;
    pause.setAttribute("aria-pressed", paused ? "true" : "false");
  });
  window.setInterval(function () {
    if (!paused && !document.hidden) { refresh(); }
  }, seconds * 1000);
  window.nattvandringOutNow = { refresh: refresh };  /* for the browser journey */
})();
