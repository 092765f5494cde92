"""The OpenID Connect machinery: Authlib's authorization server with ID-porten's rules.

Everything lives in memory behind one lock; a restart forgets codes and sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.jose import JsonWebKey
from authlib.oauth2.rfc6749 import ClientMixin, InvalidClientError, InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6749 import OAuth2Error, scope_to_list
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import AuthorizationCodeMixin
from authlib.oidc.core.grants import OpenIDCode

from . import faults
from .config import Settings
from .keys import SigningKey, generate_signing_key

log = logging.getLogger(__name__)

# Every level ID-porten lists; a client that needs substantial or high must check acr itself.
ACR_LEVELS = (
    "idporten-loa-low", "idporten-loa-substantial", "idporten-loa-high",
    "eidas-loa-low", "eidas-loa-substantial", "eidas-loa-high",
)
DEFAULT_ACR = "idporten-loa-substantial"  # ID-porten's level when the client asks for none
TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
UI_LOCALES = ("nb", "nn", "en", "se")
SCOPES = ("openid", "profile")
CODE_LIFETIME = 60
ID_TOKEN_LIFETIME = 120
ACCESS_TOKEN_LIFETIME = 120
CLIENT_ASSERTION_ALGS = ("RS256", "RS384", "RS512", "PS256", "ES256")


@dataclass
class Client(ClientMixin):
    client_id: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    client_secret: str | None = field(default=None, repr=False)
    jwks: dict | None = field(default=None, repr=False)
    token_endpoint_auth_method: str | None = None  # "none" for a public client, else unset
    frontchannel_logout_uri: str | None = None  # framed by our logout page, with iss and sid
    backchannel_logout_uri: str | None = None  # posted a logout token when the session ends
    id_token_signed_response_alg = "RS256"

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None  # ID-porten insists on an explicit redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(name for name in scope_to_list(scope or "") if name in SCOPES)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return bool(self.client_secret) and secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        if endpoint != "token":
            return True
        if method in ("client_secret_basic", "client_secret_post"):
            return bool(self.client_secret)
        if method == "private_key_jwt":
            return bool(self.jwks)
        return method == "none" and self.token_endpoint_auth_method == "none"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class SignedInPerson:
    """The person the login page vouches for, handed to Authlib as the granting user."""

    pid: str = field(repr=False)
    sid: str
    auth_time: int


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    """A code, and everything the id_token will later say about the login."""

    code: str = field(repr=False)
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str
    acr: str
    locale: str
    pid: str = field(repr=False)
    sid: str = field(repr=False)
    auth_time: int
    code_challenge: str
    code_challenge_method: str
    expires_at: float

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return self.acr

    def get_amr(self):
        return ["TestID"]


class Storage:
    def __init__(self, clients: list[Client]):
        self._lock = threading.Lock()
        self._clients = {client.client_id: client for client in clients}
        self._codes: dict[str, AuthorizationCode] = {}
        # sid -> {client_id: pid}: the clients a browser session logged in to, told at logout.
        self._sessions: dict[str, dict[str, str]] = {}
        self._client_assertion_ids: dict[str, float] = {}

    def find_client(self, client_id: str) -> Client | None:
        return self._clients.get(client_id)

    def save_code(self, code: AuthorizationCode) -> None:
        with self._lock:
            now = time.time()
            self._codes = {key: item for key, item in self._codes.items() if item.expires_at > now}
            self._codes[code.code] = code

    def take_code(self, code: str, client_id: str) -> AuthorizationCode | None:
        """Remove the code as it is presented: a code is spent even if the rest of the request fails."""
        with self._lock:
            item = self._codes.pop(code, None)
        if item is None or item.client_id != client_id or item.expires_at <= time.time():
            return None
        return item

    def nonce_in_use(self, client_id: str, nonce: str) -> bool:
        with self._lock:
            return any(item.client_id == client_id and item.nonce == nonce for item in self._codes.values())

    def start_session(self) -> str:
        sid = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[sid] = {}
        return sid

    def join_session(self, sid: str, client_id: str, pid: str) -> None:
        with self._lock:
            if sid in self._sessions:
                self._sessions[sid][client_id] = pid

    def is_active_session(self, sid: str | None) -> bool:
        with self._lock:
            return sid in self._sessions

    def end_session(self, sid: str | None) -> dict[str, str]:
        """End the session; returns the clients it had logged in to, with the person's pid."""
        with self._lock:
            return self._sessions.pop(sid, {})

    def first_use_of_client_assertion(self, client_id: str, jti: str, expires_at: float) -> bool:
        """Remember assertion ids until they expire, so a captured assertion cannot be replayed."""
        key = f"{client_id}:{jti}"
        with self._lock:
            now = time.time()
            self._client_assertion_ids = {k: exp for k, exp in self._client_assertion_ids.items() if exp > now}
            if key in self._client_assertion_ids:
                return False
            self._client_assertion_ids[key] = expires_at
            return True


