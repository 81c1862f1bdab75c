/* CIPS survey service worker (one per campaign, scope /s/<slug>).
 *
 * The server prepends `self.CIPS_SW = {version, slug, cachePrefix, shell, precache}`;
 * the version is a hash of everything listed in `precache`, so a new version means
 * new content. Rules that keep respondents' data safe:
 *   - install fetches the whole set into a new cache, bypassing the HTTP cache; if any
 *     file fails, install fails and the previous version keeps serving (never half an app);
 *   - activate deletes old *caches* of this campaign only. IndexedDB (drafts, outbox,
 *     attention, meta) belongs to the page and is never touched here: a new version
 *     migrates data (db.js, onupgradeneeded), it never drops it;
 *   - only GET requests for pre-cached URLs are answered; uploads (POST) and anything
 *     else go straight to the network, untouched;
 *   - the new worker waits until the page says it is idle (no respondent mid-way)
 *     or until every tab is closed, so a respondent never sees the app change under them.
 */
/* global self, caches, clients */
"use strict";

const CFG = self.CIPS_SW;
const CACHE = CFG.cachePrefix + CFG.version;
const PRECACHE = new Set(CFG.precache);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(CFG.precache.map((url) => new Request(url, { cache: "reload", credentials: "same-origin" }))),
    ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(CFG.cachePrefix) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (data.type === "VERSION" && event.ports[0]) {
    event.ports[0].postMessage({ version: CFG.version, cache: CACHE });
  }
});

function cachedOrNetwork(request, key) {
  return caches
    .open(CACHE)
    .then((cache) => cache.match(key))
    .then((hit) => hit || fetch(request));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // uploads are the page's business, never cached
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === CFG.shell || url.pathname === CFG.shell + "/")) {
    // Any query (?t=invite, ?lang=, ?i=) opens the same shell; the page reads the query.
    event.respondWith(cachedOrNetwork(request, CFG.shell));
  } else if (PRECACHE.has(url.pathname)) {
    event.respondWith(cachedOrNetwork(request, url.pathname));
  }
});
