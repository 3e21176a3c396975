"""The first-sync import preview, rule by rule (pure: no database, no network)."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integration.eaccounting.resources import Article
from integration.sync.import_plan import (
    Create,
    LeftOut,
    Link,
    Overwrite,
    PushCreate,
    Reject,
    plan_first_sync,
)
from integration.sync.rates_from_orders import RatesSeen, rates_seen
from integration.webshops.base import Address, LineTax, OrderLine, ShopOrder
from tests.fixtures.import_products import CTX, article, plan, product

D = Decimal


def only(items, cls):
    assert len(items) == 1 and isinstance(items[0], cls), items
    return items[0]


def reasons(p) -> dict:
    return {r.product_id: r.reason for r in p.rejects}


# ---------------------------------------------------------------------- what cannot be imported
def test_each_unimportable_product_has_its_reason_and_the_rest_import():
    products = [
        product(1, "OK-1", "Mug"),
        product(2, "", "No SKU"),
        product(3, "S" * 41, "Long SKU"),
        product(4, "N-1", "N" * 51),
        product(5, "P-1", price="9.995"),
        product(6, "T-1", tax_class="luxury"),
        product(7, "DUP", "First"),
        product(8, "DUP", "Second"),
        product(9, "NP-1", price=None),
        product(10, "OK-2", "Tea", tax_class="reduced-rate"),
    ]
    p = plan(products)
    assert [c.product_id for c in p.creates] == [1, 10]
    why = reasons(p)
    assert why[2] == "No SKU"
    assert why[3] == "SKU longer than 40 characters (41)"
    assert why[4] == "Name longer than 50 characters (51)"
    assert why[5] == "Price 9.995 has more than two decimals"
    assert "tax class “luxury” has no VAT rate" in why[6]
    assert "same SKU is used by other products in the shop too (#8)" in why[7]
    assert "(#7)" in why[8]
    assert why[9] == "No price"
    assert p.summary() == {
        "create": 2,
        "overwrite": 0,
        "link": 0,
        "reject": 8,
        "push_create": 0,
        "left_out": 0,
        "learned_rate": 0,  # the shop's tax classes tell each product's rate
        "assumed_rate": 0,
    }
    assert p.rejects[0].label == "No SKU" and p.rejects[1].label == "S" * 41


def test_all_problems_of_one_product_are_listed_together():
    reason = only(plan([product(1, "S" * 41, "N" * 60, price="1.234")]).rejects, Reject).reason
    assert (
        reason
        == "SKU longer than 40 characters (41); name longer than 50 characters (60); price 1.234 has more than two decimals"
    )


@pytest.mark.parametrize("length, ok", [(40, True), (41, False)])
def test_sku_length_limit(length, ok):
    p = plan([product(1, "S" * length)])
    assert bool(p.creates) is ok and bool(p.rejects) is not ok


@pytest.mark.parametrize("length, ok", [(50, True), (51, False)])
def test_name_length_limit(length, ok):
    p = plan([product(1, name="ä" * length)])
    assert bool(p.creates) is ok and bool(p.rejects) is not ok


@pytest.mark.parametrize(
    "price, ok",
    [
        ("9.99", True),
        ("9.990", True),
        ("10", True),
        ("9.995", False),
        ("-1.00", False),
        ("99000000.01", False),
    ],
)
def test_price_must_fit_eaccounting(price, ok):
    assert bool(plan([product(1, price=price)]).creates) is ok


def test_duplicate_sku_rejects_both_even_when_only_letter_case_differs_and_no_article_is_pushed():
    p = plan([product(1, "ab-1", "One"), product(2, "AB-1 ", "Two")], [article("AB-1")])
    assert {r.product_id for r in p.rejects} == {1, 2} and not p.overwrites
    left = only(p.left_out, LeftOut)
    assert left.article_number == "AB-1" and "already has a product with this SKU" in left.reason


def test_unmapped_tax_class_and_rate_without_template_are_rejected():
    no_template = replace(CTX, templates={})
    assert "no VAT rate mapped" in only(plan([product(tax_class="unknown")]).rejects, Reject).reason
    reason = only(plan([product()], ctx=no_template).rejects, Reject).reason
    assert reason == "No article template for goods at 25.5 % VAT, so no account coding for it"


# ---------------------------------------------------------------------- creates
@pytest.mark.parametrize("include_tax, net, gross", [(True, 10.0, 12.55), (False, 12.55, 15.75)])
def test_shop_price_is_gross_or_net_by_the_shop_setting(include_tax, net, gross):
    ctx = replace(CTX, prices_include_tax=include_tax)
    body = only(plan([product(price="12.55")], ctx=ctx).creates, Create).body
    assert (body["NetPrice"], body["GrossPrice"]) == (net, gross)


def test_create_body_is_the_article_api_post_body_with_the_template_applied():
    c = only(plan([product(7, "TEA-1", "Green tea", price="5.70", tax_class="reduced-rate")]).creates, Create)
    assert (c.sku, c.product_id, c.vat_rate) == ("TEA-1", 7, D("14"))
    assert c.body == {
        "Number": "TEA-1",
        "Name": "Green tea",
        "NetPrice": 5.0,
        "GrossPrice": 5.7,
        "CodingId": "c-g14",
        "UnitId": "u-pcs",
        "IsActive": True,
        "IsStock": True,
        "SendToWebshop": True,
    }


@pytest.mark.parametrize(
    "raw, coding, unit, is_stock",
    [
        ({}, "c-g255", "u-pcs", True),
        ({"virtual": True}, "c-s255", "u-h", False),
        ({"downloadable": True}, "c-s255", "u-h", False),
    ],
)
def test_goods_or_service_template(raw, coding, unit, is_stock):
    body = only(plan([product(raw=raw)]).creates, Create).body
    assert (body["CodingId"], body["UnitId"], body["IsStock"]) == (coding, unit, is_stock)


def test_untaxed_product_takes_the_zero_rate_template():
    body = only(plan([product(tax_status="none", price="8.00")]).creates, Create).body
    assert (body["CodingId"], body["NetPrice"], body["GrossPrice"], body["IsStock"]) == (
        "c-g0",
        8.0,
        8.0,
        False,
    )


def test_names_are_kept_exactly_as_the_shop_has_them():
    name = "Čaj & <b>„zelený“</b> 緑茶 — Ωμέγα 'x'"
    p = plan([product(name=name), product(2, "B-1", "Tom &amp; Jerry")], [article("B-1", Name="Tom & Jerry")])
    assert only(p.creates, Create).body["Name"] == name
    assert only(p.overwrites, Overwrite).changes["Name"] == ("Tom & Jerry", "Tom &amp; Jerry")


def test_variations_import_with_their_own_sku_and_the_parent_only_gives_its_tax_class():
    parent = product(10, "HOODIE", "Hoodie", price=None, type="variable", tax_class="reduced-rate")
    blue = product(11, "HOODIE-B", "Hoodie - Blue, L", parent_id=10, type="variation", tax_class="parent")
    long = product(12, "HOODIE-X", "Hoodie - " + "x" * 45, parent_id=10, type="variation")
    p = plan([parent, blue, long], [article("HOODIE")])
    c = only(p.creates, Create)
    assert (c.sku, c.body["Name"], c.body["CodingId"]) == ("HOODIE-B", "Hoodie - Blue, L", "c-g14")
    assert only(p.rejects, Reject).product_id == 12  # the variable product itself is not an item
    assert "not imported" in only(p.left_out, LeftOut).reason


# ---------------------------------------------------------------------- overwrites
def test_overwrite_lists_every_differing_field_with_old_and_new_value():
    old = article(
        "A-1",
        Name="Old mug",
        GrossPrice=11.0,
        NetPrice=8.76,
        CodingId="c-g14",
        UnitId="",
        IsActive=False,
        SendToWebshop=False,
    )
    o = only(plan([product(3, "A-1", "Mug", price="12.55")], [old]).overwrites, Overwrite)
    assert (o.sku, o.product_id, o.article_id) == ("A-1", 3, "id-A-1")
    assert o.changes == {
        "Name": ("Old mug", "Mug"),
        "CodingId": ("c-g14", "c-g255"),
        "UnitId": ("", "u-pcs"),
        "GrossPrice": (D("11"), D("12.55")),
        "NetPrice": (D("8.76"), D("10.00")),
        "IsActive": (False, True),
        "SendToWebshop": (False, True),
    }
    assert o.undo == {
        "Name": "Old mug",
        "CodingId": "c-g14",
        "UnitId": "",
        "GrossPrice": 11.0,
        "NetPrice": 8.76,
        "IsActive": False,
        "SendToWebshop": False,
    }
    assert o.body == {
        **old.raw,
        "Name": "Mug",
        "CodingId": "c-g255",
        "UnitId": "u-pcs",
        "GrossPrice": 12.55,
        "NetPrice": 10.0,
        "IsActive": True,
        "SendToWebshop": True,
    }
    assert not plan([product(3, "A-1")], [old]).push_creates


def test_overwrite_keeps_number_unit_stock_flag_and_everything_else():
    old = article("A-1", Name="Old", UnitId="u-box", IsStock=False)
    o = only(plan([product(raw={"virtual": True})], [old]).overwrites, Overwrite)
    assert set(o.changes) == {"Name"}
    assert o.body["UnitId"] == "u-box" and o.body["IsStock"] is False and o.body["Note"] == "kept"


def test_only_the_price_the_shop_defines_is_compared():
    # eAccounting may show prices with more decimals: 10.004 net is 10.00 to a net shop
    net_ctx = replace(CTX, prices_include_tax=False)
    p = plan([product(price="10.00")], [article(NetPrice=10.004, GrossPrice=12.56)], ctx=net_ctx)
    assert only(p.links, Link).article_id == "id-A-1"
    p = plan([product(price="12.60")], [article()])
    assert only(p.overwrites, Overwrite).changes == {
        "GrossPrice": (D("12.55"), D("12.60")),
        "NetPrice": (D("10"), D("10.04")),
    }


def test_vat_rate_change_takes_the_coding_of_the_articles_own_kind_and_rederives_the_price():
    old = article(CodingId="c-s255", IsServiceArticle=True, GrossPrice=12.55, NetPrice=10.0)
    p = plan([product(tax_class="reduced-rate", price="12.55")], [old])
    assert "no article template for service at 14 %" in only(p.rejects, Reject).reason
    o = only(plan([product(tax_class="books", price="12.55")], [article()]).overwrites, Overwrite)
    assert o.changes == {"CodingId": ("c-g255", "c-g10"), "NetPrice": (D("10"), D("11.41"))}


def test_article_with_equal_values_is_only_linked_and_another_coding_of_the_same_rate_is_kept():
    p = plan([product()], [article(CodingId="c-old255")])
    assert only(p.links, Link).sku == "A-1" and p.summary()["overwrite"] == 0


def test_a_template_article_is_never_overwritten():
    p = plan([product(sku="FREIGHT")], [article("FREIGHT", id="freight")])
    assert "template article" in only(p.rejects, Reject).reason
    assert only(p.left_out, LeftOut).reason.startswith("A template article")


def test_camel_case_raw_keys_are_kept_in_the_put_body():
    raw = {
        "id": "x",
        "number": "A-1",
        "name": "Old",
        "netPrice": 10.0,
        "grossPrice": 12.55,
        "codingId": "c-g255",
        "unitId": "u-pcs",
        "isActive": True,
        "sendToWebshop": True,
    }
    a = Article.from_api(raw)
    o = only(plan_first_sync([product()], {"A-1": a}, [a], CTX).overwrites, Overwrite)
    assert o.body == {**raw, "name": "Mug"} and o.undo == {"Name": "Old"}


# ---------------------------------------------------------------------- eAccounting → shop
def test_what_the_shop_gets_afterwards_and_what_is_left_out():
    articles = [
        article("A-1"),
        article("NEW-1", Name="Kettle"),
        article("OLD-1", IsActive=False),
        article("HIDDEN-1", SendToWebshop=False),
        article("FREIGHT", id="freight"),
        article("GONE-1", IsActive=False, SendToWebshop=False),
    ]
    p = plan([product(sku="A-1", name="Mug")], articles)
    assert only(p.links, Link).sku == "A-1"
    assert p.push_creates == [PushCreate("NEW-1", "id-NEW-1", "Kettle")]
    assert {x.article_number: x.reason for x in p.left_out} == {
        "OLD-1": "Inactive",
        "HIDDEN-1": "Not available in webshop",
        "FREIGHT": "A template article (used on shipping or payment fee rows)",
        "GONE-1": "Inactive; not available in webshop",
    }


def test_an_inactive_article_overwritten_by_the_import_is_not_left_out():
    p = plan([product()], [article(IsActive=False)])
    assert only(p.overwrites, Overwrite).changes == {"IsActive": (False, True)} and not p.left_out


# ---------------------------------------------------------------------- a shop that tells no product's rate
def _sold(order_id: int, day: int, sku: str, rate_id: int | None) -> ShopOrder:
    """A paid order of one line charged at ``rate_id`` (None: no tax line, a tax-exempt buyer)."""
    one, zero = D(1), D(0)
    taxes = [] if rate_id is None else [LineTax(rate_id, zero)]
    line = OrderLine(order_id, "Kahvi", 1, 0, one, sku, one, one, zero, one, zero, "", taxes)
    return ShopOrder(
        id=order_id,
        number=str(order_id),
        status="processing",
        currency="EUR",
        date_created_gmt=datetime(2026, 11, day, tzinfo=UTC),
        date_modified_gmt=None,
        date_paid_gmt=None,
        prices_include_tax=True,
        total=one,
        total_tax=zero,
        shipping_total=zero,
        shipping_tax=zero,
        discount_total=zero,
        discount_tax=zero,
        customer_id=0,
        customer_note="",
        billing=Address(),
        shipping=Address(),
        payment_method="",
        payment_method_title="",
        transaction_id="",
        line_items=[line],
    )


PERCENTS = {2550: D("25.5"), 1400: D("14")}


def test_the_rate_a_sku_was_charged_is_its_latest_paid_orders_and_the_earlier_ones_are_named():
    orders = [
        _sold(2, 20, "Kahvi-14", 1400),  # the override changed: the latest order says 14 %
        _sold(1, 1, "KAHVI-14", 2550),
        _sold(3, 25, "kahvi-14", None),  # a tax-exempt buyer says nothing of the product
        _sold(4, 26, "MUKI", 9999),  # a rate the shop does not list: nothing learned
        _sold(5, 2, "TEE", 2550),
    ]
    seen = rates_seen(orders, PERCENTS)
    assert seen == RatesSeen({"kahvi-14": D("14"), "tee": D("25.5")}, {"kahvi-14": (D("25.5"),)}, 5)
    assert RatesSeen.from_json(seen.as_json()) == seen  # kept in the preview as it was seen


def test_where_the_shop_tells_no_rates_its_orders_do_and_the_preview_counts_each_kind():
    seen = rates_seen([_sold(2, 20, "KAHVI-14", 1400), _sold(1, 1, "KAHVI-14", 2550)], PERCENTS)
    ctx = replace(
        CTX,
        vat_rate_by_tax_class={"": D("25.5")},  # one class for every rate
        product_rates_known=False,
        vat_rate_by_sku=seen.rate_by_sku,
        earlier_rates_by_sku=seen.earlier_by_sku,
    )
    p = plan_first_sync([product(1, "KAHVI-14", "Kahvi"), product(2, "MUKI", "Muki")], {}, [], ctx)
    bean, mug = p.creates
    assert (bean.vat_rate, bean.body["CodingId"]) == (D("14"), "c-g14")
    assert bean.note == "VAT 14 %, as the shop's latest order charged it (earlier orders: 25.5 %)"
    assert (mug.vat_rate, mug.body["CodingId"]) == (D("25.5"), "c-g255")
    assert mug.note == "VAT 25.5 % assumed (the standard rate): not sold in the shop's recent orders"
    assert (p.learned_rate, p.assumed_rate) == (1, 1)
    # a shop that tells each product's rate: its orders are not asked
    told = plan_first_sync([product(1, "KAHVI-14")], {}, [], replace(ctx, product_rates_known=True))
    assert told.creates[0].vat_rate == D("25.5") and told.creates[0].note == ""
