"""*Stock to enter in eAccounting*: the products the first sync created as stock items at 0, whose shop
keeps its own stock until a person enters it in eAccounting (``ArticleLink.stock_led_by_shop``; the
article sync clears it, ``article_values.stock_entered``).

Read in a fixed number of queries however long the list (the page and the CSV show the same rows),
and counted along with the dashboard's tenants (no query of its own).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery

from ..models import ArticleLink, ImportItem, ShopProductSnapshot, Tenant


@dataclass(frozen=True)
class StockToEnter:
    """One product: the article number, the shop's name, the shop's stock when the first sync created
    the article (None: the shop did not count it) and now, as far as Silta last saw the shop (None: not
    counted, or not seen since)."""

    article_number: str
    name: str
    at_import: Decimal | None
    now: int | None
    shop_product_id: int


def waiting(tenant: Tenant) -> list[StockToEnter]:
    links = list(
        ArticleLink.objects.filter(tenant=tenant, stock_led_by_shop=True)
        .order_by("article_number")
        .values_list("article_number", "shop_product_id", "stock_to_enter")
    )
    if not links:
        return []
    ids = [product_id for _number, product_id, _at_import in links]
    snapshots = {
        s.product_id: s.values or {}
        for s in ShopProductSnapshot.objects.filter(tenant=tenant, product_id__in=ids).only(
            "product_id", "values"
        )
    }
    imported = dict(
        ImportItem.objects.filter(tenant=tenant, kind=ImportItem.Kind.CREATE, product_id__in=ids)
        .order_by("first_sync_id")  # the latest first sync's name wins
        .values_list("product_id", "name")
    )
    rows = []
    for number, product_id, at_import in links:
        seen = snapshots.get(product_id, {})
        now = seen.get("stock_quantity") if seen.get("manage_stock") else None
        name = imported.get(product_id) or seen.get("name") or ""
        rows.append(StockToEnter(number, name, at_import, now, product_id))
    return rows


def count_per_tenant() -> Subquery:
    """Products still waiting for their stock in eAccounting, as an annotation of a tenant query
    (``Tenant.objects.annotate(n=count_per_tenant())``): the dashboard reads it with its tenants, no query
    of its own; the partial index on the waiting links keeps it cheap however many links there are."""
    waiting = (
        ArticleLink.objects.filter(tenant=OuterRef("pk"), stock_led_by_shop=True)
        .order_by()
        .values("tenant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(waiting, output_field=IntegerField())
