"""The VAT rate each SKU was charged in the shop's recent paid orders.

What the first sync gives a product where the shop tells no product's rate (Shopify taxes by region,
with overrides in its admin: docs/shopify-unknowns.md T1/T2): its orders' tax lines say the rate it
was really charged. Platform-neutral: the connector's ``orders`` (paid, changed in the last ``DAYS``
days, at most ``MAX_ORDERS`` of them) and each line's taxes, in percent by the shop's ``tax_rates``.

A line without taxes says nothing of its product (a tax-exempt buyer, a sale abroad), so it is passed
over. Where a SKU was charged at more than one rate (a changed override, an export sale taxed at 0 %),
its latest order's rate is taken and the others are kept, so the preview can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from django.utils import timezone

from integration.webshops.base import OrderLine, ShopOrder, Webshop

from .import_values import percent, sku_key

DAYS = 60  # Shopify shows apps the last 60 days of orders unless they hold read_all_orders
# each Shopify order is one query: 200 took ~100 s against the sandbox's cost throttle, well within Q_TIMEOUT
MAX_ORDERS = 200
PAID = ("processing", "completed")  # the interface's words for paid orders, on every platform


@dataclass(frozen=True)
class RatesSeen:
    """``rate_by_sku``: by ``sku_key``, the rate of the latest paid order line with that SKU;
    ``earlier_by_sku``: the other rates seen, for the SKUs charged at more than one."""

    rate_by_sku: dict[str, Decimal] = field(default_factory=dict)
    earlier_by_sku: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)
    orders: int = 0  # paid orders read

    def as_json(self) -> dict[str, Any]:
        """What the preview keeps, so that *Yes* applies the rates the owner saw."""
        return {
            "rates": {sku: percent(rate) for sku, rate in self.rate_by_sku.items()},
            "earlier": {sku: [percent(r) for r in rates] for sku, rates in self.earlier_by_sku.items()},
            "orders": self.orders,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RatesSeen:
        data = data or {}
        return cls(
            {sku: Decimal(rate) for sku, rate in (data.get("rates") or {}).items()},
            {sku: tuple(Decimal(r) for r in rates) for sku, rates in (data.get("earlier") or {}).items()},
            int(data.get("orders") or 0),
        )


def line_rate(line: OrderLine, percents: Mapping[int, Decimal]) -> Decimal | None:
    """The VAT % the line was charged (the sum of its taxes' rates), None when it tells none."""
    rates = [percents.get(t.rate_id) for t in line.taxes]
    if not rates or any(r is None for r in rates):
        return None
    return sum((r for r in rates if r is not None), Decimal(0))


def rates_seen(orders: Iterable[ShopOrder], percents: Mapping[int, Decimal]) -> RatesSeen:
    """Pure: the rates ``orders`` charged per SKU. ``percents``: the shop's rate id → VAT %."""
    seen: dict[str, list[tuple[tuple[float, int], Decimal]]] = {}
    count = 0
    for order in orders:
        count += 1
        when = order.date_paid_gmt or order.date_created_gmt
        at = (when.timestamp() if when else 0.0, order.id)
        for line in order.line_items:
            key, rate = sku_key(line.sku), line_rate(line, percents)
            if key and rate is not None:
                seen.setdefault(key, []).append((at, rate))
    latest: dict[str, Decimal] = {}
    earlier: dict[str, tuple[Decimal, ...]] = {}
    for key, charged in seen.items():
        charged.sort(key=lambda c: c[0])
        rate = charged[-1][1]
        latest[key] = rate
        others = sorted({r for _at, r in charged if r != rate})
        if others:
            earlier[key] = tuple(others)
    return RatesSeen(latest, earlier, count)


def read(shop: Webshop, now: datetime | None = None) -> RatesSeen:
    """The rates the shop's paid orders of the last ``DAYS`` days charged (at most ``MAX_ORDERS``)."""
    since = (now or timezone.now()) - timedelta(days=DAYS)
    percents = {r.id: Decimal(r.rate) for r in shop.tax_rates()}
    orders = islice(shop.orders(statuses=PAID, modified_after=since), MAX_ORDERS)
    return rates_seen(orders, percents)
