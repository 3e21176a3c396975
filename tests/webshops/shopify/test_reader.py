"""The Shopify connector's read side against the sandbox, and a Shopify order planned like the same
WooCommerce order (integration/orders/document_plan): the same eAccounting rows."""

import dataclasses
from decimal import Decimal

import pytest

from integration.orders.customer_plan import CustomerPlan, CustomerRules, plan_customer
from integration.orders.document_plan import DocumentPlan, plan_document
from integration.orders.outcomes import Waiting, WaitReason
from integration.privacy import personal_data
from integration.webshops.base import Address
from integration.webshops.shopify.parse import number_of, rate_id, rate_percent
from integration.webshops.shopify.reader import ShopifyReader
from tests.fixtures import woo_orders

from .conftest import make_client

D = Decimal
RATE = {1: D("0.255"), 2: D("0.14"), 3: D("0.10")}  # the WooCommerce fixture's rate ids → Shopify rates


@pytest.fixture
def reader(sb, token):
    sb.reset(seed=None)
    return ShopifyReader(make_client(sb, sb.token()))


def _product(sb, sku, gross_cents, rid, quantity=10):
    made = sb.control(
        "POST",
        "/products",
        {
            "title": f"Tuote {sku}",
            "tax_rate": str(RATE[rid]),
            "variants": [{"sku": sku, "price": str(D(gross_cents) / 100), "quantity": quantity}],
        },
    )
    return made["variants"][0]


def test_settings_and_variants_by_sku(reader, sb):
    _product(sb, "A-1", 1290, 1)
    _product(sb, "B-2", 450, 2, quantity=None)
    assert reader.settings().prices_include_tax is True
    found = reader.products_by_sku(["A-1", "B-2", "NOPE"])
    assert set(found) == {"A-1", "B-2"}
    assert found["A-1"].regular_price == D("12.90") and found["A-1"].stock_quantity == 10
    assert found["A-1"].manage_stock is True and found["B-2"].manage_stock is False
    assert found["B-2"].stock_quantity is None
    assert found["A-1"].meta["location_id"] == reader.location()


def test_rate_ids_are_basis_points():
    assert rate_id(0.255) == 2550 and rate_id("0.14") == 1400 and rate_id(0.1) == 1000 and rate_id(None) == 0
    assert rate_percent(2550) == D("25.5")
    assert {r.id: r.rate for r in ShopifyReader(None).tax_rates()} == {
        2550: D("25.5"),
        1400: D("14"),
        1000: D("10"),
        0: D("0"),
    }


def _figures(plan: DocumentPlan):
    return [
        (r.article.number, r.quantity, r.unit_price, r.discount, r.vat_rate, r.net, r.vat, r.kind)
        for r in plan.rows
    ], (plan.net, plan.vat, plan.total, plan.shop_total, plan.shop_vat)


def _row(r):
    return (r.article.number, r.quantity, r.unit_price, r.discount, r.vat_rate, r.net, r.vat, r.kind)


CASES = [
    # (lines [(rate id, quantity, gross unit cents)], percent discount, WooCommerce net shipping cents)
    ([(1, 2, 1290), (2, 1, 450), (3, 3, 999)], 10, 0),
    ([(1, 1, 2490)], 0, 470),
    ([(1, 3, 333), (1, 1, 10001)], 33, 470),
    ([(2, 5, 199), (3, 2, 1550)], 15, 0),
]


