/* Min plan's service worker, served at /service-worker.js (scope /) by patient_app/views/pwa.py,
 * which fills in CONFIG: the app-shell URLs, the offline page, and a version that changes
 * whenever any of them does (so browsers install the new worker and the page offers
 * "Ny versjon – oppdater").
 *
 * Privacy first (docs/domain.md, Data on the phone): pages with personal data go to the network and are never
 * cached here, with one exception the person turns on themselves: their crisis plan and
 * contacts ("kept"), which open offline. Those are removed when the person turns it off,
 * when another person logs in on this device, and by Clear-Site-Data at logout.
 */
"use strict";

const CONFIG = {}; // filled in by patient_app/views/pwa.py

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

// --- The device's state: who kept what, in a cache of its own (Clear-Site-Data removes it) -

const EMPTY_STATE = () => ({ owner: "", kept: [], keptAt: 0, lang: "", pendingOpen: null, pushNeedsSync: false, oldEndpoint: "" });

async function readState() {
  const stored = await caches.match(STATE_KEY, { cacheName: STATE_CACHE });
  if (!stored) return EMPTY_STATE();
  try {
    return Object.assign(EMPTY_STATE(), await stored.json());
  } catch (error) {
    return EMPTY_STATE();
  }
}

let stateQueue = Promise.resolve();

/* Read, change and write the state one change at a time. */
function withState(change) {
  const next = stateQueue.then(async () => {
    const state = await change(await readState());
    const cache = await caches.open(STATE_CACHE);
    await cache.put(STATE_KEY, new Response(JSON.stringify(state), { headers: { "Content-Type": "application/json" } }));
    return state;
  });
  stateQueue = next.catch(() => undefined);
  return next;
}

async function keep(owner, items) {
  const fetched = [];
  for (const item of items) {
    const response = await fetch(item.url, { credentials: "same-origin", redirect: "manual", cache: "no-store" });
    if (!response.ok) throw new Error("not kept: " + response.status);
    fetched.push([item, response]);
  }
  return withState(async (state) => {
    if (state.owner && state.owner !== owner) state = await wipe(state);
    const cache = await caches.open(KEPT_CACHE);
    for (const [item, response] of fetched) {
      await cache.put(item.url, response);
      state.kept = state.kept.filter((k) => k.url !== item.url).concat([
        { url: item.url, label: item.label, kind: item.url.endsWith("/crisis-plan") ? "crisis" : "contacts" },
      ]);
    }
    state.owner = owner;
    state.keptAt = Date.now();
    return state;
  });
}

async function forget(urls) {
  return withState(async (state) => {
    const cache = await caches.open(KEPT_CACHE);
    for (const url of urls) await cache.delete(url);
    state.kept = state.kept.filter((item) => !urls.includes(item.url));
    return state;
  });
}

/* Another person is here: nothing the last one kept stays, and their notifications stop. */
async function wipe(state) {
  await caches.delete(KEPT_CACHE);
  await clearWaiting();
  try {
    const subscription = await self.registration.pushManager.getSubscription();
    if (subscription) await subscription.unsubscribe();
  } catch (error) {
    /* no push on this browser */
  }
  return Object.assign(EMPTY_STATE(), { lang: state.lang });
}

/* Requests the person did not make: they must not renew the session's idle timeout, nor answer
 * with a session cookie that could cross one the person's own request is setting
 * (patient_app/security.py, IdleTimeoutSessionInterface). */
const BACKGROUND = { "X-Background-Poll": "1" };

async function refreshKept(state) {
  const cache = await caches.open(KEPT_CACHE);
  for (const item of state.kept) {
    try {
      const response = await fetch(item.url, {
        credentials: "same-origin", redirect: "manual", cache: "no-store", headers: BACKGROUND,
      });
      if (response.ok) await cache.put(item.url, response);
      else if (response.status === 404) await forget([item.url]);
    } catch (error) {
      return; // offline: keep what we have
    }
  }
  await withState(async (current) => Object.assign(current, { keptAt: Date.now() }));
}

/* The offline page in the person's language; asked for by name, without cookies (see install). */
async function refreshOfflinePage(lang) {
  try {
    const url = CONFIG.offline + "?lang=" + encodeURIComponent(lang);
    const response = await fetch(url, { credentials: "omit", cache: "no-store" });
    if (response.ok) await (await caches.open(SHELL_CACHE)).put(CONFIG.offline, response);
  } catch (error) {
    /* offline: the old copy will do */
  }
}

// --- Messages from the pages (static/js/*.js) ---------------------------------------

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (answer) => event.ports[0] && event.ports[0].postMessage(answer);
  const work = handle(data).then(reply, (error) => reply({ ok: false, error: String(error) }));
  event.waitUntil(work);
});

