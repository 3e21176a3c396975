"""HTTP to a WooCommerce shop's REST API v3: authentication, paging, errors, retries.

- HTTPS with HTTP Basic (consumer key / secret), or, with ``query_string_auth=True``, the
  ``consumer_key`` / ``consumer_secret`` query parameters (for servers that strip the
  Authorization header). Every call goes through the outbound policy (``integration.net``):
  public addresses only, pinned to the checked IP, no redirects followed; plain http:// only to
  hosts in ``WEBSHOP_ALLOW_HTTP_HOSTS`` (the local sandbox): refused before any network call. A real WooCommerce accepts only
  OAuth 1.0a over plain HTTP: ``oauth=True`` signs every request so (a local test shop).
- Lists are read in pages of 100 following ``X-WP-TotalPages``.
- ``{code, message, data: {status}}`` errors become typed ``WebshopError``s.
- 429, 5xx and network errors are retried with exponential backoff and jitter for reads
  and idempotent writes. A write that creates is retried only when it surely did not
  arrive (429, connection refused); otherwise ``ShopUnavailable(outcome_unknown=True)``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from integration.net import outbound
from integration.net.address_policy import AddressRefusedReason, check_url, host_of

from ..base import (
    AddressRefused,
    AuthenticationFailed,
    InsecureURL,
    ItemRejected,
    NotAShop,
    NotFound,
    ReadOnlyKey,
    ShopUnavailable,
    TLSFailure,
    WebshopError,
)

log = logging.getLogger(__name__)

API_PREFIX = "/wp-json/wc/v3"
PER_PAGE = 100
USER_AGENT = "Silta/1.0 (webshop connector)"
IDEMPOTENT_METHODS = ("GET", "HEAD", "PUT", "DELETE")
RETRY_STATUSES = (429, 500, 502, 503, 504)


def _setting(name: str, default: Any) -> Any:
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # noqa: BLE001 - usable without configured Django settings
        return default


@dataclass
class Answer:
    status: int
    headers: Any  # case-insensitive mapping
    data: Any


class WooClient:
    def __init__(
        self,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        query_string_auth: bool = False,
        oauth: bool = False,
        timeout: float | None = None,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        allow_http_hosts: list[str] | None = None,
        allow_private_hosts: list[str] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = normalize_base_url(base_url)
        self.consumer_key = consumer_key or ""
        self.consumer_secret = consumer_secret or ""
        self.query_string_auth = query_string_auth
        self.oauth = oauth
        self.timeout = float(timeout if timeout is not None else _setting("WEBSHOP_TIMEOUT", 30))
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.allow_http_hosts = (
            list(allow_http_hosts)
            if allow_http_hosts is not None
            else list(_setting("WEBSHOP_ALLOW_HTTP_HOSTS", ["127.0.0.1", "localhost"]))
        )
        self.allow_private_hosts = (
            list(allow_private_hosts)
            if allow_private_hosts is not None
            else list(_setting("WEBSHOP_ALLOW_PRIVATE_HOSTS", []))
        )
        self.policy = outbound.Policy(
            allow_http_hosts=frozenset(host_of(h) for h in self.allow_http_hosts),
            allow_private_hosts=frozenset(host_of(h) for h in self.allow_private_hosts),
        )
        self.session = session or requests.Session()
        self.session.trust_env = False  # an environment proxy would resolve the name again
        adapter = outbound.PolicyAdapter(self.policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.sleep = sleep
        self.requests_made = 0

    # ------------------------------------------------------------------ URL
    def check_url(self) -> None:
        """The address's form (scheme, user info, plain-HTTP allow-list), before any network call."""
        try:
            check_url(self.base_url, self.policy.allow_http_hosts)
        except AddressRefusedReason as exc:
            raise InsecureURL(str(exc)) from None

    def url(self, path: str) -> str:
        return self.base_url + API_PREFIX + "/" + path.lstrip("/")

    # ------------------------------------------------------------------ requests
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Answer:
        """One API call with retries; returns the parsed JSON answer or raises ``WebshopError``."""
        self.check_url()
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        params = {k: _param(v) for k, v in (params or {}).items()}
        kwargs: dict[str, Any] = {"timeout": (min(10.0, self.timeout), self.timeout)}
        if self.oauth:
            pass  # signed per attempt below (a nonce is good for one request)
        elif self.query_string_auth:
            params["consumer_key"] = self.consumer_key
            params["consumer_secret"] = self.consumer_secret
        else:
            kwargs["auth"] = (self.consumer_key, self.consumer_secret)
        if json is not None:
            kwargs["json"] = json
        url = self.url(path)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.max_attempts
            sent = (
                oauth_sign(method, url, params, self.consumer_key, self.consumer_secret)
                if self.oauth
                else params
            )
            try:
                self.requests_made += 1
                resp = self.session.request(method, url, params=sent, allow_redirects=False, **kwargs)
            except outbound.OutboundRefused as exc:
                raise AddressRefused(str(exc)) from None
            except requests.exceptions.SSLError as exc:
                raise TLSFailure(
                    f"A secure (HTTPS) connection to {self._host()} could not be established ({_tls_reason(exc)}). "
                    "Check the shop's TLS certificate: it must be valid, current and issued for this address."
                ) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                surely_not_sent = _not_sent(exc)
                if not (idempotent or surely_not_sent):
                    raise ShopUnavailable(
                        f"The connection to {self._host()} broke before the shop answered a {method} request, "
                        "so it is unknown whether the change was saved. Look the items up before trying again.",
                        outcome_unknown=True,
                    ) from None
                if last:
                    raise ShopUnavailable(
                        f"The shop at {self._host()} cannot be reached ({_kind(exc)}) after {attempt} attempts."
                    ) from None
                log.info("%s %s on %s: %s; retrying", method, path, self._host(), _kind(exc))
                self._wait(attempt, None)
                continue
            if resp.status_code in RETRY_STATUSES:
                may_retry = idempotent or resp.status_code == 429
                if may_retry and not last:
                    log.info("%s %s on %s: HTTP %s; retrying", method, path, self._host(), resp.status_code)
                    self._wait(attempt, resp.headers.get("Retry-After"))
                    continue
                raise self._unavailable(resp, attempt, outcome_unknown=not may_retry)
            return self._answer(resp)

    def get(self, path: str, params: dict | None = None) -> Any:
        return self.request("GET", path, params=params).data

    def pages(self, path: str, params: dict | None = None) -> Iterator[list]:
        """Every page of a list endpoint (per_page=100), following X-WP-TotalPages."""
        page = 1
        while True:
            p = dict(params or {}, per_page=PER_PAGE, page=page)
            ans = self.request("GET", path, params=p)
            items = ans.data if isinstance(ans.data, list) else []
            if not isinstance(ans.data, list):
                raise NotAShop(
                    f"The shop answered {path} with something that is not a list.", status=ans.status
                )
            if items:
                yield items
            total_pages = _int(ans.headers.get("X-WP-TotalPages"))
            if total_pages is None:
                if len(items) < PER_PAGE:
                    return
            elif page >= total_pages:
                return
            if not items:
                return
            page += 1

    def all(self, path: str, params: dict | None = None) -> list:
        return [item for page in self.pages(path, params) for item in page]

    # ------------------------------------------------------------------ answers
    def _answer(self, resp: requests.Response) -> Answer:
        try:
            data = resp.json()
        except ValueError:
            data = _NOT_JSON
        if 200 <= resp.status_code < 300:
            if data is _NOT_JSON:
                raise NotAShop(
                    f"{self.base_url} answers, but not as a WooCommerce shop's REST API "
                    "(the answer is not JSON). Check the shop address.",
                    status=resp.status_code,
                )
            return Answer(resp.status_code, resp.headers, data)
        if 300 <= resp.status_code < 400:
            raise AddressRefused(
                f"The shop at {self._host()} answered with a redirect (HTTP {resp.status_code}); Silta does not "
                "follow redirects. Enter the shop's final address (the one its browser address bar shows).",
                status=resp.status_code,
            )
        raise self._error(resp, data)

    def _error(self, resp: requests.Response, data: Any) -> WebshopError:
        status = resp.status_code
        if not isinstance(data, dict) or "code" not in data:
            if status in (404, 405) or data is _NOT_JSON:
                return NotAShop(
                    f"{self.base_url} answers, but not as a WooCommerce shop's REST API (HTTP {status}). "
                    "Check the shop address and that WooCommerce is active.",
                    status=status,
                )
            return WebshopError(f"The shop answered with HTTP {status}.", status=status)
        code = str(data.get("code") or "")
        message = _plain(str(data.get("message") or ""))
        if status == 401 or status == 403:
            if "write permission" in message:
                return ReadOnlyKey(
                    "The API key may only read. Silta needs Read/Write access: create a key with Read/Write "
                    "permissions in WooCommerce → Settings → Advanced → REST API, or approve Silta again.",
                    status=status,
                    code=code,
                )
            if code == "woocommerce_rest_authentication_error":
                return AuthenticationFailed(
                    f"The shop did not accept the API key: {message[:200]} Check the consumer key and secret "
                    "(WooCommerce → Settings → Advanced → REST API), or approve Silta again.",
                    status=status,
                    code=code,
                )
            if code.startswith("woocommerce_rest_cannot_") and status == 401:
                return AuthenticationFailed(
                    "The shop did not receive the API key (its web server may drop the Authorization header). "
                    "Switch this connection to query-string authentication, or fix the server configuration.",
                    status=status,
                    code=code,
                )
            return AuthenticationFailed(
                f"The shop refused access: {message[:200]} The user who owns the API key needs shop manager rights.",
                status=status,
                code=code,
            )
        if status == 404 and code == "rest_no_route":
            return NotAShop(
                f"WordPress answers at {self.base_url}, but the WooCommerce REST API (wc/v3) is not there. "
                "Is WooCommerce active, and are pretty permalinks on?",
                status=status,
                code=code,
            )
        if status == 404:
            return NotFound(f"Not found in the shop: {message}", status=status, code=code)
        if status == 400:
            return ItemRejected(f"The shop refused the data: {message}", status=status, code=code)
        # The shop's own words are not repeated: what an address answers is not shown to the owner.
        return WebshopError(
            f"The shop answered with an error (HTTP {status}, {code[:60]}).", status=status, code=code
        )

    def _unavailable(self, resp: requests.Response, attempts: int, outcome_unknown: bool) -> ShopUnavailable:
        status = resp.status_code
        what = "is rate limiting requests" if status == 429 else f"has a server error (HTTP {status})"
        if outcome_unknown:
            return ShopUnavailable(
                f"The shop {what}; it is unknown whether the change was saved. Look the items up before trying again.",
                status=status,
                outcome_unknown=True,
            )
        return ShopUnavailable(
            f"The shop {what}, still after {attempts} attempts. Silta will try again later.", status=status
        )

    # ------------------------------------------------------------------ helpers
    def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        delay = delay * (0.5 + random.random() / 2)  # jitter
        ra = _int(retry_after)
        if ra is not None:
            delay = max(delay, min(float(ra), 60.0))
        self.sleep(delay)

    def _host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url


