"""The launch: the platform posts a signed id_token back with the login's state. It is accepted only when the state
is the login's (single use), the signature verifies against the platform's JWKS, the issuer, audience, times and
nonce are right (the nonce spent once), and the deployment, version and message are ones corta serves."""

import hmac
from dataclasses import dataclass
from typing import Any

import jwt

from corta.app.lti import claims
from corta.app.lti.errors import LtiError
from corta.app.lti.jwks import PlatformKeys
from corta.app.lti.login import take_login_state
from corta.app.lti.platform import Platform
from corta.app.store import Store

LEEWAY_S = 60
"""Clock skew tolerated on exp and iat."""


@dataclass(frozen=True)
class Launch:
    """A validated launch: the platform it came from and the id_token's claims."""

    platform: Platform
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.claims[claims.MESSAGE_TYPE])

    @property
    def deployment_id(self) -> str:
        return str(self.claims[claims.DEPLOYMENT_ID])

    @property
    def context(self) -> dict[str, Any]:
        """The course the launch comes from (empty when the platform sent none)."""
        return _object(self.claims, claims.CONTEXT)

    @property
    def custom(self) -> dict[str, Any]:
        """The link's custom parameters."""
        return _object(self.claims, claims.CUSTOM)

    @property
    def roles(self) -> list[str]:
        return [role for role in self.claims.get(claims.ROLES, []) if isinstance(role, str)]


def validate_launch(store: Store, keys: PlatformKeys, id_token: str, state: str) -> Launch:
    """The launch the form post carries, once every check passed.

    Raises
    ------
    LtiError
        400 when the token or a claim is malformed or missing, 401 when the state, signature, key, issuer, audience,
        times or nonce are wrong, 403 when the platform or deployment is not registered, 502 when the platform's keys
        cannot be read.
    """
    promised = take_login_state(store, state)
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.InvalidTokenError:  # DecodeError, or a header PyJWT refuses (a kid that is not a string)
        raise LtiError(400, "The id_token is not a JWT.") from None
    if header.get("alg") != "RS256":
        raise LtiError(401, f"The id_token is signed with {header.get('alg')!r}; LTI 1.3 requires RS256.")
    if not isinstance(header.get("kid"), str):
        raise LtiError(401, "The id_token's header names no key (kid).")
    platform = Platform.load(store, promised.issuer, promised.client_id)
    if platform is None:
        raise LtiError(403, f"The platform {promised.issuer!r} is no longer registered with corta.")
    key = keys.key(platform.jwks_url, header["kid"])
    token = _decode(id_token, key, platform)
    if not hmac.compare_digest(str(token["nonce"]), promised.nonce):
        raise LtiError(401, "The id_token's nonce is not the one this login sent.")
    try:
        expires = float(token["exp"]) + LEEWAY_S
    except OverflowError:  # PyJWT accepts any integer; a float holds none beyond ~1e308
        raise LtiError(400, "The id_token's exp claim is not a time.") from None
    if not store.use_nonce(str(token["nonce"]), expires):
        raise LtiError(401, "The id_token was already used: a replayed launch is refused.")
    _check_message(token, platform)
    return Launch(platform, token)


def _decode(id_token: str, key: jwt.PyJWK, platform: Platform) -> dict[str, Any]:
    try:
        token = jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY_S,
            options={"require": ["iss", "aud", "exp", "iat", "nonce", "sub"]},
        )
    except jwt.MissingRequiredClaimError as error:
        raise LtiError(400, f"The id_token lacks the {error.claim!r} claim.") from None
    except jwt.InvalidSignatureError:
        raise LtiError(401, "The id_token's signature does not verify against the platform's key.") from None
    except jwt.ExpiredSignatureError:
        raise LtiError(401, "The id_token has expired: start again from the course.") from None
    except jwt.InvalidAudienceError:
        raise LtiError(
            401, f"The id_token is not addressed to corta's client id {platform.client_id!r}."
        ) from None
    except jwt.InvalidIssuerError:
        raise LtiError(401, f"The id_token was not issued by {platform.issuer!r}.") from None
    except (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError):
        raise LtiError(401, "The id_token is issued in the future: check the platform's clock.") from None
    except jwt.PyJWTError as error:
        raise LtiError(401, f"The id_token is not valid: {error}.") from None
    audiences = token["aud"] if isinstance(token["aud"], list) else [token["aud"]]
    if (len(audiences) > 1 or "azp" in token) and token.get("azp") != platform.client_id:
        raise LtiError(
            401, f"The id_token's authorized party (azp) is not corta's client id {platform.client_id!r}."
        )
    return token


def _check_message(token: dict[str, Any], platform: Platform) -> None:
    deployment_id = token.get(claims.DEPLOYMENT_ID)
    if not isinstance(deployment_id, str) or not deployment_id:
        raise LtiError(400, "The id_token lacks the deployment_id claim.")
    if deployment_id not in platform.deployment_ids:
        raise LtiError(
            403, f"The deployment {deployment_id!r} of {platform.issuer!r} is not registered with corta."
        )
    if token.get(claims.VERSION) != claims.LTI_VERSION:
        raise LtiError(400, f"The launch is LTI version {token.get(claims.VERSION)!r}; corta serves 1.3.0.")
    message_type = token.get(claims.MESSAGE_TYPE)
    if message_type == claims.RESOURCE_LINK_REQUEST:
        link = token.get(claims.RESOURCE_LINK)
        if not isinstance(link, dict) or not isinstance(link.get("id"), str):
            raise LtiError(400, "The resource-link launch lacks the resource_link claim with its id.")
    elif message_type == claims.DEEP_LINKING_REQUEST:
        settings = token.get(claims.DEEP_LINKING_SETTINGS)
        if not isinstance(settings, dict) or not isinstance(settings.get("deep_link_return_url"), str):
            raise LtiError(
                400, "The deep-linking launch lacks the deep_linking_settings claim with its return URL."
            )
    else:
        raise LtiError(400, f"The launch's message type {message_type!r} is not one corta serves.")
    for name in (claims.CONTEXT, claims.CUSTOM):
        if name in token and not isinstance(token[name], dict):
            raise LtiError(400, f"The launch's {name.rsplit('/', 1)[-1]} claim is not an object.")
    if claims.ROLES in token and not isinstance(token[claims.ROLES], list):
        raise LtiError(400, "The launch's roles claim is not a list.")


def _object(token: dict[str, Any], name: str) -> dict[str, Any]:
    value = token.get(name, {})
    return value if isinstance(value, dict) else {}
