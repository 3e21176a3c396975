"""The probe's HTTP: plain requests with the connection's token (no shared budget, no retries: the
probe wants to see eAccounting's own answers), each kept with secrets masked, and a hard bound."""

import json
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests

SECRET_KEYS = re.compile(r"token|secret|password|authorization", re.I)
KEPT_HEADERS = (
    "Content-Type",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
BODY_LIMIT = 2000
BURST_BODY_LIMIT = 300


class RequestBoundReached(Exception):
    """The probe would send more requests than it promised."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    text: str

    @property
    def ok(self) -> bool:
        return self.status < 400


def mask(value: Any) -> Any:
    """Tokens, secrets and passwords replaced by "***", however deep in a JSON value."""
    if isinstance(value, dict):
        return {k: "***" if SECRET_KEYS.search(str(k)) and v else mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def _mask_text(text: str) -> str:
    return re.sub(r"(?i)(bearer\s+)\S+", r"\1***", text)


@dataclass
class Recorder:
    base_url: str
    token: str
    max_requests: int
    timeout: float = 30.0
    exchanges: list[dict] = field(default_factory=list)
    on_request: Callable[[int], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def count(self) -> int:
        return len(self.exchanges)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        body: Any = None,
        token: str | None = None,
        note: str = "",
        burst: bool = False,
    ) -> Answer:
        with self._lock:
            if len(self.exchanges) >= self.max_requests:
                raise RequestBoundReached(f"the probe stopped at its bound of {self.max_requests} requests")
            entry: dict[str, Any] = {"n": len(self.exchanges) + 1}
            self.exchanges.append(entry)
        url = self.base_url.rstrip("/") + path + (f"?{urlencode(params)}" if params else "")
        started = time.monotonic()
        entry.update(
            {
                "method": method,
                "url": url,
                "note": note,
                "request_headers": {"Authorization": "Bearer ***"},
                "request_body": mask(body),
            }
        )
        try:
            response = self._session().request(
                method,
                url,
                json=body,
                timeout=self.timeout,
                headers={"Authorization": f"Bearer {token or self.token}", "Accept": "application/json"},
            )
        except requests.RequestException as exc:
            entry.update(
                {
                    "status": None,
                    "error": _mask_text(f"{exc.__class__.__name__}: {exc}"),
                    "ms": round((time.monotonic() - started) * 1000),
                }
            )
            raise
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
        shown = json.dumps(mask(parsed), ensure_ascii=False) if parsed is not None else response.text
        limit = BURST_BODY_LIMIT if burst else BODY_LIMIT
        entry.update(
            {
                "status": response.status_code,
                "response_headers": headers,
                "response_body": _mask_text(shown[:limit]) + ("…" if len(shown) > limit else ""),
                "ms": round((time.monotonic() - started) * 1000),
            }
        )
        if self.on_request:
            self.on_request(self.count)
        return Answer(response.status_code, dict(response.headers), parsed, response.text)

    def burst(self, path: str, limit: int, workers: int = 8) -> list[Answer]:
        """GET `path` until the first 429, at most `limit` times, `workers` at a time."""
        answers: list[Answer] = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            while len(answers) < limit and not any(a.status == 429 for a in answers):
                wave = min(workers, limit - len(answers))
                answers += list(
                    pool.map(lambda _: self.send("GET", path, note="burst", burst=True), range(wave))
                )
        return answers
