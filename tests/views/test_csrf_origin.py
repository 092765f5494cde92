"""Over HTTPS, a form from our own page goes through on its token; a form from another site
is refused even with a valid token. Before: Flask-WTF's strict Referer check refused every
form over HTTPS, because browsers send no Referer under our own Referrer-Policy."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

HTTPS = "https://min-plan.example"


def send_language_form(client, headers: dict, with_token: bool = True):
    page = BeautifulSoup(client.get("/about-individual-plan", base_url=HTTPS).get_data(as_text=True), "html.parser")
    token = page.select_one("input[name=csrf_token]")["value"]
    data = {"language": "nn", "next": "/about-individual-plan"} | ({"csrf_token": token} if with_token else {})
    return client.post("/language", data=data, base_url=HTTPS, headers=headers)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "null"},  # what a no-referrer policy makes of Origin
    {"Origin": HTTPS},  # a browser without Sec-Fetch-*
    {},  # nor Origin: the token alone decides
], ids=["fetch-metadata", "origin-null", "origin", "neither"])
def test_our_own_form_goes_through_over_https_without_a_referer(client, headers):
    answer = send_language_form(client, headers)
    assert answer.status_code == 302, answer.status_code
    assert answer.headers["Location"] == "/about-individual-plan"


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's code too
    {"Origin": "https://angriper.example"},
    {"Origin": "http://min-plan.example"},  # the same host over plain HTTP is another origin
], ids=["cross-site", "same-site", "other-origin", "plain-http-origin"])
def test_a_form_from_another_site_is_refused_even_with_a_valid_token(client, headers):
    answer = send_language_form(client, headers)
    assert answer.status_code == 400
    page = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert page.h1.get_text(strip=True) == "Siden hadde vært åpen for lenge"


def test_the_token_is_still_required(client):
    assert send_language_form(client, {"Sec-Fetch-Site": "same-origin"}, with_token=False).status_code == 400