_NOT_JSON = object()


def normalize_base_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if url and "://" not in url:
        url = "https://" + url
    for suffix in (API_PREFIX, "/wp-json"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    return url.rstrip("/")


def _not_sent(exc: Exception) -> bool:
    """True when the request surely never reached the server (safe to send again)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError | ConnectionRefusedError)


def _tls_reason(exc: Exception) -> str:
    import re

    m = re.search(r"certificate verify failed: ([^()'\"]+)", str(exc))
    if m:
        return "certificate verify failed: " + m.group(1).strip()
    m = re.search(r"\[SSL[^\]]*\] ([^()'\"]+)", str(exc))
    return m.group(1).strip() if m else "TLS handshake failed"


def _kind(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if _not_sent(exc):
        return "connection refused or host unreachable"
    return "connection broken"


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pct(value: str) -> str:
    return quote(value, safe="~")


def oauth_sign(method: str, url: str, params: dict[str, str], key: str, secret: str) -> dict[str, str]:
    """OAuth 1.0a one-legged, as the reference describes it: every query parameter and the
    ``oauth_*`` ones, percent-encoded, sorted by key, HMAC-SHA256 with ``secret&``."""
    signed = dict(params)
    signed.update(
        oauth_consumer_key=key,
        oauth_timestamp=str(int(time.time())),
        oauth_nonce=secrets.token_hex(16),
        oauth_signature_method="HMAC-SHA256",
    )
    pairs = sorted((_pct(k), _pct(v)) for k, v in signed.items())
    param_string = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join((method.upper(), _pct(url), _pct(param_string)))
    digest = hmac.new(f"{secret}&".encode(), base.encode(), hashlib.sha256).digest()
    signed["oauth_signature"] = base64.b64encode(digest).decode()
    return signed


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _plain(message: str) -> str:
    """WordPress messages may hold HTML (``<p>…</p>``): keep the text."""
    import re

    return re.sub(r"<[^>]+>", "", message).strip()
