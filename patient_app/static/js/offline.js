// The offline page: links to what this phone keeps (the crisis plan, the contacts), if anything.
import { ask } from "./sw-client.js";

const list = document.querySelector("[data-kept-list]");
const none = document.querySelector("[data-kept-none]");

ask({ type: "status" })
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
