// The only "Run this code" script a page carries before the button is used (docs/run-code.md):
// a click on the button loads static/js/run-code.js, which starts the Python worker. The
// button arrives with the item's feedback, which may be inserted after the page loaded
// (practice), so the click is caught on the document.
(function () {
  "use strict";

  let loading = null;

  function loadRunner(url) {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = () => {
          loading = null;  // a dropped connection: the next click tries again
          reject(new Error("run-code.js did not load"));
        };
        document.head.append(script);
      });
    }
    return loading;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-run-code-open]");
    const section = button && button.closest("[data-run-code]");
    if (!section) return;
    loadRunner(section.dataset.scriptUrl).then(
      () => window.PcepRunCode.open(section),
      () => { button.textContent = "Run this code (could not load: try again)"; }
    );
  });
})();
