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
