// The offline page: links to what this phone keeps (the crisis plan, the contacts), if anything.
import { ask, keepTrying, sendWaiting } from "./sw-client.js";
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
  shown = items.filter((item) => item.status === "waiting").length;
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
    const { gone } = await sendWaiting(shown);
    if (gone) {
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
  keepTrying(() => shown > 0, sendAndReport);
}
