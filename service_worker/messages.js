// --- Messages from the pages (static/js/*.js) ---------------------------------------

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (answer) => event.ports[0] && event.ports[0].postMessage(answer);
  const work = handle(data).then(reply, (error) => reply({ ok: false, error: String(error) }));
  event.waitUntil(work);
});

async function handle(data) {
  switch (data.type) {
    case MESSAGE.SKIP_WAITING:
      await self.skipWaiting();
      return { ok: true };
    case MESSAGE.HELLO:
      return hello(data);
    case MESSAGE.KEEP:
      await keep(data.owner, data.items || []);
      return { ok: true, state: publicState(await readState()) };
    case MESSAGE.FORGET:
      await forget(data.urls || []);
      return { ok: true, state: publicState(await readState()) };
    case MESSAGE.STATUS:
      return { ok: true, state: publicState(await readState()) };
    case MESSAGE.KEEP_MESSAGE:
      await keepMessage(data.owner, data.action, data.fields || {});
      registerSync();
      return { ok: true, waiting: await waitingFor(data.owner) };
    case MESSAGE.WAITING:
      return { ok: true, waiting: await waitingFor(await ownerOr(data.owner)) };
    case MESSAGE.FORGET_MESSAGE:
      await inStore("readwrite", (store) => store.delete(data.key));
      return { ok: true, waiting: await waitingFor(await ownerOr(data.owner)) };
    case MESSAGE.SEND_WAITING: {
      const owner = await ownerOr(data.owner);
      return { ok: true, ...(await sendWaiting(owner)), waiting: await waitingFor(owner) };
    }
    case MESSAGE.PUSH_OWNER:
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
