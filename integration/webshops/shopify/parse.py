"""Shopify's GraphQL answers as the connector's platform-neutral shapes (pure).

Words the interface takes from WooCommerce, and what they are for a Shopify order:

- ids: the number at the end of a global id (``gid://shopify/Order/1001`` → 1001).
- A line's ``subtotal``/``total`` are net amounts before/after its discounts, ``*_tax`` their tax,
  whatever the shop's ``taxesIncluded``: Shopify's amounts are gross when taxes are included, so the
  net is the gross less the tax. ``discountedTotalSet`` leaves order-level discounts out: they are
  the line's ``discountAllocations``. Shopify gives the tax after discounts only; the tax before
  them (``subtotal_tax``) is worked out at the line's rate, rounded to the cent, as the shop does.
- A tax line has no rate id: Silta names a rate by its basis points (25.5 % → 2550, ``rate_id``),
  so the same rate is the same id in every order; ``tax_rate_percent`` turns it back.
- ``tax_totals``: the order's tax lines per rate, split into goods and shipping by the shipping
  lines' own tax lines.
- ``billing``: the order's ``billingAddress`` with the order's ``email``, in the interface's (WooCommerce's)
  fields (``billing_address``): the same buyer makes the same eAccounting customer on both platforms.
  A company is named by the address's ``company``; a business ID or VAT number Shopify does not give
  (B2B's ``purchasingEntity`` is not read), so a Shopify buyer is a private person, as a WooCommerce
  one without the ID meta.
- ``status``: the financial status in the interface's (WooCommerce's) words, so the order settings'
  statuses mean the same for both platforms: paid is ``processing`` (partly refunded too, as
  WooCommerce keeps it), paid and fulfilled ``completed`` (what WooCommerce calls a paid order
  sent on its way, which Silta invoices by default), refunded ``refunded``, a cancelled order ``cancelled``, waiting for money
  ``pending``/``on-hold``, expired or voided ``failed`` (``STATUSES``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..base import (
    Address,
    ChargeKind,
    LineTax,
    OrderLine,
    RefundedCharge,
    RefundRef,
    ShippingLine,
    ShopOrder,
    ShopProduct,
    ShopRefund,
    TaxTotal,
)

ZERO = Decimal(0)
CENT = Decimal("0.01")
STATUSES = {
    "PAID": "processing",
    "PARTIALLY_REFUNDED": "processing",
    "REFUNDED": "refunded",
    "PENDING": "pending",
    "AUTHORIZED": "on-hold",
    "PARTIALLY_PAID": "on-hold",
    "EXPIRED": "failed",
    "VOIDED": "failed",
}


def number_of(gid: str | None) -> int:
    tail = str(gid or "").rsplit("/", 1)[-1].split("?", 1)[0]
    return int(tail) if tail.isdigit() else 0


def rate_id(rate: float | str | Decimal | None) -> int:
    """A Shopify tax rate (a fraction: 0.255) as Silta's rate id: its basis points (2550)."""
    return int((Decimal(str(rate or 0)) * 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rate_percent(rid: int) -> Decimal:
    return Decimal(rid) / 100


def _money(bag: Any) -> Decimal:
    """The shop-currency amount of a MoneyBag (0 when absent)."""
    try:
        return Decimal(str(bag["shopMoney"]["amount"]))
    except (KeyError, TypeError):
        return ZERO


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _taxes(tax_lines: list[dict] | None) -> list[LineTax]:
    by_rate: dict[int, Decimal] = {}
    for t in tax_lines or []:
        rid = rate_id(t.get("rate"))
        by_rate[rid] = by_rate.get(rid, ZERO) + _money(t.get("priceSet"))
    return [LineTax(rid, total) for rid, total in by_rate.items()]


def _nodes(connection: Any) -> list[dict]:
    if isinstance(connection, list):
        return connection
    if isinstance(connection, dict):
        if isinstance(connection.get("nodes"), list):
            return connection["nodes"]
        return [e["node"] for e in connection.get("edges") or []]
    return []


def order_line(node: dict, included: bool) -> OrderLine:
    quantity = Decimal(int(node.get("quantity") or 0))
    original = _money(node.get("originalTotalSet"))
    discount = sum((_money(a.get("allocatedAmountSet")) for a in node.get("discountAllocations") or []), ZERO)
    after = _money(node.get("discountedTotalSet")) - discount
    taxes = _taxes(node.get("taxLines"))
    tax = sum((t.total for t in taxes), ZERO)
    rate = sum((rate_percent(t.rate_id) for t in taxes), ZERO) / 100
    if included:
        subtotal_tax = _cents(original * rate / (1 + rate)) if discount else tax
        subtotal, total = original - subtotal_tax, after - tax
    else:
        subtotal_tax = _cents(original * rate) if discount else tax
        subtotal, total = original, after
    variant = node.get("variant") or {}
    product = variant.get("product") or {}
    return OrderLine(
        id=number_of(node.get("id")),
        name=str(node.get("name") or node.get("title") or ""),
        product_id=number_of(product.get("id")),
        variation_id=number_of(variant.get("id")),
        quantity=quantity,
        sku=str(node.get("sku") or variant.get("sku") or ""),
        price=subtotal / quantity if quantity else ZERO,
        subtotal=subtotal,
        subtotal_tax=subtotal_tax,
        total=total,
        total_tax=tax,
        tax_class="",
        taxes=[LineTax(t.rate_id, t.total, subtotal_tax if len(taxes) == 1 else None) for t in taxes],
    )


def shipping_line(node: dict, included: bool) -> ShippingLine:
    price = _money(node.get("discountedPriceSet"))
    taxes = _taxes(node.get("taxLines"))
    tax = sum((t.total for t in taxes), ZERO)
    return ShippingLine(
        id=number_of(node.get("id")),
        method_id=str(node.get("code") or node.get("title") or ""),
        method_title=str(node.get("title") or ""),
        total=price - tax if included else price,
        total_tax=tax,
        taxes=taxes,
    )


def billing_address(node: dict) -> Address:
    """The buyer of an Order node: its ``billingAddress`` (MailingAddress, may be null) and ``email``."""
    a = node.get("billingAddress") or {}

    def text(key: str) -> str:
        return str(a.get(key) or "")

    return Address(
        first_name=text("firstName"),
        last_name=text("lastName"),
        company=text("company"),
        address_1=text("address1"),
        address_2=text("address2"),
        city=text("city"),
        postcode=text("zip"),
        country=text("countryCodeV2"),
        email=str(node.get("email") or ""),
        phone=text("phone"),
    )


def order(node: dict) -> ShopOrder:
    """A ``ShopOrder`` of an Order node selected with ``queries.ORDER_FIELDS``."""
    included = bool(node.get("taxesIncluded"))
    lines = [order_line(n, included) for n in _nodes(node.get("lineItems"))]
    ships = [shipping_line(n, included) for n in _nodes(node.get("shippingLines"))]
    goods_tax: dict[int, Decimal] = {}
    ship_tax: dict[int, Decimal] = {}
    for s in ships:
        for t in s.taxes:
            ship_tax[t.rate_id] = ship_tax.get(t.rate_id, ZERO) + t.total
    for t in _taxes(node.get("taxLines")):
        goods_tax[t.rate_id] = t.total - ship_tax.get(t.rate_id, ZERO)
    tax_totals = [
        TaxTotal(rid, goods_tax.get(rid, ZERO), ship_tax.get(rid, ZERO))
        for rid in sorted(set(goods_tax) | set(ship_tax), reverse=True)
    ]
    discount = sum((line.subtotal - line.total for line in lines), ZERO)
    discount_tax = sum((line.subtotal_tax - line.total_tax for line in lines), ZERO)
    transactions = node.get("transactions") or []
    paid = next(
        (t for t in transactions if t.get("kind") in ("SALE", "CAPTURE") and t.get("status") == "SUCCESS"),
        None,
    )
    refunds = [
        RefundRef(number_of(r.get("id")), _money(r.get("totalRefundedSet")))
        for r in node.get("refunds") or []
    ]
    gateways = [str(g) for g in node.get("paymentGatewayNames") or []]
    financial = str(node.get("displayFinancialStatus") or "")
    status = "cancelled" if node.get("cancelledAt") else STATUSES.get(financial, financial.lower())
    if status == "processing" and node.get("displayFulfillmentStatus") == "FULFILLED":
        status = "completed"
    return ShopOrder(
        id=number_of(node.get("id")),
        number=str(node.get("name") or "").lstrip("#"),
        status=status,
        currency=str(node.get("currencyCode") or ""),
        date_created_gmt=_time(node.get("createdAt")),
        date_modified_gmt=_time(node.get("updatedAt")),
        date_paid_gmt=_time(paid.get("processedAt")) if paid else None,
        prices_include_tax=included,
        total=_money(node.get("totalPriceSet")),
        total_tax=_money(node.get("totalTaxSet")),
        shipping_total=sum((s.total for s in ships), ZERO),
        shipping_tax=sum((s.total_tax for s in ships), ZERO),
        discount_total=discount,
        discount_tax=discount_tax,
        customer_id=0,
        customer_note="",
        billing=billing_address(node),
        shipping=Address(),
        payment_method=gateways[0] if gateways else "",
        payment_method_title=gateways[0] if gateways else "",
        transaction_id="",
        line_items=lines,
        shipping_lines=ships,
        refunded_total=sum((r.amount for r in refunds), ZERO),
        raw=node,
        refunds=refunds,
        tax_totals=tax_totals,
    )


def variant_product(node: dict, location_id: str | None) -> ShopProduct:
    """A variant as a ``ShopProduct`` (Shopify sells variants; a product without options has one)."""
    product = node.get("product") or {}
    item = node.get("inventoryItem") or {}
    level = item.get("inventoryLevel") or {}
    quantities = {q.get("name"): q.get("quantity") for q in level.get("quantities") or []}
    price = node.get("price")
    return ShopProduct(
        id=number_of(node.get("id")),
        parent_id=number_of(product.get("id")) or None,
        sku=str(node.get("sku") or ""),
        name=str(product.get("title") or node.get("title") or ""),
        type="variation",
        status=str(product.get("status") or "").lower(),
        regular_price=Decimal(str(price)) if price is not None else None,
        tax_class="",
        tax_status="taxable" if node.get("taxable", True) else "none",
        manage_stock=bool(item.get("tracked")),
        stock_quantity=quantities.get("available") if item.get("tracked") else None,
        date_modified_gmt=_time(node.get("updatedAt")),
        meta={"inventory_item_id": item.get("id"), "location_id": location_id},
        raw=node,
    )


def refund(node: dict, order_id: int) -> ShopRefund:
    """A Refund node (``queries.REFUNDS``) in WooCommerce's signs, as the interface has them: a
    refund's lines are negative (quantity, net, tax), each naming the order line it pays back;
    the refunded shipping is a positive ``RefundedCharge``. ``subtotalSet``/``subtotalAmountSet``
    are read as the amounts before tax, ``totalTaxSet``/``taxAmountSet`` their tax, whatever the
    order's taxesIncluded (as the sandbox has them; docs/shopify-unknowns.md R1)."""
    lines = []
    for n in _nodes(node.get("refundLineItems")):
        item = n.get("lineItem") or {}
        quantity = Decimal(int(n.get("quantity") or 0))
        tax = _money(n.get("totalTaxSet"))
        price = _money(n.get("subtotalSet"))
        net = price
        rates = _taxes(item.get("taxLines"))
        rid = rates[0].rate_id if rates else 0
        variant = item.get("variant") or {}
        lines.append(
            OrderLine(
                id=number_of(n.get("id")),
                name=str(item.get("name") or ""),
                product_id=0,
                variation_id=number_of(variant.get("id")),
                quantity=-quantity,
                sku=str(item.get("sku") or variant.get("sku") or ""),
                price=net / quantity if quantity else ZERO,
                subtotal=-net,
                subtotal_tax=-tax,
                total=-net,
                total_tax=-tax,
                tax_class="",
                taxes=[LineTax(rid, -tax, -tax)] if rates else [],
                refunded_item_id=number_of(item.get("id")) or None,
            )
        )
    charges = []
    for n in _nodes(node.get("refundShippingLines")):
        ship = n.get("shippingLine") or {}
        tax = _money(n.get("taxAmountSet"))
        amount = _money(n.get("subtotalAmountSet"))
        rates = _taxes(ship.get("taxLines"))
        charges.append(
            RefundedCharge(
                kind=ChargeKind.SHIPPING,
                order_line_id=number_of(ship.get("id")) or None,
                name=str(ship.get("title") or ""),
                net=amount,
                tax=tax,
                taxes=(LineTax(rates[0].rate_id, tax),) if rates else (),
            )
        )
    return ShopRefund(
        id=number_of(node.get("id")),
        order_id=order_id,
        amount=_money(node.get("totalRefundedSet")),
        reason=str(node.get("note") or ""),
        date_created_gmt=_time(node.get("createdAt")),
        line_items=lines,
        raw=node,
        charges=charges,
    )
