// "Varsler": turn push notifications on or off for this device. The server keeps one row
// per device; the texts come from the server, so nothing here is shown on a lock screen.
import { ask, meta, owner, postJson, supported } from "./sw-client.js";
import { isAppleMobile, isStandalone } from "./install.js";
import { MESSAGE } from "./sw-messages.js";

const box = document.querySelector("[data-push]");
const FOCUS_STATUS = "min-plan-push-focus-status"; // in sessionStorage across the reload
const pushWorks = () => supported && "PushManager" in window && "Notification" in window;

if (box) setUp(box);

async function setUp(box) {
  if (!pushWorks()) {
    const hint = document.querySelector(isAppleMobile() && !isStandalone() ? "[data-push-ios]" : "[data-push-unsupported]");
    if (hint) hint.hidden = false;
    return;
  }
  const status = box.querySelector("[data-push-status]");
  const on = box.querySelector("[data-push-on]");
  const off = box.querySelector("[data-push-off]");
  const registration = await navigator.serviceWorker.ready;
  box.hidden = false;

  const render = async () => {
    const subscription = await registration.pushManager.getSubscription();
    const listed = subscription ? await markThisDevice(subscription.endpoint) : false;
    const denied = Notification.permission === "denied";
    status.textContent = denied
      ? status.dataset.textDenied
      : listed ? status.dataset.textOn : status.dataset.textOff;
    on.hidden = denied || listed;
    off.hidden = denied || !listed;
  };

  // Busy, not disabled, while working: a disabled button loses keyboard focus.
  let busy = false;
  on.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    try {
      if ((await Notification.requestPermission()) === "granted") {
        const subscription = await subscribe(registration, box.dataset.publicKey);
        await postJson(box.dataset.subscribeUrl, { subscription: subscription.toJSON() }, box.dataset.csrf);
        await ask({ type: MESSAGE.PUSH_OWNER, owner: owner() });
        reloadAndFocusStatus(); // the list of devices now has this one
        return;
      }
      await render();
    } catch (error) {
      status.textContent = error.serverMessage || status.dataset.textFailed;
    }
    busy = false;
  });

  off.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    try {
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await postJson(box.dataset.unsubscribeUrl, { endpoint: subscription.endpoint }, box.dataset.csrf);
        await subscription.unsubscribe();
      }
      reloadAndFocusStatus();
    } catch (error) {
      status.textContent = error.serverMessage || status.dataset.textFailed;
      busy = false;
    }
  });

  await render();
  if (sessionStorage.getItem(FOCUS_STATUS)) {
    sessionStorage.removeItem(FOCUS_STATUS);
    status.tabIndex = -1;
    status.focus();
  }
}

// The page is loaded again to show the list of devices. Someone using a keyboard or a screen
// reader would otherwise start again at the top: focus goes to the new status, which is read out.
function reloadAndFocusStatus() {
  sessionStorage.setItem(FOCUS_STATUS, "1");
  location.reload();
}

async function subscribe(registration, publicKey) {
  const options = { userVisibleOnly: true, applicationServerKey: fromBase64Url(publicKey) };
  try {
    return await registration.pushManager.subscribe(options);
  } catch (error) {
    // Subscribed earlier with another server key (keys were changed): start again.
    const old = await registration.pushManager.getSubscription();
    if (!old) throw error;
    await old.unsubscribe();
    return registration.pushManager.subscribe(options);
  }
}

// The server lists devices by a short hash of their endpoint; mark the one that is this device.
async function markThisDevice(endpoint) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint));
  const hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
  let found = false;
  for (const item of document.querySelectorAll("[data-endpoint-hash]")) {
    const mine = item.dataset.endpointHash === hash;
    const label = item.querySelector("[data-this-device]");
    if (label) label.hidden = !mine;
    found = found || mine;
  }
  return found;
}

// The browser renewed the subscription (pushsubscriptionchange): tell the server, once.
export async function syncAfterChange(oldEndpoint) {
  const url = meta("min-plan-push-devices");
  if (!pushWorks() || !url || !owner()) return;
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  await postJson(url, { subscription: subscription.toJSON(), replaces: oldEndpoint || undefined });
  await ask({ type: MESSAGE.PUSH_OWNER, owner: owner() });
}

function fromBase64Url(text) {
  const base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
