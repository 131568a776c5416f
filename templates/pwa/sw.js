// The service worker (served at /sw.js by pcep_site/pwa.py, which writes the settings line).
//
// Static assets: precached on install, then cache-first (their URLs change when their
// content does in production, and the cache version is a hash of them). Pages: network
// first, with the last copy kept for when the network is gone, and only for the areas of the
// site listed in PCEP_SW.pagePrefixes. Never cached: anything but a GET, the API, and
// responses that are not a plain 200. static/js/sw-register.js empties the page cache when
// the learner logs out or another one logs in.
self.PCEP_SW = {{ config_json|safe }};

const CONFIG = self.PCEP_SW;
const STATIC_CACHE = "pcep-static-" + CONFIG.version;
const PAGE_CACHE = "pcep-pages-" + CONFIG.version;

self.addEventListener("install", (event) => {
  // Posts (answers, flags, logins) go straight to the network without waking this worker,
  // where the browser supports routes (Chromium); elsewhere the fetch handler lets them pass.
  let routes = Promise.resolve();
  try {
    if (event.addRoutes) routes = event.addRoutes([{ condition: { requestMethod: "POST" }, source: "network" }]).catch(() => undefined);
  } catch (error) {
    // A router without this condition: the fetch handler lets posts pass all the same.
  }
  event.waitUntil(
    routes
      .then(() => caches.open(STATIC_CACHE))
      .then((cache) => cache.addAll(CONFIG.precache))
      .then(() => self.skipWaiting()),
  );
});

// Caches of an older deploy go: their pages link to assets this deploy no longer has.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("pcep-") && name !== STATIC_CACHE && name !== PAGE_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function isCachedPage(url) {
  return CONFIG.pageExact.includes(url.pathname) || CONFIG.pagePrefixes.some((prefix) => url.pathname.startsWith(prefix));
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  // Kept on first use, large vendored files included (they are not precached).
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    const cacheable =
      response.status === 200 &&
      !response.redirected &&
      response.type === "basic" &&
      (response.headers.get("Content-Type") || "").startsWith("text/html") &&
      !/no-store/.test(response.headers.get("Cache-Control") || "");
    if (cacheable) {
      const copy = response.clone();
      await caches.open(PAGE_CACHE).then((cache) => cache.put(request.url, copy));
    }
    return response;
  } catch (error) {
    const cached = await caches.open(PAGE_CACHE).then((cache) => cache.match(request.url));
    return cached || (await caches.match(CONFIG.offlineUrl)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;  // answers, flags, logins: always the network
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(CONFIG.staticPrefix)) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" && isCachedPage(url)) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate") {
    // Other pages are not kept, but going offline still shows a page that says so.
    event.respondWith(fetch(request).catch(() => caches.match(CONFIG.offlineUrl).then((page) => page || Response.error())));
  }
});

// "Keep for offline" on an attempt's page: fetch each of its item pages now and keep them
// like pages the learner opened (item pages carry no key; feedback comes after a sync).
async function keepPages(urls) {
  const cache = await caches.open(PAGE_CACHE);
  let kept = 0;
  for (const address of urls) {
    const url = new URL(address, self.location.origin);
    if (url.origin !== self.location.origin || !isCachedPage(url)) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
      if (response.status === 200 && (response.headers.get("Content-Type") || "").startsWith("text/html")) {
        await cache.put(url.href, response);
        kept += 1;
      }
    } catch (error) {
      // No connection for this one: the others may still be kept.
    }
  }
  return kept;
}

// The page asks for this when the learner logs out, or when another one is logged in.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear-pages") {
    event.waitUntil(caches.delete(PAGE_CACHE));
  } else if (event.data && event.data.type === "keep-pages" && Array.isArray(event.data.urls)) {
    const reply = event.ports && event.ports[0];
    event.waitUntil(
      keepPages(event.data.urls.slice(0, 200)).then((kept) => reply && reply.postMessage({ kept }))
    );
  }
});
