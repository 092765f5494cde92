// "Du blir logget ut om 2 minutter": shown shortly before the idle timeout, with a button that
// keeps the person signed in. The server decides the timeout (the session cookie's lifetime);
// this only counts from the last request the person made. Background polls do not count,
// as they do not renew the session either. Without JavaScript the warning is never shown.
const warning = document.querySelector("[data-idle-warning]");

if (warning) setUp(warning);

function setUp(box) {
  const idleMs = Number(box.dataset.idleSeconds) * 1000;
  const warnMs = Number(box.dataset.warnSeconds) * 1000;
  const form = box.querySelector("form");
  const button = box.querySelector("[data-keep-alive]");
  let warnTimer;
  let endTimer;
  let focusBefore = null;

  const signedOut = () => location.assign(box.dataset.signedOutUrl);

  const show = () => {
    focusBefore = document.activeElement;
    box.hidden = false;
    button.focus();
  };

  const hide = () => {
    if (box.hidden) return;
    box.hidden = true;
    if (focusBefore && focusBefore.isConnected && focusBefore !== document.body) focusBefore.focus();
  };

  const restart = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    hide();
    warnTimer = setTimeout(show, Math.max(0, idleMs - warnMs));
    endTimer = setTimeout(signedOut, idleMs);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      if (response.status === 204) restart();
      else signedOut(); // the session had already ended (here or on another device)
    } catch (error) {
      form.submit(); // no answer: let the browser try the plain form
    } finally {
      button.disabled = false;
    }
  });

  // A request the person made through htmx renews the session too; a background poll does not.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const headers = (event.detail.requestConfig && event.detail.requestConfig.headers) || {};
    if (!headers["X-Background-Poll"] && event.detail.xhr && event.detail.xhr.status < 500) restart();
  });

  restart();
}
