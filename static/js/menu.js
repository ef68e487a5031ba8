/* The main menu on a phone: a disclosure button (aria-expanded, aria-controls) folds the list
   away below 600 px. Without script the button stays hidden and the list is shown, so every
   page is still reachable. */
(function () {
  "use strict";
  var nav = document.getElementById("main-nav");
  var button = document.getElementById("menu-button");
  var menu = document.getElementById("main-menu");
  if (!nav || !button || !menu || !window.matchMedia) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 37.5em)");

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("collapsed", !open);
  }

  nav.classList.add("foldable");
  show(!narrow.matches);
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  var follow = function (event) { show(!event.matches); };
  if (narrow.addEventListener) {
    narrow.addEventListener("change", follow);
  } else if (narrow.addListener) {
    narrow.addListener(follow);
  }
  // Escape closes the open menu on a phone and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
})();
