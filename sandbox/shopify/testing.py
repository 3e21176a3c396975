"""Test helpers: a running Shopify sandbox with a small client.

with running_sandbox({"seed": {"products": 20, "orders": 5}}) as sb:
    token = sb.token()
    r = sb.graphql("{ shop { name } }", token=token)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import requests

from . import API_VERSION
from .server import start_in_thread


class Sandbox:
    def __init__(self, settings: dict | None = None):
        self.server, self.url = start_in_thread(0, settings=settings)
        self.app = self.server.app
        self.store = self.app.store
        self.http = requests.Session()
        self.graphql_url = f"{self.url}/admin/api/{API_VERSION}/graphql.json"

    def control(self, method: str, path: str, json_body: Any = None, **kw: Any) -> Any:
        r = self.http.request(method, f"{self.url}/_sandbox{path}", json=json_body, timeout=30, **kw)
        assert r.status_code < 400, f"control {method} {path}: {r.status_code} {r.text[:300]}"
        return r.json()

    def reset(self, seed: Any = None, **settings: Any) -> None:
        body: dict = {"seed": seed}
        if settings:
            body["settings"] = settings
        self.control("POST", "/reset", body)

    def token(self, scope: str | None = None) -> str:
        return str(self.control("POST", "/tokens", {"scope": scope} if scope else {})["access_token"])

    def requests_log(self, since: int = 0) -> list[dict]:
        return list(self.control("GET", "/requests", params={"since": since}))

    def graphql(
        self, query: str, variables: dict | None = None, *, token: str | None, **kw: Any
    ) -> requests.Response:
        headers = {"X-Shopify-Access-Token": token} if token is not None else {}
        return self.http.post(
            self.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
            **kw,
        )

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
