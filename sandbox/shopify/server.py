"""Serve the sandbox over HTTP (Werkzeug's threaded server)."""

from __future__ import annotations

from typing import Any

from .. import serving
from .app import SandboxApp, create_app
from .multishop import MultiShopApp


def start_in_thread(
    port: int = 0,
    host: str = "127.0.0.1",
    settings: dict | None = None,
    app: SandboxApp | MultiShopApp | None = None,
    quiet: bool = True,
) -> tuple[Any, str]:
    """Start a server in a daemon thread → ``(server, base_url)``; ``server.app`` is the app
    (a ``MultiShopApp`` for many stores)."""
    return serving.start_in_thread(
        app or create_app(settings), name="shopify-sandbox", port=port, host=host, quiet=quiet
    )
