"""The shop's sales since Silta last wrote a product's stock, read from the shop only when asked.

The planner asks only for a product whose shop stock differs from what Silta last wrote (a sale,
or drift): a run without such products reads no orders; one with them reads the orders modified
since the oldest of their writes once (again only if an older write is asked for later).
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from ..models import ArticleLink, Tenant
from ..webshops.base import ShopOrder, Webshop
from .stock_drift import NOTHING, Sold, sold_since

MARGIN = timedelta(
    minutes=5
)  # an order just before the write may or may not be in it (stock_drift.sold_since)


class SalesSinceWrite(Mapping):
    """SKU -> stock_drift.Sold: what the shop's orders took since Silta last wrote that product."""

    def __init__(self, shop: Webshop, tenant: Tenant):
        self.shop, self.tenant = shop, tenant
        self._orders: list[ShopOrder] = []
        self._since: datetime | None = None  # the orders modified after this are in self._orders

    def _written_at(self, sku: str) -> datetime | None:
        return (
            ArticleLink.objects.filter(tenant=self.tenant, article_number=sku)
            .order_by("-updated_at")
            .values_list("updated_at", flat=True)
            .first()
        )

    def _orders_since(self, when: datetime) -> list[ShopOrder]:
        if self._since is None or when < self._since:
            self._orders = list(self.shop.orders(modified_after=when - MARGIN))
            self._since = when
        return self._orders

    def __getitem__(self, sku: str) -> Sold:
        written_at = self._written_at(sku)
        if written_at is None:
            raise KeyError(sku)
        return sold_since(self._orders_since(written_at), sku, written_at, int(MARGIN.total_seconds()))

    def get(self, sku, default=NOTHING):
        try:
            return self[sku]
        except KeyError:
            return default

    def __iter__(self):
        return iter(())  # not listable: asked one SKU at a time

    def __len__(self):
        return 0
