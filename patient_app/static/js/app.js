// Min plan on the home screen: registers the service worker, offers a new version, and
// loads the small helpers each page may need. Every page works without this file.
import { greeted, register, supported } from "./sw-client.js";
import "./idle-warning.js";
import "./install.js";
import "./keep-offline.js";
import "./outbox.js";
import "./swap-focus.js";
import { syncAfterChange } from "./push.js";
import { MESSAGE } from "./sw-messages.js";

if (supported) {
  const banner = document.querySelector("[data-update-banner]");
  let updating = false;

  const offerUpdate = (registration) => {
    // Only when a page is already controlled: the very first install needs no announcement.
    if (banner && registration.waiting && navigator.serviceWorker.controller) banner.hidden = false;
  };

  register().then((registration) => {
    if (!registration) return;
    offerUpdate(registration);
    registration.addEventListener("updatefound", () => {
      const incoming = registration.installing;
      if (!incoming) return;
      incoming.addEventListener("statechange", () => {
        if (incoming.state === "installed") offerUpdate(registration);
      });
    });
    greeted()
      .then((answer) => {
        if (answer.navigateTo) location.assign(answer.navigateTo);
        else if (answer.pushNeedsSync) syncAfterChange(answer.oldEndpoint);
      })
      .catch(() => undefined);
  });

  if (banner) {
    banner.querySelector("[data-update-now]").addEventListener("click", async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      if (registration && registration.waiting) {
        updating = true;
        registration.waiting.postMessage({ type: MESSAGE.SKIP_WAITING });
      } else {
        location.reload();
      }
    });
  }
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (updating) location.reload();
  });
}
