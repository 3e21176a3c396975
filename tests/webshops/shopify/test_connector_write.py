"""The Shopify connector's write side against the sandbox over HTTP: new products as drafts,
prices and stock by SKU (a sale in between is not overwritten), the document number on the order,
Shopify's userErrors as the connector's errors, refunds read back in the interface's shapes."""

import dataclasses
from decimal import Decimal

import pytest

from integration.webshops.base import (
    ItemRejected,
    NotFound,
    NotSupported,
    ProductWrite,
    ShopUnavailable,
    Webshop,
)
from integration.webshops.shopify.connector import ShopifyWebshop

from .conftest import make_client

D = Decimal


@pytest.fixture
def shop(sb, token):
    sb.reset(seed=None)
    return ShopifyWebshop(make_client(sb, sb.token()))


def _product(sb, sku, price, quantity=10, rate="0.255"):
    made = sb.control(
        "POST",
        "/products",
        {
            "title": f"Tuote {sku}",
            "tax_rate": rate,
            "variants": [{"sku": sku, "price": price, "quantity": quantity}],
        },
    )
    return made["variants"][0]


def test_the_connector_is_a_whole_webshop(shop):
    assert isinstance(shop, Webshop)
    assert shop.platform == "shopify"
    assert shop.test_connection().currency == "EUR"


def test_a_new_product_is_a_draft_with_its_sku_price_and_stock(shop):
    [outcome] = shop.save_products(
        [
            ProductWrite(
                sku="NEW-1", name="Uusi tuote", regular_price=D("19.90"), manage_stock=True, stock_quantity=7
            )
        ]
    )
    assert outcome.ok, outcome.error
    copy = shop.products_by_sku(["NEW-1"])["NEW-1"]
    assert outcome.id == copy.id and outcome.product is not None
    assert copy.status == "draft"
    assert copy.name == "Uusi tuote"
    assert copy.regular_price == D("19.90")
    assert copy.manage_stock is True and copy.stock_quantity == 7


def test_a_price_and_stock_update_of_an_existing_variant(shop, sb):
    _product(sb, "OLD-1", "10.00", quantity=5)
    current = shop.products_by_sku(["OLD-1"])["OLD-1"]
    [outcome] = shop.save_products(
        [ProductWrite(sku="OLD-1", id=current.id, regular_price=D("12.50"), stock_quantity=9)]
    )
    assert outcome.ok, outcome.error
    after = shop.products_by_sku(["OLD-1"])["OLD-1"]
    assert after.regular_price == D("12.50")
    assert after.stock_quantity == 9
    assert after.status == "active"  # an update never touches the shop's status


def test_a_refused_price_is_the_items_error_and_the_rest_is_saved(shop, sb):
    _product(sb, "A-1", "10.00")
    _product(sb, "B-1", "10.00")
    copies = shop.products_by_sku(["A-1", "B-1"])
    outcomes = shop.save_products(
        [
            ProductWrite(sku="A-1", id=copies["A-1"].id, regular_price=D("-1")),
            ProductWrite(sku="B-1", id=copies["B-1"].id, regular_price=D("11.00")),
        ]
    )
    assert [o.ok for o in outcomes] == [False, True]
    assert isinstance(outcomes[0].error, ItemRejected)
    assert "productVariantsBulkUpdate" in str(outcomes[0].error)
    assert outcomes[0].error.code == "GREATER_THAN_OR_EQUAL_TO"
    assert shop.products_by_sku(["B-1"])["B-1"].regular_price == D("11.00")


def test_a_variant_gone_from_the_shop_is_not_found(shop):
    [outcome] = shop.save_products([ProductWrite(sku="GONE", id=424242, regular_price=D("1.00"))])
    assert not outcome.ok and isinstance(outcome.error, NotFound)


def test_a_new_product_is_one_request_with_everything(shop, sb):
    shop.location()  # read once per connector
    since = len(sb.control("GET", "/requests"))
    [outcome] = shop.save_products(
        [ProductWrite(sku="ONE-1", name="Yksi", regular_price=D("3.50"), manage_stock=True, stock_quantity=2)]
    )
    assert outcome.ok, outcome.error
    fields = [r.get("roots", []) for r in sb.control("GET", "/requests")[since:]]
    assert fields[0] == ["productSet"]  # then only the read of the shop's copy
    assert all("productSet" not in f and "inventorySetQuantities" not in f for f in fields[1:])


