// When htmx replaces part of a page, the element that had keyboard focus may be thrown away,
// and the browser then drops focus to <body>: a keyboard or screen reader user is sent back to
// the top (WCAG 2.4.3). Here focus goes back to the same control in the new content, or else to
// the new content's heading. What changed is told by the fragment's own aria-live region
// (e.g. #thread-status), so nothing here moves focus when it was somewhere else.
const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

let remembered = null;

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  const active = document.activeElement;
  remembered = target && active && active !== document.body && target.contains(active)
    ? { targetId: target.id, place: placeOf(active, target) }
    : null;
});

// Once per swap, after htmx has settled every element it touched (out-of-band ones too).
// Swap targets are found again by id, which every htmx target in the app has.
document.addEventListener("htmx:afterSettle", () => setTimeout(restore));

function restore() {
  const place = remembered;
  remembered = null;
  const active = document.activeElement;
  if (!place || (active && active !== document.body)) return;
  const target = place.targetId && document.getElementById(place.targetId);
  if (!target) return;
  (findPlace(place.place) || headingOf(target)).focus({ preventScroll: true });
}

// Where the focused element sits: the nearest ancestor with an id (inside the swapped part)
// and its position among the focusable elements there, so the same control is found again.
function placeOf(element, target) {
  const container = element.closest("[id]");
  const anchor = container && target.contains(container) ? container : target;
  return {
    anchorId: anchor.id,
    id: element.id,
    tag: element.tagName,
    index: [...anchor.querySelectorAll(FOCUSABLE)].indexOf(element),
  };
}

function findPlace({ anchorId, id, tag, index }) {
  if (id && document.getElementById(id)) return document.getElementById(id);
  const anchor = anchorId && document.getElementById(anchorId);
  const candidate = anchor && anchor.querySelectorAll(FOCUSABLE)[index];
  return candidate && candidate.tagName === tag ? candidate : null;
}

// The new content's heading (or the content itself): focusable by script, not by Tab.
function headingOf(target) {
  const heading = target.querySelector("h1, h2, h3, h4") || target;
  if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  return heading;
}
