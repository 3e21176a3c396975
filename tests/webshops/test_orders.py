"""Orders, refunds, write-back and the shop's reference lists, from the sandbox's seeded data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from integration.webshops.woocommerce import parse

from .conftest import last_seq, make_shop

D0 = Decimal("0")


def test_orders_parse_with_decimal_money(sb, shop):
    orders = list(shop.orders())
    assert len(orders) == sb.control("GET", "/health")["orders"]
    assert [o.id for o in orders] == sorted(o.id for o in orders)
    for o in orders:
        assert o.currency == "EUR" and o.date_created_gmt.tzinfo is not None
        assert all(isinstance(x, Decimal) for x in (o.total, o.total_tax, o.shipping_total, o.discount_total))
        lines = sum((li.total + li.total_tax for li in o.line_items), D0)
        fees = sum((f.total + f.total_tax for f in o.fee_lines), D0)
        assert lines + fees + o.shipping_total + o.shipping_tax == o.total, o.id
        assert (
            sum((li.total_tax for li in o.line_items), D0)
            + sum((f.total_tax for f in o.fee_lines), D0)
            + o.shipping_tax
            == o.total_tax
        )
        assert o.billing.email and o.line_items
        assert all(isinstance(li.price, Decimal) and li.quantity > 0 for li in o.line_items)
    assert any(li.variation_id for o in orders for li in o.line_items)
    assert any(li.sku for o in orders for li in o.line_items)
    assert any(o.fee_lines for o in orders) and any(o.shipping_lines for o in orders)
    assert any(o.coupon_lines and o.discount_total > 0 for o in orders)


def test_order_filters(sb, shop):
    processing = list(shop.orders(statuses=["processing"]))
    assert processing and all(o.status == "processing" for o in processing)
    two = list(shop.orders(statuses=["processing", "completed"]))
    assert {o.status for o in two} == {"processing", "completed"}
    one = shop.order(processing[0].id)
    assert one.id == processing[0].id and one.total == processing[0].total


def test_orders_modified_after(sb, fresh):
    shop = make_shop(sb, fresh)
    sb.control("POST", "/clock", {"advance": 3600})
    cut = datetime.fromisoformat(sb.control("GET", "/clock")["now_gmt"]).replace(tzinfo=UTC) - timedelta(
        seconds=30
    )
    placed = sb.control(
        "POST",
        "/orders",
        {"line_items": [{"sku": next(p.sku for p in shop.products() if p.type == "simple"), "quantity": 2}]},
    )
    since = last_seq(sb)
    changed = list(shop.orders(modified_after=cut))
    assert [o.id for o in changed] == [placed["id"]]
    query = sb.requests_log(since=since)[0]["query"]
    assert query["dates_are_gmt"] == "true" and query["modified_after"] == cut.strftime("%Y-%m-%dT%H:%M:%S")


def test_refunds(shop):
    refunded = [o for o in shop.orders(statuses=["refunded"])]
    assert refunded
    for o in refunded:
        refunds = shop.refunds(o.id)
        assert refunds and all(r.order_id == o.id and isinstance(r.amount, Decimal) for r in refunds)
        assert sum((r.amount for r in refunds), D0) == o.refunded_total == o.total


def test_write_back_adds_meta_and_a_note(sb, fresh):
    shop = make_shop(sb, fresh)
    order = next(shop.orders(statuses=["processing"]))
    shop.write_back(
        order.id,
        {"_silta_document": "SO-1001", "_silta_document_id": 42},
        "Siirretty eAccountingiin: SO-1001",
    )
    shop.write_back(order.id, {"_silta_document": "SO-1002"}, None)
    data = sb.get(f"/orders/{order.id}", fresh).json()
    meta = parse.meta(data["meta_data"])
    assert meta["_silta_document"] == "SO-1002" and meta["_silta_document_id"] == "42"
    assert [m["key"] for m in data["meta_data"]].count("_silta_document") == 1
    notes = sb.get(f"/orders/{order.id}/notes", fresh).json()
    ours = [n for n in notes if n["note"] == "Siirretty eAccountingiin: SO-1001"]
    assert len(ours) == 1 and ours[0]["customer_note"] is False
    assert shop.order(order.id).meta["_silta_document"] == "SO-1002"


def test_write_back_note_is_not_doubled_when_the_answer_is_lost(sb, fresh):
    shop = make_shop(sb, fresh)
    order = next(shop.orders(statuses=["processing"]))
    sb.control("POST", "/faults", {"drop_next_writes": 1})
    since = last_seq(sb)
    shop.write_back(order.id, {}, "Yksi muistiinpano")
    log = [(e["method"], e.get("dropped", False)) for e in sb.requests_log(since=since)]
    assert log == [("POST", True), ("GET", False)]  # lost answer: looked up, found, not sent again
    notes = sb.get(f"/orders/{order.id}/notes", fresh).json()
    assert [n["note"] for n in notes].count("Yksi muistiinpano") == 1


def test_reference_lists(shop):
    rates = {(r.tax_class, r.rate) for r in shop.tax_rates()}
    assert rates == {
        ("standard", Decimal("25.5")),
        ("reduced-rate", Decimal("14")),
        ("reduced-rate-10", Decimal("10")),
        ("zero-rate", Decimal("0")),
    }
    assert all(r.country == "FI" and r.name for r in shop.tax_rates())
    assert shop.tax_classes() == ["standard", "reduced-rate", "reduced-rate-10", "zero-rate"]
    methods = shop.shipping_methods()
    assert {"flat_rate", "free_shipping", "local_pickup"} <= {m.method_id for m in methods}
    assert all(m.title and m.zone_name and m.instance_id for m in methods)
    assert len({(m.zone_id, m.instance_id) for m in methods}) == len(methods)
    gateways = {g.id: g for g in shop.payment_gateways()}
    assert {"bacs", "cod", "cheque", "paytrail"} <= set(gateways)
    assert gateways["bacs"].enabled and not gateways["cheque"].enabled and gateways["bacs"].title
