"""What the eye and the finger meet. On every page from the URL map, test_accessibility.py runs
these checks (tests/browser/layout.py) while it has the page open for axe:

- targets: at least 24×24 CSS px (WCAG 2.5.8; a link in a sentence is exempt), and 44×44 for
  buttons and the plan's navigation;
- motion: with prefers-reduced-motion, no transition or animation longer than 0.01 s;
- cards: room inside, text never along the border;
- dark mode (prefers-color-scheme: dark): axe's contrast rules, and links in text told apart
  by more than colour; a status (goal, decision, unread) always has words, not only a colour;
- text at 200 % at 320 CSS px wide: no sideways scrolling, no text cut off, no boxes on top of
  each other. Here: the same at 1280 px, and tests that each check can fail.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import NEUTRAL_PAGE, REFLOW_WIDTH, open_each, pages_for, switch_language
from tests.browser.layout import (
    cards_without_padding,
    clipped_text,
    enlarge_text,
    motion,
    overlapping_boxes,
    small_targets,
    states_without_words,
    zoom_problems,
)

WIDE = 1280
# The screenshots to look at: the overview, a form, the messages, the crisis plan, the settings.
SHOTS = ("/", "/sharing/new", "/messages", "/crisis-plan", "/settings/notifications", "/meetings/new")


@pytest.mark.parametrize("viewer", ["patient", "coordinator", "administrator"])
def test_text_at_200_percent_on_a_wide_screen(signed_in, app_url, app_pages, artifacts, viewer):
    """At 320 px test_accessibility.py checks it in every language; here 1280 px, with screenshots
    at both widths for a person to look at (test-artifacts/zoom-200/)."""
    page = signed_in(viewer).new_page()
    shots = artifacts / "zoom-200"
    shots.mkdir(exist_ok=True)
    failures = []
    try:
        page.goto(app_url + NEUTRAL_PAGE)
        switch_language(page, "nb")
        for path in open_each(page, app_url, pages_for(app_pages, viewer)):
            page.set_viewport_size({"width": WIDE, "height": 800})
            failures += [f"{path}: {problem}" for problem in zoom_problems(page, WIDE)]
            if shot := next((end for end in SHOTS if path.endswith(end)), None):
                name = shot.strip("/").replace("/", "-") or "overview"
                page.screenshot(path=shots / f"{viewer}-{WIDE}-{name}.png", full_page=True)
                page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
                page.screenshot(path=shots / f"{viewer}-{REFLOW_WIDTH}-{name}.png", full_page=True)
    finally:
        page.close()
    assert not failures, f"as the {viewer}, {WIDE} CSS px wide, text at 200 %:\n" + "\n".join(failures)


# --- The checks themselves: a check that cannot fail is worse than none. ---------------


def test_the_target_check_sees_small_targets_but_lets_a_link_in_a_sentence_be(page):
    page.set_content(
        '<!doctype html><style>button { width: 20px; height: 20px; padding: 0; } a { font-size: 12px; }'
        ' .button { display: inline-block; height: 30px; }</style>'
        '<p>Read <a href="#a">this</a> first.</p><p><a href="#b">x</a></p>'
        '<button type="button">+</button><a class="button" href="#c">Send</a>'
    )
    found = small_targets(page)
    assert len(found) == 3, found
    assert any(problem.startswith('a "x"') and "24×24" in problem for problem in found), found
    assert any(problem.startswith('button "+"') and "44×44" in problem for problem in found), found
    assert any(problem.startswith('a.button "Send"') for problem in found), found


def test_the_motion_check_sees_a_long_transition(page):
    page.emulate_media(reduced_motion="reduce")
    page.set_content('<!doctype html><style>p { transition: color 0.3s; }</style><p>Moves</p>')
    assert [problem.split(":")[0] for problem in motion(page)] == ['p "Moves"']


def test_the_zoom_checks_see_cut_off_text_and_overlapping_boxes(page):
    page.set_content(
        '<!doctype html><style>.box { height: 1.2em; overflow: hidden; width: 8rem; }'
        ' h2 { position: absolute; top: 0; margin: 0; } p { margin: 0; }</style>'
        '<p class="box">A sentence too long for its box</p><h2>On top</h2>'
    )
    enlarge_text(page)
    assert [problem.split(":")[0] for problem in clipped_text(page)] == ['p.box "A sentence too long for its box"']
    assert overlapping_boxes(page) and "overlap" in overlapping_boxes(page)[0]


def test_the_colour_check_sees_a_status_without_words(page):
    page.set_content('<!doctype html><span class="tag tag--reached"></span><span class="tag">Nådd</span>')
    assert states_without_words(page) == ['span.tag.tag--reached "": a state shown by colour, with no words']


def test_the_card_check_sees_a_card_without_room_inside(page):
    page.set_content(
        '<!doctype html><style>.card { padding: 16px } .list > li { padding: 8px 0 }</style>'
        '<div class="card">Room inside.</div><ul class="list"><li class="card proposal">Along the edge.</li></ul>'
    )
    assert cards_without_padding(page) == ["li.card.proposal: a card whose text touches its edge"]
