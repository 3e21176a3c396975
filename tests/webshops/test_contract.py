"""The parsers against the WooCommerce reference (sandbox/contracts/woocommerce/*.json) and the sandbox.

1. The reference's example responses parse, with the right Decimal values.
2. The parsers read only keys the reference documents (a recording dict notes every key read).
3. The sandbox answers the same resources with the reference's keys and JSON types, and its
   answers parse too.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from integration.webshops.base import ChargeKind, LineTax, RefundedCharge, RefundRef, ShopOrder
from integration.webshops.woocommerce import parse
from sandbox.woocommerce import reference as ref

SETTINGS_MAPS = ("settings", "[].settings", "settings.*.options", "[].settings.*.options")


# ---------------------------------------------------------------------- key recording
class Recording(dict):
    """A dict that notes the path of every key read (``line_items[].taxes[].total``)."""

    def __init__(self, data: dict, path: str, seen: set):
        super().__init__({k: _wrap(v, f"{path}.{k}" if path else k, seen) for k, v in data.items()})
        self._path, self._seen = path, seen

    def _note(self, key):
        self._seen.add(f"{self._path}.{key}" if self._path else str(key))

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)


def _wrap(value, path, seen):
    if isinstance(value, dict):
        return Recording(value, path, seen)
    if isinstance(value, list):
        return [_wrap(v, path + "[]", seen) for v in value]
    return value


def _paths(value, path="") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            out.add(p)
            out |= _paths(v, p)
    elif isinstance(value, list):
        for v in value:
            out |= _paths(v, path + "[]")
    return out


def read_keys(fn, data, *args):
    seen: set[str] = set()
    result = fn(_wrap(data, "", seen), *args)
    return result, seen


# Lines the examples leave empty: their keys from the reference's property tables (orders.md).
FEE_LINE_KEYS = {
    "fee_lines[]." + k
    for k in ("id", "name", "tax_class", "tax_status", "total", "total_tax", "taxes", "meta_data")
}
COUPON_LINE_KEYS = {"coupon_lines[]." + k for k in ("id", "code", "discount", "discount_tax", "meta_data")}
TAX_KEYS = {
    p + ".taxes[]." + k for p in ("shipping_lines[]", "fee_lines[]") for k in ("id", "total", "subtotal")
}
META_KEYS = {
    p + ".meta_data[]." + k
    for p in ("", "line_items[]", "shipping_lines[]", "fee_lines[]")
    for k in ("id", "key", "value")
}
META_KEYS = {k.lstrip(".") for k in META_KEYS}
REFUND_KEYS = {"refunds[].id", "refunds[].reason", "refunds[].total"}


def assert_documented(seen: set[str], example, extra: set[str] = frozenset()):
    documented = _paths(example) | set(extra)
    unknown = sorted(p for p in seen if p not in documented)
    assert not unknown, f"parser reads keys the reference does not document: {unknown}"


# ---------------------------------------------------------------------- reference examples
def test_product_example():
    example = ref.example("products", "Retrieve a product")
    p, seen = read_keys(parse.product, example)
    assert (p.id, p.type, p.status, p.parent_id) == (794, "simple", "publish", None)
    assert p.regular_price == Decimal("21.99") and isinstance(p.regular_price, Decimal)
    assert p.manage_stock is False and p.stock_quantity is None
    assert p.date_modified_gmt.isoformat() == "2017-03-23T20:01:14+00:00"
    assert_documented(seen, example, META_KEYS)
    listing = ref.example("products", "List all products")
    assert [(x.type, x.regular_price) for x in map(parse.product, listing)] == [
        ("variable", None),
        ("simple", Decimal("21.99")),
    ]


def test_variable_product_example():
    variable = ref.example("products", "Create a product", 1)
    p = parse.product(variable)
    assert p.type == "variable" and p.regular_price is None  # variable products carry no price of their own


def test_variation_example():
    example = ref.example("product-variations", "Retrieve a product variation")
    v, seen = read_keys(parse.variation, example, None, 799)
    assert (v.id, v.parent_id, v.type) == (732, 799, "variation")
    assert v.regular_price == Decimal("9.00")
    assert v.name == "Black"  # no parent given: the attribute options
    assert_documented(seen, example, META_KEYS)
    listing = ref.example("product-variations", "List all product variations")
    parsed = [parse.variation(x, {"id": 799, "name": "Ship Your Idea"}) for x in listing]
    assert parsed[0].name == f"Ship Your Idea - {listing[0]['attributes'][0]['option']}"
    assert all(isinstance(x.regular_price, Decimal) for x in parsed)


def test_order_example():
    example = ref.example("orders", "Retrieve an order")
    o, seen = read_keys(parse.order, example)
    assert isinstance(o, ShopOrder)
    assert (o.id, o.number, o.status, o.currency) == (727, "727", "processing", "USD")
    assert (o.total, o.total_tax, o.shipping_total) == (Decimal("29.35"), Decimal("1.35"), Decimal("10.00"))
    assert o.prices_include_tax is False
    first = o.line_items[0]
    assert (first.product_id, first.quantity, first.price) == (93, Decimal("2"), Decimal("3"))
    assert (first.total, first.total_tax) == (Decimal("6.00"), Decimal("0.45"))
    assert first.taxes[0].rate_id == 75 and first.taxes[0].total == Decimal("0.45")
    assert o.line_items[1].variation_id != 0
    assert o.shipping_lines[0].method_id == "flat_rate" and o.shipping_lines[0].total == Decimal("10.00")
    assert o.billing.email == "john.doe@example.com"
    lines = sum((li.total + li.total_tax for li in o.line_items), Decimal(0))
    assert lines + o.shipping_total + o.shipping_tax == o.total
    assert_documented(seen, example, FEE_LINE_KEYS | COUPON_LINE_KEYS | TAX_KEYS | META_KEYS | REFUND_KEYS)


# The reference documents only a refund's line_items; WooCommerce's own REST test
# (WC_REST_Order_Refunds_V2_Controller_Test::test_items_response_fields: "line, fees and shipping items
# are all included in refund response") shows shipping_lines and fee_lines shaped as the order's.
REFUND_CHARGE_KEYS = {"shipping_lines", "fee_lines"}


def test_refund_example():
    example = ref.example("order-refunds", "List all refunds")
    refunds = [parse.refund(r, 723) for r in example]
    assert [(r.id, r.amount) for r in refunds] == [(726, Decimal("10.00")), (724, Decimal("9.00"))]
    assert all(r.charges == [] for r in refunds)
    _, seen = read_keys(parse.refund, example[0], 723)
    assert_documented(seen, example[0], META_KEYS | REFUND_CHARGE_KEYS)


def test_refund_of_shipping_and_fee_lines_parses_into_positive_typed_charges():
    """A WooCommerce refund of a two-rate shipping line and a fee: negative figures, like the order's lines,
    each naming the order line it pays back in ``_refunded_item_id``."""
    data = {
        "id": 812,
        "date_created_gmt": "2026-03-10T09:00:00",
        "amount": "12.79",
        "reason": "",
        "line_items": [],
        "shipping_lines": [
            {
                "id": 815,
                "method_title": "Posti",
                "method_id": "flat_rate",
                "total": "-6.90",
                "total_tax": "-1.10",
                "taxes": [
                    {"id": 1, "total": "-0.29", "subtotal": ""},
                    {"id": 2, "total": "-0.81", "subtotal": ""},
                ],
                "meta_data": [{"id": 901, "key": "_refunded_item_id", "value": "77"}],
            }
        ],
        "fee_lines": [
            {
                "id": 816,
                "name": "Laskutuslisä",
                "tax_class": "",
                "tax_status": "taxable",
                "total": "-4.00",
                "total_tax": "-0.79",
                "taxes": [{"id": 1, "total": "-0.51", "subtotal": ""}],
                "meta_data": [{"id": 902, "key": "_refunded_item_id", "value": "78"}],
            }
        ],
    }
    r = parse.refund(data, 700)
    D = Decimal
    assert r.charges == [
        RefundedCharge(
            ChargeKind.SHIPPING,
            77,
            "Posti",
            D("6.90"),
            D("1.10"),
            (LineTax(1, D("0.29")), LineTax(2, D("0.81"))),
        ),
        RefundedCharge(ChargeKind.FEE, 78, "Laskutuslisä", D("4.00"), D("0.79"), (LineTax(1, D("0.51")),)),
    ]
    assert [c.gross for c in r.charges] == [D("8.00"), D("4.79")]
    # Without the meta, the line it pays back is unknown (the planner then decides whether that is clear)
    del data["shipping_lines"][0]["meta_data"]
    assert parse.refund(data, 700).charges[0].order_line_id is None


def test_refund_line_items_carry_the_order_line_they_pay_back():
    data = {
        "id": 813,
        "amount": "5.00",
        "line_items": [
            {
                "id": 820,
                "name": "Kahvi",
                "product_id": 102,
                "quantity": -1,
                "total": "-4.39",
                "total_tax": "-0.61",
                "taxes": [],
                "meta_data": [{"id": 903, "key": "_refunded_item_id", "value": "1020"}],
            }
        ],
    }
    assert parse.refund(data, 700).line_items[0].refunded_item_id == 1020


def test_an_order_lists_its_refunds_oldest_first_with_positive_amounts():
    example = ref.example("orders", "Retrieve an order")
    data = {
        **example,
        "refunds": [
            {"id": 726, "reason": "", "total": "-10.00"},
            {"id": 724, "reason": "", "total": "-9.00"},
        ],
    }
    assert parse.order(data).refunds == [RefundRef(724, Decimal("9.00")), RefundRef(726, Decimal("10.00"))]
    assert parse.order({**example, "refunds": []}).refunds == []


def test_shipping_methods_example():
    example = ref.example("shipping-zone-methods", "List all shipping methods from a shipping zone")
    zone = ref.example("shipping-zones", "Retrieve a shipping zone")
    methods = [parse.shipping_method(m, zone) for m in example]
    assert [(m.instance_id, m.method_id, m.title, m.enabled) for m in methods] == [
        (26, "flat_rate", "Flat rate", True),
        (27, "free_shipping", "Free shipping", True),
    ]
    _, seen = read_keys(parse.shipping_method, example[0], zone)
    assert_documented({p for p in seen if not p.startswith(("id", "name"))}, example[0])


def test_payment_gateways_example():
    example = ref.example("payment-gateways", "List all payment gateways")
    gateways = [parse.payment_gateway(g) for g in example]
    assert ("bacs", "Direct bank transfer", True) in [(g.id, g.title, g.enabled) for g in gateways]
    _, seen = read_keys(parse.payment_gateway, example[0])
    assert_documented(seen, example[0])


def test_tax_and_webhook_examples():
    rates = [parse.tax_rate(r) for r in ref.example("taxes", "List all tax rates")]
    assert rates[0].rate == Decimal("4.0000") and rates[0].tax_class == "standard"
    _, seen = read_keys(parse.tax_rate, ref.example("taxes", "Retrieve a tax rate"))
    assert_documented(seen, ref.example("taxes", "Retrieve a tax rate"))
    hook = ref.example("webhooks", "Retrieve a webhook")
    info, seen = read_keys(parse.webhook, hook)
    assert info.topic == hook["topic"] and info.status == hook["status"]
    assert_documented(seen, hook)


def test_settings_example():
    option = ref.example("setting-options", "Retrieve a setting option")
    assert parse.setting_value([option], option["id"]) == option["value"]
    info = parse.shop_info(
        [{"id": "woocommerce_currency", "value": "EUR"}, {"id": "woocommerce_calc_taxes", "value": "yes"}],
        [{"id": "woocommerce_prices_include_tax", "value": "no"}],
        7,
    )
    assert (info.currency, info.taxes_enabled, info.prices_include_tax, info.product_count) == (
        "EUR",
        True,
        False,
        7,
    )


# ---------------------------------------------------------------------- the sandbox answers alike
def _ok(r):
    assert r.status_code == 200, r.text[:300]
    return r.json()


@pytest.mark.parametrize(
    "path,params,page,section,kw",
    [
        ("/products", {"type": "simple", "per_page": 20}, "products", "List all products", {}),
        ("/orders", {"per_page": 30}, "orders", "List all orders", {}),
        ("/taxes", {}, "taxes", "List all tax rates", {}),
        (
            "/payment_gateways",
            {},
            "payment-gateways",
            "List all payment gateways",
            {"open_maps": SETTINGS_MAPS},
        ),
        (
            "/shipping/zones/1/methods",
            {},
            "shipping-zone-methods",
            "List all shipping methods from a shipping zone",
            {"open_maps": SETTINGS_MAPS},
        ),
    ],
)
def test_sandbox_lists_have_reference_shape(sb, key, path, params, page, section, kw):
    data = _ok(sb.get(path, key, params=params))
    assert data
    ref.assert_same_shape(ref.example(page, section), data, **kw)


def test_sandbox_answers_parse(sb, key):
    variable = _ok(sb.get("/products", key, params={"type": "variable"}))[0]
    variations = _ok(sb.get(f"/products/{variable['id']}/variations", key))
    ref.assert_same_shape(ref.example("product-variations", "List all product variations"), variations)
    parent = parse.product(variable)
    for v in variations:
        pv = parse.variation(v, parent)
        assert pv.parent_id == parent.id and pv.name.startswith(parent.name + " - ")
        assert isinstance(pv.regular_price, Decimal)
    for o in _ok(sb.get("/orders", key, params={"per_page": 30})):
        order = parse.order(o)
        assert all(isinstance(x, Decimal) for x in (order.total, order.total_tax, order.shipping_total))
    refunded = _ok(sb.get("/orders", key, params={"status": "refunded"}))
    assert refunded
    refunds = _ok(sb.get(f"/orders/{refunded[0]['id']}/refunds", key))
    # A refund's refunded shipping and fee items are not in the shared reference; WooCommerce's own test
    # (WC_REST_Order_Refunds_V2_Controller_Test::test_items_response_fields) shows them, and so does the sandbox.
    ref.assert_same_shape(
        ref.example("order-refunds", "List all refunds"),
        refunds,
        ignore=("[].shipping_lines", "[].fee_lines"),
    )
    assert all(parse.refund(r, refunded[0]["id"]).amount > 0 for r in refunds)


# ---------------------------------------------------------------------- our requests use documented names
def documented_parameters(page: str, section: str) -> set[str]:
    return ref.parameters(page, section)


def documented_properties(page: str, section: str) -> set[str]:
    return ref.properties(page, section)


LIST_PARAMS = [
    (r"/products", "GET", "products", "List all products"),
    (r"/products/\d+/variations", "GET", "product-variations", "List all product variations"),
    (r"/orders", "GET", "orders", "List all orders"),
    (r"/orders/\d+/refunds", "GET", "order-refunds", "List all refunds"),
    (r"/webhooks", "GET", "webhooks", "List all webhooks"),
    (r"/webhooks/\d+", "DELETE", "webhooks", "Delete a webhook"),
    (r"/taxes", "GET", "taxes", "List all tax rates"),
]
BODY_PROPS = [
    (r"/products/batch", "products", "Product properties"),
    (r"/products/\d+/variations/batch", "product-variations", "Product variation properties"),
    (r"/webhooks(/\d+)?", "webhooks", "Webhook properties"),
    (r"/orders/\d+", "orders", "Order properties"),
]
NO_REFERENCE = (r"/orders/\d+/notes",)  # order notes: WooCommerce's endpoint, not in the v3 reference


def test_the_connector_sends_only_documented_parameters_and_fields(sb, fresh):
    from datetime import UTC, datetime

    from integration.webshops.base import ProductWrite
    from sandbox.woocommerce.testing import Receiver

    from .conftest import last_seq, make_shop

    shop = make_shop(sb, fresh)
    since = last_seq(sb)
    shop.test_connection()
    products = list(shop.products())
    list(shop.products(modified_after=datetime(2020, 1, 1, tzinfo=UTC)))
    shop.products_by_sku([p.sku for p in products[:3]])
    v = next(p for p in products if p.parent_id)
    s = next(p for p in products if p.type == "simple")
    shop.save_products(
        [
            ProductWrite(sku=s.sku, name=s.name, regular_price=Decimal("2.00"), id=s.id, status="publish"),
            ProductWrite(
                sku="DOC-1",
                name="Uusi",
                tax_class="reduced-rate",
                tax_status="taxable",
                manage_stock=True,
                stock_quantity=1,
                status="draft",
                meta={"_a": "b"},
            ),
            ProductWrite(sku=v.sku, regular_price=Decimal("3.00"), id=v.id, parent_id=v.parent_id),
        ]
    )
    orders = list(
        shop.orders(statuses=["processing", "refunded"], modified_after=datetime(2020, 1, 1, tzinfo=UTC))
    )
    shop.order(orders[0].id)
    shop.refunds(orders[0].id)
    shop.write_back(orders[0].id, {"_silta": "1"}, "Muistiinpano")
    shop.tax_rates(), shop.tax_classes(), shop.shipping_methods(), shop.payment_gateways()
    with Receiver() as rx:
        shop.register_webhooks(rx.url, "s", ["order.created"])
        shop.check_webhooks(rx.url, "s", ["order.created", "order.updated"])
        shop.remove_webhooks(rx.url)

    log = sb.requests_log(since=since)
    assert len(log) > 20
    for e in log:
        path = e["path"].removeprefix("/wp-json/wc/v3")
        if any(re.fullmatch(p, path) for p in NO_REFERENCE):
            continue
        query = set(e["query"])
        if query:
            match = [(pg, sec) for p, m, pg, sec in LIST_PARAMS if re.fullmatch(p, path) and m == e["method"]]
            assert match, f"{e['method']} {path} sends {query} but takes no parameters"
            assert query <= documented_parameters(*match[0]), f"{e['method']} {path}: {query}"
        if e["method"] in ("POST", "PUT") and e["json"]:
            props = [(pg, sec) for p, pg, sec in BODY_PROPS if re.fullmatch(p, path)]
            assert props, f"{e['method']} {path} has a body but no reference table"
            allowed = documented_properties(*props[0])
            body = e["json"]
            items = (
                [*(body.get("create") or []), *(body.get("update") or [])]
                if path.endswith("/batch")
                else [body]
            )
            for item in items:
                assert set(item) <= allowed, f"{e['method']} {path}: {set(item) - allowed}"
