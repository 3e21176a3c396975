"""The input fingerprint of a shop order (pure): what is booked changes it, what is not booked does not."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

from integration.orders.fingerprints import order_input
from integration.webshops.base import Address, OrderLine, ShopOrder

D = Decimal


def order() -> ShopOrder:
    line = OrderLine(
        id=1,
        name="Kahvikuppi",
        product_id=10,
        variation_id=0,
        quantity=D(2),
        sku="A-255",
        price=D("9.88"),
        subtotal=D("19.76"),
        subtotal_tax=D("5.04"),
        total=D("19.76"),
        total_tax=D("5.04"),
        tax_class="",
    )
    when = datetime(2026, 12, 1, 10, tzinfo=UTC)
    return ShopOrder(
        id=7,
        number="7",
        status="processing",
        currency="EUR",
        date_created_gmt=when,
        date_modified_gmt=when,
        date_paid_gmt=None,
        prices_include_tax=False,
        total=D("24.80"),
        total_tax=D("5.04"),
        shipping_total=D(0),
        shipping_tax=D(0),
        discount_total=D(0),
        discount_tax=D(0),
        customer_id=0,
        customer_note="",
        billing=Address(first_name="Maija", email="maija@example.fi", country="FI"),
        shipping=Address(address_1="Kauppakatu 1", city="Kuopio", postcode="70100", country="FI"),
        payment_method="bacs",
        payment_method_title="Bank transfer",
        transaction_id="",
        line_items=[line],
        meta={"business_id": "", "_silta_eaccounting_id": "x"},
    )


def test_what_is_booked_changes_the_fingerprint_and_nothing_else_does():
    base = order_input(order(), ["business_id"])
    assert order_input(order(), ["business_id"]) == base  # stable
    booked = [
        lambda o: setattr(o.line_items[0], "quantity", D(3)),
        lambda o: setattr(o.line_items[0], "total", D("18.00")),
        lambda o: setattr(o.shipping, "address_1", "Torikatu 2"),
        lambda o: setattr(o.billing, "country", "SE"),
        lambda o: o.meta.update(business_id="1234567-8"),
        lambda o: setattr(o, "payment_method", "cod"),
    ]
    for change in booked:
        changed = copy.deepcopy(order())
        change(changed)
        assert order_input(changed, ["business_id"]) != base
    not_booked = [
        lambda o: setattr(o, "status", "completed"),
        lambda o: setattr(o, "date_paid_gmt", datetime(2026, 12, 2, tzinfo=UTC)),
        lambda o: setattr(o, "customer_note", "Please ring"),
        lambda o: setattr(o.billing, "email", "other@example.fi"),
        lambda o: setattr(o.billing, "phone", "+358401234567"),
        lambda o: o.meta.update(_silta_eaccounting_id="y"),  # what Silta writes back itself
        lambda o: setattr(o, "refunded_total", D("5.00")),
    ]
    for change in not_booked:
        same = copy.deepcopy(order())
        change(same)
        assert order_input(same, ["business_id"]) == base
