"""HTTP to a Shopify store's GraphQL Admin API (version ``API_VERSION``): auth, cost, retries, paging.

- ``POST <shop>/admin/api/<version>/graphql.json`` with the ``X-Shopify-Access-Token`` header,
  through Silta's outbound policy (``integration.net.outbound``): public addresses only, pinned to
  the checked IP, no redirects followed; plain http:// only to ``WEBSHOP_ALLOW_HTTP_HOSTS``.
- Cost: every answer's ``extensions.cost`` updates the shop's ``CostBudget`` (throttle.py); before
  a request the client waits until the bucket should hold the request's expected cost (the last
  requested cost of the same document in this process; a full bucket when not known yet). A
  THROTTLED answer ran nothing: it is retried after the wait its ``throttleStatus`` implies, for
  queries and mutations alike.
- Retries only where safe: a query is retried on 5xx, 429 and network errors; a mutation only when
  it surely did not run (THROTTLED, 429, the connection refused). A mutation whose answer is lost
  or a 5xx raises ``ShopUnavailable(outcome_unknown=True)``: look the result up before repeating.
- ``userErrors`` of a mutation's payload become ``UserErrors`` (typed ``UserError`` items);
  top-level GraphQL errors ``GraphQLFailed``; a missing scope ``MissingScope``.
- ``nodes(...)`` follows ``pageInfo.endCursor`` through a connection.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from integration.net import outbound
from integration.net.address_policy import AddressRefusedReason, check_url, host_of

from ..base import (
    AddressRefused,
    AuthenticationFailed,
    InsecureURL,
    ItemRejected,
    NotAShop,
    ShopUnavailable,
    TLSFailure,
    WebshopError,
)
from .throttle import Cost, ThrottleStatus, budget_for

log = logging.getLogger(__name__)

API_VERSION = "2026-01"
USER_AGENT = "Silta/1.0 (webshop connector)"
PAGE_SIZE = 100
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_THROTTLE_WAITS = 20
# A document not answered yet in this process reserves a full bucket (no single query may cost
# more, S3): its first request waits until the bucket is full instead of meeting an empty one
# (THROTTLED) when another run has just spent it. The answer gives back what it did not cost.
UNKNOWN_COST = math.inf
_EXPECTED_COSTS: dict[str, int] = {}  # document hash -> its last requested cost, for every client


def _setting(name: str, default: Any) -> Any:
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # noqa: BLE001 - usable without configured Django settings
        return default


# ---------------------------------------------------------------------- errors
@dataclass(frozen=True)
class UserError:
    """One entry of a mutation payload's ``userErrors``: ``field`` is the input path."""

    message: str
    field: tuple[str, ...] = ()
    code: str | None = None


class UserErrors(ItemRejected):
    """The mutation ran and refused (some of) its input; nothing of a refused input was saved."""

    def __init__(self, errors: Sequence[UserError], *, mutation: str):
        first = errors[0] if errors else UserError("unknown error")
        super().__init__(
            f"Shopify refused the change ({mutation}): {first.message}", code=first.code or "user_error"
        )
        self.errors = list(errors)
        self.mutation = mutation

    def codes(self) -> list[str | None]:
        return [e.code for e in self.errors]


class GraphQLFailed(WebshopError):
    """Top-level GraphQL errors: the document or its variables are wrong (a programming error)."""

    def __init__(self, message: str, *, errors: list[dict], code: str = ""):
        super().__init__(message, code=code)
        self.errors = errors


class CostLimitExceeded(GraphQLFailed):
    """The query asks for more than one request may (MAX_COST_EXCEEDED): ask for smaller pages."""


class MissingScope(AuthenticationFailed):
    """The app was installed without an access scope this call needs: install it again."""


class ThrottledTooLong(ShopUnavailable):
    """Still throttled after waiting as the answers said: the shop's budget is used by someone else."""


class Budget(Protocol):
    """Where the client reserves a request's expected cost and reports the answer's cost:
    ``throttle.CostBudget`` (in-process) or ``shared_budget.SharedCostBudget`` (every worker)."""

    def wait_for(self, points: float) -> float: ...

    def observe(
        self, status: ThrottleStatus | None, actual: int | None = None, reserved: float = 0
    ) -> None: ...


@dataclass
class Result:
    data: dict
    cost: Cost | None
    api_version: str | None


