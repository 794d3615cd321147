"""`corta serve` as people run it: a separate process on a knowledge base built from a course folder and a scripted
LLM; killed outright and started again on the same cache, it continues a conversation with its history. And
`corta keys`: create (the secret once), list, revoke."""

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from corta.commands.serve import keys_app
from tests.agents.tutor.scripted import Script
from tests.helpers.serving import free_port, wait_until_healthy
from tests.helpers.stub_openai_server import StubServer

COURSE = {
    "functions.md": "# Functions\n\n## Default argument values\n\nA parameter can have a default value: "
    "`def greet(name, greeting='Hello')`. Defaults are evaluated once, when the function is defined.\n",
    "lists.md": "# Lists\n\n## Appending\n\n`items.append(x)` adds x at the end of the list `items`.\n",
}
SERVE = "from corta.cli import app; app()"


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base built by `corta index build` from a two-file course folder."""
    folder = tmp_path_factory.mktemp("course")
    for name, text in COURSE.items():
        (folder / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "CORTA_INDEX_DIR": str(folder / "index"), "CORTA_CACHE_DIR": str(folder / "cache")}
    built = subprocess.run(
        [sys.executable, "-m", "corta.cli", "index", "build", "--source", f"course={folder}"],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    return folder / "index"


@contextmanager
def corta_serve(port: int, model: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """`corta serve` in its own process, once /healthz answers; killed (SIGKILL) when the block ends."""
    with log.open("a") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--port", str(port), "--model", model],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}/healthz", log)
        yield process
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


def test_a_conversation_continues_with_its_history_after_the_server_is_killed(
    knowledge_base: Path, tmp_path: Path
):
    script = Script()
    env = {**os.environ, "CORTA_CACHE_DIR": str(tmp_path / "cache"), "CORTA_INDEX_DIR": str(knowledge_base)}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with StubServer(responder=script) as stub:
        with corta_serve(port, stub.base_url, env, tmp_path / "serve.log"):
            first = httpx.post(
                f"{url}/api/tutor/ask", json={"message": "What is a default argument?"}, timeout=300
            )
            assert first.status_code == 200, first.text
        conversation = first.json()["conversation"]
        with corta_serve(port, stub.base_url, env, tmp_path / "serve.log"):
            second = httpx.post(
                f"{url}/api/tutor/ask",
                json={"message": "And a keyword argument?", "conversation": conversation},
                timeout=300,
            )
            history = httpx.get(f"{url}/api/conversations/{conversation}", timeout=30).json()
    assert second.status_code == 200 and second.json()["conversation"] == conversation
    assert "functions.md" in first.json()["sources"][0]["path"]
    assert [(m["role"], m["content"]) for m in history["messages"]][::2] == [
        ("user", "What is a default argument?"),
        ("user", "And a keyword argument?"),
    ]
    # The restarted tutor read the earlier turn from the store and gave it to the model.
    assert "Learner: What is a default argument?" in script.prompts_of("draft")[-1]


def test_keys_are_created_once_listed_without_secrets_and_revoked(tmp_path: Path):
    cli = typer.Typer()
    cli.add_typer(keys_app, name="keys")
    runner, env = CliRunner(), {"CORTA_CACHE_DIR": str(tmp_path / "cache")}
    created = runner.invoke(cli, ["keys", "create", "notebook", "--json"], env=env)
    key = json.loads(created.stdout)
    listed = runner.invoke(cli, ["keys", "list", "--json"], env=env)
    revoked = runner.invoke(cli, ["keys", "revoke", key["id"]], env=env)
    again = runner.invoke(cli, ["keys", "revoke", key["id"]], env=env)
    after = json.loads(runner.invoke(cli, ["keys", "list", "--json"], env=env).stdout)
    assert created.exit_code == 0 and key["name"] == "notebook" and key["key"].startswith("corta-")
    assert key["key"] not in listed.stdout and json.loads(listed.stdout)[0]["id"] == key["id"]
    assert revoked.exit_code == 0 and after[0]["revoked"] is not None
    assert again.exit_code == 1 and f"There is no live key '{key['id']}'." in again.stderr
