"""Test helpers: a running sandbox with a small client, and an HTTP receiver.

Reusable by the WooCommerce client tests::

    with running_sandbox({"seed": {"products": 20, "orders": 5}}) as sb:
        key = sb.key("read_write")
        r = sb.get("/products", key)

    with Receiver() as rx:           # webhook delivery_url / wc-auth callback_url
        ...; rx.wait_for(1)
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from .server import start_in_thread

API = "/wp-json/wc/v3"


class Sandbox:
    def __init__(self, settings: dict | None = None):
        self.server, self.url = start_in_thread(0, settings=settings)
        self.app = self.server.app
        self.state = self.app.state
        self.http = requests.Session()

    # control API
    def control(self, method: str, path: str, json_body: Any = None, **kw: Any) -> Any:
        r = self.http.request(method, f"{self.url}/_sandbox{path}", json=json_body, timeout=30, **kw)
        assert r.status_code < 400, f"control {method} {path}: {r.status_code} {r.text[:300]}"
        return r.json()

    def reset(self, seed: Any = None, **settings: Any) -> None:
        body: dict = {"seed": seed}
        if settings:
            body["settings"] = settings
        self.control("POST", "/reset", body)

    def key(self, permissions: str = "read_write") -> tuple[str, str]:
        k = self.control("POST", "/keys", {"permissions": permissions})
        return k["consumer_key"], k["consumer_secret"]

    def requests_log(self, **params: Any) -> list[dict]:
        return self.control("GET", "/requests", params=params)

    def wait_webhooks(self, timeout: float = 10) -> None:
        assert self.app.dispatcher.wait_idle(timeout), "webhook deliveries still pending"

    # REST API
    def api(self, method: str, path: str, key: tuple[str, str] | None = None, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 30)
        return self.http.request(method, f"{self.url}{API}{path}", auth=key, **kw)

    def get(self, path: str, key=None, **kw: Any) -> requests.Response:
        return self.api("GET", path, key, **kw)

    def post(self, path: str, key=None, **kw: Any) -> requests.Response:
        return self.api("POST", path, key, **kw)

    def put(self, path: str, key=None, **kw: Any) -> requests.Response:
        return self.api("PUT", path, key, **kw)

    def delete(self, path: str, key=None, **kw: Any) -> requests.Response:
        return self.api("DELETE", path, key, **kw)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def running_sandbox(settings: dict | None = None) -> Iterator[Sandbox]:
    sb = Sandbox(settings)
    try:
        yield sb
    finally:
        sb.close()


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes
    time: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A tiny HTTP server recording every request; answers ``statuses`` in turn (last one repeats)."""

    def __init__(self, statuses: list[int] | int = 200, body: bytes = b"ok"):
        self.received: list[Received] = []
        self.statuses = [statuses] if isinstance(statuses, int) else list(statuses)
        self.body = body
        self.cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                with outer.cond:
                    outer.received.append(Received(self.command, self.path, dict(self.headers.items()), data))
                    n = len(outer.received)
                    status = outer.statuses[min(n - 1, len(outer.statuses) - 1)]
                    outer.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            do_POST = do_GET = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Received]:
        end = time.monotonic() + timeout
        with self.cond:
            while len(self.received) < n:
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {n} requests, got {len(self.received)}")
                self.cond.wait(left)
            return list(self.received)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
