// The offline page: links to what this phone keeps (the crisis plan, the contacts), if anything.
import { ask } from "./sw-client.js";
import { MESSAGE } from "./sw-messages.js";

const list = document.querySelector("[data-kept-list]");
const none = document.querySelector("[data-kept-none]");

ask({ type: MESSAGE.STATUS })
  .then((answer) => {
    const kept = (answer.state && answer.state.kept) || [];
    kept.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "crisis" ? -1 : 1));
    for (const item of kept) {
      const link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.label;
      const entry = document.createElement("li");
      entry.append(link);
      list.append(entry);
    }
    if (kept.length) {
      list.hidden = false;
      none.hidden = true;
    }
  })
  .catch(() => undefined);

const again = document.querySelector("[data-try-again]");
if (again) {
  again.addEventListener("click", (event) => {
    event.preventDefault();
    location.reload(); // the page that could not load, not the front page
  });
}

// Messages written without network: shown here until they are sent.
const waiting = document.querySelector("[data-offline-waiting]");
let shown = 0; // messages this page said were waiting

function showWaiting(items) {
  shown = items.length;
  const list = waiting.querySelector("[data-offline-waiting-items]");
  list.replaceChildren(
    ...items.map((item) => {
      const entry = document.createElement("li");
      const text = document.createElement("blockquote");
      text.className = "waiting-for-network__text";
      text.textContent = (item.subject ? item.subject + "\n\n" : "") + item.body;
      entry.append(text);
      return entry;
    })
  );
  waiting.hidden = items.length === 0;
}

async function sendAndReport() {
  try {
    const answer = await ask({ type: MESSAGE.SEND_WAITING });
    // The worker's background sync may have sent them a moment before this page asked:
    // then nothing is left to send, and what this page showed has been sent all the same.
    const left = (answer.waiting || []).length;
    if (answer.sent || (shown > 0 && left === 0)) {
      waiting.querySelector("[data-offline-waiting-status]").textContent = waiting.dataset.textSent;
      waiting.querySelector("[data-offline-waiting-items]").replaceChildren();
      shown = 0;
    }
  } catch (error) {
    /* the next try, or the next page, will send them */
  }
}

if (waiting) {
  ask({ type: MESSAGE.WAITING }).then((answer) => showWaiting(answer.waiting || [])).catch(() => undefined);
  window.addEventListener("online", sendAndReport);
  // The "online" event can come before the network carries anything: keep trying, gently,
  // while something this page showed is still waiting.
  setInterval(() => {
    if (shown > 0 && navigator.onLine) sendAndReport();
  }, 3000);
}