def pairwise_subject(salt: str, client_id: str, pid: str) -> str:
    """Each client sees its own stable sub for a person, and none of them sees the pid in it."""
    digest = hmac.new(salt.encode(), f"{client_id}:{pid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def requested_acr(data) -> str:
    return data.get("acr_values") or DEFAULT_ACR


def preferred_locale(data) -> str:
    wanted = (data.get("ui_locales") or "").split()
    return next((locale for locale in wanted if locale in UI_LOCALES), "nb")


def require_idporten_parameters(data) -> None:
    """ID-porten refuses what plain OAuth 2.0 would let through."""
    if not data.get("state"):
        raise InvalidRequestError("Missing 'state' in request.")
    if "openid" not in scope_to_list(data.get("scope") or ""):
        raise InvalidScopeError("The 'openid' scope is required.")
    if data.get("acr_values") and data["acr_values"] not in ACR_LEVELS:
        raise InvalidRequestError(f"'acr_values' must be one of {', '.join(ACR_LEVELS)}.")


class StandinAuthorizationServer(AuthorizationServer):
    def __init__(self, app, storage: Storage):
        self.storage = storage
        # Access tokens guard nothing here, so there is nothing to save.
        super().__init__(app, query_client=storage.find_client, save_token=lambda token, request: None)


class IdPortenCodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(TOKEN_ENDPOINT_AUTH_METHODS)

    def validate_authorization_request(self):
        redirect_uri = super().validate_authorization_request()
        try:
            require_idporten_parameters(self.request.payload.data)
        except OAuth2Error as error:
            error.redirect_uri = redirect_uri  # already checked against the client
            raise
        return redirect_uri

    def save_authorization_code(self, code, request):
        data = request.payload.data
        person: SignedInPerson = request.user
        self.server.storage.save_code(
            AuthorizationCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=data["redirect_uri"],
                scope=data.get("scope", ""),
                nonce=data["nonce"],
                acr=requested_acr(data),
                locale=preferred_locale(data),
                pid=person.pid,
                sid=person.sid,
                auth_time=person.auth_time,
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                expires_at=time.time() + CODE_LIFETIME,
            )
        )
        self.server.storage.join_session(person.sid, request.client.client_id, person.pid)
        log.info("Issued an authorization code to client %s", request.client.client_id)

    def query_authorization_code(self, code, client):
        return self.server.storage.take_code(code, client.client_id)

    def delete_authorization_code(self, authorization_code):
        pass  # take_code removed it already

    def authenticate_user(self, authorization_code):
        # The code carries everything the id_token says about the person.
        return authorization_code


