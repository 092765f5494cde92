// "Legg til på Hjem-skjermen": the browser's own install prompt where there is one
// (Chromium's beforeinstallprompt), short steps on iPhone and iPad, a hint elsewhere.
const section = document.querySelector("[data-install]");
let installPrompt = null;

const isStandalone = () =>
  window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
const isAppleMobile = () =>
  /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);

function show(which) {
  if (!section) return;
  for (const name of ["done", "offer", "ios", "other"]) {
    const part = section.querySelector("[data-install-" + name + "]");
    if (part) part.hidden = name !== which;
  }
}

if (section) show(isStandalone() ? "done" : isAppleMobile() ? "ios" : "other");

window.addEventListener("beforeinstallprompt", (event) => {
  installPrompt = event;
  if (!isStandalone()) show("offer");
});

window.addEventListener("appinstalled", () => {
  installPrompt = null;
  show("done");
});

if (section) {
  section.querySelector("[data-install-button]").addEventListener("click", async () => {
    if (!installPrompt) return show("other");
    installPrompt.prompt();
    const choice = await installPrompt.userChoice;
    installPrompt = null;
    show(choice.outcome === "accepted" ? "done" : "other");
  });
}

export { isAppleMobile, isStandalone };
