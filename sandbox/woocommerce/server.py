"""Serve the sandbox over HTTP (Werkzeug's threaded server)."""

from __future__ import annotations

from werkzeug.serving import make_server

from .. import serving
from .app import SandboxApp, create_app


def start_in_thread(
    port: int = 0,
    host: str = "127.0.0.1",
    settings: dict | None = None,
    app: SandboxApp | None = None,
    quiet: bool = True,
):
    """Start a server in a daemon thread → ``(server, base_url)``; ``server.app`` is the app.

    Stop it with ``server.shutdown()``.
    """
    return serving.start_in_thread(
        app or create_app(settings), name="wc-sandbox", port=port, host=host, quiet=quiet
    )


def serve(
    host: str = "127.0.0.1", port: int = 8102, settings: dict | None = None, app: SandboxApp | None = None
) -> None:
    app = app or create_app(settings)
    server = make_server(host, port, app, threaded=True)
    server.daemon_threads = True
    server.serve_forever()
