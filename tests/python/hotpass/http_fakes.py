"""Small real HTTP servers on 127.0.0.1 that stand in for services which cannot run here.

``FakeLakeFS`` answers the three lakeFS REST calls ``hotpass doctor`` makes (health check,
current user, get repository) with the status codes and JSON shapes of lakeFS's OpenAPI spec,
so the real ``lakefs_sdk`` client is exercised end to end over a socket. It does NOT prove that
a real lakeFS server accepts these credentials, that its auth model (policies, groups) grants
access, or anything about objects, branches or commits.

``FakeMLflow`` answers only ``GET /health``; it does not prove the tracking API works.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeLakeFS:
    access_key_id: str
    secret_access_key: str
    repositories: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def respond(self, path: str, authorization: str | None) -> tuple[int, dict[str, object] | None]:
        self.requests.append(path)
        if path == "/api/v1/healthcheck":
            return 204, None
        expected = base64.b64encode(
            f"{self.access_key_id}:{self.secret_access_key}".encode()
        ).decode()
        if authorization != f"Basic {expected}":
            return 401, {"message": "error authenticating request"}
        if path == "/api/v1/user":
            return 200, {"user": {"id": "doctor-test", "creation_date": 0}}
        prefix = "/api/v1/repositories/"
        if path.startswith(prefix):
            name = path[len(prefix) :]
            if name in self.repositories:
                return 200, {
                    "id": name,
                    "creation_date": 0,
                    "default_branch": "main",
                    "storage_namespace": f"local://{name}",
                }
            return 404, {"message": "repository not found"}
        return 404, {"message": "not found"}


@dataclass
class FakeMLflow:
    healthy: bool = True

    def respond(self, path: str, authorization: str | None) -> tuple[int, dict[str, object] | None]:
        if path == "/health":
            return (200, None) if self.healthy else (503, {"message": "unhealthy"})
        return 404, None


@contextmanager
def serve(app: FakeLakeFS | FakeMLflow) -> Iterator[str]:
    """Serve ``app`` on an ephemeral 127.0.0.1 port; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = app.respond(self.path.split("?")[0], self.headers.get("Authorization"))
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serve_handler(Handler) as url:
        yield url


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on an ephemeral 127.0.0.1 port in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
