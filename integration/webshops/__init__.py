"""Webshop connectors: one module per shop platform behind ``base.Webshop``.

shop = webshops.for_connection(connection)   # integration.models.WebshopConnection
info = shop.test_connection()
"""

from __future__ import annotations

from .base import NotSupported, Webshop


def for_connection(connection, **options) -> Webshop:
    """The connector for a ``WebshopConnection`` (secrets are read from it, decrypted)."""
    platform = getattr(connection, "platform", "woocommerce") or "woocommerce"
    if platform == "woocommerce":
        from .woocommerce import WooCommerce

        return WooCommerce(connection.base_url, connection.api_key, connection.api_secret, **options)
    if platform == "shopify":
        from .shopify.connector import for_shop
        from .shopify.shared_budget import SharedCostBudget
        from .shopify_setup import api_address

        # Every worker on this store spends one cost budget (the ApiBudget row): the syncs, the
        # order runs and the webhook work of one store are paced together, as eAccounting's are.
        options.setdefault("budget", SharedCostBudget(connection.base_url))
        return for_shop(api_address(connection.base_url), connection.api_key, **options)
    if platform == "visma_webshop":
        raise NotSupported(
            "Visma Verkkokauppa has no public API: its orders and the Available in Webshop flag are "
            "handled through eAccounting, not through a webshop connection."
        )
    raise NotSupported(f"Silta does not know the webshop platform {platform!r}.")


__all__ = ["for_connection"]
