"""The read side of the Shopify connector: the shop's settings, variants by SKU, orders.

Method names and shapes follow ``webshops.base.Webshop`` so that the connector (next: the write
side, webhooks) can take them as they are; ``ShopifyReader`` does not subclass ``Webshop`` yet
because the write half of that interface is not built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from ..base import NotFound, ShopInfo, ShopOrder, ShopProduct, ShopRefund, ShopTaxSetup, TaxRate
from . import bulk, parse, queries
from .client import PAGE_SIZE, ShopifyClient

# The VAT rates a Finnish shop charges, as Silta's rate ids (basis points; parse.rate_id). Shopify
# has no list of rates to read (docs/shopify-unknowns.md T2): an order's tax lines carry the rate
# itself, and this table names the rates order booking knows; the pre-flight reads ShopTaxSetup.
FINNISH_RATES = ("0.255", "0.14", "0.10", "0")
SKU_BATCH = 50


class ShopifyReader:
    platform = "shopify"

    def __init__(self, client: ShopifyClient):
        self.client = client
        self._location: str | None = None

    def settings(self) -> ShopInfo:
        shop = self.client.query(queries.SHOP)["shop"]
        return ShopInfo(
            currency=str(shop["currencyCode"]),
            taxes_enabled=True,
            prices_include_tax=bool(shop["taxesIncluded"]),
            product_count=0,
            tax_setup=ShopTaxSetup(
                country=str((shop.get("shopAddress") or {}).get("countryCodeV2") or ""),
                shipping_taxed=bool(shop["taxShipping"]),
            ),
        )

    def location(self) -> str:
        """The shop's first active location: where Silta reads and sets stock."""
        if self._location is None:
            active = [n for n in self.client.nodes(queries.LOCATIONS, ("locations",)) if n.get("isActive")]
            if not active:
                raise NotFound("The Shopify store has no active location to keep stock at.")
            self._location = str(active[0]["id"])
        return self._location

    def products(self, modified_after: datetime | None = None) -> Iterator[ShopProduct]:
        """Every variant; the whole catalogue by one bulk query (a paged read of 10,000 variants
        costs 50,000 points, the bulk query a dozen: README), the changed ones page by page."""
        if modified_after is None:
            location = self.location()
            if not re.fullmatch(r"gid://shopify/Location/\d+", location):
                raise NotFound(f"Unexpected location id {location!r}.")
            for node in bulk.run_bulk_query(self.client, queries.VARIANTS_BULK.format(location=location)):
                if "__parentId" not in node:
                    yield parse.variant_product(node, location)
            return
        yield from self._variants(f"updated_at:>'{modified_after.isoformat()}'")

    def products_by_sku(self, skus: Iterable[str]) -> dict[str, ShopProduct]:
        wanted = [s for s in dict.fromkeys(skus) if s]
        found: dict[str, ShopProduct] = {}
        for i in range(0, len(wanted), SKU_BATCH):
            batch = wanted[i : i + SKU_BATCH]
            query = " OR ".join(f"sku:{_quoted(s)}" for s in batch)
            # a page the batch's size: Shopify wants a query's requested cost (every page counted
            # full) in the bucket before it runs, so a page of 100 for 50 SKUs waits twice as long
            for p in self._variants(query, page_size=len(batch)):
                if p.sku in batch and p.sku not in found:
                    found[p.sku] = p
        return found

    def _variants(self, query: str | None, page_size: int = PAGE_SIZE) -> Iterator[ShopProduct]:
        location = self.location()
        for node in self.client.nodes(
            queries.VARIANTS,
            ("productVariants",),
            {"query": query, "locationId": location},
            page_size=page_size,
        ):
            yield parse.variant_product(node, location)

    def tax_rates(self) -> list[TaxRate]:
        return [
            TaxRate(
                id=parse.rate_id(r),
                rate=parse.rate_percent(parse.rate_id(r)),
                name="ALV",
                tax_class="",
                country="FI",
            )
            for r in FINNISH_RATES
        ]

    def orders(
        self,
        statuses: Iterable[str] | None = None,
        modified_after: datetime | None = None,
        ids: Iterable[int] | None = None,
    ) -> Iterator[ShopOrder]:
        if ids is not None:
            for n in ids:
                yield self.order(n)
            return
        query = f"updated_at:>'{modified_after.isoformat()}'" if modified_after else None
        wanted = set(statuses) if statuses is not None else None
        for ref in self.client.nodes(queries.ORDERS, ("orders",), {"query": query}):
            o = self.order(parse.number_of(ref["id"]))
            if wanted is None or o.status in wanted:
                yield o

    def order(self, order_id: int) -> ShopOrder:
        gid = f"gid://shopify/Order/{order_id}"
        node = self.client.query(queries.ORDER, {"id": gid})["order"]
        if node is None:
            raise NotFound(f"Order {order_id} is not in the Shopify store.")
        lines = node["lineItems"]
        if lines["pageInfo"]["hasNextPage"]:  # more lines than one page: the rest, page by page
            rest = self.client.nodes(
                queries.ORDER_LINES,
                ("order", "lineItems"),
                {"id": gid, "after": lines["pageInfo"]["endCursor"]},
                page_size=queries.LINES_PAGE,
            )
            node = {**node, "lineItems": {"nodes": [*lines["nodes"], *rest]}}
        return parse.order(node)

    def order_refunds(self, order_id: int) -> list[ShopRefund]:
        """The order's refunds, oldest first, with the lines and shipping each paid back."""
        node = self.client.query(queries.REFUNDS, {"id": f"gid://shopify/Order/{order_id}"})["order"]
        if node is None:
            raise NotFound(f"Order {order_id} is not in the Shopify store.")
        refunds = [parse.refund(r, order_id) for r in node.get("refunds") or []]
        return sorted(refunds, key=lambda r: r.id)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
