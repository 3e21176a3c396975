"""HTTP client for eAccounting API v2: auth, the shared budget, retries, paging.

Safe requests (GET, PUT as a full replace, DELETE) are retried on 5xx and network
errors with backoff and jitter. A POST is never repeated blindly: eAccounting has
no idempotency keys, so when its outcome is unknown the caller looks the record
up first (see `find`).
"""

import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import requests
from django.conf import settings

from ..models import EAccountingConnection
from . import budget, tokens
from .contract import Contract, current
from .errors import EAccountingError, OutcomeUnknown, QueryRejected, RateLimited, ServerError, Unauthorized
from .resources import Article, ArticleAccountCoding, CompanySettings, PageMeta, Unit, read_field

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
MAX_THROTTLED = 30  # 429s in a row before giving up (each waits as long as eAccounting asks)
SAFE_METHODS = {"GET", "PUT", "DELETE"}
DEFAULT_OVERLAP = timedelta(minutes=2)


def odata_datetime(value: datetime) -> str:
    """`ChangedUtc gt 2016-12-31T23:59:59.000Z`: UTC, unquoted (docs/eaccounting-unknowns.md, *Filters*)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ids_filter(ids: Iterable[str]) -> list[str]:
    """`Id eq '…'` terms, to be joined with `or`."""
    return [f"Id eq {odata_string(i)}" for i in ids]


class Listing:
    """Items of a paged list, streamed page by page; `meta` and `server_time` come from the first page."""

    def __init__(self, client, path, params):
        self.client, self.path, self.params = client, path, params
        self.meta: PageMeta | None = None

    @property
    def server_time(self):
        return self.meta.server_time if self.meta else None

    def __iter__(self) -> Iterator[dict]:
        seen = set()
        page, total_pages = 1, 1
        while page <= total_pages:
            body = self.client.get(
                self.path, {**self.params, "$page": page, "$pagesize": self.client.contract.page_size}
            )
            meta = PageMeta.from_api(read_field(body, "Meta"))
            if page == 1:
                self.meta = meta
            total_pages = meta.total_pages
            for item in read_field(body, "Data") or []:
                key = read_field(item, "Id")
                if key in seen:  # shifted onto the next page by a concurrent insert
                    continue
                seen.add(key)
                yield item
            page += 1


class EAccountingClient:
    def __init__(
        self,
        connection: EAccountingConnection,
        session: requests.Session | None = None,
        contract: Contract | None = None,
    ):
        self.company_key = connection.company_id
        self.contract = contract or current()  # one view of the contract for the client's lifetime
        self.base_url = settings.EACCOUNTING_API_URL.rstrip("/")
        self.session = session or requests.Session()
        self.stats = Counter()  # requests, retries, waited seconds: for run records and benchmarks
        self._token = None
        self._token_source = lambda rejected=None: tokens.access_token(connection.pk, rejected)

    @classmethod
    def with_token(cls, access_token, session=None):
        """A client for a token not stored yet (the OAuth callback checks the company first)."""
        client = cls(EAccountingConnection(company_id=""), session)
        client._token_source = lambda rejected=None: access_token
        return client

    # --- transport ---------------------------------------------------------
    def request(self, method, path, *, params=None, json=None):
        method = method.upper()
        key = budget.budget_key(path, self.company_key, self.contract)
        attempt = throttled = 0
        while True:
            attempt += 1
            self.stats["waited_seconds"] += budget.acquire(key, self.contract)
            self._token = self._token or self._token_source()
            self.stats["requests"] += 1
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                    timeout=settings.EACCOUNTING_TIMEOUT,
                )
            except requests.ConnectTimeout as exc:  # never reached the server: safe to send again
                error = ServerError(f"eAccounting did not accept the connection ({exc.__class__.__name__})")
            except requests.RequestException as exc:
                if method not in SAFE_METHODS:
                    raise OutcomeUnknown(
                        f"{method} {path}: the answer was lost ({exc.__class__.__name__}); look the record up before retrying"
                    ) from exc
                error = ServerError(f"eAccounting did not answer ({exc.__class__.__name__})")
            else:
                if response.status_code < 400:
                    return response.json() if response.content else None
                error = EAccountingError.from_response(response)
                if isinstance(error, Unauthorized) and attempt == 1:
                    self._token = self._token_source(self._token)
                    continue
                if isinstance(error, RateLimited):
                    throttled += 1
                    if throttled > MAX_THROTTLED:
                        raise error
                    wait = error.retry_after or _retry_after_header(response) or _backoff(throttled)
                    budget.back_off(key, wait, self.contract)
                    self.stats["rate_limited"] += 1
                    attempt -= 1  # a 429 was not processed: it does not use up an attempt
                    continue  # the next acquire() waits until the budget is free again
                if not isinstance(error, ServerError):
                    raise error
                if method not in SAFE_METHODS:
                    raise OutcomeUnknown(
                        f"{method} {path}: eAccounting failed with HTTP {response.status_code}; "
                        "look the record up before retrying",
                        status=response.status_code,
                    ) from error
            self.stats["retries"] += 1
            log.warning("eAccounting %s %s failed (%s), attempt %s", method, path, error, attempt)
            if attempt >= MAX_ATTEMPTS:
                raise error
            time.sleep(_backoff(attempt))

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, body, params=None):
        return self.request("POST", path, params=params, json=body)

    def put(self, path, body):
        return self.request("PUT", path, json=body)

    def delete(self, path):
        return self.request("DELETE", path)

    # --- lists ----------------------------------------------------------------
    def listing(self, path, *, filter=None, orderby="CreatedUtc", **params) -> Listing:
        """All items, streamed. Ordered by creation so records changed meanwhile keep their place."""
        if filter:
            params["$filter"] = filter
        if orderby:
            params["$orderby"] = orderby
        return Listing(self, path, params)

    def changed_since(
        self,
        path,
        since: datetime | None,
        field="ChangedUtc",
        overlap=DEFAULT_OVERLAP,
        orderby="CreatedUtc",
        also_ids: Sequence[str] = (),
    ) -> Listing:
        """Items changed after `since` (minus an overlap); use the listing's `server_time` as the next `since`.
        `also_ids`: items wanted whether changed or not, in the same read (`… or Id eq '…'`; `or` is
        unverified: QueryRejected on the first page when eAccounting refuses it)."""
        if since is None:
            return self.listing(path, orderby=orderby)
        changed = f"{field} gt {odata_datetime(since - overlap)}"
        return self.listing(path, filter=" or ".join([changed, *ids_filter(also_ids)]), orderby=orderby)

    def find(self, path, field, value) -> list[dict]:
        """Records whose `field` equals `value`; scans the list if eAccounting refuses the filter."""
        literal = odata_string(value) if isinstance(value, str) else str(value).lower()
        try:
            return list(self.listing(path, filter=f"{field} eq {literal}", orderby=None))
        except QueryRejected:
            log.info("eAccounting refused $filter on %s.%s; scanning the list instead", path, field)
            return [item for item in self.listing(path) if read_field(item, field) == value]

    # --- typed helpers --------------------------------------------------------
    def company_settings(self) -> CompanySettings:
        return CompanySettings.from_api(self.get("/companysettings"))

    def units(self) -> list[Unit]:
        return [Unit.from_api(u) for u in self.listing("/units", orderby=None)]

    def codings(self) -> list[ArticleAccountCoding]:
        vat_format = self.contract.vat_rate_format
        return [
            ArticleAccountCoding.from_api(c, vat_format)
            for c in self.listing("/articleaccountcodings", orderby=None)
        ]

    def articles(self, changed_since=None) -> Iterator[Article]:
        for item in self.changed_since("/articles", changed_since):
            yield Article.from_api(item)

    def article_by_number(self, number) -> Article | None:
        found = self.find("/articles", "Number", number)
        return Article.from_api(found[0]) if found else None

    def update_article(self, article: Article, **changes) -> Article:
        """PUT is a full replace: send the object as read, with only `changes` applied."""
        return Article.from_api(self.put(f"/articles/{article.id}", {**article.raw, **changes}))


def _backoff(attempt):
    return min(30.0, 0.25 * 2 ** (attempt - 1)) * (0.5 + random.random())


def _retry_after_header(response):
    try:
        return int(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
