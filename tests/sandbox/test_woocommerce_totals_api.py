"""The sandbox's REST API computes orders with WooCommerce's arithmetic (sandbox/woocommerce/totals.py):
WooCommerce test cases through POST /wp-json/wc/v3/orders, the two rounding/coupon settings as WooCommerce
exposes them, and refunds of shipping and fee lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

SANDBOX = "woocommerce"
pytestmark = pytest.mark.slow  # an HTTP server per module

ABSTRACT_ORDER_TEST = "plugins/woocommerce/tests/php/includes/abstracts/class-wc-abstract-order-test.php"
DISCOUNTS_PHP = "plugins/woocommerce/tests/legacy/unit-tests/discounts/discounts.php"
ORDER_FUNCTIONS = "plugins/woocommerce/tests/legacy/unit-tests/order/class-wc-tests-order-functions.php"
REFUNDS_V2_TEST = "plugins/woocommerce/tests/php/includes/rest-api/Controllers/Version2/class-wc-rest-order-refunds-v2-controller-test.php"

SETTINGS = {
    "prices_include_tax": True,
    "calc_taxes": True,
    "tax_round_at_subtotal": False,
    "calc_discounts_sequentially": False,
    "shipping_tax_split": False,
}


def D(x) -> Decimal:
    return Decimal(str(x))


@pytest.fixture
def key(sb):
    sb.reset(**SETTINGS)
    return sb.key("read_write")


def _rate_class(sb, key, rate: str) -> str:
    """A tax class holding one rate (as WooCommerce's tests insert a rate for the standard class)."""
    slug = sb.post("/taxes/classes", key, json={"name": f"Test {rate}"}).json()["slug"]
    r = sb.post("/taxes", key, json={"country": "", "rate": rate, "name": "VAT", "class": slug})
    assert r.status_code in (200, 201), r.text
    return slug


def _product(sb, key, price: str, tax_class: str = "") -> int:
    r = sb.post("/products", key, json={"name": f"P {price}", "regular_price": price, "tax_class": tax_class})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _order(sb, key, **body) -> dict:
    body.setdefault("payment_method", "paytrail")
    r = sb.post("/orders", key, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _set_option(sb, key, group: str, option: str, value: str) -> None:
    r = sb.put(f"/settings/{group}/{option}", key, json={"value": value})
    assert r.status_code == 200 and r.json()["value"] == value, r.text


@pytest.mark.parametrize(
    "round_at_subtotal,total_tax,total", [("no", "162.90", "1248.96"), ("yes", "162.91", "1248.96")]
)
def test_order_calculate_26582_through_rest(sb, key, round_at_subtotal, total_tax, total):
    """ABSTRACT_ORDER_TEST WC_Abstract_Order_Test::test_order_calculate_26582 (prices include 15 %)."""
    cls = _rate_class(sb, key, "15")
    _set_option(sb, key, "tax", "woocommerce_tax_round_at_subtotal", round_at_subtotal)
    o = _order(
        sb,
        key,
        line_items=[
            {"product_id": _product(sb, key, "99.48", cls), "quantity": 6},
            {"product_id": _product(sb, key, "108.68", cls), "quantity": 6},
        ],
    )
    assert (o["total_tax"], o["total"]) == (total_tax, total)
    # the line items' per-rate taxes stay unrounded, as WooCommerce keeps them
    assert [li["taxes"][0]["total"] for li in o["line_items"]] == ["77.853913", "85.053913"]


def test_coupon_on_gross_prices_through_rest(sb, key):
    """ABSTRACT_ORDER_TEST WC_Abstract_Order_Test::test_apply_coupon_for_correct_location_taxes: prices include
    25 %, rounding at subtotal, a 100.00 product and a 10 % coupon: discount 8, total 90, tax 18, discount tax 2."""
    cls = _rate_class(sb, key, "25")
    sb.control("PATCH", "/settings", {"tax_round_at_subtotal": True})
    sb.control("POST", "/coupons", {"code": "10off", "discount_type": "percent", "amount": "10"})
    o = _order(
        sb,
        key,
        line_items=[{"product_id": _product(sb, key, "100", cls), "quantity": 1}],
        coupon_lines=[{"code": "10off"}],
    )
    assert (o["discount_total"], o["total"], o["total_tax"], o["discount_tax"]) == (
        "8.00",
        "90.00",
        "18.00",
        "2.00",
    )
    assert [(c["code"], c["discount"], c["discount_tax"]) for c in o["coupon_lines"]] == [
        ("10off", "8.00", "2.00")
    ]


@pytest.mark.parametrize("sequential,discount", [("no", "7.50"), ("yes", "7.00")])
def test_sequential_discounts_through_rest(sb, key, sequential, discount):
    """DISCOUNTS_PHP WC_Tests_Discounts::test_calculations, calculations_test_provider cases 9 and 11: prices
    exclude tax, 10.00 x 2 and 5.00 x 1, coupons 10 % and 20 %: 7.5 side by side, 7 sequentially."""
    _set_option(sb, key, "tax", "woocommerce_prices_include_tax", "no")
    _set_option(sb, key, "general", "woocommerce_calc_discounts_sequentially", sequential)
    assert sb.control("GET", "/settings")["calc_discounts_sequentially"] is (sequential == "yes")
    for code, amount in (("test", "10"), ("test1", "20")):
        sb.control("POST", "/coupons", {"code": code, "discount_type": "percent", "amount": amount})
    o = _order(
        sb,
        key,
        line_items=[
            {"product_id": _product(sb, key, "10"), "quantity": 2},
            {"product_id": _product(sb, key, "5"), "quantity": 1},
        ],
        coupon_lines=[{"code": "test"}, {"code": "test1"}],
    )
    assert o["discount_total"] == discount
    assert sum(D(c["discount"]) for c in o["coupon_lines"]) == D(discount)


def test_settings_mirror_both_ways(sb, key):
    sb.control("PATCH", "/settings", {"tax_round_at_subtotal": True, "calc_discounts_sequentially": True})
    assert sb.get("/settings/tax/woocommerce_tax_round_at_subtotal", key).json()["value"] == "yes"
    assert sb.get("/settings/general/woocommerce_calc_discounts_sequentially", key).json()["value"] == "yes"
    _set_option(sb, key, "tax", "woocommerce_tax_round_at_subtotal", "no")
    assert sb.control("GET", "/settings")["tax_round_at_subtotal"] is False


def test_coupon_definitions_are_checked(sb, key):
    r = sb.http.post(f"{sb.url}/_sandbox/coupons", json={"code": "x", "discount_type": "bogo", "amount": "1"})
    assert r.status_code == 400 and "discount_type must be one of percent" in r.json()["error"]
    r = sb.http.post(
        f"{sb.url}/_sandbox/coupons", json={"code": "x", "discount_type": "percent", "amount": "ten"}
    )
    assert r.status_code == 400 and "amount" in r.json()["error"]
    assert {c["code"] for c in sb.control("GET", "/coupons")} == {"ale10", "kesa5"}
    r = sb.post(
        "/orders",
        key,
        json={
            "line_items": [{"product_id": _product(sb, key, "10"), "quantity": 1}],
            "coupon_lines": [{"code": "nosuch"}],
        },
    )
    assert r.status_code == 400 and r.json()["code"] == "woocommerce_rest_invalid_coupon"


# ---------------------------------------------------------------------- refunds
def _refund(sb, key, oid: int, body: dict) -> dict:
    r = sb.post(f"/orders/{oid}/refunds", key, json={"api_refund": False, **body})
    assert r.status_code == 201, r.text
    return r.json()


def test_items_response_fields(sb, key):
    """REFUNDS_V2_TEST WC_REST_Order_Refunds_V2_Controller_Test::test_items_response_fields: a refund of 1 on
    the product line, 10 on the fee and 20 on the shipping line answers line_items / fee_lines /
    shipping_lines with totals -1, -10, -20."""
    _set_option(sb, key, "general", "woocommerce_calc_taxes", "no")
    o = _order(
        sb,
        key,
        line_items=[{"product_id": _product(sb, key, "10"), "quantity": 4}],
        fee_lines=[{"name": "Test fee", "total": "10"}],
        shipping_lines=[{"method_id": "flat_rate", "total": "25"}],
    )
    body = {
        "reason": "testing",
        "line_items": [
            {"id": o["line_items"][0]["id"], "quantity": 1, "refund_total": 1},
            {"id": o["fee_lines"][0]["id"], "refund_total": 10},
            {"id": o["shipping_lines"][0]["id"], "refund_total": 20},
        ],
    }
    refund = _refund(sb, key, o["id"], body)
    again = sb.get(f"/orders/{o['id']}/refunds/{refund['id']}", key).json()
    for got in (refund, again):
        assert D(got["line_items"][0]["total"]) == -1
        assert D(got["fee_lines"][0]["total"]) == -10
        assert D(got["shipping_lines"][0]["total"]) == -20
    assert got["amount"] == "31.00" and got["shipping_lines"][0]["method_id"] == "flat_rate"
    assert got["fee_lines"][0]["meta_data"][0] == {
        **got["fee_lines"][0]["meta_data"][0],
        "key": "_refunded_item_id",
        "value": str(o["fee_lines"][0]["id"]),
    }


def test_wc_create_refund_24238(sb, key):
    """ORDER_FUNCTIONS WC_Tests_Order_Functions::test_wc_create_refund_24238: 10 x a 10.00 product and a
    taxable fee of 10 (no tax rates) make 110; refunding 55 (fee 5, product 5 x 50) books the fee at -5."""
    _set_option(sb, key, "general", "woocommerce_calc_taxes", "no")
    o = _order(
        sb,
        key,
        line_items=[{"product_id": _product(sb, key, "10"), "quantity": 10}],
        fee_lines=[{"name": "Some Fee", "total": "10", "tax_status": "taxable", "tax_class": ""}],
    )
    assert o["total"] == "110.00"
    refund = _refund(
        sb,
        key,
        o["id"],
        {
            "amount": "55",
            "line_items": [
                {"id": o["fee_lines"][0]["id"], "refund_total": 5},
                {"id": o["line_items"][0]["id"], "quantity": 5, "refund_total": 50},
            ],
        },
    )
    assert len(refund["fee_lines"]) == 1 and D(refund["fee_lines"][0]["total"]) == -5
    assert refund["line_items"][0]["quantity"] == -5 and refund["amount"] == "55.00"


def test_shipping_fee_and_amount_refunds_per_rate(sb, key):
    """The issue's order: 1 x a 25.5 % article and 10 x 14 % food, shipping 6.90 split over the goods' rates,
    a taxed fee; after completion an amount-only refund of 8.00, then the shipping line and the fee refunded
    with their own taxes per rate."""
    sb.control("PATCH", "/settings", {"shipping_tax_split": True})
    o = _order(
        sb,
        key,
        status="completed",
        set_paid=True,
        line_items=[
            {"product_id": _product(sb, key, "12.40"), "quantity": 1},
            {"product_id": _product(sb, key, "2.50", "reduced-rate"), "quantity": 10},
        ],
        shipping_lines=[{"method_id": "flat_rate", "total": "6.90"}],
        fee_lines=[{"name": "Laskutuslisä", "total": "3.90", "tax_status": "taxable"}],
    )
    ship, fee = o["shipping_lines"][0], o["fee_lines"][0]
    assert {t["id"] for t in ship["taxes"]} == {1, 2}  # split over 25.5 % and 14 %
    # per-rate taxes are kept unrounded; the line's total_tax is the sum of each rounded to the cent
    cent = D("0.01")
    ship_taxes = {t["id"]: D(t["total"]).quantize(cent) for t in ship["taxes"]}
    assert D(ship["total"]) == D("6.90") and D(ship["total_tax"]) == sum(ship_taxes.values())

    amount_only = _refund(sb, key, o["id"], {"amount": "8.00", "reason": "Hyvitys"})
    assert (
        amount_only["amount"],
        amount_only["line_items"],
        amount_only["shipping_lines"],
        amount_only["fee_lines"],
    ) == ("8.00", [], [], [])

    ship_refund = _refund(
        sb,
        key,
        o["id"],
        {
            "line_items": [
                {
                    "id": ship["id"],
                    "refund_total": ship["total"],
                    "refund_tax": [{"id": rid, "refund_total": str(t)} for rid, t in ship_taxes.items()],
                }
            ]
        },
    )
    line = ship_refund["shipping_lines"][0]
    assert D(line["total"]) == -D(ship["total"]) and D(line["total_tax"]) == -D(ship["total_tax"])
    assert {t["id"]: D(t["total"]) for t in line["taxes"]} == {rid: -t for rid, t in ship_taxes.items()}
    assert D(ship_refund["amount"]) == D(ship["total"]) + D(ship["total_tax"])
    assert ship_refund["line_items"] == [] and ship_refund["fee_lines"] == []

    fee_refund = _refund(
        sb,
        key,
        o["id"],
        {
            "line_items": [
                {"id": fee["id"], "refund_total": "3.90", "refund_tax": [{"id": 1, "refund_total": "0.99"}]}
            ]
        },
    )
    got = fee_refund["fee_lines"][0]
    assert (got["name"], got["total"], got["total_tax"]) == ("Laskutuslisä", "-3.90", "-0.99")
    assert got["taxes"] == [{"id": 1, "total": "-0.99", "subtotal": ""}] and fee_refund["amount"] == "4.89"

    after = sb.get(f"/orders/{o['id']}", key).json()
    assert [r["total"] for r in after["refunds"]] == ["-4.89", "-" + ship_refund["amount"], "-8.00"]
    assert after["status"] == "completed"


@pytest.mark.parametrize("mode,rate_ids", [("apportion", {1, 2}), ("own_class", {3})])
def test_negative_fee_tax(sb, key, mode, rate_ids):
    """A taxed negative fee at 10 % on 25.5 % and 14 % goods: WooCommerce spreads its tax over the goods'
    classes (WC_Order_Item_Fee::calculate_taxes); ``negative_fee_tax: own_class`` keeps the fee's own rate,
    as an order a plugin wrote may carry it."""
    sb.control("PATCH", "/settings", {"negative_fee_tax": mode})
    o = _order(
        sb,
        key,
        line_items=[
            {"product_id": _product(sb, key, "12.40"), "quantity": 1},
            {"product_id": _product(sb, key, "2.50", "reduced-rate"), "quantity": 10},
        ],
        fee_lines=[{"name": "Alennus", "total": "-5.00", "tax_class": "reduced-rate-10"}],
    )
    fee = o["fee_lines"][0]
    assert {t["id"] for t in fee["taxes"]} == rate_ids and D(fee["total_tax"]) < 0
    assert {t["rate_id"] for t in o["tax_lines"]} == {1, 2} | rate_ids


def test_negative_fee_tax_setting_is_checked(sb, key):
    r = sb.http.patch(f"{sb.url}/_sandbox/settings", json={"negative_fee_tax": "sometimes"})
    assert r.status_code == 400 and "apportion, own_class" in r.json()["error"]
