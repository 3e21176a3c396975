"""The sandbox's responses have the shapes of the reference's example JSON."""

from __future__ import annotations

import pytest

from sandbox.woocommerce import reference as ref
from sandbox.woocommerce.testing import Receiver

SETTINGS_MAPS = ("settings", "[].settings", "settings.*.options", "[].settings.*.options")


# Keys the shared reference does not name but WooCommerce's source shows: a refund's refunded shipping and
# fee items (WC_REST_Order_Refunds_V2_Controller_Test::test_items_response_fields, in woocommerce/woocommerce
# plugins/woocommerce/tests/php/includes/rest-api/Controllers/Version2/class-wc-rest-order-refunds-v2-controller-test.php).
SOURCE_KEYS = {"order-refunds": {"shipping_lines", "fee_lines"}}


def _without_source_keys(page: str, items: list[dict]) -> list[dict]:
    return [{k: v for k, v in item.items() if k not in SOURCE_KEYS.get(page, ())} for item in items]


SANDBOX = "woocommerce"
SANDBOX_SETTINGS = {"seed": {"products": 120, "orders": 40, "seed": 7}}


@pytest.fixture(scope="module")
def key(sb):
    return sb.key("read_write")


def test_extractor_finds_examples():
    product = ref.example("products", "Retrieve a product")
    assert product["id"] == 794 and "_links" in product
    assert isinstance(ref.example("products", "List all products"), list)
    batch = ref.example("products", "Batch update products")
    assert set(batch) == {"create", "update", "delete"}
    assert ref.example("orders", "Retrieve an order")["line_items"][0]["taxes"][0]["id"] == 75
    assert ref.example("payment-gateways", "List all payment gateways")[0]["id"] == "bacs"


def test_shape_diff_reports_keys_and_types():
    expected = {"a": "1", "b": [{"c": 1}], "d": None}
    assert ref.shape_diff(expected, {"a": "x", "b": [], "d": {"z": 1}}) == []
    diff = ref.shape_diff(expected, {"a": 1, "b": [{"c": "2", "x": 1}], "e": 2})
    assert "a: expected string, got number (1)" in diff
    assert "b[].c: expected number, got string ('2')" in diff
    assert "b[].x: not in the reference example" in diff
    assert "d: missing" in diff and "e: not in the reference example" in diff


def _first(sb, key, path, **params):
    r = sb.get(path, key, params=params)
    assert r.status_code == 200, r.text
    assert r.json(), f"no items at {path}"
    return r.json()


@pytest.mark.parametrize("section", ["Retrieve a product", "Create a product", "Update a product"])
def test_product_shape(sb, key, section):
    simple = _first(sb, key, "/products", type="simple", per_page=5)[0]
    ref.assert_same_shape(ref.example("products", section), simple)


def test_variable_product_and_list_shapes(sb, key):
    variable = _first(sb, key, "/products", type="variable")[0]
    assert variable["variations"] and variable["attributes"]
    ref.assert_same_shape(ref.example("products", "Create a product", 1), variable)
    listing = _first(sb, key, "/products", per_page=20)
    ref.assert_same_shape(ref.example("products", "List all products"), listing)


def test_product_batch_shape(sb, key):
    r = sb.post(
        "/products/batch",
        key,
        json={"create": [{"name": "Muki", "regular_price": "9.90"}], "update": [], "delete": []},
    )
    assert r.status_code == 200
    ref.assert_same_shape(ref.example("products", "Batch update products"), r.json())


def test_variation_shapes(sb, key):
    parent = _first(sb, key, "/products", type="variable")[0]
    variations = _first(sb, key, f"/products/{parent['id']}/variations")
    ref.assert_same_shape(ref.example("product-variations", "List all product variations"), variations)
    one = sb.get(f"/products/{parent['id']}/variations/{variations[0]['id']}", key).json()
    ref.assert_same_shape(ref.example("product-variations", "Retrieve a product variation"), one)


def test_order_shapes(sb, key):
    orders = _first(sb, key, "/orders", per_page=40)
    ref.assert_same_shape(ref.example("orders", "List all orders"), orders)
    with_variation = next(o for o in orders if any(li["variation_id"] for li in o["line_items"]))
    ref.assert_same_shape(ref.example("orders", "Retrieve an order"), with_variation)
    # fee and coupon lines: their property tables (the examples leave them empty)
    with_fee = next(o for o in orders if o["fee_lines"])
    assert set(with_fee["fee_lines"][0]) == {
        "id",
        "name",
        "tax_class",
        "tax_status",
        "total",
        "total_tax",
        "taxes",
        "meta_data",
    }


def test_refund_shapes(sb, key):
    orders = _first(sb, key, "/orders", status="refunded")
    refunds = _first(sb, key, f"/orders/{orders[0]['id']}/refunds")
    ref.assert_same_shape(
        ref.example("order-refunds", "List all refunds"), _without_source_keys("order-refunds", refunds)
    )
    assert all(
        r["shipping_lines"] == [] and r["fee_lines"] == [] for r in refunds
    )  # product or amount refunds
    o = sb.get(f"/orders/{orders[0]['id']}", key).json()
    assert o["refunds"] and set(o["refunds"][0]) == {"id", "reason", "total"}


