"""In-memory state of one sandbox Shopify store: settings, apps and tokens, data, the cost bucket, logs.

Records are plain dicts whose keys are the GraphQL field names they answer (graphql-core's default
resolver reads them); keys starting with ``_`` are internal links (``schema.py`` resolves them).
Everything is guarded by ``store.lock`` (re-entrant): a GraphQL request runs under it whole.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from . import API_VERSION, webhooks
from .cost import Bucket
from .money import bag, cents, money_string, tax_included

DEFAULT_SETTINGS: dict[str, Any] = {
    "shop_domain": "silta-sandbox.myshopify.com",
    "shop_name": "Silta Sandbox",
    "currency": "EUR",
    # Shop.shopAddress.countryCodeV2: where the store is (its taxes follow that country's rules).
    "country": "FI",
    # Shop.taxesIncluded / taxShipping: prices include VAT and shipping is taxed (a Finnish shop).
    "taxes_included": True,
    "tax_shipping": True,
    "api_version": API_VERSION,
    # The leaky bucket (docs/shopify-unknowns.md S2): restore rate as the Standard plan's
    # 100 points/second; the bucket size is what the published example answers show.
    "bucket_size": 1000.0,
    "restore_rate": 100.0,
    # A single query's requested cost may not exceed this (S3); None: no limit.
    "max_query_cost": 1000,
    # Seconds a bulk operation shows RUNNING before COMPLETED (0: at once).
    "bulk_seconds": 0,
    # HTTP status of a THROTTLED answer (S4): 200 with the error in the body, or 429.
    "throttle_status": 200,
    "max_page_size": 250,
    # The buyer's e-mail and billing address (protected customer data, docs/shopify-unknowns.md P4):
    # "approved" answers them, "redacted" answers null, as for an app not approved for them.
    "protected_customer_data": "approved",
    # Apps that may be installed: [{"client_id", "client_secret"}]; tokens valid from the start:
    # [{"access_token", "scope"}] (scope: comma-separated access scopes).
    "apps": [{"client_id": "silta-sandbox-app", "client_secret": "silta-sandbox-secret"}],
    "tokens": [],
    # /admin/oauth/authorize: redirect at once (True) or show the merchant's approval page (False).
    "auto_approve_install": False,
    "request_log_limit": 5000,
    # Whether a change to the product itself (productUpdate: its status) also gives its variants a
    # new updatedAt (docs/shopify-unknowns.md S8): not stated; off, the product's own only.
    "product_change_touches_variants": False,
    # Seconds before a search (a ``query`` argument: by SKU, by updated_at) sees a change (P6): the
    # reference does not say whether the search index lags; 0, at once.
    "search_lag_seconds": 0,
    # Seed on startup: None, or a dict of seed.seed_store() keyword arguments.
    "seed": None,
    "faults": {},
}

ALL_SCOPES = (
    "read_products,write_products,read_inventory,write_inventory,read_orders,write_orders,read_locations"
)
QUANTITY_NAMES = (
    "available",
    "on_hand",
    "committed",
    "incoming",
    "reserved",
    "damaged",
    "safety_stock",
    "quality_control",
)


def gid(kind: str, n: int) -> str:
    return f"gid://shopify/{kind}/{n}"


def gid_number(value: str, kind: str) -> int | None:
    prefix = f"gid://shopify/{kind}/"
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    tail = value[len(prefix) :].split("?", 1)[0]
    return int(tail) if tail.isdigit() else None


MAILING_ADDRESS_FIELDS = (
    "address1",
    "address2",
    "city",
    "company",
    "countryCodeV2",
    "firstName",
    "lastName",
    "phone",
    "zip",
)
COUNTRY_CODES = ("AX", "DE", "DK", "EE", "FI", "LT", "LV", "NO", "SE", "US")  # schema.graphql's CountryCode


def mailing_address(fields: dict) -> dict:
    """A MailingAddress record of ``fields`` (its GraphQL names; absent ones null). An unknown field or
    a country the schema's CountryCode does not serve is refused (ValueError)."""
    unknown = set(fields) - set(MAILING_ADDRESS_FIELDS)
    if unknown:
        raise ValueError(f"not MailingAddress fields: {sorted(unknown)}")
    country = fields.get("countryCodeV2")
    if country is not None and country not in COUNTRY_CODES:
        raise ValueError(f"countryCodeV2 {country!r} is not one of {COUNTRY_CODES}")
    return {name: fields.get(name) for name in MAILING_ADDRESS_FIELDS}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    def __init__(self, settings: dict | None = None):
        self.lock = threading.RLock()
        self.settings: dict[str, Any] = {**DEFAULT_SETTINGS, **(settings or {})}
        self.clock_offset = 0.0
        self.base_url = "http://127.0.0.1"  # set from each GraphQL request (bulk result URLs)
        self.request_log: deque[dict] = deque(maxlen=int(self.settings["request_log_limit"]))
        self.seq = itertools.count(1)
        self.reset_data()
        self.hooks = webhooks.Dispatcher(self)

    # ------------------------------------------------------------------ lifecycle
    def reset_data(self) -> None:
        with self.lock:
            self.ids = itertools.count(1001)
            self.order_numbers = itertools.count(1001)
            self.products: dict[str, dict] = {}
            self.variants: dict[str, dict] = {}
            self.items: dict[str, dict] = {}
            self.orders: dict[str, dict] = {}
            self.groups: dict[str, dict] = {}
            self.codes: dict[str, dict] = {}  # OAuth authorization codes, single use
            self.bulk_operations: list[dict] = []
            self.bulk_files: dict[int, bytes] = {}
            self.subscriptions: dict[str, dict] = {}  # webhookSubscriptionCreate
            if hasattr(self, "hooks"):
                self.hooks.sent.clear()
            self.bulk_mode = False  # a bulk query runs: connections need no first/last, no page limit
            self.tokens: dict[str, str] = {t["access_token"]: t["scope"] for t in self.settings["tokens"]}
            self.bucket = Bucket(float(self.settings["bucket_size"]), float(self.settings["restore_rate"]))
            loc = self.new_id()
            self.locations = {
                gid("Location", loc): {"id": gid("Location", loc), "name": "Varasto", "isActive": True}
            }
            self.primary_location = gid("Location", loc)

    def new_id(self) -> int:
        return next(self.ids)

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset)

    def monotonic(self) -> float:
        return time.monotonic() + self.clock_offset

    @property
    def currency(self) -> str:
        return str(self.settings["currency"])

    def shop(self) -> dict:
        s = self.settings
        return {
            "id": gid("Shop", 1),
            "name": s["shop_name"],
            "myshopifyDomain": s["shop_domain"],
            "currencyCode": s["currency"],
            "taxesIncluded": bool(s["taxes_included"]),
            "taxShipping": bool(s["tax_shipping"]),
            "shopAddress": {"countryCodeV2": s["country"]},
        }

    def issue_token(self, scope: str = ALL_SCOPES) -> str:
        token = "shpat_" + secrets.token_hex(16)
        with self.lock:
            self.tokens[token] = scope
        return token

    def log(self, entry: dict) -> None:
        with self.lock:
            entry["seq"] = next(self.seq)
            self.request_log.append(entry)

    # ------------------------------------------------------------------ catalogue
    def add_product(
        self,
        title: str,
        variants: list[dict],
        *,
        status: str = "ACTIVE",
        tax_rate: Decimal = Decimal("0.255"),
    ) -> dict:
        """``variants``: [{"sku", "price", "quantity" (None: not tracked), "title", "taxable"}]."""
        with self.lock:
            now = iso(self.now())
            pid = gid("Product", self.new_id())
            product = {
                "id": pid,
                "title": title,
                "handle": "-".join(title.lower().split()),
                "status": status,
                "updatedAt": now,
                "_variant_ids": [],
                # Shopify taxes by region with overrides, not per product; the sandbox keeps the rate
                # its override would give (docs/shopify-unknowns.md T1).
                "_tax_rate": Decimal(tax_rate),
            }
            self.products[pid] = product
            for v in variants:
                vid = gid("ProductVariant", self.new_id())
                iid = gid("InventoryItem", self.new_id())
                quantity = v.get("quantity")
                self.items[iid] = {
                    "id": iid,
                    "sku": v.get("sku"),
                    "tracked": quantity is not None,
                    "_levels": {
                        self.primary_location: {
                            "available": int(quantity or 0),
                            "on_hand": int(quantity or 0),
                        }
                    },
                }
                self.variants[vid] = {
                    "id": vid,
                    "title": v.get("title") or "Default Title",
                    "sku": v.get("sku"),
                    "price": money_string(Decimal(str(v["price"]))),
                    "taxable": True if v.get("taxable") is None else bool(v["taxable"]),
                    "updatedAt": now,
                    "_product_id": pid,
                    "_item_id": iid,
                }
                product["_variant_ids"].append(vid)
            return product

    def variant_by_sku(self, sku: str) -> dict | None:
        return next((v for v in self.variants.values() if v["sku"] == sku), None)

    # ------------------------------------------------------------------ orders
    def place_order(
        self,
        lines: list[tuple[str, int]],
        *,
        shipping: tuple[str, Decimal] | None = ("Posti", Decimal("5.90")),
        discount_percent: Decimal = Decimal(0),
        gateway: str = "shopify_payments",
        email: str | None = "asiakas@example.com",
        billing: dict | None = None,
    ) -> dict:
        """An order for ``lines`` [(variant id, quantity)], paid; prices as the shop holds them
        (tax-inclusive when Shop.taxesIncluded). The order-level discount is allocated to the lines.
        ``billing``: the buyer's address in MailingAddress's field names (None: the order has none)."""
        billing_address = mailing_address(billing) if billing is not None else None
        with self.lock:
            cur, included = self.currency, bool(self.settings["taxes_included"])
            now = iso(self.now())
            oid = gid("Order", self.new_id())
            order_taxes: dict[Decimal, Decimal] = {}
            items, subtotal, discounts, tax_total = [], Decimal(0), Decimal(0), Decimal(0)
            for variant_id, quantity in lines:
                variant = self.variants[variant_id]
                product = self.products[variant["_product_id"]]
                rate = product["_tax_rate"]
                item = self.items[variant["_item_id"]]
                if item["tracked"]:  # an unfulfilled order's units move from available to committed
                    level = item["_levels"][self.primary_location]
                    level["available"] = int(level.get("available", 0)) - quantity
                    level["committed"] = int(level.get("committed", 0)) + quantity
                unit = Decimal(variant["price"])
                original = cents(unit * quantity)
                discount = cents(original * discount_percent / 100)
                net = original - discount
                tax = tax_included(net, rate) if included else cents(net * rate)
                tax_total += tax
                order_taxes[rate] = order_taxes.get(rate, Decimal(0)) + tax
                subtotal += net
                discounts += discount
                items.append(
                    {
                        "id": gid("LineItem", self.new_id()),
                        "name": product["title"]
                        + ("" if variant["title"] == "Default Title" else f" - {variant['title']}"),
                        "title": product["title"],
                        "sku": variant["sku"],
                        "quantity": quantity,
                        "currentQuantity": quantity,
                        "taxable": True,
                        "originalUnitPriceSet": bag(unit, cur),
                        "discountedUnitPriceSet": bag(unit, cur),
                        "originalTotalSet": bag(original, cur),
                        "discountedTotalSet": bag(original, cur),
                        "discountAllocations": [{"allocatedAmountSet": bag(discount, cur)}]
                        if discount
                        else [],
                        "taxLines": [self._tax_line(rate, tax)],
                        "_variant_id": variant_id,
                        "_rate": rate,
                    }
                )
            shipping_lines, shipping_total = [], Decimal(0)
            if shipping is not None:
                title, price = shipping[0], cents(Decimal(shipping[1]))
                rate = Decimal("0.255")
                taxes = []
                if self.settings["tax_shipping"]:
                    stax = tax_included(price, rate) if included else cents(price * rate)
                    taxes = [self._tax_line(rate, stax)]
                    tax_total += stax
                    order_taxes[rate] = order_taxes.get(rate, Decimal(0)) + stax
                shipping_total = price
                shipping_lines.append(
                    {
                        "id": gid("ShippingLine", self.new_id()),
                        "title": title,
                        "code": title,
                        "custom": False,
                        "isRemoved": False,
                        "originalPriceSet": bag(price, cur),
                        "discountedPriceSet": bag(price, cur),
                        "currentDiscountedPriceSet": bag(price, cur),
                        "discountAllocations": [],
                        "taxLines": taxes,
                    }
                )
            total = subtotal + shipping_total + (Decimal(0) if included else tax_total)
            order = {
                "id": oid,
                "name": f"#{next(self.order_numbers)}",
                "createdAt": now,
                "updatedAt": now,
                "processedAt": now,
                "cancelledAt": None,
                "currencyCode": cur,
                "presentmentCurrencyCode": cur,
                "taxesIncluded": included,
                "displayFinancialStatus": "PAID",
                "displayFulfillmentStatus": "UNFULFILLED",
                "email": email,
                "billingAddress": billing_address,
                "paymentGatewayNames": [gateway],
                "subtotalPriceSet": bag(subtotal, cur),
                "totalDiscountsSet": bag(discounts, cur),
                "totalShippingPriceSet": bag(shipping_total, cur),
                "totalTaxSet": bag(tax_total, cur),
                "totalPriceSet": bag(total, cur),
                "taxLines": [self._tax_line(r, t) for r, t in sorted(order_taxes.items(), reverse=True)],
                "transactions": [self._transaction("SALE", total, gateway, now)],
                "refunds": [],
                "_line_items": items,
                "_shipping_lines": shipping_lines,
                "_total": total,
            }
            self.orders[oid] = order
            self.hooks.emit("ORDERS_PAID", webhooks.payload_of("order", order))
            return order

    def _tax_line(self, rate: Decimal, amount: Decimal) -> dict:
        percent = rate * 100
        return {
            "title": "ALV",
            "rate": float(rate),
            "ratePercentage": float(percent),
            "priceSet": bag(amount, self.currency),
            "channelLiable": False,
            "source": "Shopify",
        }

    def _transaction(
        self, kind: str, amount: Decimal, gateway: str, when: str, parent: dict | None = None
    ) -> dict:
        return {
            "id": gid("OrderTransaction", self.new_id()),
            "kind": kind,
            "status": "SUCCESS",
            "gateway": gateway,
            "amountSet": bag(amount, self.currency),
            "createdAt": when,
            "processedAt": when,
            "parentTransaction": parent,
        }

    def refund(
        self,
        order_id: str,
        lines: list[tuple[str, int]] = (),  # type: ignore[assignment]
        *,
        shipping: bool = False,
        amount: Decimal | None = None,
        note: str | None = None,
        restock_type: str = "RETURN",
    ) -> dict:
        """A refund of line items [(line item id, quantity)], the shipping, or only an amount."""
        with self.lock:
            order = self.orders[order_id]
            cur, now = self.currency, iso(self.now())
            by_id = {li["id"]: li for li in order["_line_items"]}
            refund_lines, total = [], Decimal(0)
            for line_id, quantity in lines:
                li = by_id[line_id]
                net_total = Decimal(li["discountedTotalSet"]["shopMoney"]["amount"]) - sum(
                    (
                        Decimal(a["allocatedAmountSet"]["shopMoney"]["amount"])
                        for a in li["discountAllocations"]
                    ),
                    Decimal(0),
                )
                share = cents(net_total * quantity / li["quantity"])
                tax = (
                    tax_included(share, li["_rate"]) if order["taxesIncluded"] else cents(share * li["_rate"])
                )
                subtotal = share - tax if order["taxesIncluded"] else share
                total += share if order["taxesIncluded"] else share + tax
                li["currentQuantity"] -= quantity
                refund_lines.append(
                    {
                        "id": gid("RefundLineItem", self.new_id()),
                        "lineItem": li,
                        "location": self.locations[self.primary_location]
                        if restock_type != "NO_RESTOCK"
                        else None,
                        "priceSet": li["discountedUnitPriceSet"],
                        "quantity": quantity,
                        "restockType": restock_type,
                        "restocked": restock_type in ("RETURN", "CANCEL"),
                        "subtotalSet": bag(subtotal, cur),
                        "totalTaxSet": bag(tax, cur),
                    }
                )
            refund_shipping = []
            if shipping:
                for sl in order["_shipping_lines"]:
                    price = Decimal(sl["discountedPriceSet"]["shopMoney"]["amount"])
                    stax = sum(
                        (Decimal(t["priceSet"]["shopMoney"]["amount"]) for t in sl["taxLines"]), Decimal(0)
                    )
                    sub = price - stax if order["taxesIncluded"] else price
                    total += price if order["taxesIncluded"] else price + stax
                    refund_shipping.append(
                        {
                            "id": gid("RefundShippingLine", self.new_id()),
                            "shippingLine": sl,
                            "subtotalAmountSet": bag(sub, cur),
                            "taxAmountSet": bag(stax, cur),
                        }
                    )
            if amount is not None:
                total = cents(amount)
            sale = order["transactions"][0]
            transaction = self._transaction("REFUND", total, sale["gateway"] or "", now, parent=sale)
            refund = {
                "id": gid("Refund", self.new_id()),
                "createdAt": now,
                "updatedAt": now,
                "note": note,
                "order": order,
                "totalRefundedSet": bag(total, cur),
                "_refund_line_items": refund_lines,
                "_refund_shipping_lines": refund_shipping,
                "_transactions": [transaction],
            }
            order["refunds"].append(refund)
            order["transactions"].append(transaction)
            refunded = sum(
                (Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) for r in order["refunds"]), Decimal(0)
            )
            order["displayFinancialStatus"] = (
                "REFUNDED" if refunded >= order["_total"] else "PARTIALLY_REFUNDED"
            )
            order["updatedAt"] = now
            refund["_order_id"] = order_id
            self.hooks.emit("REFUNDS_CREATE", webhooks.payload_of("refund", refund))
            self.hooks.emit("ORDERS_UPDATED", webhooks.payload_of("order", order))
            return refund

    def cancel(self, order_id: str) -> dict:
        with self.lock:
            order = self.orders[order_id]
            order["cancelledAt"] = order["updatedAt"] = iso(self.now())
            self.hooks.emit("ORDERS_CANCELLED", webhooks.payload_of("order", order))
            return order

    def fulfil(self, order_id: str) -> dict:
        """The merchant fulfils every line: the committed units leave the shop (on hand down)."""
        with self.lock:
            order = self.orders[order_id]
            if order["displayFulfillmentStatus"] != "FULFILLED":
                for li in order["_line_items"]:
                    item = self.items[self.variants[li["_variant_id"]]["_item_id"]]
                    if item["tracked"]:
                        level = item["_levels"][self.primary_location]
                        level["committed"] = int(level.get("committed", 0)) - li["currentQuantity"]
                        level["on_hand"] = int(level.get("on_hand", 0)) - li["currentQuantity"]
                order["displayFulfillmentStatus"] = "FULFILLED"
            order["updatedAt"] = iso(self.now())
            self.hooks.emit("ORDERS_UPDATED", webhooks.payload_of("order", order))
            return order

    def uninstall(self) -> None:
        """The shop removes the app: every token stops working, app/uninstalled is sent."""
        with self.lock:
            self.hooks.emit("APP_UNINSTALLED", webhooks.payload_of("shop", self.shop()))
            self.tokens.clear()
            self.subscriptions.clear()
