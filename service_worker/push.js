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
