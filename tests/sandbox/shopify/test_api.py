"""The Shopify sandbox over HTTP: authentication, paging, cost and throttling, inventory, orders."""

import json
from decimal import Decimal

import pytest
import requests

from sandbox.contracts import DIR
from sandbox.shopify import API_VERSION

CONTRACT = json.loads((DIR / "shopify" / f"admin-graphql-{API_VERSION}.json").read_text())
LOCATION = "gid://shopify/Location/1001"

SKUS = "query($after: String) { productVariants(first: 5, after: $after) { nodes { sku } pageInfo { hasNextPage endCursor } } }"


def _shape(value):
    """The keys and value kinds of a JSON document (numbers as one kind)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def test_a_request_without_a_valid_access_token_is_refused(sb, fresh):
    assert sb.graphql("{ shop { name } }", token=None).status_code == 401
    assert sb.graphql("{ shop { name } }", token="shpat_wrong").status_code == 401
    ok = sb.graphql("{ shop { name myshopifyDomain } }", token=fresh)
    assert ok.status_code == 200
    assert ok.json()["data"]["shop"]["myshopifyDomain"] == "silta-sandbox.myshopify.com"
    assert ok.headers["X-Shopify-API-Version"] == API_VERSION


def test_a_token_without_the_scope_is_denied_the_field(sb, fresh):
    token = sb.token("read_products")
    body = sb.graphql("{ orders(first: 1) { nodes { id } } }", token=token).json()
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "data" not in body or body.get("data") is None


def test_cursor_paging_returns_every_variant_once(sb, fresh):
    seen, after = [], None
    while True:
        page = sb.graphql(SKUS, {"after": after}, token=fresh).json()["data"]["productVariants"]
        seen += [n["sku"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"SKU-{n:04d}" for n in range(1, 13)]


def test_a_connection_needs_first_or_last_and_at_most_250(sb, fresh):
    assert (
        "first or last"
        in sb.graphql("{ products { nodes { id } } }", token=fresh).json()["errors"][0]["message"]
    )
    assert sb.graphql("{ products(first: 251) { nodes { id } } }", token=fresh).json()["errors"]


def test_search_by_sku(sb, fresh):
    body = sb.graphql(
        '{ productVariants(first: 5, query: "sku:SKU-0007") { nodes { sku } } }', token=fresh
    ).json()
    assert [n["sku"] for n in body["data"]["productVariants"]["nodes"]] == ["SKU-0007"]


def test_every_answer_carries_its_cost_and_the_bucket(sb, fresh):
    first = sb.graphql("{ products(first: 10) { nodes { id title } } }", token=fresh).json()
    cost = first["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 10  # a connection: 2 plus the objects requested
    assert cost["actualQueryCost"] == 2 + 10  # 12 products exist, 10 came back
    assert cost["throttleStatus"]["maximumAvailable"] == 1000.0
    assert cost["throttleStatus"]["restoreRate"] == 100.0
    assert cost["throttleStatus"]["currentlyAvailable"] <= 1000 - 12 + 1
    assert _shape(first["extensions"]) == _shape(CONTRACT["examples"]["cost_extension"]["body"]["extensions"])


def test_the_actual_cost_counts_what_came_back(sb, fresh):
    cost = sb.graphql("{ products(first: 100) { nodes { id } } }", token=fresh).json()["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 102
    assert cost["actualQueryCost"] == 2 + 12


def test_an_empty_bucket_answers_throttled_with_the_documented_shape(sb, fresh):
    sb.control("POST", "/settings", {"restore_rate": 0.001})  # no refill while the test runs
    sb.control("POST", "/bucket", {"currentlyAvailable": 5})
    r = sb.graphql("{ products(first: 10) { nodes { id } } }", token=fresh)
    body = r.json()
    assert r.status_code == 200
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert "data" not in body
    assert _shape({k: v for k, v in body.items()}) == _shape(CONTRACT["examples"]["throttled"]["body"]) | {
        "extensions": _shape(body["extensions"])
    }
    assert set(body["extensions"]["cost"]) == set(
        CONTRACT["examples"]["throttled"]["body"]["extensions"]["cost"]
    )
    # a cheaper query still fits
    assert "data" in sb.graphql("{ shop { name } }", token=fresh).json()


def test_throttled_may_be_answered_429(sb, fresh):
    sb.control("POST", "/settings", {"throttle_status": 429, "restore_rate": 0.001})
    sb.control("POST", "/bucket", {"currentlyAvailable": 0})
    r = sb.graphql("{ products(first: 10) { nodes { id } } }", token=fresh)
    assert r.status_code == 429, r.text
    assert r.json()["errors"][0]["extensions"]["code"] == "THROTTLED"


@pytest.mark.slow
def test_the_bucket_refills_at_the_restore_rate(sb, fresh):
    import time

    sb.control("POST", "/settings", {"restore_rate": 200.0})
    sb.control("POST", "/bucket", {"currentlyAvailable": 0})
    time.sleep(0.25)
    status = sb.control("GET", "/")["throttleStatus"]
    assert 40 <= status["currentlyAvailable"] <= 80


def test_a_query_over_the_single_query_limit_is_refused(sb, fresh):
    q = "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }"
    body = sb.graphql(q, token=fresh).json()
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


SET = """mutation set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id reason }
    userErrors { code field message }
  }
}"""
LEVEL = """query($sku: String) { productVariants(first: 1, query: $sku) { nodes { inventoryItem { id
  inventoryLevel(locationId: "gid://shopify/Location/1001") { quantities(names: ["available", "on_hand"]) { name quantity } } } } } }"""


def _item(sb, token, sku):
    node = sb.graphql(LEVEL, {"sku": f"sku:{sku}"}, token=token).json()["data"]["productVariants"]["nodes"][0]
    qty = {q["name"]: q["quantity"] for q in node["inventoryItem"]["inventoryLevel"]["quantities"]}
    return node["inventoryItem"]["id"], qty


def _set(sb, token, item, quantity, **extra):
    q = {"inventoryItemId": item, "locationId": LOCATION, "quantity": quantity, **extra}
    body = sb.graphql(
        SET, {"input": {"name": "available", "reason": "correction", "quantities": [q]}}, token=token
    )
    return body.json()["data"]["inventorySetQuantities"]


def test_inventory_is_set_only_from_the_quantity_expected(sb, fresh):
    item, before = _item(sb, fresh, "SKU-0001")
    stale = _set(sb, fresh, item, 40, changeFromQuantity=before["available"] + 1)
    assert [e["code"] for e in stale["userErrors"]] == ["CHANGE_FROM_QUANTITY_STALE"]
    assert stale["inventoryAdjustmentGroup"] is None
    assert _item(sb, fresh, "SKU-0001")[1] == before  # nothing changed
    done = _set(sb, fresh, item, 40, changeFromQuantity=before["available"])
    assert done["userErrors"] == [] and done["inventoryAdjustmentGroup"]["reason"] == "correction"
    after = _item(sb, fresh, "SKU-0001")[1]
    assert after["available"] == 40
    assert after["on_hand"] == before["on_hand"] + 40 - before["available"]


def test_inventory_compare_rules(sb, fresh):
    item, before = _item(sb, fresh, "SKU-0002")
    assert [e["code"] for e in _set(sb, fresh, item, 3)["userErrors"]] == ["COMPARE_QUANTITY_REQUIRED"]
    assert _set(sb, fresh, item, 3, compareQuantity=before["available"])["userErrors"] == []
    assert [e["code"] for e in _set(sb, fresh, item, 4, compareQuantity=99)["userErrors"]] == [
        "COMPARE_QUANTITY_STALE"
    ]
    assert _set(sb, fresh, item, 5, changeFromQuantity=None)["userErrors"] == []  # explicit null: no check
    assert _item(sb, fresh, "SKU-0002")[1]["available"] == 5
    bad = _set(sb, fresh, "gid://shopify/InventoryItem/1", 1, changeFromQuantity=None)
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID_INVENTORY_ITEM"]


ORDER = """query($id: ID!) { order(id: $id) {
  name taxesIncluded currencyCode displayFinancialStatus paymentGatewayNames
  totalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
  subtotalPriceSet { shopMoney { amount } } totalShippingPriceSet { shopMoney { amount } }
  taxLines { rate priceSet { shopMoney { amount } } }
  lineItems(first: 10) { nodes { id sku quantity discountedTotalSet { shopMoney { amount } }
    discountAllocations { allocatedAmountSet { shopMoney { amount } } }
    taxLines { rate priceSet { shopMoney { amount } } } variant { sku } } }
  shippingLines(first: 5) { nodes { title discountedPriceSet { shopMoney { amount } } taxLines { rate priceSet { shopMoney { amount } } } } }
  refunds { totalRefundedSet { shopMoney { amount } }
    refundLineItems(first: 10) { nodes { quantity restockType subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } lineItem { sku } } }
    refundShippingLines(first: 5) { nodes { subtotalAmountSet { shopMoney { amount } } taxAmountSet { shopMoney { amount } } } }
    transactions(first: 5) { nodes { kind status amountSet { shopMoney { amount } } } } }
  transactions { kind status gateway amountSet { shopMoney { amount } } }
} }"""


def _amount(bag):
    return Decimal(bag["shopMoney"]["amount"])


def test_an_orders_money_adds_up_per_vat_rate(sb, fresh):
    made = sb.control(
        "POST",
        "/orders",
        {
            "lines": [{"sku": "SKU-0001", "quantity": 2}, {"sku": "SKU-0003", "quantity": 1}],
            "discount_percent": 10,
        },
    )
    o = sb.graphql(ORDER, {"id": made["id"]}, token=fresh).json()["data"]["order"]
    assert o["taxesIncluded"] is True and o["displayFinancialStatus"] == "PAID"
    lines = o["lineItems"]["nodes"]
    assert [li["sku"] for li in lines] == ["SKU-0001", "SKU-0003"] == [li["variant"]["sku"] for li in lines]
    net = sum(
        _amount(li["discountedTotalSet"])
        - sum(_amount(a["allocatedAmountSet"]) for a in li["discountAllocations"])
        for li in lines
    )
    shipping = _amount(o["totalShippingPriceSet"])
    assert _amount(o["subtotalPriceSet"]) == net
    assert _amount(o["totalPriceSet"]) == net + shipping  # taxes included
    per_rate = {}
    for tl in [t for li in lines for t in li["taxLines"]] + o["shippingLines"]["nodes"][0]["taxLines"]:
        per_rate[tl["rate"]] = per_rate.get(tl["rate"], Decimal(0)) + _amount(tl["priceSet"])
    assert {t["rate"]: _amount(t["priceSet"]) for t in o["taxLines"]} == per_rate
    assert sum(per_rate.values()) == _amount(o["totalTaxSet"])
    assert o["transactions"][0]["kind"] == "SALE" and _amount(o["transactions"][0]["amountSet"]) == _amount(
        o["totalPriceSet"]
    )


def test_a_refund_of_a_line_and_the_shipping(sb, fresh):
    made = sb.control("POST", "/orders", {"lines": [{"sku": "SKU-0001", "quantity": 2}]})
    sb.control(
        "POST",
        "/refunds",
        {
            "order_id": made["id"],
            "shipping": True,
            "lines": [{"line_item_id": made["line_items"][0], "quantity": 1}],
        },
    )
    o = sb.graphql(ORDER, {"id": made["id"]}, token=fresh).json()["data"]["order"]
    refund = o["refunds"][0]
    line = refund["refundLineItems"]["nodes"][0]
    ship = refund["refundShippingLines"]["nodes"][0]
    assert line["quantity"] == 1 and line["lineItem"]["sku"] == "SKU-0001" and line["restockType"] == "RETURN"
    refunded = (
        _amount(line["subtotalSet"])
        + _amount(line["totalTaxSet"])
        + _amount(ship["subtotalAmountSet"])
        + _amount(ship["taxAmountSet"])
    )
    assert _amount(refund["totalRefundedSet"]) == refunded
    assert refund["transactions"]["nodes"][0]["kind"] == "REFUND"
    assert o["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert [t["kind"] for t in o["transactions"]] == ["SALE", "REFUND"]


def test_orders_page_by_updated_at(sb, fresh):
    q = "{ orders(first: 10, sortKey: UPDATED_AT, query: \"updated_at:>'2000-01-01T00:00:00Z'\") { nodes { name } } }"
    names = [n["name"] for n in sb.graphql(q, token=fresh).json()["data"]["orders"]["nodes"]]
    assert names == ["#1001", "#1002", "#1003", "#1004"]


def test_a_server_fault_answers_5xx_before_running(sb, fresh):
    sb.control("POST", "/faults", {"fail_next": 1, "fail_status": 503})
    assert sb.graphql("{ shop { name } }", token=fresh).status_code == 503
    assert sb.graphql("{ shop { name } }", token=fresh).status_code == 200


BUYER = "{ order(id: $id) { email billingAddress { firstName lastName company address1 zip city countryCodeV2 } } }"


def test_an_order_carries_its_buyer_and_the_seed_gives_finnish_buyers(sb, fresh):
    query = "query($id: ID!) " + BUYER
    billing = {"firstName": "Maija", "lastName": "Meikäläinen", "address1": "Kauppakatu 1", "zip": "70100"}
    made = sb.control(
        "POST",
        "/orders",
        {
            "lines": [{"sku": "SKU-0001", "quantity": 1}],
            "email": "maija@example.fi",
            "billing": {**billing, "city": "Kuopio", "countryCodeV2": "FI"},
        },
    )
    o = sb.graphql(query, {"id": made["id"]}, token=fresh).json()["data"]["order"]
    assert o["email"] == "maija@example.fi"
    assert o["billingAddress"] == {**billing, "company": None, "city": "Kuopio", "countryCodeV2": "FI"}
    bare = sb.control("POST", "/orders", {"lines": [{"sku": "SKU-0001", "quantity": 1}]})
    assert (
        sb.graphql(query, {"id": bare["id"]}, token=fresh).json()["data"]["order"]["billingAddress"] is None
    )
    seeded = sb.graphql(
        "{ orders(first: 4) { nodes { email billingAddress { lastName zip countryCodeV2 } } } }", token=fresh
    ).json()["data"]["orders"]["nodes"]
    assert {o["billingAddress"]["countryCodeV2"] for o in seeded} == {"FI"}
    assert all(o["email"].endswith("@example.fi") and o["billingAddress"]["zip"] for o in seeded)


def test_a_billing_address_the_schema_cannot_serve_is_refused(sb, fresh):
    for billing in ({"countryCodeV2": "XX"}, {"street": "Kauppakatu 1"}):
        r = sb.http.post(
            f"{sb.url}/_sandbox/orders",
            json={"lines": [{"sku": "SKU-0001", "quantity": 1}], "billing": billing},
            timeout=10,
        )
        assert r.status_code == 400, billing


PRODUCT_SET = """mutation($input: ProductSetInput!) { productSet(input: $input) {
  product { id status variants(first: 1) { nodes { id sku price inventoryItem { tracked } } } }
  userErrors { field message } } }"""
DEFAULT = {"optionValues": [{"optionName": "Title", "name": "Default Title"}]}
OPTIONS = [{"name": "Title", "values": [{"name": "Default Title"}]}]


def _product_set(sb, token, **variant):
    return sb.graphql(
        PRODUCT_SET,
        {
            "input": {
                "title": "Uusi",
                "status": "DRAFT",
                "productOptions": OPTIONS,
                "variants": [{**DEFAULT, **variant}],
            }
        },
        token=token,
    )


def test_product_set_creates_the_product_with_its_variant_and_stock(sb, fresh):
    quantities = [{"locationId": LOCATION, "name": "available", "quantity": 6}]
    answer = _product_set(
        sb, fresh, sku="PS-1", price="4.50", inventoryItem={"tracked": True}, inventoryQuantities=quantities
    ).json()["data"]["productSet"]
    assert answer["userErrors"] == []
    assert answer["product"]["status"] == "DRAFT"
    (variant,) = answer["product"]["variants"]["nodes"]
    assert variant["sku"] == "PS-1" and Decimal(variant["price"]) == Decimal("4.50")
    levels = sb.graphql(
        """query($q: String, $l: ID!) { productVariants(first: 1, query: $q) { nodes {
          inventoryItem { inventoryLevel(locationId: $l) { quantities(names: ["available"]) { quantity } } } } } }""",
        {"q": "sku:PS-1", "l": LOCATION},
        token=fresh,
    ).json()["data"]["productVariants"]["nodes"]
    assert levels[0]["inventoryItem"]["inventoryLevel"]["quantities"] == [{"quantity": 6}]


def test_product_set_is_all_or_nothing(sb, fresh):
    before = sb.control("GET", "/")
    answer = _product_set(sb, fresh, sku="PS-2", price="-1").json()["data"]["productSet"]
    assert answer["product"] is None and answer["userErrors"][0]["field"][-1] == "price"
    assert sb.control("GET", "/")["products"] == before["products"]


def test_a_lost_answer_to_product_set_after_its_commit(sb, fresh):
    sb.control("POST", "/faults", {"drop_next_mutations": 1, "drop_mutations_of": ["productSet"]})
    with pytest.raises(requests.ConnectionError):  # the connection closes without an answer
        _product_set(sb, fresh, sku="PS-3", price="1.00")
    skus = sb.graphql('{ productVariants(first: 5, query: "sku:PS-3") { nodes { sku } } }', token=fresh)
    assert skus.json()["data"]["productVariants"]["nodes"] == [{"sku": "PS-3"}]  # committed


@pytest.fixture
def switched(sb):
    """Change sandbox settings for one test (a reset keeps settings: they are put back after)."""
    from sandbox.shopify.store import DEFAULT_SETTINGS

    changed = []

    def switch(**settings):
        changed.extend(settings)
        sb.control("POST", "/settings", settings)

    yield switch
    sb.control("POST", "/settings", {k: DEFAULT_SETTINGS[k] for k in changed})


def _second_before(stamp):
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) - timedelta(seconds=1)).isoformat()


@pytest.mark.parametrize("touches", [False, True])
def test_a_status_change_moves_the_variants_updated_at_only_when_switched_on(sb, fresh, switched, touches):
    switched(product_change_touches_variants=touches)
    product = _product_set(sb, fresh, sku="PS-4", price="1.00").json()["data"]["productSet"]["product"]
    sb.control("POST", "/clock", {"advance": 600})
    changed = sb.graphql(
        "mutation($p: ProductUpdateInput) { productUpdate(product: $p) { product { status updatedAt } } }",
        {"p": {"id": product["id"], "status": "ACTIVE"}},
        token=fresh,
    ).json()["data"]["productUpdate"]["product"]
    assert changed["status"] == "ACTIVE"
    found = sb.graphql(
        "query($q: String) { productVariants(first: 5, query: $q) { nodes { sku } } }",
        {"q": f"updated_at:>'{_second_before(changed['updatedAt'])}'"},
        token=fresh,
    ).json()["data"]["productVariants"]["nodes"]
    assert (found == [{"sku": "PS-4"}]) is touches


def test_a_search_sees_a_change_only_after_the_search_lag(sb, fresh, switched):
    switched(search_lag_seconds=60)
    _product_set(sb, fresh, sku="LAG-1", price="1.00")
    search = '{ productVariants(first: 5, query: "sku:LAG-1") { nodes { sku } } }'
    assert sb.graphql(search, token=fresh).json()["data"]["productVariants"]["nodes"] == []
    listing = sb.graphql("{ productVariants(first: 250) { nodes { sku } } }", token=fresh).json()
    assert {"sku": "LAG-1"} in listing["data"]["productVariants"]["nodes"]  # no query: no index
    sb.control("POST", "/clock", {"advance": 61})
    assert sb.graphql(search, token=fresh).json()["data"]["productVariants"]["nodes"] == [{"sku": "LAG-1"}]
