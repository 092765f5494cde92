"""Settings for the stand-in: from the environment, overridden by the dict given to create_app."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .faults import enabled_faults

DEFAULT_PORT = "5001"
CLIENT_KEYS = {"client_id", "client_secret", "jwks", "redirect_uris", "post_logout_redirect_uris"}


@dataclass(frozen=True)
class Settings:
    issuer: str
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
    clients = config["CLIENTS"] if "CLIENTS" in config else _read_json_list(env.get("IDPORTEN_STANDIN_CLIENTS"))
    persons = config["PERSONS"] if "PERSONS" in config else _read_json_list(env.get("IDPORTEN_STANDIN_PERSONS"))
    for client in clients:
        _check_client(client)
    return Settings(
        # ID-porten's issuer has no trailing slash; clients compare it byte for byte.
        issuer=issuer.rstrip("/"),
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
    if not client.get("client_secret") and not client.get("jwks"):
        raise ValueError(f"client {client_id} needs a client_secret or jwks")
