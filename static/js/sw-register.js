// Installs the service worker (templates/pwa/sw.js, served at /sw.js) and keeps its page
// cache to one learner: the copy of a page is that learner's (their answers, their name), so
// it is emptied when they log out and when the page shows someone else is logged in.
(function () {
  "use strict";

  if (!("serviceWorker" in navigator)) return;
  const script = document.currentScript;
  const workerUrl = script && script.dataset.worker;
  if (!workerUrl) return;
  const OWNER_KEY = "pcep-cache-owner";
  const owner = document.body.dataset.cacheOwner || "";

  function clearPages() {
    const deletions = [];
    if (window.caches) {
      deletions.push(
        caches.keys().then((names) => Promise.all(names.filter((name) => name.startsWith("pcep-pages-")).map((name) => caches.delete(name)))),
      );
    }
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: "clear-pages" });
    return Promise.all(deletions).catch(() => undefined);
  }

  function rememberedOwner() {
    try {
      return window.localStorage.getItem(OWNER_KEY);
    } catch (error) {
      return null;
    }
  }

  function remember(value) {
    try {
      window.localStorage.setItem(OWNER_KEY, value);
    } catch (error) {
      // No storage: the logout handler below still empties the cache.
    }
  }

  // A page served from the cache says who it was for; only a page from the network (online)
  // can tell that the learner changed, so an offline page never wipes the cache.
  if (navigator.onLine && owner !== rememberedOwner()) {
    clearPages().then(() => remember(owner));
  }

  // Logging out: empty the page cache first, then let the form go.
  document.querySelectorAll("form[data-logout]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.cleared === "1") return;
      event.preventDefault();
      const timeout = new Promise((resolve) => setTimeout(resolve, 1500));
      Promise.race([clearPages(), timeout]).then(() => {
        form.dataset.cleared = "1";
        remember("");
        form.submit();
      });
    });
  });

  navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(() => {
    // No worker (private mode, a non-secure origin): the site works online as before.
  });
})();
