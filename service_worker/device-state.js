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
