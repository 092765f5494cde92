"""The filter that makes web addresses in messages clickable, fed hostile input (no app needed)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from patient_app.linkify import linkify

# Some inputs here are bare addresses; Beautiful Soup would warn that they look like URLs to fetch.
pytestmark = pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")


def links(html: str) -> list[str]:
    return [a["href"] for a in BeautifulSoup(html, "html.parser").select("a")]


def test_plain_text_is_escaped_and_nothing_else_happens():
    assert linkify("Hei <b>Lise</b> & takk") == Markup("Hei &lt;b&gt;Lise&lt;/b&gt; &amp; takk")
    assert linkify("") == Markup("") and linkify(None) == Markup("")


def test_http_and_https_addresses_become_links_without_a_referrer():
    html = str(linkify("Se https://helsenorge.no/individuell-plan og http://nordby.kommune.no"))
    assert links(html) == ["https://helsenorge.no/individuell-plan", "http://nordby.kommune.no"]
    assert html.count('rel="noopener noreferrer"') == 2


@pytest.mark.parametrize(
    "hostile",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "<a href=\"javascript:alert(1)\">klikk</a>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "https://",
        "http://[::1",
        "ftp://example.com/file",
        "//evil.example/",
    ],
)
def test_hostile_input_stays_text(hostile):
    html = str(linkify(hostile))
    parsed = BeautifulSoup(html, "html.parser")
    assert parsed.select("script, img, a") == [], html
    assert parsed.get_text() == hostile


@pytest.mark.parametrize(
    "text, expected_href",
    [
        ('https://x.no/"onmouseover="alert(1)', "https://x.no/"),
        ("https://x.no/'onclick='alert(1)", "https://x.no/"),
        ("https://x.no/<script>alert(1)</script>", "https://x.no/"),
        ("https://x.no/?a=1&b=<2>", "https://x.no/?a=1&b="),
        ("https://x.no/`x`", "https://x.no/"),
    ],
)
def test_quotes_and_brackets_end_an_address_and_cannot_break_out_of_the_attribute(text, expected_href):
    html = str(linkify(text))
    parsed = BeautifulSoup(html, "html.parser")
    [link] = parsed.select("a")
    assert link["href"] == expected_href
    assert set(link.attrs) == {"href", "rel"}
    assert parsed.select("script") == []
    assert parsed.get_text() == text


def test_ampersands_in_addresses_are_escaped_in_the_attribute():
    html = str(linkify("https://x.no/?a=1&b=2"))
    assert 'href="https://x.no/?a=1&amp;b=2"' in html
    assert links(html) == ["https://x.no/?a=1&b=2"]


@pytest.mark.parametrize(
    "text, expected_href",
    [
        ("Les https://helsenorge.no.", "https://helsenorge.no"),
        ("(se https://helsenorge.no)", "https://helsenorge.no"),
        ("https://no.wikipedia.org/wiki/Individuell_plan_(helse)", "https://no.wikipedia.org/wiki/Individuell_plan_(helse)"),
        ("«https://helsenorge.no»", "https://helsenorge.no"),
        ("https://helsenorge.no, takk!", "https://helsenorge.no"),
    ],
)
def test_punctuation_after_an_address_stays_outside_the_link(text, expected_href):
    html = str(linkify(text))
    assert links(html) == [expected_href]
    assert BeautifulSoup(html, "html.parser").get_text() == text


def test_line_breaks_and_spaces_are_kept_as_typed():
    text = "Hei\n\n  https://a.no\nHilsen"
    assert BeautifulSoup(str(linkify(text)), "html.parser").get_text() == text


def test_the_result_is_markup_that_jinja_will_not_escape_again():
    assert isinstance(linkify("https://a.no"), Markup)
