/* "Copy the link" buttons: <button data-copy="ID-of-a-field" data-copied="…" data-failed="…" hidden>.
   Progressive: without JavaScript (or without a clipboard) the button stays hidden and the
   read-only field can still be selected and copied by hand. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]:not([data-ready])").forEach(function (button) {
    button.setAttribute("data-ready", "");
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    if (!field || !navigator.clipboard || !window.isSecureContext) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = button.getAttribute("data-copied"); },
        function () {
          field.focus();
          field.select();
          if (status) status.textContent = button.getAttribute("data-failed");
        }
      );
    });
  });
})();
