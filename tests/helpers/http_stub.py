"""What the in-process HTTP stubs share: a quiet handler that answers JSON, and a server thread for a `with` block."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Self


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers JSON bodies."""

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_models(self, model: str) -> None:
        """Answer GET /v1/models with the one model served, anything else with 404, as OpenAI servers do."""
        if self.path.rstrip("/") == "/v1/models":
            self._send(200, {"object": "list", "data": [{"id": model, "owned_by": "stub"}]})
        else:
            self._send(404, {"error": {"message": "not found"}})


class ThreadedStub:
    """An HTTP server served from a daemon thread while the `with` block lasts (`_serve` sets it up)."""

    httpd: HTTPServer
    thread: threading.Thread

    def _serve(self, httpd: HTTPServer, poll_interval_s: float = 0.5) -> None:
        self.httpd = httpd
        self.thread = threading.Thread(target=httpd.serve_forever, args=(poll_interval_s,), daemon=True)

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL of the server (`http://127.0.0.1:PORT/v1`)."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
