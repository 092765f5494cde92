// "Ha kriseplanen tilgjengelig uten nett på denne telefonen": the switch on the crisis plan
// and the settings page. The service worker fetches and keeps the pages; nothing is kept
// until the person turns this on.
import { ask, greeted, owner, supported } from "./sw-client.js";
import { MESSAGE } from "./sw-messages.js";

for (const section of document.querySelectorAll("[data-keep-offline]")) setUp(section);

async function setUp(section) {
  if (!supported) return;
  const items = JSON.parse(section.dataset.items || "[]");
  const toggle = section.querySelector("[data-keep-offline-switch]");
  const status = section.querySelector("[data-keep-offline-status]");
  let answer;
  try {
    await greeted();
    answer = await ask({ type: MESSAGE.STATUS });
  } catch (error) {
    return; // no working service worker: the switch stays hidden
  }
  const kept = new Set(answer.state.kept.map((item) => item.url));
  toggle.checked = items.length > 0 && items.every((item) => kept.has(item.url));
  section.hidden = false;

  // Busy, not disabled, while the service worker works: a disabled control loses keyboard focus.
  let busy = false;
  toggle.addEventListener("click", (event) => {
    if (busy) event.preventDefault();
  });
  toggle.addEventListener("change", async () => {
    const keeping = toggle.checked;
    busy = true;
    try {
      const result = keeping
        ? await ask({ type: MESSAGE.KEEP, owner: owner(), items })
        : await ask({ type: MESSAGE.FORGET, urls: items.map((item) => item.url) });
      if (!result.ok) throw new Error(result.error);
      status.textContent = keeping ? status.dataset.textKept : status.dataset.textRemoved;
    } catch (error) {
      toggle.checked = !keeping;
      status.textContent = status.dataset.textFailed;
    }
    busy = false;
  });
}
