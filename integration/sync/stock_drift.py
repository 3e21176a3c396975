"""Is a stock difference in the shop drift, or the shop's own sales?

Pure: no I/O. Silta remembers the stock it last wrote; the shop lowers it at every sale. A shop
that shows less than Silta wrote is not "changed in the shop" when orders since that write explain it.
Drift is only what no order explains (a manual +5, a count typed in by hand).

What an order did to the shop's stock is not always known: WooCommerce lowers stock when an order
is paid or put on hold, and a refund or a cancellation may or may not put the goods back (the shop
owner chooses). So the orders give a range of sold quantities, and only a shop stock outside the
range is drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from integration.webshops.base import ShopOrder

ZERO = Decimal(0)
#: The shop has lowered the stock of these orders' goods (WooCommerce: wc_maybe_reduce_stock_levels).
STOCK_LOWERED = ("processing", "on-hold", "completed")
#: Lowered once perhaps, and put back perhaps: anything between nothing and the whole quantity.
MAYBE_PUT_BACK = ("refunded", "cancelled")


@dataclass(frozen=True)
class Sold:
    """What orders since the last write took from the shop's stock: at least `least`, at most `most`."""

    least: Decimal = ZERO
    most: Decimal = ZERO

    def __add__(self, other: Sold) -> Sold:
        return Sold(self.least + other.least, self.most + other.most)


NOTHING = Sold()


def sold_by_order(order: ShopOrder, sku: str) -> Sold:
    """The range of `sku` units one order took from the shop's stock."""
    quantity = sum((Decimal(line.quantity) for line in order.line_items if line.sku == sku), ZERO)
    if not quantity:
        return NOTHING
    if order.status in STOCK_LOWERED:
        # a partly refunded order may have put some back (the refund's restock is the owner's choice)
        return Sold(ZERO if order.refunds else quantity, quantity)
    if order.status in MAYBE_PUT_BACK:
        return Sold(ZERO, quantity)
    return NOTHING  # pending, failed, draft: the shop has not lowered its stock


def sold_since(
    orders: Iterable[ShopOrder], sku: str, written_at: datetime, margin_seconds: int = 300
) -> Sold:
    """What the orders created after `written_at` took of `sku`. Orders of the last `margin_seconds`
    before the write may or may not be in the written figure (it was read a moment before it was written)."""
    total = NOTHING
    for order in orders:
        created = order.date_created_gmt
        if created is None:
            continue
        age = (written_at - created).total_seconds()
        if age > margin_seconds:
            continue
        sold = sold_by_order(order, sku)
        total += sold if age <= 0 else Sold(ZERO, sold.most)
    return total


def unexplained_change(last_written: object, shop_now: object, sold: Sold) -> int:
    """How many units of the shop's stock no order explains (0: none; + more than expected, - fewer).

    The shop should show between `last_written - sold.most` and `last_written - sold.least`."""
    try:
        written, now = Decimal(str(last_written)), Decimal(str(shop_now))
    except ArithmeticError:  # unreadable on either side: not a number we can explain
        return 1
    lowest, highest = written - sold.most, written - sold.least
    if now > highest:
        return int(now - highest)
    if now < lowest:
        return int(now - lowest)
    return 0