@pytest.mark.parametrize("lines, percent, shipping_cents", CASES)
@pytest.mark.parametrize("includes_vat", [True, False])
def test_a_shopify_order_plans_the_same_rows_as_the_same_woocommerce_order(
    reader, sb, lines, percent, shipping_cents, includes_vat
):
    variants = [_product(sb, f"GOODS-{rid}", cents, rid) for rid, _q, cents in lines]
    body = {
        "lines": [{"variant_id": v, "quantity": q} for v, (_rid, q, _c) in zip(variants, lines, strict=True)],
        "discount_percent": percent,
    }
    if shipping_cents:
        net = D(shipping_cents) / 100
        body["shipping"] = {"title": "Posti", "price": str(net + (net * D("0.255")).quantize(D("0.01")))}
    else:
        body["shipping"] = None
    made = sb.control("POST", "/orders", body)
    shopify = reader.order(int(made["id"].rsplit("/", 1)[-1]))

    spec = woo_orders.Spec(
        gross_shop=True,
        private=True,
        lines=lines,
        coupon=("percent", percent) if percent else ("none", 0),
        shipping_cents=shipping_cents,
        fee=("none", 0),
        refunds=[],
    )
    woo, _refunds = woo_orders.build(spec)

    woo_ctx = woo_orders.context(includes_vat)
    shopify_ctx = dataclasses.replace(
        woo_ctx,
        tax_rate_percent={rate_id(r): woo_orders.RATES[rid] for rid, r in RATE.items()},
        shipping_templates={"Posti": woo_orders.SHIP},
    )
    planned_woo, planned_shopify = plan_document(woo, woo_ctx), plan_document(shopify, shopify_ctx)
    if isinstance(planned_woo, DocumentPlan):
        assert isinstance(planned_shopify, DocumentPlan), planned_shopify
        assert _figures(planned_shopify) == _figures(planned_woo)
    else:  # the receipt cannot be booked to the cent on net rows: the same reason for both shops
        assert planned_shopify.why == planned_woo.why
        # the rows known so far: the same figures (each row's line id is its own shop's)
        assert [_row(r) for r in planned_shopify.rows] == [_row(r) for r in planned_woo.rows]
    assert shopify.total == woo.total and shopify.total_tax == woo.total_tax


def test_an_order_with_more_lines_than_a_page_is_read_whole(reader, sb):
    variants = [_product(sb, f"L-{n}", 100 + n, 1) for n in range(60)]
    made = sb.control("POST", "/orders", {"lines": [{"variant_id": v, "quantity": 1} for v in variants]})
    order = reader.order(int(made["id"].rsplit("/", 1)[-1]))
    assert [line.sku for line in order.line_items] == [f"L-{n}" for n in range(60)]
    assert (
        sum((line.total + line.total_tax for line in order.line_items), D(0))
        + order.shipping_total
        + (order.shipping_tax)
        == order.total
    )


def test_orders_lists_every_order_changed_since(reader, sb):
    v = _product(sb, "A-1", 1290, 1)
    for _ in range(3):
        sb.control("POST", "/orders", {"lines": [{"variant_id": v, "quantity": 1}]})
    orders = list(reader.orders())
    assert [o.number for o in orders] == ["1001", "1002", "1003"]
    assert all(
        o.status == "processing" and o.prices_include_tax and o.payment_method == "shopify_payments"
        for o in orders
    )
    later = list(reader.orders(modified_after=orders[-1].date_modified_gmt))
    assert later == []


def test_a_paid_order_is_completed_once_fulfilled_and_cancelled_when_cancelled(reader, sb):
    """WooCommerce's words for Shopify's two statuses (parse.py; docs/shopify-unknowns.md F1)."""
    v = _product(sb, "A-1", 1290, 1)
    sent, refunded, dropped = (
        sb.control("POST", "/orders", {"lines": [{"variant_id": v, "quantity": 2}]}) for _ in "abc"
    )
    assert reader.order(number_of(sent["id"])).status == "processing"  # paid, not yet sent
    sb.control("POST", "/fulfil", {"order_id": sent["id"]})
    sb.control("POST", "/fulfil", {"order_id": refunded["id"]})
    sb.control("POST", "/refunds", {"order_id": refunded["id"], "amount": "1.00"})
    sb.control("POST", "/cancel", {"order_id": dropped["id"]})
    assert [reader.order(number_of(o["id"])).status for o in (sent, refunded, dropped)] == [
        "completed",
        "completed",  # partly refunded, as WooCommerce keeps a completed order
        "cancelled",
    ]


