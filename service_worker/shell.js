// The versioned app shell, and how each kind of request is answered.
const SHELL_CACHE = "min-plan-shell-" + CONFIG.version;
const KEPT_CACHE = "min-plan-kept";
const STATE_CACHE = "min-plan-state";
const STATE_KEY = "/__min-plan-state__"; // not a route: a key in STATE_CACHE
const OUR_CACHES = [SHELL_CACHE, KEPT_CACHE, STATE_CACHE];
const SHELL_PATHS = new Set(CONFIG.shell);
const REFRESH_KEPT_AFTER_MS = 60 * 60 * 1000; // a guardian's refresh counts as a look in the access log: not too often
const PENDING_OPEN_FOR_MS = 15 * 60 * 1000;

// --- Install, activate: the versioned app shell --------------------------------------

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) =>
      // No cookies: the shell is the same for everyone, and a response that re-sets the session
      // cookie while the person is logging in would throw away the login's state.
      cache.addAll(CONFIG.shell.map((url) => new Request(url, { cache: "no-cache", credentials: "omit" })))
    )
  );
  // No skipWaiting here: a new version waits until the person chooses "oppdater".
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (!OUR_CACHES.includes(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })()
  );
});

// --- Fetch: one small strategy per kind of request -------------------------------------

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && isQueueable(url.pathname)) {
    event.respondWith(postOrKeep(request, url));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (SHELL_PATHS.has(url.pathname) && !url.search) {
    event.respondWith(fromShell(request));
  }
  // Everything else goes to the network untouched, and is not stored.
});

async function fromShell(request) {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE, ignoreVary: true });
  return cached || fetch(request);
}

async function navigate(request, url) {
  const state = await readState();
  if (url.pathname === CONFIG.crisisShortcut) {
    const crisis = state.kept.find((item) => item.kind === "crisis");
    if (crisis) return Response.redirect(crisis.url, 302);
  }
  if (state.kept.some((item) => item.url === url.pathname)) return keptPage(request, url);
  try {
    return await fetch(request);
  } catch (error) {
    return offlinePage();
  }
}

/* A kept page: the network when it answers, refreshing the copy; the copy when it does not,
 * or when the session has ended (a redirect to the login page). A 404 means the person may
 * no longer see it, so the copy goes. */
async function keptPage(request, url) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await keptCopy(url.pathname)) || offlinePage();
  }
  if (response.ok) {
    const copy = response.clone();
    await withState(async (state) => {
      if (state.kept.some((item) => item.url === url.pathname)) {
        await (await caches.open(KEPT_CACHE)).put(url.pathname, copy);
        state.keptAt = Date.now();
      }
      return state;
    });
    return response;
  }
  if (response.status === 404 || response.status === 410) {
    await forget([url.pathname]);
    return response;
  }
  if (response.type === "opaqueredirect" || response.status >= 500) {
    return (await keptCopy(url.pathname)) || response;
  }
  return response;
}

async function keptCopy(path) {
  return caches.match(path, { cacheName: KEPT_CACHE, ignoreVary: true });
}

async function offlinePage() {
  const page = await caches.match(CONFIG.offline, { cacheName: SHELL_CACHE, ignoreVary: true });
  return page || new Response("Min plan: ingen nettforbindelse / no network connection", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}
