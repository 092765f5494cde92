"""Settings for the stand-in: from the environment, overridden by the dict given to create_app."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .faults import enabled_faults

DEFAULT_PORT = "5001"
DEFAULT_LOGIN_PORT = "5002"
CLIENT_KEYS = {
    "client_id", "client_secret", "jwks", "redirect_uris", "post_logout_redirect_uris", "token_endpoint_auth_method",
    "frontchannel_logout_uri", "backchannel_logout_uri",
}


@dataclass(frozen=True)
class Settings:
    issuer: str
    # Where the person's browser goes (login and logout pages): another origin than the
    # issuer, as ID-porten's login.test.idporten.no is beside test.idporten.no.
    login_url: str
    clients: list[dict]
    persons: list[dict]
    secret_key: str
    pairwise_salt: str
    faults: frozenset[str]


def load_settings(config: dict | None = None) -> Settings:
    config = config or {}
    env = os.environ
    port = env.get("IDPORTEN_STANDIN_PORT", DEFAULT_PORT)
    issuer = config.get("ISSUER") or env.get("IDPORTEN_STANDIN_ISSUER") or f"http://127.0.0.1:{port}"
    login_port = env.get("IDPORTEN_STANDIN_LOGIN_PORT", DEFAULT_LOGIN_PORT)
    login_url = config.get("LOGIN_URL") or env.get("IDPORTEN_STANDIN_LOGIN_URL") or f"http://127.0.0.1:{login_port}"
    clients = config["CLIENTS"] if "CLIENTS" in config else _read_json_list(env.get("IDPORTEN_STANDIN_CLIENTS"))
    persons = config["PERSONS"] if "PERSONS" in config else _read_json_list(env.get("IDPORTEN_STANDIN_PERSONS"))
    for client in clients:
        _check_client(client)
    return Settings(
        # ID-porten's issuer has no trailing slash; clients compare it byte for byte.
        issuer=issuer.rstrip("/"),
        login_url=login_url.rstrip("/"),
        clients=list(clients),
        persons=list(persons),
        # Random defaults mean a restart logs everyone out, which is fine for a stand-in.
        secret_key=config.get("SECRET_KEY") or env.get("IDPORTEN_STANDIN_SECRET_KEY") or secrets.token_hex(32),
        pairwise_salt=config.get("PAIRWISE_SALT") or env.get("IDPORTEN_STANDIN_PAIRWISE_SALT") or secrets.token_hex(32),
        # Faults come only from the dict: an environment variable could switch them on by accident.
        faults=enabled_faults(config.get("FAULTS")),
    )


def _read_json_list(path: str | None) -> list[dict]:
    if not path:
        return []
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path} must hold a JSON list")
    return data


def _check_client(client: dict) -> None:
    """Fail at start, not at the first login, when a client is configured wrongly."""
    client_id = client.get("client_id")
    if not client_id:
        raise ValueError("every client needs a client_id")
    unknown = set(client) - CLIENT_KEYS
    if unknown:
        raise ValueError(f"client {client_id} has unknown keys: {sorted(unknown)}")
    if not client.get("redirect_uris"):
        raise ValueError(f"client {client_id} needs redirect_uris")
    # The secret or the keys decide how a confidential client authenticates; only a
    # public client (PKCE alone, ID-porten's "none") names its method.
    public = client.get("token_endpoint_auth_method") == "none"
    if "token_endpoint_auth_method" in client and not public:
        raise ValueError(f"client {client_id}: token_endpoint_auth_method can only be none")
    if public and (client.get("client_secret") or client.get("jwks")):
        raise ValueError(f"client {client_id} is public and cannot have a client_secret or jwks")
    if not public and not (client.get("client_secret") or client.get("jwks")):
        raise ValueError(f"client {client_id} needs a client_secret or jwks, or token_endpoint_auth_method none")
