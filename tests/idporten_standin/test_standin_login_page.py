"""The TestID-style login page."""

from bs4 import BeautifulSoup


def test_login_page_is_simple_accessible_norwegian(issuer, relying_party, kari):
    rp = relying_party(issuer)

    page = rp.open_login_page(rp.authorization_request())

    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.html["lang"] == "nb"
    assert len(soup.find_all("h1")) == 1
    assert "width=device-width" in soup.find("meta", attrs={"name": "viewport"})["content"]
    assert not soup.find_all("script")
    field = soup.find("input", id="pid")
    assert soup.find("label", attrs={"for": "pid"}).get_text(strip=True) == "Fødselsnummer (syntetisk)"
    assert field["type"] == "text"
    person_buttons = {button["value"]: button.get_text(strip=True) for button in soup.select("button[name=pid]")}
    assert person_buttons[kari] == "Logg inn som Kari Nordmann"
    assert soup.select_one("button[name=cancel]").get_text(strip=True) == "Avbryt"


def test_every_form_carries_the_authorization_request(issuer, relying_party):
    rp = relying_party(issuer)
    auth_request = rp.authorization_request(acr_values="idporten-loa-high", ui_locales="nn")

    soup = BeautifulSoup(rp.open_login_page(auth_request).text, "html.parser")

    forms = soup.find_all("form")
    assert len(forms) == 3
    for form in forms:
        assert form["method"] == "post"
        hidden = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
        assert hidden.pop("csrf_token")
        assert hidden == auth_request.params


def test_an_invalid_number_is_shown_again_with_an_error(issuer, relying_party):
    rp = relying_party(issuer)
    page = rp.open_login_page(rp.authorization_request())

    response = rp.type_pid(page, "123 45")

    assert response.status_code == 400
    assert "Location" not in response.headers
    soup = BeautifulSoup(response.text, "html.parser")
    error = soup.find(id="pid-error")
    assert "ikke et gyldig syntetisk fødselsnummer" in error.get_text()
    assert error["role"] == "alert"
    field = soup.find("input", id="pid")
    assert field["value"] == "123 45"
    assert field["aria-invalid"] == "true"
    assert "pid-error" in field["aria-describedby"]


def test_a_real_looking_number_is_refused(issuer, relying_party):
    """Valid control digits but no +80 month: a real person's number, never welcome here."""
    rp = relying_party(issuer)
    page = rp.open_login_page(rp.authorization_request())

    response = rp.type_pid(page, "14038510070")

    assert response.status_code == 400
    assert BeautifulSoup(response.text, "html.parser").find(id="pid-error") is not None


def test_the_form_can_be_retried_after_an_error(issuer, relying_party, kari):
    rp = relying_party(issuer)
    auth_request = rp.authorization_request()
    failed = rp.type_pid(rp.open_login_page(auth_request), "99999999999")

    response = rp.type_pid(failed, kari)

    assert rp.callback_from(response, auth_request).code


def test_a_synthetic_number_typed_with_spaces_is_accepted(issuer, relying_party, kari):
    rp = relying_party(issuer)
    auth_request = rp.authorization_request()

    response = rp.type_pid(rp.open_login_page(auth_request), f"{kari[:6]} {kari[6:]}")

    claims = rp.verify_id_token(rp.tokens_for(rp.callback_from(response, auth_request))["id_token"])
    assert claims["pid"] == kari