class ShopifyClient:
    def __init__(
        self,
        shop_url: str,
        access_token: str,
        *,
        api_version: str = API_VERSION,
        timeout: float | None = None,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        allow_http_hosts: list[str] | None = None,
        allow_private_hosts: list[str] | None = None,
        budget: Budget | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.shop_url = shop_url.strip().rstrip("/")
        if "://" not in self.shop_url:
            self.shop_url = "https://" + self.shop_url
        self.access_token = access_token
        self.api_version = api_version
        self.endpoint = f"{self.shop_url}/admin/api/{api_version}/graphql.json"
        self.timeout = float(timeout if timeout is not None else _setting("WEBSHOP_TIMEOUT", 30))
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        http_hosts = (
            allow_http_hosts if allow_http_hosts is not None else _setting("WEBSHOP_ALLOW_HTTP_HOSTS", [])
        )
        private = (
            allow_private_hosts
            if allow_private_hosts is not None
            else _setting("WEBSHOP_ALLOW_PRIVATE_HOSTS", [])
        )
        self.policy = outbound.Policy(
            allow_http_hosts=frozenset(host_of(h) for h in http_hosts),
            allow_private_hosts=frozenset(host_of(h) for h in private),
        )
        self.session = session or requests.Session()
        self.session.trust_env = False  # an environment proxy would resolve the name again
        adapter = outbound.PolicyAdapter(self.policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.budget: Budget = budget or budget_for(self.shop_url)
        self.sleep = sleep
        self.requests_made = 0
        self.throttled = 0
        self.last_cost: Cost | None = None
        self._expected = _EXPECTED_COSTS

    # ------------------------------------------------------------------ public
    def query(self, document: str, variables: dict | None = None) -> dict:
        """The ``data`` of a query; retried where safe. Raises ``WebshopError``s."""
        return self.execute(document, variables, mutation=False).data

    def mutate(self, document: str, variables: dict | None = None, *, payload: str) -> dict:
        """The mutation's payload (``data[payload]``); its ``userErrors`` raise ``UserErrors``."""
        data = self.execute(document, variables, mutation=True).data
        result = data.get(payload)
        if not isinstance(result, dict):
            raise GraphQLFailed(f"Shopify's answer has no {payload} payload.", errors=[])
        errors = [
            UserError(
                str(e.get("message") or ""),
                tuple(str(f) for f in (e.get("field") or ())),
                e.get("code"),
            )
            for e in result.get("userErrors") or []
            if isinstance(e, dict)
        ]
        if errors:
            raise UserErrors(errors, mutation=payload)
        return result

    def nodes(
        self,
        document: str,
        connection: Sequence[str],
        variables: dict | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[dict]:
        """Every node of a connection, page by page. ``document`` takes ``$first: Int`` and
        ``$after: String`` and selects ``nodes`` and ``pageInfo { hasNextPage endCursor }`` at
        the path ``connection`` (e.g. ``("productVariants",)``)."""
        after: str | None = (variables or {}).get("after")  # a first page already read: go on from it
        while True:
            data = self.query(document, {**(variables or {}), "first": page_size, "after": after})
            conn: Any = data
            for key in connection:
                conn = conn.get(key) if isinstance(conn, dict) else None
            if not isinstance(conn, dict):
                raise NotAShop(f"Shopify's answer has no {'.'.join(connection)} connection.")
            yield from conn.get("nodes") or []
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                return
            after = info["endCursor"]

    # ------------------------------------------------------------------ one call
    def check_url(self) -> None:
        try:
            check_url(self.shop_url, self.policy.allow_http_hosts)
        except AddressRefusedReason as exc:
            raise InsecureURL(str(exc)) from None

    def execute(self, document: str, variables: dict | None = None, *, mutation: bool) -> Result:
        self.check_url()
        key = hashlib.sha256(document.encode()).hexdigest()
        body: dict[str, Any] = {"query": document, "variables": variables or {}}
        headers = {"X-Shopify-Access-Token": self.access_token, "Content-Type": "application/json"}
        attempt = throttle_waits = 0
        while True:
            reserved: float = self._expected.get(key, UNKNOWN_COST)
            wait = self.budget.wait_for(reserved)
            if wait > 0:
                self.sleep(wait)
            attempt += 1
            last = attempt >= self.max_attempts
            try:
                self.requests_made += 1
                resp = self.session.post(
                    self.endpoint,
                    json=body,
                    headers=headers,
                    timeout=(min(10.0, self.timeout), self.timeout),
                    allow_redirects=False,
                )
            except outbound.OutboundRefused as exc:
                raise AddressRefused(str(exc)) from None
            except requests.exceptions.SSLError:
                raise TLSFailure(
                    f"A secure (HTTPS) connection to {self._host()} could not be established."
                ) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if mutation and not _not_sent(exc):
                    raise ShopUnavailable(
                        f"The connection to {self._host()} broke before Shopify answered a change, so it is "
                        "unknown whether it was saved. Look it up before trying again.",
                        outcome_unknown=True,
                    ) from None
                if last:
                    raise ShopUnavailable(
                        f"Shopify at {self._host()} cannot be reached after {attempt} attempts."
                    ) from None
                self._backoff(attempt)
                continue
            answer = _json(resp)
            cost = Cost.from_answer(answer) if isinstance(answer, dict) else None
            if cost is not None:
                self.last_cost = cost
                self._expected[key] = cost.requested
                self.budget.observe(cost.throttle, cost.actual, reserved)
            if _throttled(answer):
                # Nothing ran: safe to send again, for a mutation too, once the bucket has refilled.
                self.throttled += 1
                throttle_waits += 1
                if throttle_waits > MAX_THROTTLE_WAITS:
                    raise ThrottledTooLong(
                        f"Shopify kept throttling requests to {self._host()}; Silta will try again later.",
                        status=resp.status_code,
                        code="THROTTLED",
                    )
                attempt -= 1  # a throttled answer is not a failed attempt
                self.sleep(self._throttle_wait(cost))
                continue
            if resp.status_code in RETRY_STATUSES:
                may_retry = not mutation or resp.status_code == 429
                if may_retry and not last:
                    self._backoff(attempt)
                    continue
                raise ShopUnavailable(
                    f"Shopify answered HTTP {resp.status_code}"
                    + (
                        "; it is unknown whether the change was saved. Look it up before trying again."
                        if not may_retry
                        else f", still after {attempt} attempts. Silta will try again later."
                    ),
                    status=resp.status_code,
                    outcome_unknown=not may_retry,
                )
            return self._result(resp, answer, cost)

    # ------------------------------------------------------------------ answers
    def _result(self, resp: requests.Response, answer: Any, cost: Cost | None) -> Result:
        status = resp.status_code
        if 300 <= status < 400:
            raise AddressRefused(
                f"{self._host()} answered with a redirect (HTTP {status}); Silta does not follow redirects. "
                "Use the store's myshopify.com address.",
                status=status,
            )
        if status in (401, 403):
            raise AuthenticationFailed(
                "Shopify did not accept Silta's access token: install the Silta app in the store again.",
                status=status,
            )
        if status == 404 or not isinstance(answer, dict):
            raise NotAShop(
                f"{self.shop_url} does not answer as a Shopify store's Admin API (HTTP {status}).",
                status=status,
            )
        if status >= 400:
            raise WebshopError(f"Shopify answered with an error (HTTP {status}).", status=status)
        version = resp.headers.get("X-Shopify-API-Version")
        if version and version != self.api_version:
            log.warning(
                "Shopify at %s answered as API version %s, not %s", self._host(), version, self.api_version
            )
        errors = answer.get("errors")
        if errors:
            raise _graphql_error(errors)
        data = answer.get("data")
        if not isinstance(data, dict):
            raise NotAShop(f"{self.shop_url} answered without data.", status=status)
        return Result(data, cost, version)

    def _throttle_wait(self, cost: Cost | None) -> float:
        if cost is None or cost.throttle is None or cost.throttle.restore_rate <= 0:
            return min(self.max_backoff, 1.0)
        missing = max(0.0, cost.requested - cost.throttle.currently_available)
        return missing / cost.throttle.restore_rate + 0.05

    def _backoff(self, attempt: int) -> None:
        delay = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        self.sleep(delay * (0.5 + random.random() / 2))

    def _host(self) -> str:
        return host_of(self.shop_url)


def _json(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _codes(errors: Any) -> list[str]:
    if not isinstance(errors, list):
        return []
    return [str((e.get("extensions") or {}).get("code") or "") for e in errors if isinstance(e, dict)]


def _throttled(answer: Any) -> bool:
    return isinstance(answer, dict) and "THROTTLED" in _codes(answer.get("errors"))


def _graphql_error(errors: Any) -> WebshopError:
    codes = _codes(errors)
    items = errors if isinstance(errors, list) else [{"message": str(errors)}]
    first = str(items[0].get("message") if isinstance(items[0], dict) else items[0])[:300]
    if "ACCESS_DENIED" in codes:
        return MissingScope(
            f"The Silta app lacks an access scope in this store ({first}): install the app again.",
            code="ACCESS_DENIED",
        )
    if "MAX_COST_EXCEEDED" in codes:
        return CostLimitExceeded(
            f"The query asks for too much at once: {first}", errors=items, code="MAX_COST_EXCEEDED"
        )
    return GraphQLFailed(f"Shopify refused the query: {first}", errors=items, code=codes[0] if codes else "")


def _not_sent(exc: Exception) -> bool:
    """True when the request surely never reached the server (safe to send again)."""
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError | ConnectionRefusedError)
