"""Keeping compact copies of the shop's products in the database (ShopProductSnapshot).

The article sync looks products up here page by page, so memory stays flat however large
the catalogue. Refreshed incrementally with the shop's `modified_after`.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from ..models import ShopProductSnapshot, SyncCursor, Tenant
from ..webshops.base import ShopProduct, Webshop

CURSOR = "shop.products"
# The cursor is on the shop's own clock (its modified times), so the overlap only covers
# changes in the same second; a save that commits late is caught by its webhook or the
# next full reconcile.
OVERLAP = timedelta(seconds=2)
WRITE_BATCH = 500
SILTA_META_PREFIX = "_silta_"  # only our own meta keys are kept; the shop owner's are not our business


def to_values(product: ShopProduct) -> dict:
    return {
        "name": product.name,
        "type": product.type,
        "regular_price": None if product.regular_price is None else str(product.regular_price),
        "tax_class": product.tax_class,
        "tax_status": product.tax_status,
        "manage_stock": product.manage_stock,
        "stock_quantity": product.stock_quantity,
        "meta": {k: v for k, v in product.meta.items() if k.startswith(SILTA_META_PREFIX)},
    }


def to_product(snapshot: ShopProductSnapshot) -> ShopProduct:
    v = snapshot.values
    price = v.get("regular_price")
    return ShopProduct(
        id=snapshot.product_id,
        parent_id=snapshot.parent_id,
        sku=snapshot.sku,
        name=v.get("name", ""),
        type=v.get("type", ""),
        status=snapshot.status,
        regular_price=None if price is None else Decimal(price),
        tax_class=v.get("tax_class", ""),
        tax_status=v.get("tax_status", ""),
        manage_stock=bool(v.get("manage_stock")),
        stock_quantity=v.get("stock_quantity"),
        date_modified_gmt=snapshot.modified_gmt,
        meta=dict(v.get("meta") or {}),
    )


def _row(tenant, product: ShopProduct) -> ShopProductSnapshot:
    return ShopProductSnapshot(
        tenant=tenant,
        product_id=product.id,
        parent_id=product.parent_id,
        sku=product.sku or "",
        status=product.status,
        values=to_values(product),
        modified_gmt=product.date_modified_gmt,
    )


def save(tenant: Tenant, products: list[ShopProduct]) -> None:
    """Upsert snapshots (also after our own writes, with the shop's answer)."""
    ShopProductSnapshot.objects.bulk_create(
        [_row(tenant, p) for p in products],
        update_conflicts=True,
        unique_fields=["tenant", "product_id"],
        update_fields=["parent_id", "sku", "status", "values", "modified_gmt"],
    )


def _changed(tenant: Tenant, batch: list[ShopProduct]) -> list[int]:
    """Ids whose owned values differ from the snapshot (a re-read of our own write is no change)."""
    known = {
        s.product_id: (s.sku, s.status, s.values)
        for s in ShopProductSnapshot.objects.filter(tenant=tenant, product_id__in=[p.id for p in batch])
    }
    return [p.id for p in batch if known.get(p.id) != (p.sku or "", p.status, to_values(p))]


def refresh(tenant: Tenant, shop: Webshop, *, full: bool = False) -> list[int]:
    """Read changed products (all with `full`) into snapshots; returns the ids whose values changed."""
    cursor = SyncCursor.objects.filter(tenant=tenant, name=CURSOR).first()
    since = None if full or cursor is None else cursor.value - OVERLAP
    newest, seen, changed, batch = None, [], [], []

    def flush():
        changed.extend(_changed(tenant, batch))
        save(tenant, batch)
        batch.clear()

    for product in shop.products(modified_after=since):
        batch.append(product)
        seen.append(product.id)
        if product.date_modified_gmt and (newest is None or product.date_modified_gmt > newest):
            newest = product.date_modified_gmt
        if len(batch) >= WRITE_BATCH:
            flush()
    with transaction.atomic():
        if batch:
            flush()
        if full:  # gone from the shop: deleted there
            ShopProductSnapshot.objects.filter(tenant=tenant).exclude(product_id__in=seen).delete()
        if newest is not None:
            SyncCursor.objects.update_or_create(tenant=tenant, name=CURSOR, defaults={"value": newest})
    return changed


def read_all_next_time(tenant: Tenant) -> None:
    """The next refresh reads every product (a write's outcome is unknown: find what it made)."""
    SyncCursor.objects.filter(tenant=tenant, name=CURSOR).delete()


def advance_cursor(tenant: Tenant, newest_write) -> None:
    """After our own writes: move the cursor past them, so the next run does not read them back.

    `newest_write` is the shop's modified time of our last write. A change the shop owner made
    while this run was writing is then found by its webhook or, at the latest, by the next
    full reconcile.
    """
    if newest_write is None:
        return
    value = newest_write + OVERLAP  # the next read starts right after our last write
    cursor = SyncCursor.objects.filter(tenant=tenant, name=CURSOR).first()
    if cursor is None or cursor.value < value:
        SyncCursor.objects.update_or_create(tenant=tenant, name=CURSOR, defaults={"value": value})