async function handle(data) {
  switch (data.type) {
    case "skip-waiting":
      await self.skipWaiting();
      return { ok: true };
    case "hello":
      return hello(data);
    case "keep":
      await keep(data.owner, data.items || []);
      return { ok: true, state: publicState(await readState()) };
    case "forget":
      await forget(data.urls || []);
      return { ok: true, state: publicState(await readState()) };
    case "status":
      return { ok: true, state: publicState(await readState()) };
    case "keep-message":
      await keepMessage(data.owner, data.action, data.fields || {});
      registerSync();
      return { ok: true, waiting: await waitingFor(data.owner) };
    case "waiting":
      return { ok: true, waiting: await waitingFor(await ownerOr(data.owner)) };
    case "forget-message":
      await inStore("readwrite", (store) => store.delete(data.key));
      return { ok: true, waiting: await waitingFor(await ownerOr(data.owner)) };
    case "send-waiting": {
      const owner = await ownerOr(data.owner);
      return { ok: true, ...(await sendWaiting(owner)), waiting: await waitingFor(owner) };
    }
    case "push-owner":
      await withState(async (state) => {
        if (state.owner && state.owner !== data.owner) state = await wipe(state);
        return Object.assign(state, { owner: data.owner, pushNeedsSync: false, oldEndpoint: "" });
      });
      return { ok: true };
    default:
      return { ok: false, error: "unknown message" };
  }
}

/* Every page says who is logged in (an opaque token, empty when nobody is), its language and path. */
async function hello({ owner, lang, path }) {
  let navigateTo = null;
  const state = await withState(async (state) => {
    if (owner && state.owner && owner !== state.owner) state = await wipe(state);
    if (owner) state.owner = owner; // the last person logged in on this device
    if (lang && lang !== state.lang) {
      state.lang = lang;
      await refreshOfflinePage(lang);
    }
    const pending = state.pendingOpen;
    if (pending && Date.now() - pending.at > PENDING_OPEN_FOR_MS) state.pendingOpen = null;
    else if (pending && owner) {
      // A notification was tapped before login; now that someone is logged in, open it.
      if (pending.url !== path) navigateTo = pending.url;
      state.pendingOpen = null;
    }
    return state;
  });
  if (owner && owner === state.owner && state.kept.length && Date.now() - state.keptAt > REFRESH_KEPT_AFTER_MS) {
    refreshKept(state); // in the background; the answer need not wait
  }
  if (owner) sendWaiting(owner); // messages written offline, now that someone is here and maybe online
  return {
    ok: true,
    navigateTo,
    pushNeedsSync: state.pushNeedsSync && owner === state.owner,
    oldEndpoint: state.oldEndpoint,
    state: publicState(state),
  };
}

/* The offline page does not know who is logged in; the worker remembers the last one. */
async function ownerOr(owner) {
  return owner || (await readState()).owner;
}

function publicState(state) {
  return { kept: state.kept, keptAt: state.keptAt };
}

// --- Nothing typed is lost: messages written offline wait in IndexedDB -----------------
//
// A message form (the pages' outbox.js keeps it when the phone knows it is offline; this
// worker keeps it when the post fails on the way) is stored with its idempotency key and
// sent once the network is back: on Background Sync where the browser has it, else on the
// next page or "online" event. The server stores one message per key, so a retry after a
// lost answer never makes two. Stored per person; another person logging in, or logout
// (Clear-Site-Data), removes them.

const DB_NAME = "min-plan";
const STORE = "waiting-messages";
const SYNC_TAG = "min-plan-messages";
const QUEUEABLE = (CONFIG.queueable || []).map((pattern) => new RegExp(pattern));

function isQueueable(path) {
  return QUEUEABLE.some((pattern) => pattern.test(path));
}