def test_a_lost_answer_to_a_create_names_the_sku_in_doubt_and_the_sku_finds_the_product(shop, sb):
    sb.control("POST", "/faults", {"drop_next_mutations": 1})  # productSet runs, its answer is lost
    with pytest.raises(ShopUnavailable) as caught:
        shop.save_products(
            [
                ProductWrite(
                    sku="DOUBT-1",
                    name="Epävarma",
                    regular_price=D("5.00"),
                    manage_stock=True,
                    stock_quantity=3,
                )
            ]
        )
    assert caught.value.outcome_unknown is True
    assert caught.value.unknown_skus == ["DOUBT-1"]
    # created whole in one step: the look-up by SKU that settles the doubt finds it, as written
    found = shop.products_by_sku(["DOUBT-1"])["DOUBT-1"]
    assert found.regular_price == D("5.00") and found.stock_quantity == 3 and found.status == "draft"


def _status(sb, product_id):
    answer = sb.graphql(
        "query($q: String) { products(first: 1, query: $q) { nodes { status title } } }",
        {"q": f"id:{product_id}"},
        token=sb.token(),
    ).json()
    return answer["data"]["products"]["nodes"][0]


def test_hiding_drafts_the_product_and_bringing_it_back_restores_its_status(shop, sb):
    _product(sb, "HIDE-1", "10.00", quantity=5)
    copy = shop.products_by_sku(["HIDE-1"])["HIDE-1"]
    hide = ProductWrite(
        sku="HIDE-1", id=copy.id, parent_id=copy.parent_id, regular_price=D("10.00"), status="draft"
    )
    [outcome] = shop.save_products([hide])
    assert outcome.ok, outcome.error
    assert _status(sb, copy.parent_id) == {"status": "DRAFT", "title": "Tuote HIDE-1"}  # the text untouched
    assert shop.products_by_sku(["HIDE-1"])["HIDE-1"].stock_quantity == 5
    [back] = shop.save_products([dataclasses.replace(hide, status="active")])
    assert back.ok, back.error
    assert _status(sb, copy.parent_id)["status"] == "ACTIVE"


def test_a_product_with_other_variants_is_not_hidden_for_one_of_them(shop, sb):
    made = sb.control(
        "POST",
        "/products",
        {"title": "Paita", "variants": [{"sku": "S-1", "price": "9.00"}, {"sku": "M-1", "price": "9.00"}]},
    )
    copy = shop.products_by_sku(["S-1"])["S-1"]
    [outcome] = shop.save_products(
        [ProductWrite(sku="S-1", id=copy.id, parent_id=copy.parent_id, status="draft")]
    )
    assert not outcome.ok and isinstance(outcome.error, NotSupported)
    assert _status(sb, made["id"].rsplit("/", 1)[-1])["status"] == "ACTIVE"


def _order(sb, sku):
    made = sb.control("POST", "/orders", {"lines": [{"sku": sku, "quantity": 2}]})
    return int(made["id"].rsplit("/", 1)[-1]), made


def test_the_document_number_is_written_back_once_and_the_note_is_kept(shop, sb):
    _product(sb, "O-1", "20.00")
    order_id, _ = _order(sb, "O-1")
    shop.write_back(order_id, {"_silta_invoice": "10045"}, note="eAccounting: lasku 10045")
    shop.write_back(order_id, {"_silta_invoice": "10045"}, note="eAccounting: lasku 10045")  # a repeat
    assert shop.written_back(order_id, "_silta_invoice") == "10045"
    answer = sb.graphql(
        "query($id: ID!) { order(id: $id) { note } }",
        {"id": f"gid://shopify/Order/{order_id}"},
        token=sb.token(),
    ).json()
    assert answer["data"]["order"]["note"] == "eAccounting: lasku 10045"


def test_write_back_many_returns_the_orders_not_written(shop, sb):
    _product(sb, "O-2", "20.00")
    order_id, _ = _order(sb, "O-2")
    failed = shop.write_back_many([(order_id, {"doc": "1"}, None), (999999, {"doc": "2"}, None)])
    assert failed == [999999]
    assert shop.written_back(order_id, "doc") == "1"


def test_refunds_of_lines_and_shipping_in_the_interfaces_shapes(shop, sb):
    _product(sb, "R-1", "12.55")
    order_id, made = _order(sb, "R-1")
    gid = made["id"]
    sb.control(
        "POST",
        "/refunds",
        {"order_id": gid, "lines": [{"line_item_id": made["line_items"][0], "quantity": 1}]},
    )
    sb.control("POST", "/refunds", {"order_id": gid, "shipping": True})
    first, second = shop.refunds(order_id)
    [line] = first.line_items
    assert line.quantity == -1 and line.sku == "R-1"
    assert line.total + line.total_tax == D("-12.55")  # gross back, taxes included in the price
    assert line.refunded_item_id == shop.order(order_id).line_items[0].id
    assert first.amount == D("12.55")
    [charge] = second.charges
    assert charge.gross == D("5.90") and charge.kind == "shipping"
    assert second.line_items == []
