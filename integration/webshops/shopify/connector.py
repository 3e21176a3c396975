"""``ShopifyWebshop``: the platform-neutral ``Webshop`` interface over Shopify's GraphQL Admin API.

The read side is ``reader.ShopifyReader``, the write side ``writer.ShopifyWriter``, webhook
subscriptions ``subscriptions.py``, deliveries ``webhooks.verify_delivery``. What Shopify has no
counterpart for is answered plainly: one tax class (Shopify taxes by region, not by product), no
list of shipping methods or gateways through this API (the order names what was used).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..base import (
    PaymentGateway,
    ShippingMethod,
    ShopInfo,
    ShopRefund,
    WebhookDelivery,
    WebhookInfo,
    Webshop,
)
from . import subscriptions, webhooks
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
    # Shopify has no unit field, and Silta writes no product metafields there: no unit to keep.
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

    def is_echo(self, payload: dict) -> bool:
        """Shopify's product payloads carry no metafields unless subscribed with their namespace;
        until the sync hash is written as one, every product webhook counts as a change (safe:
        the sync reads the item and finds nothing to do)."""
        return False


def for_shop(shop_url: str, access_token: str, **options: Any) -> ShopifyWebshop:
    """The connector for a store address and its access token (the connection's ``api_key``)."""
    return ShopifyWebshop(ShopifyClient(shop_url, access_token, **options))
