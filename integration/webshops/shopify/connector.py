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


class ShopifyWebshop(ShopifyWriter, ShopifyReader, Webshop):
    platform = "shopify"

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
        return webhooks.verify_delivery(headers, body, secret)

    def is_echo(self, payload: dict) -> bool:
        """Shopify's product payloads carry no metafields unless subscribed with their namespace;
        until the sync hash is written as one, every product webhook counts as a change (safe:
        the sync reads the item and finds nothing to do)."""
        return False


def for_shop(shop_url: str, access_token: str, **options: Any) -> ShopifyWebshop:
    """The connector for a store address and its access token (the connection's ``api_key``)."""
    return ShopifyWebshop(ShopifyClient(shop_url, access_token, **options))
