"""A person's login, driven over real HTTP with `requests` like a browser without JavaScript."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests
from bs4 import BeautifulSoup

from patient_app.demo.people import demo_person


class HttpUser:
    def __init__(self, app_url: str):
        self.app_url = app_url
        self.http = requests.Session()

    def page(self, response) -> BeautifulSoup:
        return BeautifulSoup(response.text, "html.parser")

    def form_fields(self, form) -> dict:
        return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}

    def start_login(self) -> requests.Response:
        """Open the app, press 'Logg inn med ID-porten'; returns the provider's login page."""
        start = self.http.get(self.app_url + "/login")
        form = self.page(start).select_one("main form")
        return self.http.post(urljoin(start.url, form["action"]), data=self.form_fields(form))

    def pick_person(self, provider_page: requests.Response, pid: str) -> requests.Response:
        """On the TestID page, log in as the person with this number (the typed field)."""
        form = self.page(provider_page).select("form")[-2]
        data = self.form_fields(form) | {"pid": pid}
        return self.http.post(urljoin(provider_page.url, form["action"]), data=data, allow_redirects=False)

    def login_as(self, key: str) -> requests.Response:
        redirect_to_app = self.pick_person(self.start_login(), demo_person(key).pid)
        return self.http.get(redirect_to_app.headers["Location"])


@pytest.fixture
def user(live):
    app_url, _issuer, _app = live
    return HttpUser(app_url)
