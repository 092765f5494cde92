// Talking to Min plan's service worker (service_worker/, served by patient_app/views/pwa.py).
import { MESSAGE } from "./sw-messages.js";
export const supported = "serviceWorker" in navigator;

export function meta(name) {
  const element = document.querySelector('meta[name="' + name + '"]');
  return element ? element.getAttribute("content") || "" : "";
}

// The opaque token for who is logged in ("" for nobody); the worker compares it with the last one.
export const owner = () => meta("min-plan-device-owner");

let registering = null;
export function register() {
  if (!supported) return Promise.resolve(null);
  if (!registering) {
    const url = meta("min-plan-service-worker");
    registering = url ? navigator.serviceWorker.register(url, { scope: "/" }).catch(() => null) : Promise.resolve(null);
  }
  return registering;
}

// Ask the active worker something and wait for its answer.
export async function ask(message, timeoutMs = 15000) {
  if (!supported) throw new Error("no service worker");
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => reject(new Error("the service worker did not answer")), timeoutMs);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data || {});
    };
    worker.postMessage(message, [channel.port2]);
  });
}

// Every page says hello first (who, language, where), so the worker can clean up after
// another person before anything else is asked.
let greeting = null;
export function greeted() {
  if (!greeting) {
    greeting = ask({ type: MESSAGE.HELLO, owner: owner(), lang: document.documentElement.lang, path: location.pathname });
  }
  return greeting;
}

export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (error) {
    return "";
  }
}

export async function postJson(url, body, token) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token || csrfToken() },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const error = new Error("the server answered " + response.status);
    // A refusal the person should read (the server writes it in their language), when there is one.
    error.serverMessage = await response.json().then((answer) => answer.error, () => undefined);
    throw error;
  }
  return response;
}

// Ask the worker to send what waits on this phone. "gone" is true when the messages the page
// showed as waiting are no longer waiting, whoever sent them: the worker's background sync
// may have sent them a moment before the page asked, and then the page's own ask sends nothing.
export async function sendWaiting(shownWaiting, ownerToken = undefined) {
  const answer = await ask({ type: MESSAGE.SEND_WAITING, owner: ownerToken });
  const left = (answer.waiting || []).filter((item) => item.status === "waiting").length;
  return { answer, gone: Boolean(answer.sent) || (shownWaiting > 0 && left === 0) };
}

// The "online" event can come before the network carries anything: while the page shows
// something waiting, try again every few seconds.
export function keepTrying(isWaiting, attempt, everyMs = 3000) {
  setInterval(() => {
    if (isWaiting() && navigator.onLine) attempt();
  }, everyMs);
}