def test_the_whole_catalogue_is_read_by_one_bulk_query_and_changes_page_by_page(reader, sb):
    from datetime import UTC, datetime, timedelta

    for n in range(5):
        _product(sb, f"C-{n}", 1000 + n, 1, quantity=n)
    since = sb.store.now()
    everything = list(reader.products())
    assert sorted(p.sku for p in everything) == [f"C-{n}" for n in range(5)]
    assert {p.sku: p.stock_quantity for p in everything} == {f"C-{n}": n for n in range(5)}
    assert [e["roots"] for e in sb.requests_log() if "bulkOperationRunQuery" in e.get("roots", [])]
    later = list(reader.products(modified_after=since - timedelta(seconds=0)))
    assert later == [] or all(p.date_modified_gmt >= since.replace(microsecond=0) for p in later)
    assert list(reader.products(modified_after=datetime(2000, 1, 1, tzinfo=UTC)))


def _order_of(sb, reader, **body):
    _product(sb, "A-1", 1290, 1)
    made = sb.control("POST", "/orders", {"lines": [{"sku": "A-1", "quantity": 1}], **body})
    return reader.order(int(made["id"].rsplit("/", 1)[-1]))


def test_the_buyer_is_read_into_the_billing_address_woocommerce_fills(reader, sb):
    order = _order_of(
        sb,
        reader,
        email="Maija@Example.fi",
        billing={
            "firstName": "Maija",
            "lastName": "Meikäläinen",
            "company": "Kahvila Maija",
            "address1": "Kauppakatu 1",
            "address2": "B 4",
            "zip": "70100",
            "city": "Kuopio",
            "countryCodeV2": "FI",
            "phone": "+358401234567",
        },
    )
    assert order.billing == Address(
        first_name="Maija",
        last_name="Meikäläinen",
        company="Kahvila Maija",
        address_1="Kauppakatu 1",
        address_2="B 4",
        city="Kuopio",
        state="",
        postcode="70100",
        country="FI",
        email="Maija@Example.fi",
        phone="+358401234567",
    )
    assert order.shipping == Address()
    # what a reason quoting her is redacted of before it is saved (privacy.personal_data), as for WooCommerce
    assert personal_data.order_values(order) == {
        "Maija Meikäläinen",
        "Kauppakatu 1",
        "Maija@Example.fi",
        "+358401234567",
    }


def test_an_order_without_a_billing_address_has_only_its_email(reader, sb):
    order = _order_of(sb, reader, email="asiakas@example.fi")
    assert order.billing == Address(email="asiakas@example.fi")
    assert _order_of(sb, reader, email=None).billing == Address()


def test_a_buyer_redacted_for_an_app_not_approved_reaches_the_customer_plan_as_no_buyer(reader, sb):
    """docs/shopify-unknowns.md P4: Shopify may answer an unapproved app's protected customer data as null.
    The order is then one without a buyer, as a WooCommerce order without an address: the collective
    customer takes it when the tenant has one, otherwise it waits saying what is missing."""
    sb.control("POST", "/settings", {"protected_customer_data": "redacted"})
    try:
        billing = {"firstName": "Maija", "lastName": "Meikäläinen", "zip": "70100", "city": "Kuopio"}
        order = _order_of(sb, reader, email="maija@example.fi", billing=billing)
    finally:
        sb.control("POST", "/settings", {"protected_customer_data": "approved"})
    assert order.billing == Address()
    rules = CustomerRules("FI", "EUR", (), (), "terms", collective_customer_id="")
    waiting = plan_customer(order, rules)
    assert isinstance(waiting, Waiting)
    assert {r.code for r in waiting.why} == {
        WaitReason.NO_POSTCODE_OR_CITY,
        WaitReason.NO_EMAIL,
        WaitReason.NO_CUSTOMER_NAME,
    }
    collective = plan_customer(order, dataclasses.replace(rules, collective_customer_id="c-1"))
    assert isinstance(collective, CustomerPlan) and collective.collective
