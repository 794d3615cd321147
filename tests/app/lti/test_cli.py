"""`corta lti`: platforms registered, listed and used by the tool; the configuration printed for administrators;
bad registrations refused with one sentence."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corta.app.lti.platform import Platform
from corta.app.store import Store
from corta.commands.lti import lti_app
from corta.config import Settings

runner = CliRunner()

REGISTRATION = [
    "add-platform",
    "--issuer", "https://moodle.example.edu",
    "--client-id", "abc123",
    "--auth-login-url", "https://moodle.example.edu/mod/lti/auth.php",
    "--auth-token-url", "https://moodle.example.edu/mod/lti/token.php",
    "--jwks-url", "https://moodle.example.edu/mod/lti/certs.php",
    "--deployment-id", "1",
    "--deployment-id", "2",
]  # fmt: skip


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CORTA_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_registered_platform_is_listed_and_kept_in_the_store(cache: Path):
    added = runner.invoke(lti_app, [*REGISTRATION, "--mode", "hint", "--kb", "python-docs", "--iframe"])
    assert added.exit_code == 0, added.output
    assert (
        "registered https://moodle.example.edu (client id abc123): deployments 1, 2; hints only"
        in added.output
    )
    listed = runner.invoke(lti_app, ["platforms", "--json"])
    [platform] = json.loads(listed.stdout)
    assert platform["deployment_ids"] == ["1", "2"]
    assert platform["defaults"] == {"mode": "hint", "kb": "python-docs", "iframe": True}
    assert platform["frame_origins"] == ["https://moodle.example.edu"]
    store = Store.open(Settings(cache_dir=cache))
    assert Platform.load(store, "https://moodle.example.edu", "abc123").auth_token_url.endswith("token.php")
    store.close()
    assert "https://moodle.example.edu  client id abc123" in runner.invoke(lti_app, ["platforms"]).output


def test_no_platform_yet_says_how_to_add_one(cache: Path):
    result = runner.invoke(lti_app, ["platforms"])
    assert result.exit_code == 0 and "corta lti add-platform" in result.output


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (["--jwks-url", "ftp://moodle.example.edu/certs"], "--jwks-url is invalid: 'ftp://"),
        (["--mode", "solve"], "--mode is invalid"),
        (["--kb", "../etc"], "--kb is invalid"),
        (["--frame-origin", "https://school.example.edu/path"], "--frame-origin is invalid: 'https://school"),
    ],
)
def test_a_bad_registration_is_one_sentence(cache: Path, change: list[str], words: str):
    result = runner.invoke(lti_app, [*REGISTRATION, *change])
    assert result.exit_code == 1 and f"error: {words}" in result.output
    assert "Traceback" not in result.output
    assert json.loads(runner.invoke(lti_app, ["platforms", "--json"]).stdout) == []


def test_the_tool_configuration_names_every_url(cache: Path):
    result = runner.invoke(lti_app, ["tool-config", "--base-url", "https://corta.example.edu/"])
    assert result.exit_code == 0
    config = json.loads(result.stdout)
    assert config["oidc_initiation_url"] == "https://corta.example.edu/lti/login"
    assert config["redirect_uris"] == ["https://corta.example.edu/lti/launch"]
    assert config["target_link_uri"] == config["deep_linking_url"] == "https://corta.example.edu/lti/launch"
    assert config["public_jwk_url"] == "https://corta.example.edu/lti/jwks"
    assert runner.invoke(lti_app, ["tool-config", "--base-url", "corta.example.edu"]).exit_code == 1
