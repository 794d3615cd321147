"""How the API tests reach the app: services over a stub LLM and a private store, a test client calling from this
machine, and a real uvicorn server on 127.0.0.1 for OpenAI's client and concurrent streams."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from corta.agents.tutor.agent import Tutor
from corta.app.services import AgentServices
from corta.app.store import Store
from corta.config import Settings
from corta.models.runtime.endpoint import Endpoint
from tests.agents.tutor.scripted import FixedRetriever

INSTANCE = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "routing" / "routbench" / "instance data_25.txt"
)
"""A RoutBench instance (25 customers, Solomon format), read from the shared data folder beside the repository."""
LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.7", 50000)


def services_on(base_url: str, model: str, tmp_path: Path) -> AgentServices:
    """Services on the LLM at `base_url` with a private store; the tutor on a fixed retriever."""
    services = AgentServices(
        Settings(cache_dir=tmp_path / "cache"),
        Endpoint(base_url, model, engine="url"),
        Store(tmp_path / "s.sqlite"),
    )
    services.tutor = Tutor(services.llm, FixedRetriever(), services.store.checkpointer())
    return services


def local_client(app: FastAPI, **options: object) -> TestClient:
    """A client calling from this machine (loopback)."""
    return TestClient(app, client=LOCAL, **options)  # type: ignore[arg-type]


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """The app on uvicorn at 127.0.0.1 on a free port, in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
