"""``ShopifyWebshop``: the platform-neutral ``Webshop`` interface over Shopify's GraphQL Admin API.

The read side is ``reader.ShopifyReader``, the write side ``writer.ShopifyWriter``, webhook
subscriptions ``subscriptions.py``, deliveries ``webhooks.verify_delivery``. What Shopify has no
counterpart for is answered plainly: one tax class (Shopify taxes by region, not by product), no
list of shipping methods or gateways through this API (the order names what was used).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..base import (
    PaymentGateway,
    ShippingMethod,
    ShopInfo,
    ShopRefund,
    SignatureInvalid,
    WebhookDelivery,
    WebhookInfo,
    Webshop,
)
from . import domain, subscriptions, webhooks
from .client import ShopifyClient
from .reader import ShopifyReader
from .writer import ShopifyWriter

# Shopify's topics in the intake's words (resource.event); a refund is work on its order.
INTAKE_TOPICS = {
    "orders/paid": "order.updated",
    "orders/updated": "order.updated",
    "orders/cancelled": "order.updated",
    "refunds/create": "order.updated",
    "products/update": "product.updated",
    "app/uninstalled": "app.uninstalled",
}


class ShopifyWebshop(ShopifyWriter, ShopifyReader, Webshop):
    platform = "shopify"
    # X-Shopify-Webhook-Id is the same on every retry of one delivery: the intake drops repeats by it.
    delivery_ids_identify = True
    # products/update carries no hash of Silta's: the links' last written values tell an echo.
    echo_by_link = True
    # A Shopify product has no unit and Silta writes no product metafields: the unit is not sent.
    keeps_unit = False

    def test_connection(self) -> ShopInfo:
        """The shop's settings and its location (the write scopes were granted at install: the
        callback's scope list is checked there), changing nothing."""
        info = self.settings()
        self.location()
        return info

    def tax_classes(self) -> list[str]:
        return [""]

    def refunds(self, order_id: int) -> list[ShopRefund]:
        return self.order_refunds(order_id)

    def shipping_methods(self) -> list[ShippingMethod]:
        return []

    def payment_gateways(self) -> list[PaymentGateway]:
        return []

    def register_webhooks(self, delivery_url: str, secret: str, topics: Iterable[str]) -> list[WebhookInfo]:
        return subscriptions.register(self.client, delivery_url, topics)

    def check_webhooks(self, delivery_url: str, secret: str, topics: Iterable[str]) -> list[str]:
        return subscriptions.check(self.client, delivery_url, topics)

    def remove_webhooks(self, delivery_url: str) -> int:
        return subscriptions.remove(self.client, delivery_url)

    def verify_delivery(self, headers: Mapping[str, str], body: bytes, secret: str) -> WebhookDelivery:
        """Verified on the raw body, then in the intake's words: ``orders/paid`` is
        ``order.updated``; a refund's delivery names its order (``id`` is the order's, the
        refund's own id kept as ``refund_id``). Other topics keep their name with a dot."""
        delivery = webhooks.verify_delivery(headers, body, secret)
        self._from_this_store(headers)
        shopify_topic = delivery.topic
        topic = INTAKE_TOPICS.get(shopify_topic, shopify_topic.replace("/", "."))
        payload = dict(delivery.payload or {})
        if shopify_topic == "refunds/create" and "order_id" in payload:
            payload = {**payload, "id": payload["order_id"], "refund_id": payload.get("id")}
        resource, _, event = topic.partition(".")
        return WebhookDelivery(
            is_ping=False,
            webhook_id=None,
            delivery_id=delivery.delivery_id,
            topic=topic,
            resource=resource,
            event=event,
            payload=payload,
        )

    def _from_this_store(self, headers: Mapping[str, str]) -> None:
        """Every store signs with the same app secret, so a valid signature does not say whose
        delivery it is: a delivery another store sends to this company's address is refused.
        Checked where the connection's address is a myshopify.com store (the local sandbox's
        loopback address names no store)."""
        own = (urlsplit(self.client.shop_url).hostname or "").lower()
        if domain.is_shop_domain(own) and webhooks.shop_of(headers) != own:
            raise SignatureInvalid(
                "The delivery comes from another Shopify store (X-Shopify-Shop-Domain).", status=401
            )

    def is_echo(self, payload: dict) -> bool:
        """A products/update payload carries no hash of Silta's (metafields only for namespaces a
        subscription names, and not reliably a variant's): ``shown_values`` says what it shows and
        ``echo.is_echo`` compares that with each link's last written values."""
        return False

    def shown_values(self, payload: dict) -> dict[int, dict[str, Any]]:
        """A products/update payload (the REST Product resource: sandbox/contracts/shopify/
        webhook-products-update.json) as the owned values of each variant, by variant id (a link's
        ``shop_product_id``): SKU, price, taxable, tracking, the stock it shows and the product's
        status. ``inventory_quantity`` is the variant's stock over all locations; Silta keeps
        stock at one, so with more locations a stock it wrote never matches (no echo: safe)."""
        status = str(payload.get("status") or "").lower()
        shown: dict[int, dict[str, Any]] = {}
        for v in payload.get("variants") or []:
            if not isinstance(v, dict) or not v.get("id"):
                continue
            tracked = v.get("inventory_management") == "shopify"
            values: dict[str, Any] = {
                "sku": v.get("sku") or "",
                "regular_price": v.get("price"),
                "tax_status": "taxable" if v.get("taxable", True) else "none",
                "manage_stock": tracked,
                "status": status,
            }
            if tracked:
                values["stock_quantity"] = v.get("inventory_quantity")
            shown[int(v["id"])] = values
        return shown


def for_shop(shop_url: str, access_token: str, **options: Any) -> ShopifyWebshop:
    """The connector for a store address and its access token (the connection's ``api_key``)."""
    return ShopifyWebshop(ShopifyClient(shop_url, access_token, **options))
