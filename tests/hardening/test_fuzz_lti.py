"""Fuzzing the LTI launch's id_token: random strings, valid headers with garbage payloads, truncated signatures, the
`none` and HS256 algorithms, and tokens the platform signs with random or huge claims; only `LtiError` escapes
`validate_launch`."""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from corta.app.lti import claims
from corta.app.lti.errors import LtiError
from corta.app.lti.jwks import PlatformKeys
from corta.app.lti.launch import validate_launch
from corta.app.lti.login import start_login
from corta.app.store import Store
from tests.hardening.fuzzing import edited, fuzz_settings, json_values, only, scalars
from tests.helpers.lti_platform import LtiPlatform

TARGET = "lti"
CLAIMS = ["iss", "aud", "sub", "iat", "exp", "nonce", "azp", claims.DEPLOYMENT_ID, claims.MESSAGE_TYPE,
          claims.VERSION, claims.ROLES, claims.CONTEXT, claims.CUSTOM, claims.RESOURCE_LINK,
          claims.DEEP_LINKING_SETTINGS]  # fmt: skip
B64 = st.sampled_from("ABCxyz0189-_.=")


@dataclass
class Tool:
    store: Store
    keys: PlatformKeys
    platform: LtiPlatform

    def login(self) -> tuple[str, str]:
        """A fresh login's state and nonce."""
        url = start_login(self.store, self.platform.login_params(), "http://testserver/lti/launch")
        query = parse_qs(urlsplit(url).query)
        return query["state"][0], query["nonce"][0]


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tool]:
    store = Store(tmp_path_factory.mktemp("fuzz-lti") / "s.sqlite")
    with LtiPlatform() as platform, httpx.Client(timeout=10) as client:
        platform.registration().save(store)
        yield Tool(store, PlatformKeys(client), platform)
    store.close()


def _segment(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@st.composite
def forged(draw: st.DrawFn) -> str:
    """A token the platform did not sign: random text, a header with a garbage payload, or `none`/HS256."""
    header = draw(
        st.fixed_dictionaries({"alg": st.sampled_from(["RS256", "none", "HS256", "rs256", ""]) | scalars})
        | st.fixed_dictionaries({"alg": st.just("RS256"), "kid": st.just("platform-key-1") | scalars})
        | json_values
    )
    payload = draw(
        st.binary(max_size=40).map(_segment) | json_values.map(_segment) | st.text(B64, max_size=40)
    )
    signature = draw(st.text(B64, max_size=60))
    kind = draw(st.sampled_from(["jwt", "text", "parts"]))
    if kind == "text":
        return draw(st.text(max_size=80))
    if kind == "parts":
        return ".".join(draw(st.lists(st.text(B64, max_size=30), max_size=5)))
    return f"{_segment(header)}.{payload}.{signature}"


@fuzz_settings()
@example(token=f"{_segment({'alg': 'RS256', 'kid': None})}..")  # found: jwt.InvalidTokenError escaped
@given(token=forged())
def test_a_forged_token_is_an_lti_error(tool: Tool, token: str):
    state, _nonce = tool.login()
    with only(TARGET, LtiError):
        validate_launch(tool.store, tool.keys, token, state)
        raise AssertionError("a token the platform did not sign was accepted")


@fuzz_settings()
@example(changes={"exp": 10**400}, drop=[], cut=0)  # found: float(exp) raised OverflowError
@given(
    changes=st.dictionaries(
        st.sampled_from(CLAIMS), json_values | st.integers(-(10**20), 10**400), max_size=3
    ),
    drop=st.lists(st.sampled_from(CLAIMS), max_size=2),
    cut=st.integers(0, 3),
)
def test_a_signed_token_with_random_claims_launches_or_is_an_lti_error(
    tool: Tool, changes: dict[str, Any], drop: list[str], cut: int
):
    state, nonce = tool.login()
    try:
        token = tool.platform.id_token(nonce, drop=tuple(drop), **changes)
    except (TypeError, ValueError, OverflowError):
        return  # PyJWT cannot encode these claims (iat or exp not a number): no token to send
    token = token[: len(token) - cut]
    with only(TARGET, LtiError):
        launch = validate_launch(tool.store, tool.keys, token, state)
        assert launch.deployment_id == tool.platform.deployment_id and cut == 0


@fuzz_settings(share=0.5)
@given(data=st.data())
def test_an_edited_signed_token_is_an_lti_error(tool: Tool, data: st.DataObject):
    state, nonce = tool.login()
    token = tool.platform.id_token(nonce)
    bad = data.draw(edited(token, B64).filter(lambda text: text != token))
    with only(TARGET, LtiError):
        validate_launch(tool.store, tool.keys, bad, state)
        raise AssertionError("an edited token was accepted")


def test_the_fuzzed_launch_accepts_an_untouched_token(tool: Tool):
    state, nonce = tool.login()
    assert validate_launch(tool.store, tool.keys, tool.platform.id_token(nonce), state).roles
