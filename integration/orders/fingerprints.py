"""What tells a changed shop order (pure): a hash of the order's bookable input, read from the typed
`ShopOrder`, not of the document Silta planned from it.

A transfer keeps this input fingerprint with the plan's own fingerprint (`document_body.fingerprint`) and
the planning rules' version (`document_plan.PLAN_VERSION`). A poll compares only the input: a new version
of Silta's rules (e.g. other VAT rules) leaves the input as it was, so an order already transferred is
neither held as "changed after invoicing" nor updated. Only when the input differs is the order planned
again (lifecycle.follow).

What is in it: everything the planners read that goes onto the document — lines (product, SKU, name,
quantity, prices, taxes), shipping, fees, coupons, the order's totals and VAT lines, currency, the
document date, the payment method (terms of payment, fee templates), the delivery address and the
billing fields that decide the customer's VAT treatment (the country, the business ID and VAT number
meta the order settings name). Not in it: status, payment date, refunds (each its own step),
notes, the customer's e-mail or phone, and meta Silta writes back itself.
"""

import hashlib
import json
from collections.abc import Iterable

from ..webshops.base import Address, LineTax, ShopOrder


def _taxes(taxes: Iterable[LineTax]) -> list:
    return sorted((t.rate_id, t.total, t.subtotal) for t in taxes)


def _address(a: Address) -> list:
    return [a.company, a.first_name, a.last_name, a.address_1, a.address_2, a.city, a.postcode, a.country]


def order_input(order: ShopOrder, meta_keys: Iterable[str] = ()) -> str:
    """The fingerprint of `order`'s bookable input; `meta_keys`: the order meta that names the customer's
    business ID or VAT number (the order settings' keys)."""
    data = [
        order.currency,
        order.prices_include_tax,
        order.date_created_gmt,
        [order.total, order.total_tax, order.shipping_total, order.shipping_tax],
        [order.discount_total, order.discount_tax],
        order.payment_method,
        order.payment_method_title,
        [
            [i.id, i.product_id, i.variation_id, i.sku, i.name, i.quantity, i.price]
            + [i.subtotal, i.subtotal_tax, i.total, i.total_tax, i.tax_class, _taxes(i.taxes)]
            for i in order.line_items
        ],
        [
            [s.id, s.method_id, s.method_title, s.total, s.total_tax, _taxes(s.taxes)]
            for s in order.shipping_lines
        ],
        [
            [f.id, f.name, f.tax_class, f.tax_status, f.total, f.total_tax, _taxes(f.taxes)]
            for f in order.fee_lines
        ],
        [[c.id, c.code, c.discount, c.discount_tax] for c in order.coupon_lines],
        sorted((t.rate_id, t.tax_total, t.shipping_tax_total) for t in order.tax_totals),
        _address(order.shipping),
        order.billing.country,
        [[k, order.meta.get(k)] for k in sorted(set(meta_keys))],
    ]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()[:32]
