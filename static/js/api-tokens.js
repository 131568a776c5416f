// The profile's API tokens: a copy button for a just-created token's secret, and a reload
// that does not issue a second token.
(function () {
  "use strict";

  function copyValue(field) {
    // The Clipboard API exists only on HTTPS and localhost; elsewhere copy the selection.
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error());
  }

  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    const field = document.getElementById(button.dataset.copyTarget);
    const status = document.getElementById(button.dataset.copyStatus);
    // Without JavaScript there is no button: the read-only field can still be selected.
    button.hidden = false;
    button.addEventListener("click", function () {
      copyValue(field).then(
        function () {
          status.textContent = "Copied to the clipboard.";
        },
        function () {
          field.select();
          status.textContent = "Could not copy: the token is selected, press Ctrl+C (⌘C on a Mac).";
        }
      );
    });
  });

  // The secret arrives as the answer to a POST; reloading would send the form again and
  // issue another token. Making this history entry the profile page turns a reload into a GET.
  const secret = document.querySelector("[data-replace-url]");
  if (secret && window.history.replaceState) {
    window.history.replaceState(null, "", secret.dataset.replaceUrl);
  }
})();
