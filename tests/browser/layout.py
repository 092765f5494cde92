"""What a page's computed layout and styles say about targets, motion, zoom and focus.

Each check runs in the page (through DevTools, so the app's CSP needs no exception) and
returns the offenders described for a developer: an empty list means the page passes.
"""

from __future__ import annotations

from playwright.sync_api import ElementHandle, Page

from tests.browser.helpers import axe_violations, describe_violations, sideways_overflow

MINIMUM_TARGET = 24  # WCAG 2.2 SC 2.5.8, AA
PRIMARY_TARGET = 44  # WCAG 2.5.5 (AAA), what the issue asks of buttons and the main navigation
LONGEST_MOTION = 0.01  # seconds: with prefers-reduced-motion, anything longer is motion
# Contrast, and links in a paragraph that differ from the text by more than colour (1.4.1).
DARK_MODE_RULES = ["color-contrast", "link-in-text-block"]

# How an element is named in a failure: tag, id, classes and the start of its text.
_DESCRIBE = """const describe = (element) => {
    const classes = [...element.classList].map((name) => '.' + name).join('');
    const text = (element.innerText || element.value || element.getAttribute('aria-label') || '').trim().slice(0, 40);
    return `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}${classes} "${text}"`;
};
// checkVisibility: also false inside a closed <details>, whose content keeps its boxes.
const shown = (element) => element.checkVisibility({visibilityProperty: true})
    && !element.closest('.visually-hidden, .skip-link');
"""

_TARGETS = _DESCRIBE + """
const INTERACTIVE = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=switch], '
    + '[tabindex]:not([tabindex="-1"])';
const PRIMARY = 'button, .button, input[type=submit], .plan-nav a';
// WCAG 2.5.8's inline exception: a link in a sentence, whose height the line of text sets.
const inSentence = (element) => {
    if (element.tagName !== 'A' || getComputedStyle(element).display !== 'inline') return false;
    let block = element.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    return !!block && block.textContent.replace(element.textContent, '').trim().length > 0;
};
([minimum, primary]) => [...document.querySelectorAll(INTERACTIVE)].filter(shown).flatMap((element) => {
    const {width, height} = element.getBoundingClientRect();
    const size = `${Math.round(width)}×${Math.round(height)} px`;
    if (element.matches(PRIMARY) && (width < primary - 0.5 || height < primary - 0.5)) {
        return [`${describe(element)}: ${size}, a primary action needs ${primary}×${primary}`];
    }
    if ((width < minimum - 0.5 || height < minimum - 0.5) && !inSentence(element)) {
        return [`${describe(element)}: ${size}, every target needs ${minimum}×${minimum} (or to sit in a sentence)`];
    }
    return [];
})"""

_MOTION = _DESCRIBE + """
longest => {
    const seconds = (list) => Math.max(...list.split(',').map((value) => parseFloat(value) || 0));
    const found = [];
    for (const element of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
            const style = getComputedStyle(element, pseudo);
            const transition = seconds(style.transitionDuration);
            const animation = style.animationName === 'none' ? 0 : seconds(style.animationDuration);
            if (Math.max(transition, animation) > longest) {
                found.push(`${describe(element)}${pseudo || ''}: transition ${transition} s, animation ${animation} s`);
            }
        }
    }
    return found.slice(0, 10);
}"""

# Form fields are left out: a long value scrolls inside its field, and the caret reaches all of it.
_CLIPPED = _DESCRIBE + """
() => [...document.body.querySelectorAll('*:not(input, textarea, select)')].filter(shown).filter((element) => {
    const style = getComputedStyle(element);
    const hides = (value) => value === 'hidden' || value === 'clip';
    return hides(style.overflowX) || hides(style.overflowY) || style.textOverflow === 'ellipsis';
}).filter((element) => element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1)
  .map((element) => `${describe(element)}: shows ${element.clientWidth}×${element.clientHeight} px `
       + `of ${element.scrollWidth}×${element.scrollHeight} px`)"""

