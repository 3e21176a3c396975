"""Runtime fault switches for the REST API (never applied to /_sandbox/ or /wc-auth/).

Config keys (set with POST /_sandbox/faults, or ``create_app({"faults": {...}})``):

- ``latency_ms`` (int), ``latency_jitter_ms`` (int): added delay per request;
- ``error_rate`` (0..1) with ``error_statuses`` (default [500, 503]) and ``seed``: a seeded
  share of requests answered with a server error before they are processed;
- ``fail_next`` (int) with ``fail_status`` (default 500): the next N requests fail so;
- ``drop_after_write_rate`` (0..1) / ``drop_next_writes`` (int): after a write (POST/PUT/PATCH/
  DELETE) has been committed, the connection is closed without an answer;
- ``rate_limit_burst`` (int) with ``rate_limit_retry_after`` (seconds, default 1): the next N
  requests get 429 Too Many Requests with Retry-After;
- ``paths`` (list of path prefixes, default ["/wp-json/"]) limits where faults apply.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from typing import Any

from werkzeug.wrappers import Request, Response

DEFAULTS: dict[str, Any] = {
    "latency_ms": 0,
    "latency_jitter_ms": 0,
    "error_rate": 0.0,
    "error_statuses": [500, 503],
    "seed": 0,
    "fail_next": 0,
    "fail_status": 500,
    "drop_after_write_rate": 0.0,
    "drop_next_writes": 0,
    "rate_limit_burst": 0,
    "rate_limit_retry_after": 1,
    "paths": ["/wp-json/"],
}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class Faults:
    def __init__(self, config: dict | None = None, counters=None):
        self.lock = threading.Lock()
        self.counters = counters  # a Counter shared with the state (optional)
        self.reset(config)

    def reset(self, config: dict | None = None) -> dict:
        with self.lock:
            self.config = dict(DEFAULTS)
            self._rng = random.Random(0)
        return self.update(config or {})

    def update(self, changes: dict) -> dict:
        unknown = set(changes) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown fault switches: {sorted(unknown)}")
        with self.lock:
            self.config.update(changes)
            if "seed" in changes:
                self._rng = random.Random(changes["seed"])
            return dict(self.config)

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.config)

    def _count(self, name: str) -> None:
        if self.counters is not None:
            self.counters["fault:" + name] += 1

    def applies(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.config["paths"])

    def before(self, request: Request) -> Response | None:
        """Delay, then maybe answer instead of the API (429 / 5xx)."""
        if not self.applies(request.path):
            return None
        with self.lock:
            c = self.config
            delay = c["latency_ms"] + (
                self._rng.randrange(c["latency_jitter_ms"] + 1) if c["latency_jitter_ms"] else 0
            )
            status = None
            if c["rate_limit_burst"] > 0:
                c["rate_limit_burst"] -= 1
                status = 429
            elif c["fail_next"] > 0:
                c["fail_next"] -= 1
                status = int(c["fail_status"])
            elif c["error_rate"] and self._rng.random() < c["error_rate"]:
                status = int(self._rng.choice(c["error_statuses"]))
            retry_after = c["rate_limit_retry_after"]
        if delay:
            self._count("latency")
            time.sleep(delay / 1000.0)
        if status is None:
            return None
        self._count(str(status))
        return error_response(status, retry_after)

    def drop_after_write(self, request: Request) -> bool:
        if request.method not in WRITE_METHODS or not self.applies(request.path):
            return False
        with self.lock:
            c = self.config
            if c["drop_next_writes"] > 0:
                c["drop_next_writes"] -= 1
                drop = True
            else:
                drop = bool(c["drop_after_write_rate"]) and self._rng.random() < c["drop_after_write_rate"]
        if drop:
            self._count("dropped")
        return drop


def error_response(status: int, retry_after: int = 1) -> Response:
    if status == 429:
        return Response(
            "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>",
            status=429,
            headers={"Retry-After": str(retry_after)},
            content_type="text/html; charset=UTF-8",
        )
    if status == 503:
        return Response(
            "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1>"
            "<p>The server is temporarily unable to service your request.</p></body></html>",
            status=503,
            headers={"Retry-After": str(retry_after)},
            content_type="text/html; charset=UTF-8",
        )
    if status == 500:
        body = {
            "code": "internal_server_error",
            "message": "<p>There has been a critical error on this website.</p>",
            "data": {"status": 500},
            "additional_errors": [],
        }
        return Response(json.dumps(body), status=500, content_type="application/json; charset=UTF-8")
    return Response(f"Error {status}", status=status, content_type="text/plain; charset=UTF-8")


def drop_connection(environ: dict) -> None:
    """Close the client connection so no response reaches it."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
