"""Fixtures for the ID-porten stand-in: a real HTTP server and a hand-made relying party.

The relying party is written out by hand (PKCE with hashlib, the login form with
BeautifulSoup, the token request with requests) so the tests check the provider
against the protocol, not against a client library's assumptions.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from bs4 import BeautifulSoup
from werkzeug.serving import make_server

from idporten_standin import create_app
from idporten_standin.serving import QueryFreeRequestHandler

# Synthetic fødselsnumre (month + 80), made with patient_app.identity_numbers.make_synthetic.
KARI = "14838510036"
OLA = "02915220080"

MIN_PLAN_CALLBACK = "https://min-plan.example/auth/callback"
MIN_PLAN_LOGGED_OUT = "https://min-plan.example/logged-out"
OTHER_CALLBACK = "https://annen.example/callback"
JWT_CALLBACK = "https://jwt-klient.example/callback"
PUBLIC_CALLBACK = "https://offentlig-klient.example/callback"


@pytest.fixture(scope="session")
def jwt_client_key():
    return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "klientnokkel-1"})


@pytest.fixture(scope="session")
def clients(jwt_client_key):
    return [
        {
            "client_id": "min-plan",
            "client_secret": "min-plan-hemmelighet",
            "redirect_uris": [MIN_PLAN_CALLBACK],
            "post_logout_redirect_uris": [MIN_PLAN_LOGGED_OUT],
        },
        {
            "client_id": "annen-tjeneste",
            "client_secret": "annen-hemmelighet",
            "redirect_uris": [OTHER_CALLBACK],
        },
        {
            "client_id": "offentlig-klient",
            "token_endpoint_auth_method": "none",
            "redirect_uris": [PUBLIC_CALLBACK],
        },
        {
            "client_id": "jwt-klient",
            "jwks": {"keys": [jwt_client_key.as_dict(is_private=False)]},
            "redirect_uris": [JWT_CALLBACK],
        },
    ]


@pytest.fixture
def kari():
    return KARI


@pytest.fixture
def ola():
    return OLA


def serve_in_thread(server, servers: list) -> None:
    # A short poll interval keeps shutdown (and so each test) quick.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    servers.append(server)


@pytest.fixture
def start_provider(clients):
    """Start a provider over real HTTP on two origins, as ID-porten has them: the issuer
    (discovery, JWKS, token) and the login pages. Returns the issuer URL. Stopped after the test."""
    servers = []

    def start(**config) -> str:
        issuer_server, login_server = (
            make_server("127.0.0.1", 0, app=None, threaded=True, request_handler=QueryFreeRequestHandler)
            for _ in range(2)
        )
        issuer = f"http://127.0.0.1:{issuer_server.port}"
        # The URLs must name the real ports, so the app is made once the ports are known.
        app = create_app(
            {
                "ISSUER": issuer,
                "LOGIN_URL": f"http://127.0.0.1:{login_server.port}",
                "CLIENTS": clients,
                "PERSONS": [{"pid": KARI, "label": "Kari Nordmann"}, {"pid": OLA, "label": "Ola Nordmann"}],
                "SECRET_KEY": "test-secret",
                "PAIRWISE_SALT": "test-salt",
                **config,
            }
        )
        issuer_server.app = login_server.app = app
        serve_in_thread(issuer_server, servers)
        serve_in_thread(login_server, servers)
        return issuer

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def issuer(start_provider):
    return start_provider()


@dataclass
class AuthorizationRequest:
    params: dict
    code_verifier: str

    @property
    def state(self):
        return self.params.get("state")

    @property
    def nonce(self):
        return self.params.get("nonce")


@dataclass
class Callback:
    """What the provider sent back to the client's redirect_uri."""

    url: str
    params: dict
    request: AuthorizationRequest

    @property
    def code(self):
        return self.params.get("code")


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def query_params(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


class RelyingParty:
    """A client of the provider, with its own browser (a requests.Session with cookies)."""

    post_logout_redirect_uri = MIN_PLAN_LOGGED_OUT  # registered for min-plan only

    def __init__(self, issuer, client_id, redirect_uri, client_secret=None, private_key=None):
        self.issuer = issuer
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.client_secret = client_secret
        self.private_key = private_key
        self.browser = requests.Session()
        # Like a real client, find the endpoints through discovery: they are on two origins.
        self.metadata = requests.get(f"{issuer}/.well-known/openid-configuration").json()

    def authorization_request(self, **changes) -> AuthorizationRequest:
        """Fresh state, nonce and PKCE; a change of None leaves that parameter out."""
        verifier = secrets.token_urlsafe(48)
        params = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": "openid profile",
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        }
        params.update(changes)
        return AuthorizationRequest({k: v for k, v in params.items() if v is not None}, verifier)

    def open_login_page(self, auth_request: AuthorizationRequest) -> requests.Response:
        return self.browser.get(self.metadata["authorization_endpoint"], params=auth_request.params, allow_redirects=False)

    def submit_form(self, page: requests.Response, form_selector: str, extra: dict | None = None) -> requests.Response:
        """Post one form of the page like a browser: its hidden fields plus what the person entered."""
        form = BeautifulSoup(page.text, "html.parser").select_one(form_selector)
        assert form is not None, f"no form matching {form_selector!r}"
        fields = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
        fields.update(extra or {})
        action = urljoin(page.url, form["action"])
        return self.browser.post(action, data=fields, allow_redirects=False)

    def type_pid(self, page: requests.Response, pid: str) -> requests.Response:
        return self.submit_form(page, "form:has(input#pid)", {"pid": pid})

    def login(self, pid=KARI, **changes) -> Callback:
        auth_request = self.authorization_request(**changes)
        page = self.open_login_page(auth_request)
        assert page.status_code == 200, page.text
        response = self.type_pid(page, pid)
        return self.callback_from(response, auth_request)

    def callback_from(self, response: requests.Response, auth_request: AuthorizationRequest) -> Callback:
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        assert location.startswith(self.redirect_uri + "?"), location
        return Callback(location, query_params(location), auth_request)

    def client_assertion(self, audience=None) -> str:
        return private_key_jwt_sign(
            self.private_key,
            self.client_id,
            audience or self.issuer,  # real ID-porten wants its issuer here
            header={"kid": self.private_key.kid},
        ).decode()

    def redeem(
        self, code, code_verifier, auth="basic", secret=None, assertion_audience=None, assertion=None
    ) -> requests.Response:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        basic = None
        if auth == "basic":
            basic = (self.client_id, secret or self.client_secret)
        elif auth == "post":
            form |= {"client_id": self.client_id, "client_secret": secret or self.client_secret}
        elif auth == "none":
            form["client_id"] = self.client_id
        elif auth == "private_key_jwt":
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            form["client_assertion"] = assertion or self.client_assertion(assertion_audience)
        return requests.post(self.metadata["token_endpoint"], data=form, auth=basic)

    def tokens_for(self, callback: Callback, **redeem_options) -> dict:
        response = self.redeem(callback.code, callback.request.code_verifier, **redeem_options)
        assert response.status_code == 200, response.text
        return response.json()

    def end_session(self, **params) -> requests.Response:
        return self.browser.get(self.metadata["end_session_endpoint"], params=params, allow_redirects=False)

    def jwks(self) -> dict:
        return requests.get(self.metadata["jwks_uri"]).json()

    def verify_id_token(self, id_token: str):
        """Check the signature against the published JWKS; return the claims."""
        return JsonWebToken(["RS256"]).decode(id_token, JsonWebKey.import_key_set(self.jwks()))


@pytest.fixture
def relying_party(jwt_client_key):
    """Make a RelyingParty for one of the configured clients, talking to the provider at ``issuer``."""

    def make(issuer, client_id="min-plan"):
        if client_id == "min-plan":
            return RelyingParty(issuer, client_id, MIN_PLAN_CALLBACK, client_secret="min-plan-hemmelighet")
        if client_id == "annen-tjeneste":
            return RelyingParty(issuer, client_id, OTHER_CALLBACK, client_secret="annen-hemmelighet")
        if client_id == "offentlig-klient":
            return RelyingParty(issuer, client_id, PUBLIC_CALLBACK)
        return RelyingParty(issuer, client_id, JWT_CALLBACK, private_key=jwt_client_key)

    return make