class S256CodeChallenge(CodeChallenge):
    """PKCE as ID-porten has it: always, and only with S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        # Authlib lets a request without any PKCE parameters through; ID-porten does not.
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class IdPortenIdToken(OpenIDCode):
    def __init__(self, settings: Settings, signing_key: SigningKey, decoy_key: SigningKey | None, storage: Storage):
        super().__init__(require_nonce=True)
        self.settings = settings
        self.signing_key = signing_key
        self.decoy_key = decoy_key
        self.storage = storage

    def exists_nonce(self, nonce, request):
        return self.storage.nonce_in_use(request.payload.client_id, nonce)

    def get_jwt_config(self, grant, client):
        key, alg = faults.id_token_signing(self.settings.faults, self.signing_key, self.decoy_key)
        return {"key": key, "alg": alg, "kid": self.signing_key.kid, "iss": self.settings.issuer, "exp": ID_TOKEN_LIFETIME}

    def get_audiences(self, request):
        return faults.audiences(self.settings.faults, request.client.client_id)

    def generate_user_info(self, user: AuthorizationCode, scope):
        claims = {
            "sub": pairwise_subject(self.settings.pairwise_salt, user.client_id, user.pid),
            "pid": user.pid,
            "locale": user.locale,
            "sid": user.sid,
        }
        for name in faults.id_token_claims_left_out(self.settings.faults):
            del claims[name]
        # Authlib merges these claims last, so a fault can replace iss, aud, exp, iat, nonce or acr.
        return claims | faults.id_token_claim_overrides(self.settings.faults)


class PrivateKeyJwtAuthentication(JWTBearerClientAssertion):
    """private_key_jwt: the client signs an assertion with a key from its registered jwks."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, issuer: str, storage: Storage):
        super().__init__(token_url=f"{issuer}/token")
        self.issuer = issuer
        self.storage = storage

    def create_claims_options(self):
        options = super().create_claims_options()
        # Real ID-porten wants its issuer as aud; RFC 7523 suggests the token endpoint. Take either.
        options["aud"] = {"essential": True, "values": [self.issuer, self.token_url]}
        return options

    def validate_jti(self, claims, jti):
        return self.storage.first_use_of_client_assertion(claims["sub"], jti, claims["exp"])

    def resolve_client_public_key(self, client, headers):
        if not client.jwks:
            raise InvalidClientError(description="The client has no registered keys.")
        # Refuse HMAC algorithms so a public key can never be used as a shared secret.
        if headers.get("alg") not in CLIENT_ASSERTION_ALGS:
            raise InvalidClientError(description="Unsupported client assertion algorithm.")
        try:
            return JsonWebKey.import_key_set(client.jwks).find_by_kid(headers.get("kid"))
        except ValueError as error:
            raise InvalidClientError(description="Unknown client assertion key.") from error


class IdPortenIssuerParameter(IssuerParameter):
    """RFC 9207: every redirect back to the client names us with ``iss``."""

    def __init__(self, issuer: str):
        self.issuer = issuer

    def get_issuer(self):
        return self.issuer


@dataclass
class Provider:
    settings: Settings
    signing_key: SigningKey
    storage: Storage
    server: StandinAuthorizationServer
    issuer_parameter: IdPortenIssuerParameter


def build_provider(app, settings: Settings) -> Provider:
    app.config["OAUTH2_SCOPES_SUPPORTED"] = list(SCOPES)
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": ACCESS_TOKEN_LIFETIME}
    signing_key = generate_signing_key()
    decoy_key = generate_signing_key(kid=signing_key.kid) if "other_key" in settings.faults else None
    storage = Storage([Client(**client) for client in settings.clients])

    server = StandinAuthorizationServer(app, storage)
    server.register_grant(
        IdPortenCodeGrant,
        [S256CodeChallenge(required=True), IdPortenIdToken(settings, signing_key, decoy_key, storage)],
    )
    server.register_client_auth_method("private_key_jwt", PrivateKeyJwtAuthentication(settings.issuer, storage))
    issuer_parameter = IdPortenIssuerParameter(faults.iss_parameter(settings.faults, settings.issuer))
    server.register_extension(issuer_parameter)
    return Provider(settings, signing_key, storage, server, issuer_parameter)
