// Nothing typed is lost: a message form sent without network waits on the phone ("venter på
// nett") and goes once the network is back. The service worker keeps and sends it; the form's
// idempotency key makes the server store it once, however often it is tried.
import { ask, greeted, keepTrying, owner, sendWaiting, supported } from "./sw-client.js";
import { MESSAGE } from "./sw-messages.js";

const texts = document.querySelector("[data-waiting-texts]");
const template = document.querySelector("[data-waiting-template]");
const forms = Array.from(document.querySelectorAll("form[method=post]")).filter((form) =>
  form.querySelector("input[name=idempotency_key]")
);
const boxes = new Map();
let shownWaiting = 0; // messages this page shows as waiting for the network

if (supported && texts && template && forms.length && owner()) {
  for (const form of forms) guard(form);
  greeted()
    .then(() => ask({ type: MESSAGE.WAITING, owner: owner() }))
    .then((answer) => {
      show(answer.waiting);
      if (navigator.onLine && answer.waiting.some((item) => item.status === "waiting")) sendNow();
    })
    .catch(() => undefined);
  window.addEventListener("online", sendNow);
  keepTrying(() => shownWaiting > 0, sendNow);
}

function guard(form) {
  const box = template.content.firstElementChild.cloneNode(true);
  box.hidden = true;
  form.before(box);
  boxes.set(form.getAttribute("action"), { box, form });
  form.addEventListener("submit", async (event) => {
    if (navigator.onLine) return; // the ordinary post; if it fails on the way, the worker keeps it
    event.preventDefault();
    const fields = {};
    for (const [name, value] of new FormData(form)) if (typeof value === "string") fields[name] = value;
    try {
      const answer = await ask({ type: MESSAGE.KEEP_MESSAGE, owner: owner(), action: form.getAttribute("action"), fields });
      emptyForm(form);
      show(answer.waiting, texts.dataset.textWaiting);
    } catch (error) {
      form.submit(); // no worker to keep it: let the browser try
    }
  });
}

// The kept text is safe; the form is ready for the next message, with a key of its own.
function emptyForm(form) {
  for (const field of form.querySelectorAll("textarea, input[type=text]")) field.value = "";
  form.querySelector("input[name=idempotency_key]").value = crypto.randomUUID();
}

async function sendNow() {
  try {
    const { answer, gone } = await sendWaiting(shownWaiting, owner());
    if (gone) {
      location.reload(); // the message is now on the page (and the server says so)
      return;
    }
    show(answer.waiting);
  } catch (error) {
    /* try again at the next page or "online" */
  }
}

function show(waiting, status) {
  shownWaiting = waiting.filter((item) => item.status === "waiting").length;
  for (const [action, { box, form }] of boxes) {
    const mine = waiting.filter((item) => item.action === action);
    box.hidden = mine.length === 0;
    const list = box.querySelector("[data-waiting-items]");
    list.replaceChildren(...mine.map((item) => entry(item, form)));
    if (status && mine.length) box.querySelector("[data-waiting-status]").textContent = status;
  }
}

function entry(item, form) {
  const li = document.createElement("li");
  const note = document.createElement("p");
  note.className = "hint";
  note.textContent = item.status === "failed" ? texts.dataset.textFailed : texts.dataset.textWaiting;
  const text = document.createElement("blockquote");
  text.className = "waiting-for-network__text";
  text.textContent = (item.subject ? item.subject + "\n\n" : "") + item.body;
  li.append(note, text);
  if (item.status === "failed") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = texts.dataset.textPutBack;
    button.addEventListener("click", async () => {
      const body = form.querySelector("textarea[name=body]");
      const subject = form.querySelector("input[name=subject]");
      if (body) body.value = item.body;
      if (subject) subject.value = item.subject;
      const answer = await ask({ type: MESSAGE.FORGET_MESSAGE, owner: owner(), key: item.key });
      show(answer.waiting);
      if (body) body.focus();
    });
    li.append(button);
  }
  return li;
}
