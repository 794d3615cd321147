"""A self-made LTI 1.3 platform for tests: its own RSA keys and JWKS, served with its token and score endpoints by a
small HTTP server on 127.0.0.1 (so the tool's real HTTP client talks to it), and id_tokens it signs for learner
launches and instructor deep-linking launches, with knobs to forge, expire, readdress and replay them.

Its authorization endpoint answers a browser's OIDC request as a platform does, by auto-posting the signed id_token to
the tool (`next_launch` chooses which). It records what it received: JWKS fetches, token requests (after checking the tool's client assertion against the
tool's JWKS it was given) and scores (with the bearer token they came with).
"""

import functools
import json
import secrets
import time
import uuid
from html import escape
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from corta.app.lti import claims
from corta.app.lti.platform import Platform
from tests.helpers.http_stub import JsonHandler, ThreadedStub

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def first_key() -> rsa.RSAPrivateKey:
    """The key every platform starts with (made once: key generation is slow)."""
    return new_key()


class LtiPlatform(ThreadedStub):
    """A platform at http://127.0.0.1:PORT whose issuer is that address; use it as a context manager."""

    def __init__(self, client_id: str = "corta-client", deployment_id: str = "deployment-1") -> None:
        self.client_id, self.deployment_id = client_id, deployment_id
        self.kid, self.key = "platform-key-1", first_key()
        self.published: dict[str, rsa.RSAPrivateKey] = {self.kid: self.key}
        self.tool_jwks: dict[str, Any] | None = None
        self.jwks_fetches = 0
        self.token_requests: list[dict[str, str]] = []
        self.scores: list[dict[str, Any]] = []
        self.access_tokens: set[str] = set()
        self.refuse_tokens = False
        self.next_launch: dict[str, Any] = {}
        """Knobs of the id_token the authorization endpoint signs next (as `id_token` takes them)."""
        platform = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                if self.path == "/jwks":
                    platform.jwks_fetches += 1
                    self._send(200, platform.jwks())
                elif urlsplit(self.path).path == "/auth":
                    query = {name: values[0] for name, values in parse_qs(urlsplit(self.path).query).items()}
                    page = platform.authorize(query).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                path = urlsplit(self.path).path
                if path == "/token":
                    form = {name: values[0] for name, values in parse_qs(body).items()}
                    platform.token_requests.append(form)
                    self._send(*platform.grant(form))
                elif path.startswith("/lineitems/") and path.endswith("/scores"):
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    platform.scores.append({
                        "path": self.path, "bearer": bearer, "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(body),
                    })  # fmt: skip
                    self._send(200 if bearer in platform.access_tokens else 401, {})
                else:
                    self._send(404, {"error": "not found"})

        self._serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler), poll_interval_s=0.05)
        self.issuer = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    # What the tool is told about the platform

    def registration(self, **changes: Any) -> Platform:
        """The platform as an administrator registers it with corta (`changes` override fields)."""
        fields: dict[str, Any] = {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.issuer + "/auth",
            "auth_token_url": self.issuer + "/token",
            "jwks_url": self.issuer + "/jwks",
            "deployment_ids": [self.deployment_id],
        }
        return Platform.model_validate(fields | changes)

    def jwks(self) -> dict[str, Any]:
        """The platform's published public keys."""
        keys = [
            json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": kid, "alg": "RS256", "use": "sig"}
            for kid, key in self.published.items()
        ]
        return {"keys": keys}

    def rotate_key(self) -> None:
        """Publish a new key (and drop the old one), as platforms do from time to time."""
        self.kid, self.key = f"platform-key-{uuid.uuid4().hex[:6]}", new_key()
        self.published = {self.kid: self.key}

    # Messages

    def login_params(self, **changes: str) -> dict[str, str]:
        """A third-party login initiation for a learner's launch."""
        params = {
            "iss": self.issuer,
            "login_hint": "user-42",
            "target_link_uri": "http://testserver/lti/launch",
            "lti_message_hint": "link-7",
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        return params | changes

    def id_token(
        self,
        nonce: str,
        message_type: str = claims.RESOURCE_LINK_REQUEST,
        roles: tuple[str, ...] = (LEARNER,),
        custom: dict[str, str] | None = None,
        grades: bool = True,
        lifetime_s: int = 300,
        issued_at: float | None = None,
        signing_key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        algorithm: str = "RS256",
        drop: tuple[str, ...] = (),
        **changes: Any,
    ) -> str:
        """A signed id_token for a launch: a resource link (learner) or deep linking (pass INSTRUCTOR in roles).

        Knobs: `signing_key` (forge with another key), `kid`, `lifetime_s` and `issued_at` (expire it),
        `changes` (override any claim: aud, iss, azp, …) and `drop` (leave claims out).
        """
        now = time.time() if issued_at is None else issued_at
        token: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "user-42",
            "name": "Ada Lovelace",
            "iat": int(now),
            "exp": int(now + lifetime_s),
            "nonce": nonce,
            claims.DEPLOYMENT_ID: self.deployment_id,
            claims.MESSAGE_TYPE: message_type,
            claims.VERSION: "1.3.0",
            claims.ROLES: list(roles),
            claims.TARGET_LINK_URI: "http://testserver/lti/launch",
            claims.CONTEXT: {"id": "course-101", "label": "PY101", "title": "Python 101"},
        }
        if message_type == claims.RESOURCE_LINK_REQUEST:
            token[claims.RESOURCE_LINK] = {"id": "link-7", "title": "Ask Molly"}
            if custom is not None:
                token[claims.CUSTOM] = custom
            if grades:
                token[claims.AGS_ENDPOINT] = {
                    "scope": [claims.AGS_SCORE_SCOPE],
                    "lineitems": self.issuer + "/lineitems",
                    "lineitem": self.issuer + "/lineitems/1?course=101",
                }
        else:
            token[claims.DEEP_LINKING_SETTINGS] = {
                "deep_link_return_url": self.issuer + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        token |= changes
        for name in drop:
            token.pop(name, None)
        if algorithm == "HS256":
            return jwt.encode(
                token, "a-shared-secret-of-32-bytes-or-more", algorithm="HS256", headers={"kid": self.kid}
            )
        return jwt.encode(
            token, signing_key or self.key, algorithm=algorithm, headers={"kid": kid or self.kid}
        )

    # The authorization endpoint

    def authorize(self, query: dict[str, str]) -> str:
        """The page a platform answers an OIDC authorization request with: the signed id_token (with the request's
        nonce, made from `next_launch`) auto-posted with the state to the tool's redirect_uri."""
        id_token = self.id_token(query["nonce"], **self.next_launch)
        return (
            f'<!doctype html><html><body><form id="launch" method="post" action="{escape(query["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{escape(id_token)}">'
            f'<input type="hidden" name="state" value="{escape(query["state"])}"></form>'
            '<script>document.getElementById("launch").submit();</script></body></html>'
        )

    # The token endpoint

    def grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer a client-credentials request: a token only for a client assertion the tool's key signed."""
        if self.refuse_tokens or self.tool_jwks is None:
            return 401, {"error": "invalid_client"}
        try:
            header = jwt.get_unverified_header(form["client_assertion"])
            key = jwt.PyJWKSet.from_dict(self.tool_jwks)[header["kid"]]
            assertion = jwt.decode(
                form["client_assertion"], key, algorithms=["RS256"], audience=self.issuer + "/token"
            )
        except (KeyError, jwt.PyJWTError):
            return 401, {"error": "invalid_client"}
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            or assertion.get("iss") != self.client_id
            or assertion.get("sub") != self.client_id
        ):
            return 400, {"error": "invalid_request"}
        token = secrets.token_urlsafe(16)
        self.access_tokens.add(token)
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form.get("scope"),
        }
