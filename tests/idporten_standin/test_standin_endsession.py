"""End session: logging out at the provider and going back to the client."""

from urllib.parse import parse_qs, urlsplit


def logged_in(rp, pid):
    callback = rp.login(pid)
    id_token = rp.tokens_for(callback)["id_token"]
    return id_token, rp.verify_id_token(id_token)["sid"]


def test_end_session_redirects_to_a_registered_uri_with_state(issuer, relying_party, kari):
    rp = relying_party(issuer)
    id_token, _ = logged_in(rp, kari)

    response = rp.end_session(
        id_token_hint=id_token, post_logout_redirect_uri=rp.post_logout_redirect_uri, state="utlogget-123"
    )

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == rp.post_logout_redirect_uri
    assert parse_qs(location.query) == {"state": ["utlogget-123"]}


def test_end_session_ends_the_provider_session(issuer, relying_party, kari):
    rp = relying_party(issuer)
    id_token, sid_before = logged_in(rp, kari)

    rp.end_session(id_token_hint=id_token, post_logout_redirect_uri=rp.post_logout_redirect_uri)
    _, sid_after = logged_in(rp, kari)

    assert sid_after != sid_before


def test_end_session_never_follows_an_unregistered_uri(issuer, relying_party, kari):
    rp = relying_party(issuer)
    id_token, _ = logged_in(rp, kari)

    response = rp.end_session(
        id_token_hint=id_token, post_logout_redirect_uri="https://angriper.example/", state="s"
    )

    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "Du er logget ut" in response.text


def test_end_session_without_a_valid_hint_does_not_redirect(issuer, relying_party, kari):
    rp = relying_party(issuer)
    id_token, _ = logged_in(rp, kari)
    header, payload, _ = id_token.split(".")
    tampered = f"{header}.{payload}.{'A' * 342}"

    for hint in (None, tampered):
        response = rp.end_session(id_token_hint=hint, post_logout_redirect_uri=rp.post_logout_redirect_uri)
        assert response.status_code == 200
        assert "Location" not in response.headers
        assert "Du er logget ut" in response.text


def test_end_session_checks_the_uri_against_the_client_in_the_hint(issuer, relying_party, kari):
    """min-plan's logout URI is not registered for annen-tjeneste."""
    min_plan = relying_party(issuer, "min-plan")
    other = relying_party(issuer, "annen-tjeneste")
    other_token, _ = logged_in(other, kari)

    response = other.end_session(id_token_hint=other_token, post_logout_redirect_uri=min_plan.post_logout_redirect_uri)

    assert "Location" not in response.headers