_OVERLAPS = _DESCRIBE + """
() => {
    const boxes = [...document.querySelectorAll(
        'h1, h2, h3, h4, p, dt, dd, label, legend, button, .button, input:not([type=hidden]), select, textarea, .tag, .badge'
    )].filter(shown);
    const found = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const [a, b] = [boxes[i], boxes[j]];
            if (a.contains(b) || b.contains(a)) continue;
            const [r, s] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
            const across = Math.min(r.right, s.right) - Math.max(r.left, s.left);
            const down = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
            if (across > 1 && down > 1) found.push(`${describe(a)} and ${describe(b)} overlap by ${Math.round(across)}×${Math.round(down)} px`);
        }
    }
    return found.slice(0, 10);
}"""

_STATES_IN_WORDS = _DESCRIBE + """
() => [...document.querySelectorAll('.tag, .badge')].filter(shown)
    .filter((element) => !element.textContent.trim())
    .map((element) => `${describe(element)}: a state shown by colour, with no words`)"""


def small_targets(page: Page) -> list[str]:
    return page.evaluate(_TARGETS, [MINIMUM_TARGET, PRIMARY_TARGET])


def motion(page: Page) -> list[str]:
    return page.evaluate(_MOTION, LONGEST_MOTION)


def clipped_text(page: Page) -> list[str]:
    return page.evaluate(_CLIPPED)


def overlapping_boxes(page: Page) -> list[str]:
    return page.evaluate(_OVERLAPS)


def states_without_words(page: Page) -> list[str]:
    return page.evaluate(_STATES_IN_WORDS)


# A card's text must not touch its border: a list's rule for its rows (padding 0.5rem 0) beat
# .card's padding on the proposals page, and the words ran along the edge.
MIN_CARD_PADDING = 8  # CSS px
_CARD_PADDING = """minimum => [...document.querySelectorAll('.card')]
    .filter(card => card.getClientRects().length)
    .filter(card => {
        const style = getComputedStyle(card);
        return ['paddingLeft', 'paddingRight', 'paddingTop', 'paddingBottom'].some(side => parseFloat(style[side]) < minimum);
    })
    .map(card => `${card.tagName.toLowerCase()}.${[...card.classList].join('.')}: a card whose text touches its edge`)"""


def cards_without_padding(page: Page) -> list[str]:
    return page.evaluate(_CARD_PADDING, MIN_CARD_PADDING)


def zoom_problems(page: Page, width: int) -> list[str]:
    """At ``width`` CSS px with text at 200 %: sideways scrolling, text cut off, boxes on top of each other."""
    enlarge_text(page)
    problems = clipped_text(page) + overlapping_boxes(page)
    if overflow := sideways_overflow(page, width):
        problems.append(f"scrolls sideways: {overflow}")
    return problems


def page_rules(page: Page, axe_source: str, *, colours: bool) -> list[str]:
    """Targets, states in words and cards with room inside; with ``colours`` also motion under prefers-reduced-motion and
    axe's contrast rules in dark mode (these do not change with the language)."""
    problems = small_targets(page) + states_without_words(page) + cards_without_padding(page)
    if colours:
        page.emulate_media(color_scheme="dark", reduced_motion="reduce")
        try:
            problems += motion(page)
            if violations := axe_violations(page, axe_source, DARK_MODE_RULES):
                problems.append(describe_violations(violations, "in dark mode"))
        finally:
            page.emulate_media(color_scheme="light", reduced_motion="no-preference")
    return problems


def enlarge_text(page: Page, percent: int = 200) -> None:
    """Text at ``percent`` % (WCAG 1.4.4): the root font size, which every rem follows.
    Not the browser's zoom: that would also widen every px, and the page would just reflow."""
    page.evaluate("percent => { document.documentElement.style.fontSize = percent + '%'; }", percent)


# --- Focus -------------------------------------------------------------------------------

_RING = "element => { const s = getComputedStyle(element); return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]; }"


def focus_ring(element: ElementHandle) -> list[str]:
    """What draws a focus indicator: outline style, width and colour, and box-shadow."""
    return element.evaluate(_RING)


def has_ring(ring: list[str]) -> bool:
    style, width, _colour, shadow = ring
    return (style != "none" and float(width.removesuffix("px") or 0) >= 2) or shadow != "none"


def focused(page: Page) -> ElementHandle:
    return page.evaluate_handle("document.activeElement").as_element()
