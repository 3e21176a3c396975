"""Shop product snapshots: a full read, then incremental reads by modified time."""

import pytest

from integration import webshops
from integration.models import ShopProductSnapshot, SyncCursor
from integration.sync import shop_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(shop_tenant):
    return webshops.for_connection(shop_tenant.webshop_connection)


def test_full_refresh_keeps_every_product_and_variation(shop_tenant, shop, wc):
    read = len(shop_snapshot.refresh(shop_tenant, shop, full=True))
    expected = list(shop.products())
    assert read == len(expected) == ShopProductSnapshot.objects.filter(tenant=shop_tenant).count()
    assert any(p.parent_id for p in expected)  # the seed has a variable product
    one = expected[0]
    snap = ShopProductSnapshot.objects.get(tenant=shop_tenant, product_id=one.id)
    back = shop_snapshot.to_product(snap)
    assert (back.sku, back.name, back.regular_price, back.stock_quantity) == (
        one.sku,
        one.name,
        one.regular_price,
        one.stock_quantity,
    )
    assert SyncCursor.objects.get(tenant=shop_tenant, name=shop_snapshot.CURSOR)


def test_incremental_refresh_reads_only_what_changed(shop_tenant, shop, wc):
    total = len(shop_snapshot.refresh(shop_tenant, shop, full=True))
    wc.control("POST", "/clock", {"advance": 600})  # ten minutes later, past the overlap
    product = next(p for p in shop.products() if p.parent_id is None and p.sku)
    wc.control("PATCH", f"/products/{product.id}", {"regular_price": "77.70"})
    read = len(shop_snapshot.refresh(shop_tenant, shop))
    assert 1 <= read < total / 2  # the change, and what the two-minute overlap re-reads
    snap = ShopProductSnapshot.objects.get(tenant=shop_tenant, product_id=product.id)
    assert snap.values["regular_price"] == "77.70"


def test_a_product_deleted_in_the_shop_leaves_the_snapshots_on_a_full_refresh(shop_tenant, shop, wc):
    shop_snapshot.refresh(shop_tenant, shop, full=True)
    product = next(p for p in shop.products() if p.parent_id is None and p.type == "simple")
    wc.delete(
        f"/products/{product.id}",
        (shop_tenant.webshop_connection.api_key, shop_tenant.webshop_connection.api_secret),
        params={"force": "true"},
    )
    shop_snapshot.refresh(shop_tenant, shop, full=True)
    assert not ShopProductSnapshot.objects.filter(tenant=shop_tenant, product_id=product.id).exists()
