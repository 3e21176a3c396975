"""In-memory state of the sandbox: settings, companies and their resources, users, clients, tokens."""

import itertools
import random
import threading
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta

DEFAULT_SETTINGS = {
    # OAuth
    "token_lifetime": 3600,  # access token seconds (expires_in)
    "refresh_token_lifetime": None,  # seconds, None = never expires
    "code_lifetime": 300,
    "redirect_loopback_any_port": True,  # any http://127.0.0.1:*/ or localhost redirect for sandbox clients
    # Listing
    "page_size_default": 50,
    "page_size_max": 50,
    "unverified_filters_rejected": False,  # 6000 for YourReference, orders' ModifiedUtc, `or`
    # Company behaviour (each can be overridden per company)
    "vat_rate_as_fraction": False,  # ArticleAccountCodingApi.VatRatePercent 25.5 (False) or 0.255 (True)
    "stock_module": True,
    "stock_bumps_changed_utc": False,  # do stock movements change Article.ChangedUtc?
    # IncludesVat for private persons (undocumented; the spec's text reads both ways).
    "private_prices_include_vat": True,
    "accounting_locked_to": None,  # "YYYY-MM-DD": invoices/payments dated on or before -> 4013/4026
    # What a converted webshop order becomes (undocumented): "removed" (gone: not listed, GET/convert 404)
    # or "kept" (listed unchanged; converting it again makes another paid invoice).
    "webshop_converted_orders": "removed",
    # Rate limit
    "rate_limit": 600,
    "rate_window": 60.0,
    "rate_limit_key": "client",  # "client" (across companies) or "client_company"
    "rate_limit_bucket": "template",  # per "template" (/v2/articles/{articleId}), "path" or "url" (incl. query)
    "rate_limit_retry_after": False,  # add a Retry-After header to 429s
    # Faults
    "latency_ms": 0,
    "error_rate": 0.0,  # share of API requests answered 500/503 (seeded random)
    "fault_seed": 1234,
    "drop_after_commit_rate": 0.0,  # share of API POST/PUT/DELETE committed then connection dropped
    "drop_after_commit_next": 0,  # the next N API writes are committed then dropped
    "force_429": 0,  # the next N API requests get 429
    "force_500": 0,  # the next N API requests get 500
    "drop_token_response": 0,  # next N token answers dropped after commit (True = all)
    "mutate_between_pages": 0,  # on article list pages > 1, change this many articles first
    "reserving_order_statuses": [1, 2, 3],  # order statuses whose stock rows count in StockBalanceReserved
    "clock_offset_seconds": 0.0,
    "log_limit": 5000,
    "strict_emit": True,
}
COMPANY_KEYS = (
    "vat_rate_as_fraction",
    "stock_module",
    "stock_bumps_changed_utc",
    "accounting_locked_to",
    "private_prices_include_vat",
    "webshop_converted_orders",
)
CHOICES = {"webshop_converted_orders": ("removed", "kept")}
RESOURCE_KINDS = (
    "units",
    "codings",
    "vatcodes",
    "terms",
    "bankaccounts",
    "deliverymethods",
    "articles",
    "customers",
    "orders",
    "drafts",
    "invoices",
    "webshoporders",
    "payments",
    "articlelabels",
)


def check_choices(values):
    """ValueError for a setting outside its allowed values (only the settings listed in CHOICES)."""
    for key, allowed in CHOICES.items():
        if key in values and values[key] not in allowed:
            raise ValueError(f"{key} must be one of {list(allowed)}, not {values[key]!r}")


def fmt_dt(d):
    """RFC 3339 UTC with milliseconds: 2024-01-02T03:04:05.678Z."""
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def new_id(rng=None):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4) if rng else uuid.uuid4())


class Company:
    def __init__(self, cid, name):
        self.id, self.name = cid, name
        self.overrides = {}
        self.settings = {}
        for kind in RESOURCE_KINDS:
            setattr(self, kind, {})
        self.reserved = defaultdict(float)  # article id -> reserved quantity by open orders
        self.seq = {"customer": 1000, "invoice": 1000, "order": 1000, "voucher": 1}

    def next(self, name):
        self.seq[name] += 1
        return self.seq[name]

    def find_article_by_number(self, number):
        for a in self.articles.values():
            if a["Number"] == number:
                return a
        return None


class State:
    def __init__(self, settings=None):
        self.lock = threading.RLock()
        check_choices(settings or {})
        self.settings = dict(DEFAULT_SETTINGS)
        self.settings.update(settings or {})
        self.clear()

    def clear(self):
        with self.lock:
            self.companies = {}
            self.users = {}  # username -> {"password", "companies": [ids], "name"}
            self.clients = {}  # client_id -> {"secret", "redirect_uris": [...], "loopback": bool}
            self.pending = {}  # authorize transaction id -> params
            self.codes = {}  # code -> grant
            self.refresh_tokens = {}
            self.access_tokens = {}
            self.requests = deque(maxlen=self.settings["log_limit"])
            self.request_seq = itertools.count(1)
            self.counters = {
                "requests": defaultdict(int),
                "throttled": defaultdict(int),
                "faults": defaultdict(int),
                "token": defaultdict(int),
                "redemptions": defaultdict(int),
                "webshop": defaultdict(int),
            }
            self.buckets = defaultdict(deque)
            # listing key -> filtered and sorted rows: a full read of N articles in pages costs one
            # sort, not one per page; any write empties it (see changed())
            self.listings = {}
            self.fault_rng = random.Random(self.settings["fault_seed"])

    def changed(self):
        """Something may have changed (a write): listings are filtered and sorted afresh."""
        self.listings.clear()

    # -- time and settings -------------------------------------------------
    def now(self):
        d = datetime.now(UTC).replace(tzinfo=None)
        d += timedelta(seconds=self.settings["clock_offset_seconds"])
        return d.replace(microsecond=d.microsecond // 1000 * 1000)

    def now_str(self):
        return fmt_dt(self.now())

    def setting(self, key, company=None):
        if company is not None and key in company.overrides:
            return company.overrides[key]
        return self.settings[key]

    def update_settings(self, values):
        unknown = [k for k in values if k not in DEFAULT_SETTINGS]
        if unknown:
            raise KeyError(", ".join(unknown))
        check_choices(values)
        self.settings.update(values)
        if "fault_seed" in values:
            self.fault_rng = random.Random(values["fault_seed"])

    # -- registry --------------------------------------------------------
    def add_company(self, name, cid=None):
        c = Company(cid or new_id(), name)
        self.companies[c.id] = c
        return c

    def add_user(self, username, password, companies=(), name=None):
        key = username.strip().lower()
        self.users[key] = {"password": password, "companies": list(companies), "name": name or username}
        return self.users[key]

    def add_client(self, client_id, secret, redirect_uris=(), loopback=True):
        self.clients[client_id] = {
            "secret": secret,
            "redirect_uris": list(redirect_uris),
            "loopback": loopback,
        }
        return self.clients[client_id]

    def log_request(self, entry):
        entry["seq"] = next(self.request_seq)
        self.requests.append(entry)
