// "Keep for offline": asks the service worker (templates/pwa/sw.js) to fetch and keep every
// item page of this attempt now, so the learner can go on without a connection. Item pages
// carry no key: practice feedback still comes from the server once an answer syncs.
(function () {
  "use strict";
  const button = document.getElementById("keep-offline");
  const status = document.getElementById("keep-offline-status");
  if (!button || !status || !("serviceWorker" in navigator)) return;

  navigator.serviceWorker.ready.then(() => {
    button.hidden = false;
  });

  button.addEventListener("click", () => {
    const worker = navigator.serviceWorker.controller;
    if (!worker) {
      status.textContent = "Reload the page once, then try again: the offline helper is starting.";
      return;
    }
    const urls = Array.from(document.querySelectorAll(".navigator a.nav-item[data-position]"), (link) => link.href);
    const channel = new MessageChannel();
    button.disabled = true;
    status.textContent = "Keeping " + urls.length + " items for offline use…";
    channel.port1.onmessage = (event) => {
      const kept = event.data && event.data.kept;
      button.disabled = false;
      status.textContent =
        kept === urls.length
          ? "All " + kept + " items are kept for offline use."
          : kept + " of " + urls.length + " items kept: try again with a better connection.";
    };
    worker.postMessage({ type: "keep-pages", urls }, [channel.port2]);
  });
})();
