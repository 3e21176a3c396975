"""How every sandbox runs in-process: its WSGI app on Werkzeug's threaded server, in a daemon thread.

The eAccounting, WooCommerce and Shopify sandboxes each wrap this with their own defaults (app factory,
thread name); tests and `make demo` stop a server with ``server.shutdown()``.
"""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """No access or error log lines: a test run would print one per request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log_error(self, *args: Any, **kwargs: Any) -> None:
        pass


def start_in_thread(app: Any, *, name: str, port: int = 0, host: str = "127.0.0.1", quiet: bool = True):
    """Serve `app` in a daemon thread → ``(server, base_url)``; ``server.app`` is the app."""
    server = make_server(host, port, app, threaded=True, request_handler=QuietHandler if quiet else None)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"{name}-{server.server_port}", daemon=True)
    thread.start()
    server.thread = thread  # type: ignore[attr-defined]
    return server, f"http://{host}:{server.server_port}"
