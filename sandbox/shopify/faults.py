"""Runtime fault switches for the GraphQL endpoint (never for /_sandbox/ or /admin/oauth/).

- ``fail_next`` (int) with ``fail_status`` (default 503): the next N requests fail before running;
- ``error_rate`` (0..1) with ``seed``: a seeded share of requests fail so;
- ``drop_next_mutations`` (int): after a mutation has been committed, the connection is closed
  without an answer (a lost answer); with ``drop_mutations_of`` (root field names, e.g.
  ``["productSet"]``) only those mutations count and are dropped: "the answer to the next
  committed productSet is lost", whatever other mutations (a bulk query's start) come first.
  ``drop_mutation_rate`` (0..1): a seeded share of them so;
- ``throttle_next`` (int): the next N GraphQL requests answer THROTTLED (nothing run), as when
  other apps emptied the bucket; ``throttle_every`` (int, 0: never) starts such a burst every Nth
  request (a burst of ``throttle_burst``, default 3).
"""

from __future__ import annotations

import json
import random
import socket
import threading
from typing import Any

from werkzeug.wrappers import Response

DEFAULTS: dict[str, Any] = {
    "fail_next": 0,
    "fail_status": 503,
    "error_rate": 0.0,
    "seed": 0,
    "drop_next_mutations": 0,
    "drop_mutations_of": [],
    "drop_mutation_rate": 0.0,
    "throttle_next": 0,
    "throttle_every": 0,
    "throttle_burst": 3,
}


class Faults:
    def __init__(self, config: dict | None = None):
        self.lock = threading.Lock()
        self.reset(config)

    def reset(self, config: dict | None = None) -> dict:
        with self.lock:
            self.config = dict(DEFAULTS)
            self.rng = random.Random(0)
            self.requests = 0
        return self.update(config or {})

    def update(self, changes: dict) -> dict:
        unknown = set(changes) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown fault switches: {sorted(unknown)}")
        with self.lock:
            self.config.update(changes)
            if "seed" in changes:
                self.rng = random.Random(changes["seed"])
            return dict(self.config)

    def before(self) -> Response | None:
        with self.lock:
            c = self.config
            status = None
            if c["fail_next"] > 0:
                c["fail_next"] -= 1
                status = int(c["fail_status"])
            elif c["error_rate"] and self.rng.random() < c["error_rate"]:
                status = int(c["fail_status"])
        if status is None:
            return None
        # What Shopify's 5xx bodies look like is not in the reference (docs/shopify-unknowns.md E1).
        return Response(
            json.dumps({"errors": "Service Unavailable"}),
            status=status,
            content_type="application/json; charset=utf-8",
        )

    def throttle_now(self) -> bool:
        with self.lock:
            c = self.config
            self.requests += 1
            if c["throttle_every"] and self.requests % int(c["throttle_every"]) == 0:
                c["throttle_next"] += int(c["throttle_burst"])
            if c["throttle_next"] > 0:
                c["throttle_next"] -= 1
                return True
            return False

    def drop_after_mutation(self, roots: list[str] | None = None) -> bool:
        with self.lock:
            only = self.config["drop_mutations_of"]
            if only and not set(only) & set(roots or []):
                return False
            if self.config["drop_next_mutations"] > 0:
                self.config["drop_next_mutations"] -= 1
                return True
            rate = self.config["drop_mutation_rate"]
            return bool(rate) and self.rng.random() < rate


def drop_connection(environ: dict) -> None:
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
