"""The platforms' public keys: fetched from each platform's JWKS URL, cached, and fetched again once when a token
names a key the cache does not hold (platforms rotate their keys)."""

import threading

import httpx
import jwt

from corta.app.lti.errors import LtiError


class PlatformKeys:
    """A cache of JWKS by URL, filled through `client`."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._sets: dict[str, dict[str, jwt.PyJWK]] = {}
        self._lock = threading.Lock()

    def key(self, jwks_url: str, kid: str) -> jwt.PyJWK:
        """The platform's key `kid`.

        Raises
        ------
        LtiError
            401 when the platform publishes no such key, even after a fresh fetch; 502 when its JWKS cannot be read.
        """
        with self._lock:
            cached = self._sets.get(jwks_url, {})
        if kid in cached:
            return cached[kid]
        fresh = self._fetch(jwks_url)
        with self._lock:
            self._sets[jwks_url] = fresh
        if kid not in fresh:
            raise LtiError(
                401, f"The platform publishes no key {kid!r} at {jwks_url}: the token is not its own."
            )
        return fresh[kid]

    def _fetch(self, jwks_url: str) -> dict[str, jwt.PyJWK]:
        try:
            response = self.client.get(jwks_url)
        except httpx.HTTPError as error:
            raise LtiError(502, f"Cannot reach the platform's keys at {jwks_url}: {error}.") from None
        if not response.is_success:
            raise LtiError(
                502, f"Cannot read the platform's keys at {jwks_url} (HTTP {response.status_code})."
            )
        try:
            document = response.json()
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
            key_set = jwt.PyJWKSet.from_dict(document)
        except (ValueError, jwt.PyJWTError) as error:
            raise LtiError(502, f"The platform's keys at {jwks_url} are not a JWKS: {error}.") from None
        return {key.key_id: key for key in key_set.keys if key.key_id}
