"""In-memory state of one sandbox shop: settings, API keys, data, logs, counters.

Everything is guarded by ``state.lock`` (re-entrant). Records are plain dicts in
(roughly) the shape the REST API returns; keys starting with ``_`` are internal
and never rendered (see ``resources.py``).
"""

from __future__ import annotations

import collections
import itertools
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_SETTINGS: dict[str, Any] = {
    # Base URL used in permalinks, _links and X-WC-Webhook-Source. None: taken from the request host.
    "site_url": None,
    "site_timezone": "Europe/Helsinki",
    "wc_version": "9.4.2",
    "currency": "EUR",
    "calc_taxes": True,
    "prices_include_tax": True,
    "tax_country": "FI",
    # shipping_lines[].instance_id exists in recent WooCommerce but not in the v3 reference: off by default.
    "shipping_line_instance_id": False,
    "shipping_tax_split": False,
    # WooCommerce's woocommerce_tax_round_at_subtotal and woocommerce_calc_discounts_sequentially (both "no").
    "tax_round_at_subtotal": False,
    "calc_discounts_sequentially": False,
    # A negative fee's tax: "apportion" (WooCommerce core: over the order's tax classes by cost) or
    # "own_class" (at the fee's own class, as an order written by a plugin may carry it).
    "negative_fee_tax": "apportion",
    "default_per_page": 10,
    "max_per_page": 100,
    "batch_limit": 100,
    # Webhooks: WooCommerce disables a webhook after 5 consecutive failed deliveries and never
    # retries; retries > 0 re-attempts a failed delivery (each attempt counts as a delivery).
    "webhook_max_failures": 5,
    "webhook_retries": 0,
    "webhook_retry_delay": 0.2,
    "webhook_timeout": 5.0,
    "webhook_send_ping": True,
    # /wc-auth/v1/authorize: WooCommerce requires an https callback_url; the sandbox allows http.
    "wc_auth_require_https_callback": False,
    "wc_auth_callback_timeout": 10.0,
    # Request log kept for /_sandbox/requests.
    "request_log_limit": 5000,
    # Seed on startup: None, True (defaults) or a dict of seed_shop() keyword arguments.
    "seed": None,
    # Predefined API keys: [{"consumer_key", "consumer_secret", "permissions"}].
    "keys": [],
    # Initial fault switches (see faults.py).
    "faults": {},
}


# WooCommerce's yes/no setting options that mirror a sandbox setting: option id -> settings key.
YES_NO_OPTIONS = {
    "woocommerce_calc_taxes": "calc_taxes",
    "woocommerce_prices_include_tax": "prices_include_tax",
    "woocommerce_tax_round_at_subtotal": "tax_round_at_subtotal",
    "woocommerce_calc_discounts_sequentially": "calc_discounts_sequentially",
}

# Coupons every shop starts with (WooCommerce coupon properties; see totals.Coupon).
DEFAULT_COUPONS: list[dict[str, Any]] = [
    {
        "code": "ale10",
        "discount_type": "percent",
        "amount": "10",
        "limit_usage_to_x_items": None,
        "exclude_sale_items": False,
    },
    {
        "code": "kesa5",
        "discount_type": "fixed_cart",
        "amount": "5",
        "limit_usage_to_x_items": None,
        "exclude_sale_items": False,
    },
]


def new_key_pair() -> tuple[str, str]:
    return "ck_" + secrets.token_hex(20), "cs_" + secrets.token_hex(20)


