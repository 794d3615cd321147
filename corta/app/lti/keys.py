"""The tool's own signing key (kept in the store): its public JWKS for platforms, and the JWTs corta signs with it
(deep-linking responses, client assertions for grade passback)."""

import json
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from jwt.algorithms import RSAAlgorithm

from corta.app.store import Store

ALGORITHM = "RS256"


@dataclass(frozen=True)
class ToolKey:
    """The key corta signs with, and the id (kid) platforms find it under in `/lti/jwks`."""

    kid: str
    private_key: RSAPrivateKey

    @classmethod
    def from_store(cls, store: Store) -> "ToolKey":
        """The store's tool key (made on first use)."""
        kid, pem = store.tool_key()
        private_key = load_pem_private_key(pem.encode(), password=None)
        assert isinstance(private_key, RSAPrivateKey), "the store's tool key is RSA"
        return cls(kid, private_key)

    def jwks(self) -> dict[str, Any]:
        """The public key set platforms verify corta's JWTs against."""
        public = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [public | {"kid": self.kid, "alg": ALGORITHM, "use": "sig"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        """`claims` as a JWT signed with this key (RS256, the kid in the header)."""
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})