def test_shipping_shapes(sb, key):
    zones = _first(sb, key, "/shipping/zones")
    ref.assert_same_shape(ref.example("shipping-zones", "List all shipping zones"), zones)
    methods = _first(sb, key, "/shipping/zones/1/methods")
    example = ref.example("shipping-zone-methods", "List all shipping methods from a shipping zone")
    ref.assert_same_shape(example, methods, open_maps=SETTINGS_MAPS)
    by_id = {m["method_id"]: m for m in methods}
    for proto in example:  # method by method: every setting we carry is in the example with its type
        ref.assert_same_shape(proto, by_id[proto["method_id"]], open_maps=SETTINGS_MAPS)
        assert set(by_id[proto["method_id"]]["settings"]) <= set(proto["settings"])
    one = sb.get(f"/shipping/zones/1/methods/{methods[0]['instance_id']}", key).json()
    ref.assert_same_shape(
        ref.example("shipping-zone-methods", "Retrieve a shipping method from a shipping zone"),
        one,
        open_maps=SETTINGS_MAPS,
    )


def test_payment_gateway_shapes(sb, key):
    gateways = _first(sb, key, "/payment_gateways")
    assert {"bacs", "cod", "cheque", "paytrail"} <= {g["id"] for g in gateways}
    ref.assert_same_shape(
        ref.example("payment-gateways", "List all payment gateways"), gateways, open_maps=SETTINGS_MAPS
    )
    one = sb.get("/payment_gateways/bacs", key).json()
    ref.assert_same_shape(
        ref.example("payment-gateways", "Retrieve an payment gateway"), one, open_maps=SETTINGS_MAPS
    )


def test_tax_shapes(sb, key):
    rates = _first(sb, key, "/taxes")
    ref.assert_same_shape(ref.example("taxes", "List all tax rates"), rates)
    assert {(r["class"], r["rate"]) for r in rates} == {
        ("standard", "25.5000"),
        ("reduced-rate", "14.0000"),
        ("reduced-rate-10", "10.0000"),
        ("zero-rate", "0.0000"),
    }
    classes = _first(sb, key, "/taxes/classes")
    ref.assert_same_shape(ref.example("tax-classes", "List all tax classes"), classes)


def test_settings_shapes(sb, key):
    groups = _first(sb, key, "/settings")
    ref.assert_same_shape(ref.example("settings", "List all settings groups"), groups)
    currency = sb.get("/settings/general/woocommerce_currency", key).json()
    assert currency["value"] == "EUR"
    example = ref.example("setting-options", "Retrieve a setting option")
    ref.assert_same_shape(example, currency, open_maps=("options",))
    allowed = sb.get("/settings/general/woocommerce_allowed_countries", key).json()
    ref.assert_same_shape(example, allowed)
    taxes = {o["id"]: o for o in sb.get("/settings/tax", key).json()}
    assert taxes["woocommerce_prices_include_tax"]["value"] in ("yes", "no")
    general = {o["id"]: o for o in sb.get("/settings/general", key).json()}
    assert general["woocommerce_calc_taxes"]["value"] == "yes"


def test_webhook_shapes(sb, key):
    with Receiver() as rx:
        r = sb.post(
            "/webhooks",
            key,
            json={
                "name": "Tilaus luotu",
                "topic": "order.created",
                "delivery_url": rx.url,
                "secret": "s3cret",
            },
        )
        assert r.status_code == 201, r.text
        ref.assert_same_shape(ref.example("webhooks", "Create a webhook"), r.json())
        assert "secret" not in r.json()
        listing = sb.get("/webhooks", key).json()
        ref.assert_same_shape(ref.example("webhooks", "List all webhooks"), listing)
        sb.delete(f"/webhooks/{r.json()['id']}", key, params={"force": "true"})


def test_error_shape(sb, key):
    r = sb.get("/products/999999", key)
    assert r.status_code == 404
    ref.assert_same_shape(ref.example("introduction", "Errors"), r.json())
    assert r.json()["code"] == "woocommerce_rest_product_invalid_id"


def test_no_undocumented_keys_anywhere(sb, key):
    """Every key the sandbox returns is named by the reference page of its resource."""
    order = sb.get("/orders", key, params={"status": "refunded"}).json()[0]
    parent = sb.get("/products", key, params={"type": "variable"}).json()[0]
    checks = {
        "products": sb.get("/products", key, params={"per_page": 100}).json()
        + [sb.get(f"/products/{parent['variations'][0]}", key).json()],
        "product-variations": sb.get(f"/products/{parent['id']}/variations", key).json(),
        "orders": sb.get("/orders", key, params={"per_page": 100}).json(),
        "order-refunds": _without_source_keys(
            "order-refunds", sb.get(f"/orders/{order['id']}/refunds", key).json()
        ),
        "shipping-zones": sb.get("/shipping/zones", key).json(),
        "shipping-zone-methods": sb.get("/shipping/zones/1/methods", key).json()
        + sb.get("/shipping/zones/2/methods", key).json(),
        "payment-gateways": sb.get("/payment_gateways", key).json(),
        "taxes": sb.get("/taxes", key).json(),
        "tax-classes": sb.get("/taxes/classes", key).json(),
        "settings": sb.get("/settings", key).json(),
        "setting-options": sb.get("/settings/general", key).json() + sb.get("/settings/tax", key).json(),
    }
    problems = {page: ref.undocumented_keys(page, value) for page, value in checks.items()}
    assert {p: k for p, k in problems.items() if k} == {}
