"""Serve the sandbox over HTTP (Werkzeug's threaded server)."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import SandboxApp, create_app


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # no access log lines
        pass

    def log_error(self, *args: Any, **kwargs: Any) -> None:
        pass


def start_in_thread(
    port: int = 0,
    host: str = "127.0.0.1",
    settings: dict | None = None,
    app: SandboxApp | None = None,
    quiet: bool = True,
) -> tuple[Any, str]:
    """Start a server in a daemon thread → ``(server, base_url)``; ``server.app`` is the app."""
    app = app or create_app(settings)
    server = make_server(host, port, app, threaded=True, request_handler=QuietHandler if quiet else None)
    server.daemon_threads = True
    base_url = f"http://{host}:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, name=f"shopify-sandbox-{server.server_port}", daemon=True
    )
    thread.start()
    server.thread = thread  # type: ignore[attr-defined]
    return server, base_url