function openDatabase() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: "key" });
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function inStore(mode, work) {
  const db = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const result = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

async function keepMessage(owner, action, fields) {
  const path = new URL(action, self.location.origin).pathname;
  if (!owner || !isQueueable(path) || !fields.idempotency_key) throw new Error("not a message form");
  const kept = Object.assign({}, fields);
  delete kept.csrf_token; // a fresh token is fetched when it is sent
  await inStore("readwrite", (store) =>
    store.put({ key: fields.idempotency_key, owner, action: path, fields: kept, at: Date.now(), status: "waiting" })
  );
}

async function waitingFor(owner) {
  const all = (await inStore("readonly", (store) => store.getAll())) || [];
  return all
    .filter((item) => item.owner === owner)
    .map((item) => ({ key: item.key, action: item.action, status: item.status, at: item.at,
                      subject: String(item.fields.subject || ""), body: String(item.fields.body || "") }));
}

async function clearWaiting() {
  try {
    await inStore("readwrite", (store) => store.clear());
  } catch (error) {
    /* no IndexedDB: nothing kept */
  }
}

function registerSync() {
  if (self.registration.sync) self.registration.sync.register(SYNC_TAG).catch(() => undefined);
}

let sending = null;

/* Send what this person wrote offline. One run at a time; each message at most once. */
function sendWaiting(owner) {
  if (!sending) sending = sendAll(owner).finally(() => { sending = null; });
  return sending;
}

async function sendAll(owner) {
  let sent = 0;
  let failed = 0;
  const all = (await inStore("readonly", (store) => store.getAll())) || [];
  for (const item of all) {
    if (item.owner !== owner || item.status !== "waiting") continue;
    let outcome;
    try {
      outcome = await sendOne(item);
    } catch (error) {
      return { sent, failed, offline: true }; // still offline: try again later
    }
    if (outcome === "sent") {
      await inStore("readwrite", (store) => store.delete(item.key));
      sent += 1;
    } else if (outcome === "failed") {
      item.status = "failed";
      await inStore("readwrite", (store) => store.put(item));
      failed += 1;
    } else {
      break; // needs login, or someone else is logged in: try again when they are back
    }
  }
  return { sent, failed };
}

/* The form page first, for a fresh CSRF token and to be sure the same person is logged in. */
async function sendOne(item) {
  const page = await fetch(item.action, {
    credentials: "same-origin", redirect: "manual", cache: "no-store", headers: BACKGROUND,
  });
  if (page.type === "opaqueredirect" || page.status === 401) return "login";
  if (page.status === 404) return "failed";
  if (!page.ok) throw new Error("server busy");
  const html = await page.text();
  const owner = (html.match(/name="min-plan-device-owner" content="([0-9a-f]*)"/) || [])[1];
  const token = (html.match(/name="csrf_token"[^>]*value="([^"]+)"/) || [])[1];
  if (owner !== item.owner) return "login";
  if (!token || !html.includes('action="' + item.action + '"')) return "failed"; // the form is gone (closed)
  const body = new URLSearchParams(Object.assign({}, item.fields, { csrf_token: token }));
  const answer = await fetch(item.action, {
    method: "POST", body, credentials: "same-origin", redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (answer.type === "opaqueredirect") return "sent"; // stored (or stored before: same key)
  if (answer.status === 400) throw new Error("try again");
  return "failed"; // the form came back with a complaint: the person must look at it
}

/* A message form posted while the network failed on the way: keep it, show the offline page. */
async function postOrKeep(request, url) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    try {
      const form = await copy.formData();
      const fields = {};
      for (const [name, value] of form) if (typeof value === "string") fields[name] = value;
      const state = await readState();
      await keepMessage(state.owner, url.pathname, fields);
      registerSync();
      return Response.redirect(CONFIG.offline + "?waiting=1", 303);
    } catch (notKept) {
      return offlinePage();
    }
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(
    readState().then(async (state) => {
      if (!state.owner) return;
      const result = await sendWaiting(state.owner);
      if (result.offline) throw new Error("still offline"); // the browser tries the sync again later
    })
  );
});

// --- Push ----------------------------------------------------------------------------

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  // The server sends the text, already neutral and in the person's language.
  const title = data.title || "Min plan";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      tag: data.tag || "min-plan",
      lang: data.lang || "nb",
      icon: CONFIG.icon,
      badge: CONFIG.badge,
      data: { url: samePath(data.url) },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = samePath(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      // Remembered in case the page asks for login first; hello() opens it afterwards.
      await withState(async (state) => Object.assign(state, { pendingOpen: { url, at: Date.now() } }));
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).pathname === url && "focus" in client) return client.focus();
      }
      if (windows.length && "navigate" in windows[0]) {
        try {
          const client = await windows[0].navigate(url);
          if (client) return client.focus();
        } catch (error) {
          /* not ours to navigate: open a new window */
        }
      }
      return self.clients.openWindow(url);
    })()
  );
});

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription;
      if (!event.newSubscription && old && old.options) {
        try {
          await self.registration.pushManager.subscribe(old.options);
        } catch (error) {
          /* permission gone: nothing to renew */
        }
      }
      // The next page a logged-in person opens sends the new subscription (push.js).
      await withState(async (state) =>
        Object.assign(state, { pushNeedsSync: true, oldEndpoint: old ? old.endpoint : state.oldEndpoint })
      );
    })()
  );
});

/* Only a path on this site: a push payload must never send the person elsewhere. */
function samePath(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
  const url = new URL(value, self.location.origin);
  return url.origin === self.location.origin ? url.pathname + url.search : "/";
}
