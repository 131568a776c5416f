// The footer's colour switch (templates/base.html): a choice applies at once and is saved in
// the background (on the learner, or in a cookie for a visitor), so the page is not reloaded
// and nothing typed on it is lost. Without JavaScript the form's Apply button does the same
// with a page load. The server renders the saved choice as <html data-theme>, so later pages
// have their colours from the first paint.
(function () {
  "use strict";

  const form = document.getElementById("theme-switch");
  if (!form || !window.fetch) return;
  const select = form.querySelector("select[name=theme]");
  const apply = document.getElementById("theme-apply");
  const status = document.getElementById("theme-status");
  const root = document.documentElement;
  const meta = document.querySelector("meta[name=color-scheme]");

  function show(theme) {
    if (theme === "light" || theme === "dark") root.dataset.theme = theme;
    else delete root.dataset.theme;
    if (meta) meta.content = theme === "light" || theme === "dark" ? theme : "light dark";
  }

  async function save() {
    status.textContent = "";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        const plain = (response.headers.get("Content-Type") || "").startsWith("text/plain");
        status.textContent = "Not saved: " + (plain ? await response.text() : "the server refused it.");
      }
    } catch (error) {
      status.textContent = "Not saved (no connection): the colours apply to this page only.";
    }
  }

  apply.hidden = true;
  select.addEventListener("change", () => {
    show(select.value);
    save();
  });
})();
