"""New products made one productSet each with their stock (no stock call after), read back in one
query per 50 SKUs, and the sync path's connector spending the store's shared cost budget (the
ApiBudget row)."""

import math
from collections import Counter

import pytest

from integration import webshops
from integration.models import ApiBudget, Tenant, WebshopConnection
from integration.webshops.base import ProductWrite
from integration.webshops.shopify import reader
from integration.webshops.shopify.connector import ShopifyWebshop
from integration.webshops.shopify.shared_budget import SharedCostBudget, key_for

from .conftest import make_client

NEW = 110  # past two read-back batches (50)


def _roots(sb) -> Counter:
    return Counter(", ".join(r["roots"]) for r in sb.control("GET", "/requests") if r.get("roots"))


def test_new_products_are_one_product_set_each_with_their_stock(sb, token):
    sb.reset(seed=None, bucket_size=100_000.0, restore_rate=100_000.0)  # the budget is not measured here
    shop = ShopifyWebshop(make_client(sb, sb.token()))
    sb.control("DELETE", "/requests")
    writes = [
        ProductWrite(sku=f"B-{n}", name=f"Tuote {n}", manage_stock=True, stock_quantity=n % 7)
        for n in range(NEW)
    ]
    outcomes = shop.save_products(writes)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
    roots = _roots(sb)
    assert roots["productSet"] == NEW and not roots["productCreate"] and not roots["inventorySetQuantities"]
    assert roots["productVariants"] == math.ceil(NEW / reader.SKU_BATCH)  # read back for all at once
    copies = shop.products_by_sku(w.sku for w in writes)
    assert {s: c.stock_quantity for s, c in copies.items()} == {w.sku: w.stock_quantity for w in writes}
    # the outcome carries the copy as it is now (stock set), for the sync's snapshot
    assert [o.product.stock_quantity for o in outcomes if o.product] == [w.stock_quantity for w in writes]


@pytest.mark.django_db
def test_the_sync_paths_connector_spends_the_stores_shared_budget(sb, token):
    tenant = Tenant.objects.create(name="Kahvila Oy", slug="kahvila-budget")
    connection = WebshopConnection.objects.create(
        tenant=tenant, platform="shopify", base_url=sb.url, api_key=sb.token(), status="connected"
    )
    shop = webshops.for_connection(
        connection, allow_http_hosts=["127.0.0.1"], allow_private_hosts=["127.0.0.1"]
    )
    assert isinstance(shop, ShopifyWebshop) and isinstance(shop.client.budget, SharedCostBudget)
    shop.settings()
    row = ApiBudget.objects.get(key=key_for(sb.url))
    assert row.tat > 0 and shop.client.budget.spent > 0  # reserved in the row, charged as Shopify said
