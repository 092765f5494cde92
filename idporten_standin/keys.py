"""The provider's RSA signing key, made fresh in memory at every start."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from authlib.jose import JsonWebKey, RSAKey

# Only these members go into the JWKS; anything else (d, p, q, dp, dq, qi) is private.
PUBLIC_MEMBERS = ("kty", "n", "e", "kid")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: RSAKey

    def public_jwk(self) -> dict:
        members = self.private.as_dict(is_private=False)
        return {name: members[name] for name in PUBLIC_MEMBERS} | {"alg": "RS256", "use": "sig"}


def generate_signing_key(kid: str | None = None) -> SigningKey:
    """A new 2048-bit RSA key; pass ``kid`` to mimic another key's id (the other_key fault)."""
    kid = kid or secrets.token_urlsafe(12)
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid})
    return SigningKey(kid=kid, private=key)