class ShopState:
    def __init__(self, settings: dict[str, Any] | None = None):
        self.lock = threading.RLock()
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        if settings:
            unknown = set(settings) - set(DEFAULT_SETTINGS)
            if unknown:
                raise ValueError(f"unknown sandbox settings: {sorted(unknown)}")
            self.settings.update(settings)
        self.clock_offset = 0.0  # seconds added to real time (see /_sandbox/clock)
        self.webhooks_dispatcher = None  # set by app.create_app
        self.faults = None  # set by app.create_app
        self.reset_data()

    # ------------------------------------------------------------------ data
    def reset_data(self) -> None:
        with self.lock:
            self._ids = itertools.count(100)  # WordPress post ids: shared by products, variations, orders
            self._item_ids = itertools.count(1)  # order item ids
            self._meta_ids = itertools.count(1000)
            self._image_ids = itertools.count(5000)
            self._note_ids = itertools.count(1)
            self._key_ids = itertools.count(1)
            self._delivery_ids = itertools.count(1)
            self._method_instance_ids = itertools.count(1)
            self.products: dict[int, dict] = {}
            self.variations: dict[int, dict] = {}
            self.sku_index: dict[str, set[int]] = collections.defaultdict(set)
            self.slug_owner: dict[str, int] = {}  # slug -> product id, so a unique slug is found in O(1)
            self.orders: dict[int, dict] = {}
            self.refunds: dict[int, dict] = {}
            self.coupons: dict[str, dict] = {c["code"]: dict(c) for c in DEFAULT_COUPONS}
            self.notes: dict[int, list[dict]] = collections.defaultdict(list)
            self.webhooks: dict[int, dict] = {}
            self.deliveries: list[dict] = []
            self.keys: dict[str, dict] = {}
            self.tax_classes: list[dict] = []
            self.tax_rates: dict[int, dict] = {}
            self.zones: dict[int, dict] = {}
            self.zone_methods: dict[int, list[dict]] = collections.defaultdict(list)
            self.gateways: dict[str, dict] = {}
            self.options: dict[str, dict] = {}  # setting options by id
            self.categories: dict[int, dict] = {}
            self.request_log: collections.deque = collections.deque(
                maxlen=int(self.settings["request_log_limit"])
            )
            self._request_seq = itertools.count(1)
            self.counters: collections.Counter = collections.Counter()
            for k in self.settings.get("keys") or []:
                self.add_key(
                    k.get("permissions", "read_write"),
                    consumer_key=k.get("consumer_key"),
                    consumer_secret=k.get("consumer_secret"),
                    description=k.get("description", "predefined"),
                )

    def resize_request_log(self, limit: int) -> None:
        """Keep the newest `limit` entries, and room for `limit` from now on (a deque's size is fixed)."""
        self.request_log = collections.deque(self.request_log, maxlen=limit)

    def next_id(self) -> int:
        return next(self._ids)

    def next_item_id(self) -> int:
        return next(self._item_ids)

    def next_meta_id(self) -> int:
        return next(self._meta_ids)

    def next_image_id(self) -> int:
        return next(self._image_ids)

    def next_note_id(self) -> int:
        return next(self._note_ids)

    def next_delivery_id(self) -> int:
        return next(self._delivery_ids)

    def next_instance_id(self) -> int:
        return next(self._method_instance_ids)

    # ------------------------------------------------------------------ time
    def now(self) -> datetime:
        """Current time (UTC, whole seconds like WordPress), shifted by the sandbox clock."""
        t = datetime.now(UTC) + timedelta(seconds=self.clock_offset)
        return t.replace(microsecond=0)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings["site_timezone"])

    def local(self, dt: datetime | None) -> str | None:
        if dt is None:
            return None
        return dt.astimezone(self.tz).strftime("%Y-%m-%dT%H:%M:%S")

    @staticmethod
    def gmt(dt: datetime | None) -> str | None:
        if dt is None:
            return None
        return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def parse_date(self, value: str, gmt: bool = False) -> datetime:
        """ISO 8601 → aware UTC datetime. Naive values are site-local (or GMT when ``gmt``)."""
        v = value.strip().replace(" ", "T")
        if v.endswith("Z"):
            v = v[:-1] + "+00:00"
        dt = datetime.fromisoformat(v)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC if gmt else self.tz)
        return dt.astimezone(UTC)

    # ------------------------------------------------------------------ keys
    def add_key(
        self,
        permissions: str = "read_write",
        *,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        description: str = "",
        user_id: int = 1,
    ) -> dict:
        if permissions not in ("read", "write", "read_write"):
            raise ValueError("permissions must be read, write or read_write")
        ck, cs = new_key_pair()
        key = {
            "key_id": next(self._key_ids),
            "user_id": user_id,
            "description": description,
            "permissions": permissions,
            "consumer_key": consumer_key or ck,
            "consumer_secret": consumer_secret or cs,
            "truncated_key": (consumer_key or ck)[-7:],
            "last_access": None,
        }
        with self.lock:
            self.keys[key["consumer_key"]] = key
        return key

    # ------------------------------------------------------------------ log
    def log_request(self, entry: dict) -> None:
        with self.lock:
            entry["seq"] = next(self._request_seq)
            self.request_log.append(entry)

    def bump(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counters[name] += n

    def base_url(self, host_url: str | None = None) -> str:
        url = self.settings.get("site_url") or host_url or "http://127.0.0.1"
        return url.rstrip("/")


def monotonic() -> float:
    return time.monotonic()
